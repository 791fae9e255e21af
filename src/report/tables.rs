//! The pack's CSV tables: stable column names (Power BI reads them), rows in a fixed order,
//! numbers rounded only here, once, to one decimal place.

use crate::disclosure::{Protected, Summary, Suppression};
use crate::import::WaveImport;
use crate::indicators::derive::{IndicatorStats, ItemStats, Populations};
use crate::schema::{Method, Schema};
use std::collections::{BTreeMap, HashMap};

pub const ITEMS_HEADER: [&str; 17] = [
    "wave",
    "item",
    "breakdown",
    "group",
    "n",
    "n_positive",
    "n_neutral",
    "n_negative",
    "pct_positive",
    "pct_neutral",
    "pct_negative",
    "ci_low",
    "ci_high",
    "mdd",
    "suppressed",
    "suppression_reason",
    "population",
];

pub const INDICATORS_HEADER: [&str; 17] = [
    "wave",
    "indicator",
    "kind",
    "method",
    "breakdown",
    "group",
    "n",
    "value",
    "ci_low",
    "ci_high",
    "pct_positive",
    "pct_neutral",
    "pct_negative",
    "mdd",
    "suppressed",
    "suppression_reason",
    "population",
];

pub const RESPONSE_RATES_HEADER: [&str; 11] = [
    "wave",
    "breakdown",
    "group",
    "responses",
    "headcount",
    "response_rate",
    "below_60",
    "pct_of_respondents",
    "pct_of_workforce",
    "suppressed",
    "suppression_reason",
];

/// Response rates below this are flagged (methodology: non-response bias risk).
pub const LOW_RESPONSE_RATE: f64 = 60.0;

/// One decimal place, and never "-0.0".
pub fn fmt1(v: f64) -> String {
    let s = format!("{v:.1}");
    if s == "-0.0" { "0.0".into() } else { s }
}

pub fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(String::new, fmt1)
}

/// Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or carriage return
/// first) gets a leading apostrophe, so Excel shows it as text (OWASP CSV injection). Numbers,
/// negative ones included, are left alone.
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Undo [`defuse`] for outputs that store text as text (the workbook, Parquet).
pub fn undefuse(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

fn csv_bytes(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(header).expect("in-memory write");
    for r in rows {
        w.write_record(r.iter().map(|c| defuse(c).into_owned()))
            .expect("in-memory write");
    }
    w.into_inner().expect("in-memory write")
}

fn suppressed_tail(s: Option<Suppression>) -> [String; 2] {
    [
        s.is_some().to_string(),
        s.map_or("", Suppression::code).to_string(),
    ]
}

fn marks(n: usize) -> impl Iterator<Item = String> {
    std::iter::repeat_n(Suppression::MARK.to_string(), n)
}

/// `tables/items.csv`.
pub fn items_csv(schema: &Schema, items: &[Protected<ItemStats>]) -> Vec<u8> {
    let rows = items.iter().map(|p| {
        let mut r = vec![
            p.wave.to_string(),
            schema.questions[p.measure].id.clone(),
            p.breakdown.name(schema),
            p.group.label(schema, p.breakdown),
        ];
        match (&p.stats, p.n) {
            (Some(s), Some(n)) => {
                let c = &s.counts;
                r.extend([
                    n.to_string(),
                    c.positive.to_string(),
                    c.neutral.to_string(),
                    c.negative.to_string(),
                    fmt_opt(c.pct(c.positive)),
                    fmt_opt(c.pct(c.neutral)),
                    fmt_opt(c.pct(c.negative)),
                    fmt_opt(s.ci_positive.map(|c| c.0)),
                    fmt_opt(s.ci_positive.map(|c| c.1)),
                    fmt_opt(s.mdd),
                ]);
                r.extend(suppressed_tail(None));
                r.push(s.population.map_or_else(String::new, |p| p.to_string()));
            }
            _ => {
                r.extend(marks(10));
                r.extend(suppressed_tail(p.suppression));
                r.push(Suppression::MARK.into());
            }
        }
        r
    });
    csv_bytes(&ITEMS_HEADER, rows)
}

/// What an indicator's `value` is.
pub fn kind(method: Method) -> &'static str {
    match method {
        Method::ThemePctPositive => "percent_positive",
        Method::Index0To100 => "index_0_100",
        Method::Score0To10 => "score_0_10",
        Method::YesRate => "percent_yes",
        Method::Enps => "net_score",
    }
}

pub fn method_name(method: Method) -> &'static str {
    match method {
        Method::ThemePctPositive => "theme-pct-positive",
        Method::Index0To100 => "index-0-100",
        Method::Score0To10 => "score-0-10",
        Method::YesRate => "yes-rate",
        Method::Enps => "enps",
    }
}

/// `tables/indicators.csv`.
pub fn indicators_csv(schema: &Schema, rows: &[Protected<IndicatorStats>]) -> Vec<u8> {
    let rows = rows.iter().map(|p| {
        let ind = &schema.indicators[p.measure];
        let mut r = vec![
            p.wave.to_string(),
            ind.id.clone(),
            kind(ind.method).into(),
            method_name(ind.method).into(),
            p.breakdown.name(schema),
            p.group.label(schema, p.breakdown),
        ];
        match (&p.stats, p.n) {
            (Some(s), Some(n)) => {
                r.extend([
                    n.to_string(),
                    fmt_opt(s.value),
                    fmt_opt(s.ci.map(|c| c.0)),
                    fmt_opt(s.ci.map(|c| c.1)),
                    fmt_opt(s.pct.map(|p| p[0])),
                    fmt_opt(s.pct.map(|p| p[1])),
                    fmt_opt(s.pct.map(|p| p[2])),
                    fmt_opt(s.mdd),
                ]);
                r.extend(suppressed_tail(None));
                r.push(s.population.map_or_else(String::new, |p| p.to_string()));
            }
            _ => {
                r.extend(marks(8));
                r.extend(suppressed_tail(p.suppression));
                r.push(Suppression::MARK.into());
            }
        }
        r
    });
    csv_bytes(&INDICATORS_HEADER, rows)
}

/// `tables/response_rates.csv`: for every breakdown the HR headcount file can describe.
/// `headcounts` gives each wave's headcounts (FPC switch ignored: this is the workforce).
pub fn response_rates_csv(
    schema: &Schema,
    responses: &[Protected<()>],
    headcounts: &HashMap<crate::config::WaveId, Populations>,
) -> Vec<u8> {
    let mut totals: BTreeMap<&str, (Option<u64>, Option<u64>)> = BTreeMap::new();
    // (wave, (responses, headcount)) of the whole organisation.
    for p in responses {
        if p.breakdown == crate::indicators::Breakdown::Overall {
            let pops = headcounts.get(&p.wave);
            totals.insert(
                p.wave.as_str(),
                (p.n, pops.and_then(|h| h.of(p.breakdown, p.group))),
            );
        }
    }
    let rows = responses.iter().filter_map(|p| {
        let pops = headcounts.get(&p.wave)?;
        // `run` passes only the groups the HR file describes.
        if !pops.describes(p.breakdown) {
            return None;
        }
        let headcount = pops.of(p.breakdown, p.group);
        let (total_resp, total_hc) = totals.get(p.wave.as_str()).copied().unwrap_or((None, None));
        let mut r = vec![
            p.wave.to_string(),
            p.breakdown.name(schema),
            p.group.label(schema, p.breakdown),
        ];
        let workforce = match (headcount, total_hc) {
            (Some(h), Some(t)) if t > 0 => fmt1(100.0 * h as f64 / t as f64),
            _ => String::new(),
        };
        match p.n {
            Some(n) => {
                let rate = headcount
                    .filter(|&h| h > 0)
                    .map(|h| 100.0 * n as f64 / h as f64);
                r.extend([
                    n.to_string(),
                    headcount.map_or_else(String::new, |h| h.to_string()),
                    fmt_opt(rate),
                    rate.map_or_else(String::new, |r| (r < LOW_RESPONSE_RATE).to_string()),
                    match total_resp {
                        Some(t) if t > 0 => fmt1(100.0 * n as f64 / t as f64),
                        _ => String::new(),
                    },
                    workforce,
                ]);
            }
            None => {
                r.extend([
                    Suppression::MARK.to_string(),
                    headcount.map_or_else(String::new, |h| h.to_string()),
                    Suppression::MARK.to_string(),
                    Suppression::MARK.to_string(),
                    Suppression::MARK.to_string(),
                    workforce,
                ]);
            }
        }
        r.extend(suppressed_tail(p.suppression));
        Some(r)
    });
    csv_bytes(&RESPONSE_RATES_HEADER, rows)
}

/// `tables/import_reconciliation.csv`.
pub fn reconciliation_csv(imports: &[WaveImport]) -> Vec<u8> {
    csv_bytes(
        &["wave", "file", "outcome", "reason", "rows"],
        crate::import::reconcile::reconciliation_rows(imports)
            .into_iter()
            .map(|r| r.to_vec()),
    )
}

/// `tables/disclosure_summary.csv`.
pub fn disclosure_csv(summary: &BTreeMap<&'static str, Summary>) -> Vec<u8> {
    let rows = summary.iter().flat_map(|(table, s)| {
        [
            ("published", s.published),
            ("suppressed_primary", s.primary),
            ("suppressed_secondary", s.secondary),
            ("suppressed_small_organisation", s.small_organisation),
        ]
        .into_iter()
        .map(|(o, n)| vec![table.to_string(), o.to_string(), n.to_string()])
    });
    csv_bytes(&["table", "outcome", "cells"], rows)
}

pub const DELTAS_HEADER: [&str; 22] = [
    "comparison",
    "wave_from",
    "wave_to",
    "kind",
    "measure",
    "breakdown",
    "group",
    "n_from",
    "n_to",
    "value_from",
    "value_to",
    "delta",
    "test",
    "statistic",
    "p_value",
    "q_value",
    "effect_size",
    "effect_size_type",
    "verdict",
    "reason",
    "suppressed",
    "suppression_reason",
];

/// p- and q-values: six decimals, or scientific notation below 0.0001 so tiny values keep
/// their meaning (Power BI and Excel read both).
pub fn fmt_p(p: f64) -> String {
    if p < 1e-4 {
        format!("{p:.2e}")
    } else {
        format!("{p:.6}")
    }
}

/// `tables/deltas.csv`.
pub fn deltas_csv(schema: &Schema, deltas: &[crate::compare::Delta]) -> Vec<u8> {
    let rows = deltas.iter().map(|d| {
        let (kind, measure) = match d.measure {
            crate::compare::Measure::Question(_) => ("item", d.measure.id(schema)),
            crate::compare::Measure::Indicator(_) => ("indicator", d.measure.id(schema)),
        };
        let mut r = vec![
            d.comparison.code().to_string(),
            d.from.to_string(),
            d.to.to_string(),
            kind.to_string(),
            measure.to_string(),
            d.breakdown.name(schema),
            d.group.label(schema, d.breakdown),
        ];
        if d.suppression.is_some() {
            r.extend(marks(5));
        } else {
            r.extend([
                d.n.map_or_else(String::new, |n| n.0.to_string()),
                d.n.map_or_else(String::new, |n| n.1.to_string()),
                fmt_opt(d.values.map(|v| v.0)),
                fmt_opt(d.values.map(|v| v.1)),
                fmt_opt(d.delta()),
            ]);
        }
        r.extend([
            d.test.map_or_else(String::new, |t| t.0.code().to_string()),
            d.test
                .map_or_else(String::new, |t| format!("{:.3}", t.1.statistic)),
            d.test.map_or_else(String::new, |t| fmt_p(t.1.p_value)),
            d.q_value.map_or_else(String::new, fmt_p),
            d.effect.map_or_else(String::new, |e| format!("{:.3}", e.1)),
            d.effect
                .map_or_else(String::new, |e| e.0.code().to_string()),
            d.verdict.as_str().to_string(),
            d.reason_text(),
        ]);
        r.extend(suppressed_tail(d.suppression));
        r
    });
    csv_bytes(&DELTAS_HEADER, rows)
}

pub const TREND_HEADER: [&str; 11] = [
    "indicator",
    "breakdown",
    "group",
    "wave",
    "n",
    "value",
    "ci_low",
    "ci_high",
    "verdict_since_previous",
    "suppressed",
    "suppression_reason",
];

/// `tables/trend.csv`: each indicator × group as a series over every wave.
pub fn trend_csv(
    schema: &Schema,
    rows: &[Protected<IndicatorStats>],
    waves: &[crate::config::WaveId],
    deltas: &[crate::compare::Delta],
) -> Vec<u8> {
    let wave_pos =
        |w: &crate::config::WaveId| waves.iter().position(|x| x == w).unwrap_or(usize::MAX);
    let mut order: Vec<&Protected<IndicatorStats>> = rows.iter().collect();
    order.sort_by_key(|p| (p.measure, p.breakdown, p.group, wave_pos(&p.wave)));
    let verdicts: HashMap<(&str, &str, String, String), &str> = deltas
        .iter()
        .filter(|d| {
            matches!(d.measure, crate::compare::Measure::Indicator(_))
                && d.comparison == crate::compare::Comparison::SincePrevious
        })
        .map(|d| {
            (
                (
                    d.to.as_str(),
                    d.measure.id(schema),
                    d.breakdown.name(schema),
                    d.group.label(schema, d.breakdown),
                ),
                d.verdict.as_str(),
            )
        })
        .collect();
    let out = order.into_iter().map(|p| {
        let ind = &schema.indicators[p.measure];
        let (b, g) = (p.breakdown.name(schema), p.group.label(schema, p.breakdown));
        let verdict = verdicts
            .get(&(p.wave.as_str(), ind.id.as_str(), b.clone(), g.clone()))
            .copied()
            .unwrap_or("")
            .to_string();
        let mut r = vec![ind.id.clone(), b, g, p.wave.to_string()];
        match (&p.stats, p.n) {
            (Some(s), Some(n)) => r.extend([
                n.to_string(),
                fmt_opt(s.value),
                fmt_opt(s.ci.map(|c| c.0)),
                fmt_opt(s.ci.map(|c| c.1)),
            ]),
            _ => r.extend(marks(4)),
        }
        r.push(verdict);
        r.extend(suppressed_tail(p.suppression));
        r
    });
    csv_bytes(&TREND_HEADER, out)
}

pub const MEETINGS_HEADER: [&str; 16] = [
    "quarter",
    "breakdown",
    "group",
    "measure",
    "kind",
    "n",
    "pct_positive",
    "mean_0_100",
    "ci_low",
    "ci_high",
    "meetings_held",
    "meetings_covered",
    "attendees",
    "forms_per_attendee",
    "suppressed",
    "suppression_reason",
];

/// `tables/member_feedback_monthly.csv`: forms and uptake, items and indicators, for each
/// quarter, its months, committees, committee × month, role and political group.
pub fn meetings_csv(fb: &crate::meetings::Feedback) -> Vec<u8> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for q in &fb.quarters {
        let s = &q.schema;
        let head = |p_b: crate::indicators::Breakdown,
                    p_g: crate::indicators::Group,
                    measure: &str,
                    kind: &str| {
            vec![
                q.quarter.to_string(),
                p_b.name(s),
                p_g.label(s, p_b),
                measure.to_string(),
                kind.to_string(),
            ]
        };
        for p in &q.tables.responses {
            let mut r = head(p.breakdown, p.group, "forms", "forms");
            let up = q.uptake.get(&(p.breakdown, p.group)).copied();
            let held = up.map_or_else(String::new, |u| u.0.to_string());
            let attendees = up.map_or_else(String::new, |u| u.2.to_string());
            match p.n {
                Some(n) => r.extend([
                    n.to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    held,
                    up.map_or_else(String::new, |u| u.1.to_string()),
                    attendees,
                    up.filter(|u| u.2 > 0)
                        .map_or_else(String::new, |u| format!("{:.3}", n as f64 / u.2 as f64)),
                ]),
                None => r.extend([
                    Suppression::MARK.to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    held,
                    Suppression::MARK.to_string(),
                    attendees,
                    Suppression::MARK.to_string(),
                ]),
            }
            r.extend(suppressed_tail(p.suppression));
            rows.push(r);
        }
        for p in &q.tables.items {
            let mut r = head(p.breakdown, p.group, &s.questions[p.measure].id, "item");
            match (&p.stats, p.n) {
                (Some(st), Some(n)) => r.extend([
                    n.to_string(),
                    fmt_opt(st.counts.pct(st.counts.positive)),
                    fmt_opt(crate::meetings::mean_0_100(s, p.measure, &st.counts.codes)),
                    fmt_opt(st.ci_positive.map(|c| c.0)),
                    fmt_opt(st.ci_positive.map(|c| c.1)),
                ]),
                _ => r.extend(marks(5)),
            }
            r.extend(std::iter::repeat_n(String::new(), 4));
            r.extend(suppressed_tail(p.suppression));
            rows.push(r);
        }
        for p in &q.tables.indicators {
            let mut r = head(
                p.breakdown,
                p.group,
                &s.indicators[p.measure].id,
                "indicator",
            );
            match (&p.stats, p.n) {
                (Some(st), Some(n)) => r.extend([
                    n.to_string(),
                    fmt_opt(st.value),
                    String::new(),
                    fmt_opt(st.ci.map(|c| c.0)),
                    fmt_opt(st.ci.map(|c| c.1)),
                ]),
                _ => r.extend(marks(5)),
            }
            r.extend(std::iter::repeat_n(String::new(), 4));
            r.extend(suppressed_tail(p.suppression));
            rows.push(r);
        }
    }
    csv_bytes(&MEETINGS_HEADER, rows)
}

pub const SPC_HEADER: [&str; 11] = [
    "series",
    "month",
    "value",
    "n",
    "centre",
    "lower_limit",
    "upper_limit",
    "in_baseline",
    "signals",
    "signal",
    "note",
];

/// `tables/member_feedback_spc.csv`: each monthly series with its baseline centre line,
/// natural process limits and the rules that fired.
pub fn spc_csv(fb: &crate::meetings::Feedback) -> Vec<u8> {
    let fmt = |name: &str, v: f64| {
        if name == "forms_per_attendee" {
            format!("{v:.3}")
        } else {
            fmt1(v)
        }
    };
    let rows = fb.spc.iter().map(|p| {
        let note = if p.limits.is_none() {
            "fewer than two baseline months with data: no limits".to_string()
        } else if p.value.is_none() {
            "no published value this month (no meetings, or too few forms)".to_string()
        } else {
            String::new()
        };
        vec![
            p.series.clone(),
            p.month.to_string(),
            p.value.map_or_else(String::new, |v| fmt(&p.series, v)),
            p.n.map_or_else(String::new, |n| n.to_string()),
            p.limits
                .map_or_else(String::new, |l| fmt(&p.series, l.centre)),
            p.limits
                .map_or_else(String::new, |l| fmt(&p.series, l.lower)),
            p.limits
                .map_or_else(String::new, |l| fmt(&p.series, l.upper)),
            p.in_baseline.to_string(),
            p.signals
                .iter()
                .map(|r| r.code())
                .collect::<Vec<_>>()
                .join(";"),
            (!p.signals.is_empty()).to_string(),
            note,
        ]
    });
    csv_bytes(&SPC_HEADER, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_formulas_are_defused_but_numbers_are_not() {
        assert_eq!(
            defuse("=HYPERLINK(\"http://x\",\"y\")"),
            "'=HYPERLINK(\"http://x\",\"y\")"
        );
        assert_eq!(defuse("+44 20"), "'+44 20");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("-Team"), "'-Team");
        assert_eq!(defuse("-5.0"), "-5.0");
        assert_eq!(defuse("1.2e-5"), "1.2e-5");
        assert_eq!(defuse("Resources"), "Resources");
    }

    #[test]
    fn one_decimal_place_without_negative_zero() {
        assert_eq!(fmt1(63.333333), "63.3");
        assert_eq!(fmt1(9.375), "9.4");
        assert_eq!(fmt1(-0.04), "0.0");
        assert_eq!(fmt1(-5.0), "-5.0");
    }
}
