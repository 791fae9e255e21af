//! The headline `run` prints at the end, so the analyst sees at the terminal whether anything
//! changed: every headline indicator for the whole organisation in the latest wave, its change
//! since the previous wave (and the baseline, when that is another wave) with the verdict, and
//! how many figures disclosure control withheld. Plain text within 80 columns; published
//! (protected) figures only.

use crate::compare::{Comparison, Delta, Measure, NotTested, Verdict};
use crate::disclosure::ProtectedTables;
use crate::indicators::Breakdown;
use crate::report::tables::fmt_signed;
use crate::schema::{Method, Schema};
use std::fmt::Write as _;

const WIDTH: usize = 80;
/// "+12.3 not significant" at most.
const CHANGE: usize = 21;
const VALUE: usize = 7;

/// `s` in lines of at most `width` characters, broken between words (a word longer than the
/// line is cut with an ellipsis).
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
        .iter()
        .map(|l| fit(l, width).trim_end().to_string())
        .collect()
}

fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        format!("{s:<width$}")
    } else {
        let cut: String = s.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}

/// A figure without its unit words: 48.2% for shares, 62.1 for indices.
fn short_value(method: Method, v: f64) -> String {
    let d = usize::from(method.decimals());
    match method {
        Method::ThemePctPositive | Method::YesRate => format!("{v:.d$}%"),
        Method::Enps => fmt_signed(v, d, true),
        Method::Index0To100 | Method::Score0To10 => format!("{v:.d$}"),
    }
}

fn change_cell(method: Method, d: Option<&Delta>) -> String {
    let Some(d) = d else {
        return "-".into();
    };
    let verdict = match (d.verdict, &d.reason) {
        (Verdict::Improved, _) => "improved",
        (Verdict::Declined, _) => "declined",
        (Verdict::NoSignificantChange, _) => "not significant",
        (Verdict::NotTested, Some(NotTested::NotAsked(_))) => "not asked",
        (Verdict::NotTested, Some(NotTested::NotComparable(_))) => "not comparable",
        (Verdict::NotTested, Some(NotTested::Suppressed)) => "withheld [c]",
        (Verdict::NotTested, Some(NotTested::LowReliability)) => "too few answers",
        (Verdict::NotTested, Some(NotTested::NoVariation)) => "no variation",
        (Verdict::NotTested, Some(NotTested::NoAnswers)) => "no answers",
        (Verdict::NotTested, None) => "not tested",
    };
    match d.delta() {
        Some(x) => format!(
            "{} {verdict}",
            fmt_signed(x, usize::from(method.decimals()), true)
        ),
        None => verdict.into(),
    }
}

/// The end-of-run headline (see the module comment).
pub fn headline(
    schema: &Schema,
    tables: &ProtectedTables,
    deltas: &[Delta],
    latest: &str,
    baseline: &str,
) -> String {
    let change = |i: usize, c: Comparison| {
        deltas.iter().find(|d| {
            d.serves(c)
                && d.measure == Measure::Indicator(i)
                && d.breakdown == Breakdown::Overall
                && d.to.as_str() == latest
        })
    };
    let previous = schema
        .indicators
        .iter()
        .enumerate()
        .find_map(|(i, _)| change(i, Comparison::SincePrevious))
        .map(|d| d.from.to_string());
    // The baseline gets its own column only when it is not the previous wave.
    let baseline_column = previous.as_deref().is_some_and(|p| p != baseline) && latest != baseline;
    let columns = 1 + usize::from(previous.is_some()) + usize::from(baseline_column);
    let label_width = WIDTH - 2 - 1 - VALUE - (CHANGE + 2) * (columns - 1);

    let mut s = String::new();
    let _ = writeln!(s, "\nHeadline, {latest}, whole organisation");
    let mut header = format!("  {} {:>VALUE$}", fit("", label_width), latest);
    if let Some(p) = &previous {
        let what = if p == baseline {
            format!("since {p} (baseline)")
        } else {
            format!("since {p}")
        };
        let _ = write!(header, "  {}", fit(&what, CHANGE));
    }
    if baseline_column {
        let _ = write!(
            header,
            "  {}",
            fit(&format!("since {baseline} (baseline)"), CHANGE)
        );
    }
    let _ = writeln!(s, "{}", header.trim_end());
    let mut not_asked = false;
    for &i in &super::headline_order(schema) {
        let ind = &schema.indicators[i];
        let value = match super::words::overall_value(tables, latest, i) {
            Some(v) => short_value(ind.method, v),
            None if super::words::asked(tables, latest, i) => {
                crate::disclosure::Suppression::MARK.into()
            }
            None => {
                not_asked = true;
                crate::report::tables::NOT_ASKED.into()
            }
        };
        // A long label goes on as many lines as it needs, the figures on its first.
        let label = wrap(&ind.label, label_width);
        let mut line = format!("  {} {value:>VALUE$}", fit(&label[0], label_width));
        for (shown, comparison) in [
            (previous.is_some(), Comparison::SincePrevious),
            (baseline_column, Comparison::SinceBaseline),
        ] {
            if shown {
                let cell = change_cell(ind.method, change(i, comparison));
                let _ = write!(line, "  {}", fit(&cell, CHANGE));
            }
        }
        let _ = writeln!(s, "{}", line.trim_end());
        for more in &label[1..] {
            let _ = writeln!(s, "    {more}");
        }
    }
    footer(&mut s, tables, latest, previous.is_some(), not_asked);
    s
}

/// What the table's words mean, and how much disclosure control withheld.
fn footer(s: &mut String, tables: &ProtectedTables, latest: &str, compared: bool, not_asked: bool) {
    if compared {
        let _ = writeln!(
            s,
            "  improved/declined: larger than chance would explain, allowing for the number\n  \
             of comparisons; not significant: could be chance. Percentages change in\n  \
             percentage points."
        );
    }
    if not_asked {
        let _ = writeln!(
            s,
            "  [x] not asked: {latest} did not ask (enough of) the indicator's questions."
        );
    }
    let withheld = |n: usize, of: usize, what: &str| format!("{n} of {of} {what}");
    let items = tables
        .items
        .iter()
        .filter(|p| p.suppression.is_some())
        .count();
    let inds = tables
        .indicators
        .iter()
        .filter(|p| p.suppression.is_some())
        .count();
    let _ = writeln!(
        s,
        "Withheld to protect anonymity: {} and\n  {} (all waves and groups).",
        withheld(items, tables.items.len(), "question results"),
        withheld(inds, tables.indicators.len(), "indicator results")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_wrap_between_words_and_are_never_cut() {
        let label = "Bullied or harassed in the past 12 months (lower is better)";
        let lines = wrap(label, 47);
        assert_eq!(
            lines,
            [
                "Bullied or harassed in the past 12 months",
                "(lower is better)"
            ]
        );
        assert_eq!(wrap("Respect", 47), ["Respect"]);
        // Only a single word longer than the line is cut.
        assert_eq!(wrap("Supercalifragilistic", 10), ["Supercali…"]);
    }
}
