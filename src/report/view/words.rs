//! Words for readers: what a figure, a change and a verdict say, built from the typed results
//! before any HTML or Markdown is written. Numbers carry their units in words ("49.2% positive",
//! "up 8.9 percentage points"), changes carry their verdict in words and a marker that does
//! not rely on colour, and p- and q-values are written as readers expect ("< 0.001").

use crate::compare::{Comparison, Delta, Measure, NotTested, Verdict};
use crate::disclosure::ProtectedTables;
use crate::indicators::{Breakdown, Group};
use crate::report::tables::fmt_signed;
use crate::schema::{Method, Schema};

/// A change's marker: ▲ a significant rise, ▼ a significant fall, ● no significant change,
/// ○ not tested. The words beside it say whether the move is good news.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Up,
    Down,
    Level,
    Untested,
}

impl Marker {
    pub fn symbol(self) -> &'static str {
        match self {
            Marker::Up => "▲",
            Marker::Down => "▼",
            Marker::Level => "●",
            Marker::Untested => "○",
        }
    }
}

/// One sentence of the main points, plain text (the renderer escapes it).
#[derive(Debug, Clone, PartialEq)]
pub struct MainPoint {
    pub marker: Marker,
    pub text: String,
}

/// A p- or q-value as a reader expects it: "< 0.001", else two significant figures.
pub fn reader_p(p: f64) -> String {
    if !p.is_finite() {
        return String::new();
    }
    if p < 0.001 {
        return "< 0.001".into();
    }
    let digits = (1 - p.log10().floor() as i32).max(0) as usize;
    format!("{p:.digits$}")
}

/// An indicator's value with its unit in words.
pub fn value_text(method: Method, v: f64) -> String {
    let d = usize::from(method.decimals());
    match method {
        Method::ThemePctPositive => format!("{v:.d$}% positive"),
        Method::Index0To100 => format!("{v:.d$} out of 100"),
        Method::Score0To10 => format!("{v:.d$} out of 10"),
        Method::YesRate => format!("{v:.d$}% said yes"),
        Method::Enps => format!("an eNPS of {}", fmt_signed(v, d, false)),
    }
}

/// "up 8.9 percentage points" / "down 0.11 points" / "unchanged".
pub fn change_words(method: Method, delta: f64) -> String {
    let d = usize::from(method.decimals());
    let unit = match method {
        Method::ThemePctPositive | Method::YesRate => "percentage points",
        _ => "points",
    };
    let size = format!("{:.d$}", delta.abs());
    if size.chars().all(|c| !c.is_ascii_digit() || c == '0') {
        return "unchanged".into();
    }
    let unit = if size == format!("{:.d$}", 1.0) {
        unit.trim_end_matches('s')
    } else {
        unit
    };
    format!("{} {size} {unit}", if delta > 0.0 { "up" } else { "down" })
}

/// Why a change was not tested, in a reader's words (no question ids).
pub fn reader_reason(r: &NotTested) -> String {
    match r {
        NotTested::Suppressed => "too few answers to publish in one of the waves".into(),
        NotTested::NotComparable(_) => {
            "its questions changed between the waves, so the figures are not comparable".into()
        }
        NotTested::LowReliability => "too few answers for a reliable comparison".into(),
        NotTested::NoVariation => {
            "everyone answered the same way, so there is nothing to test".into()
        }
        NotTested::NoAnswers => "no answers in one of the waves".into(),
        NotTested::NotAsked(w) => format!("not asked in {w}"),
    }
}

/// A verdict in words, with its marker.
fn verdict_words(d: &Delta) -> (Marker, String) {
    let rise = d.delta().is_some_and(|x| x > 0.0);
    match d.verdict {
        Verdict::Improved => (
            if rise { Marker::Up } else { Marker::Down },
            "a significant improvement".into(),
        ),
        Verdict::Declined => (
            if rise { Marker::Up } else { Marker::Down },
            "a significant decline".into(),
        ),
        Verdict::NoSignificantChange => (
            Marker::Level,
            "not a significant change (it could be chance)".into(),
        ),
        Verdict::NotTested => (
            Marker::Untested,
            format!(
                "not tested ({})",
                d.reason.as_ref().map_or_else(String::new, reader_reason)
            ),
        ),
    }
}

/// An indicator's panel for the small-multiples chart: its unit in words and the scale's
/// bounds (0 to 100 for percentages and indices, 0 to 10 for scores, -100 to 100 for eNPS);
/// `charts::panels` gives every panel of a unit the same span within them.
pub fn panel(
    ind: &crate::schema::Indicator,
    points: Vec<Option<crate::report::charts::Point>>,
) -> crate::report::charts::Panel {
    let (unit, bounds, step) = match ind.method {
        Method::ThemePctPositive => ("% positive", (0.0, 100.0), 10.0),
        Method::Index0To100 => ("out of 100", (0.0, 100.0), 10.0),
        Method::Score0To10 => ("out of 10", (0.0, 10.0), 1.0),
        Method::YesRate => ("% yes", (0.0, 100.0), 10.0),
        Method::Enps => ("eNPS", (-100.0, 100.0), 10.0),
    };
    crate::report::charts::Panel {
        label: ind.label.clone(),
        unit: unit.to_string(),
        bounds,
        step,
        range: bounds,
        decimals: usize::from(ind.method.decimals()),
        points,
    }
}

/// The headline indicators in reading order: the schema's order (a schema lists first the
/// indicators the board reads first: for this programme, officer–member trust and respect).
pub fn headline_order(schema: &Schema) -> Vec<usize> {
    (0..schema.indicators.len()).collect()
}

/// Indicator `i`'s published value for the whole organisation in `wave`.
pub fn overall_value(tables: &ProtectedTables, wave: &str, i: usize) -> Option<f64> {
    tables
        .indicators
        .iter()
        .find(|p| {
            p.wave.as_str() == wave
                && p.measure == i
                && p.breakdown == Breakdown::Overall
                && p.group == Group::All
        })
        .and_then(|p| p.stats.as_ref())
        .and_then(|s| s.value)
}

/// Whether a wave asked an indicator's questions (it has figures, published or withheld).
pub fn asked(tables: &ProtectedTables, wave: &str, i: usize) -> bool {
    tables
        .indicators
        .iter()
        .any(|p| p.wave.as_str() == wave && p.measure == i)
}

/// How many of the first headline indicators the main points always state.
pub const LEAD_INDICATORS: usize = 2;

/// Three to six sentences for the top of the report, written from the figures: the lead
/// indicators always (the schema's first two: officer–member trust and respect), then every
/// other headline indicator that changed significantly, then how many did not.
pub fn main_points(
    schema: &Schema,
    tables: &ProtectedTables,
    deltas: &[Delta],
    latest: &str,
    baseline: &str,
) -> Vec<MainPoint> {
    let change = |i: usize, c: Comparison| overall_change(deltas, i, c);
    let sentence = |i: usize| sentence(schema, tables, deltas, (latest, baseline), i);
    let order = headline_order(schema);
    let mut out: Vec<MainPoint> = Vec::new();
    let mut shown: Vec<usize> = Vec::new();
    for &i in order.iter().take(LEAD_INDICATORS) {
        if let Some(p) = sentence(i) {
            out.push(p);
            shown.push(i);
        }
    }
    for &i in &order {
        if shown.contains(&i) || out.len() >= 5 {
            continue;
        }
        let significant = change(i, Comparison::SincePrevious)
            .is_some_and(|d| matches!(d.verdict, Verdict::Improved | Verdict::Declined));
        if significant && let Some(p) = sentence(i) {
            out.push(p);
            shown.push(i);
        }
    }
    // Fill to three with the next headline indicators.
    for &i in &order {
        if out.len() >= 3 {
            break;
        }
        if !shown.contains(&i)
            && let Some(p) = sentence(i)
        {
            out.push(p);
            shown.push(i);
        }
    }
    summarise_rest(schema, deltas, &order, &shown, &mut out);
    out
}

/// The change of indicator `i` for all respondents over comparison `c`.
fn overall_change(deltas: &[Delta], i: usize, c: Comparison) -> Option<&Delta> {
    deltas.iter().find(|d| {
        d.serves(c) && d.measure == Measure::Indicator(i) && d.breakdown == Breakdown::Overall
    })
}

/// One indicator's main point: its latest value, its change since the previous wave with the
/// verdict, and its change since the baseline when that is another wave.
fn sentence(
    schema: &Schema,
    tables: &ProtectedTables,
    deltas: &[Delta],
    (latest, baseline): (&str, &str),
    i: usize,
) -> Option<MainPoint> {
    let value = |i: usize| overall_value(tables, latest, i);
    let change = |i: usize, c: Comparison| overall_change(deltas, i, c);
    let ind = &schema.indicators[i];
    let v = value(i)?;
    let mut text = format!("{}: {} in {latest}", ind.label, value_text(ind.method, v));
    let Some(prev) = change(i, Comparison::SincePrevious) else {
        text.push('.');
        return Some(MainPoint {
            marker: Marker::Untested,
            text,
        });
    };
    let (marker, verdict) = verdict_words(prev);
    let since = if prev.from.as_str() == baseline {
        format!("the {baseline} baseline")
    } else {
        prev.from.to_string()
    };
    match prev.delta() {
        Some(d) => text.push_str(&format!(
            ", {} since {since}; {verdict}",
            change_words(ind.method, d)
        )),
        None => text.push_str(&format!("; {verdict}")),
    }
    if prev.from.as_str() != baseline
        && let Some(base) = change(i, Comparison::SinceBaseline)
        && let Some(d) = base.delta()
    {
        let (_, v) = verdict_words(base);
        text.push_str(&format!(
            "; since the {baseline} baseline, {} ({v})",
            change_words(ind.method, d)
        ));
    }
    text.push('.');
    Some(MainPoint { marker, text })
}

/// The headline indicators not given a point of their own: one not compared (or how many),
/// and how many showed no significant change.
fn summarise_rest(
    schema: &Schema,
    deltas: &[Delta],
    order: &[usize],
    shown: &[usize],
    out: &mut Vec<MainPoint>,
) {
    let change = |i: usize, c: Comparison| overall_change(deltas, i, c);
    let rest: Vec<&Delta> = order
        .iter()
        .filter(|i| !shown.contains(i))
        .filter_map(|&i| change(i, Comparison::SincePrevious))
        .collect();
    let level = rest
        .iter()
        .filter(|d| d.verdict == Verdict::NoSignificantChange)
        .count();
    let untested: Vec<&&Delta> = rest
        .iter()
        .filter(|d| d.verdict == Verdict::NotTested)
        .collect();
    if let [one] = untested.as_slice()
        && out.len() < 5
        && let Measure::Indicator(i) = one.measure
    {
        out.push(MainPoint {
            marker: Marker::Untested,
            text: format!(
                "{} could not be compared with {}: {}.",
                schema.indicators[i].label,
                one.from,
                one.reason.as_ref().map_or_else(String::new, reader_reason)
            ),
        });
    } else if untested.len() > 1 && out.len() < 5 {
        out.push(MainPoint {
            marker: Marker::Untested,
            text: format!(
                "{} headline indicators could not be compared with the previous wave (see the table below).",
                untested.len()
            ),
        });
    }
    if level > 0 && out.len() < 6 {
        let from = rest.first().map(|d| d.from.to_string()).unwrap_or_default();
        out.push(MainPoint {
            marker: Marker::Level,
            text: format!(
                "The other {level} headline indicator{} showed no significant change since {from}.",
                if level == 1 { "" } else { "s" }
            ),
        });
    }
}

/// Why a group's figures are withheld, in a reader's words (the tables keep the codes).
pub fn withheld_because(s: crate::disclosure::Suppression, threshold: u32) -> String {
    use crate::disclosure::Suppression;
    match s {
        Suppression::Primary => format!("fewer than {threshold} answered"),
        Suppression::Secondary => {
            "withheld so that another group's withheld figures cannot be worked out by subtraction"
                .into()
        }
        Suppression::SmallOrganisation => "too few answered in the whole survey".into(),
        Suppression::Confidential => "withheld to protect a small group".into(),
        Suppression::CrossDropped => {
            "this cross is not shown for this figure: its cells could not be protected".into()
        }
    }
}

/// A note under a table of groups: which groups have a figure withheld (`[c]`) among
/// `measures` in `wave`, and why, in words; `None` when nothing is withheld. A group with
/// several reasons gives the first in the order primary, secondary, others.
pub fn withheld_note(
    tables: &ProtectedTables,
    wave: &str,
    measures: &[usize],
    groups: &[(Breakdown, Group, String)],
    threshold: u32,
) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for (b, g, label) in groups {
        let reason = tables
            .indicators
            .iter()
            .filter(|p| {
                p.wave.as_str() == wave
                    && p.breakdown == *b
                    && p.group == *g
                    && measures.contains(&p.measure)
            })
            .filter_map(|p| p.suppression)
            .min();
        if let Some(r) = reason {
            parts.push(format!("{label}: {}", withheld_because(r, threshold)));
        }
    }
    (!parts.is_empty()).then(|| format!("[c] withheld. {}.", parts.join("; ")))
}

/// How disclosure control withheld figures, and how many of the question and indicator
/// results at each level it withheld for each reason: the methodology's paragraph.
pub fn withholding(tables: &ProtectedTables, threshold: u32) -> String {
    use crate::disclosure::{Level, Suppression};
    let mut count = std::collections::BTreeMap::<(Level, Option<Suppression>), usize>::new();
    let cells = (tables.items.iter().map(|p| (p.breakdown, p.suppression))).chain(
        tables
            .indicators
            .iter()
            .map(|p| (p.breakdown, p.suppression)),
    );
    for (b, s) in cells {
        *count.entry((Level::of(b), s)).or_default() += 1;
    }
    let of = |l: Level, s: Option<Suppression>| count.get(&(l, s)).copied().unwrap_or(0);
    let all = |l: Level| -> usize {
        count
            .iter()
            .filter(|((x, _), _)| *x == l)
            .map(|(_, n)| n)
            .sum()
    };
    let (one, two) = (Level::OneWay, Level::TwoWay);
    let mut text = format!(
        "A figure is withheld ([c]) for one of two reasons, which the tables record beside it: \
         fewer than {threshold} people answered (primary), or it is withheld \
         so that another withheld figure cannot be worked out by subtraction, from the total or \
         from the other tables (secondary). The whole organisation and the one-way groups are \
         decided first, as if no cross-breakdown were published, so a cross never costs a group \
         its own figures: a cross (such as directorate by grade) withholds more of its own cells, \
         or is left out for that measure. Of the {} question and indicator results for one-way \
         groups in this pack, {} are withheld because fewer than {threshold} answered and {} so \
         that another group's figures cannot be worked out from the total (beside a group too \
         small to show).",
        all(one),
        of(one, Some(Suppression::Primary)),
        of(one, Some(Suppression::Secondary)),
    );
    if all(two) > 0 {
        text.push_str(&format!(
            " Of the {} results in the cross-breakdowns, {} are withheld because fewer than \
             {threshold} answered and {} to protect another figure",
            all(two),
            of(two, Some(Suppression::Primary)),
            of(two, Some(Suppression::Secondary)),
        ));
        match of(two, Some(Suppression::CrossDropped)) {
            0 => text.push('.'),
            n => text.push_str(&format!(
                "; {n} are in crosses left out for a measure because their cells could not be protected."
            )),
        }
    }
    text.push_str(" tables/fact_disclosure_summary.csv gives these counts for every table.");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_as_readers_expect_them() {
        assert_eq!(reader_p(2.42e-24), "< 0.001");
        assert_eq!(reader_p(0.001), "0.0010");
        assert_eq!(reader_p(0.03216), "0.032");
        assert_eq!(reader_p(0.5), "0.50");
        assert_eq!(reader_p(0.0456), "0.046");
    }

    #[test]
    fn values_and_changes_carry_units_in_words() {
        assert_eq!(
            value_text(Method::ThemePctPositive, 49.234),
            "49.2% positive"
        );
        assert_eq!(value_text(Method::Score0To10, 6.5213), "6.52 out of 10");
        assert_eq!(value_text(Method::Index0To100, 58.9), "58.9 out of 100");
        assert_eq!(value_text(Method::YesRate, 10.71), "10.7% said yes");
        assert_eq!(value_text(Method::Enps, -41.44), "an eNPS of −41.4");
        assert_eq!(
            change_words(Method::ThemePctPositive, 8.86),
            "up 8.9 percentage points"
        );
        assert_eq!(
            change_words(Method::ThemePctPositive, -1.0),
            "down 1.0 percentage point"
        );
        assert_eq!(change_words(Method::Score0To10, -0.114), "down 0.11 points");
        assert_eq!(change_words(Method::Index0To100, 0.01), "unchanged");
    }
}
