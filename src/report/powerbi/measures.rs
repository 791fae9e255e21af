//! The model's measures (DAX): the display rules a dashboard needs and that a column cannot
//! carry. Every figure shows nothing for a withheld row, and a text twin shows `[c]` there;
//! values are formatted with the indicator's own decimals (`dim_indicator.decimals`); a change
//! reads the wave the dashboard is filtered to (normally the latest) against the previous wave
//! or the baseline, and says its verdict in words with a colour for conditional formatting.
//!
//! Measures that depend on the data (one share-of-R² column per key-driver outcome) are made
//! from the tables, so every outcome a council configures gets its own.

use crate::report::registry::{Cell, TableData};

/// One measure: its home table, name, DAX, format string and description.
#[derive(Debug, Clone)]
pub struct Measure {
    pub table: &'static str,
    pub name: String,
    pub dax: String,
    pub format: Option<&'static str>,
    pub description: String,
}

fn measure(
    table: &'static str,
    name: &str,
    dax: &str,
    format: Option<&'static str>,
    description: &str,
) -> Measure {
    Measure {
        table,
        name: name.to_string(),
        dax: dax.trim().to_string(),
        format,
        description: description.to_string(),
    }
}

/// A DAX string literal.
pub fn dax_string(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn staff_measures() -> Vec<Measure> {
    let r = "fact_indicator_results";
    let one = |col: &str| {
        format!("IF(COUNTROWS({r}) = 1, MAXX(FILTER({r}, NOT {r}[suppressed]), {r}[{col}]))")
    };
    vec![
        measure(
            r,
            "Indicator value",
            &one("value"),
            None,
            "The indicator for the one wave, indicator and group in context, in its unit; blank where withheld.",
        ),
        measure(
            r,
            "Interval low",
            &one("ci_low"),
            None,
            "Lower end of the value's 95% interval; blank where withheld.",
        ),
        measure(
            r,
            "Interval high",
            &one("ci_high"),
            None,
            "Upper end of the value's 95% interval; blank where withheld.",
        ),
        measure(
            r,
            "Respondents with a score",
            &one("n"),
            Some("#,0"),
            "Respondents with a score behind the value; blank where withheld.",
        ),
        measure(
            r,
            "Value shown",
            &format!(
                "VAR d = SELECTEDVALUE(dim_indicator[decimals], 1)\n\
                 RETURN SWITCH(TRUE(), COUNTROWS({r}) <> 1, BLANK(), SELECTEDVALUE({r}[suppressed]), \"[c]\", ISBLANK([Indicator value]), BLANK(), FORMAT([Indicator value], \"0.\" & REPT(\"0\", d)) & \" \" & SELECTEDVALUE(dim_indicator[unit]))"
            ),
            None,
            "The value as the report prints it: the indicator's decimals and unit, or [c] where withheld.",
        ),
    ]
}

/// The latest wave's figures (the wave a dashboard shows first).
fn latest_measures() -> Vec<Measure> {
    let r = "fact_indicator_results";
    vec![
        measure(
            r,
            "Latest value shown",
            "CALCULATE([Value shown], dim_wave[is_latest] = TRUE())",
            None,
            "Value shown for the latest wave.",
        ),
        measure(
            r,
            "Latest value",
            "CALCULATE([Indicator value], dim_wave[is_latest] = TRUE())",
            None,
            "The latest wave's value (blank where withheld).",
        ),
        measure(
            r,
            "Latest interval low",
            "CALCULATE([Interval low], dim_wave[is_latest] = TRUE())",
            None,
            "The latest wave's lower interval end.",
        ),
        measure(
            r,
            "Latest interval high",
            "CALCULATE([Interval high], dim_wave[is_latest] = TRUE())",
            None,
            "The latest wave's upper interval end.",
        ),
        measure(
            r,
            "Latest respondents",
            "CALCULATE([Respondents with a score], dim_wave[is_latest] = TRUE())",
            Some("#,0"),
            "The latest wave's respondents with a score.",
        ),
        measure(
            r,
            "Headline value",
            "CALCULATE([Value shown], dim_wave[is_latest] = TRUE(), dim_group[level] = \"organisation\")",
            None,
            "The latest wave's value for all respondents, as printed.",
        ),
    ]
}

/// A change measure for one comparison (`since_baseline` or `since_previous`).
fn change_measures(flag: &str, words: &str) -> Vec<Measure> {
    let c = "fact_indicator_changes";
    let scope = format!("{c}[{flag}] = TRUE(), dim_wave[is_latest] = TRUE()");
    let title = |s: &str| format!("{s} {words}");
    vec![
        measure(
            c,
            &title("Change"),
            &format!(
                "CALCULATE(IF(COUNTROWS({c}) = 1, MAXX(FILTER({c}, NOT {c}[suppressed]), {c}[delta])), {scope})"
            ),
            Some("+0.0;-0.0;0.0"),
            &format!(
                "The latest wave's value minus the value {words} (percentage points for percentages); blank where withheld."
            ),
        ),
        measure(
            c,
            &title("Change shown"),
            &format!(
                "VAR d = SELECTEDVALUE(dim_indicator[decimals], 1)\n\
                 VAR f = \"+0.\" & REPT(\"0\", d) & \";-0.\" & REPT(\"0\", d) & \";0.\" & REPT(\"0\", d)\n\
                 VAR withheld = CALCULATE(SELECTEDVALUE({c}[suppressed]), {scope})\n\
                 VAR v = [{}]\n\
                 RETURN SWITCH(TRUE(), withheld, \"[c]\", ISBLANK(v), BLANK(), FORMAT(v, f))",
                title("Change")
            ),
            None,
            &format!("The change {words} as printed, with its sign, or [c] where withheld."),
        ),
        measure(
            c,
            &title("Verdict"),
            &format!(
                "VAR v = CALCULATE(SELECTEDVALUE({c}[verdict]), {scope})\n\
                 VAR withheld = CALCULATE(SELECTEDVALUE({c}[suppressed]), {scope})\n\
                 RETURN IF(withheld, \"[c]\", LOOKUPVALUE(dim_verdict[verdict_label], dim_verdict[verdict], v))"
            ),
            None,
            &format!(
                "Whether the change {words} is significant after the false discovery rate control, in words."
            ),
        ),
        measure(
            c,
            &title("Verdict colour"),
            &format!(
                "VAR v = CALCULATE(SELECTEDVALUE({c}[verdict]), {scope})\n\
                 RETURN LOOKUPVALUE(dim_verdict[colour], dim_verdict[verdict], v)"
            ),
            None,
            &format!(
                "A colour for the verdict {words} (dim_verdict.colour: green improved, red declined, grey otherwise): use it for conditional formatting."
            ),
        ),
    ]
}

fn other_measures() -> Vec<Measure> {
    let rr = "fact_response_rates";
    let spc = "fact_feedback_spc";
    let one = |t: &str, col: &str| {
        format!(
            "CALCULATE(IF(COUNTROWS({t}) = 1, MAXX(FILTER({t}, NOT {t}[suppressed]), {t}[{col}])), dim_wave[is_latest] = TRUE())"
        )
    };
    vec![
        measure(
            rr,
            "Response rate",
            &one(rr, "response_rate"),
            Some("0.0"),
            "The latest wave's response rate (%), blank where withheld or the headcount is not known.",
        ),
        measure(
            rr,
            "Responses in latest wave",
            &one(rr, "responses"),
            Some("#,0"),
            "The latest wave's accepted responses, blank where withheld.",
        ),
        measure(
            rr,
            "Staff in post in latest wave",
            &one(rr, "headcount"),
            Some("#,0"),
            "Staff in post (HR) in the latest wave, blank where withheld.",
        ),
        measure(
            spc,
            "Monthly value",
            &format!("SUM({spc}[value])"),
            Some("0.0"),
            "The month's published value of the series in context.",
        ),
        measure(
            spc,
            "Centre line",
            &format!("SUM({spc}[centre])"),
            Some("0.0"),
            "The control chart's centre line.",
        ),
        measure(
            spc,
            "Lower process limit",
            &format!("SUM({spc}[lower_limit])"),
            Some("0.0"),
            "The lower 3-sigma process limit for the month's n.",
        ),
        measure(
            spc,
            "Upper process limit",
            &format!("SUM({spc}[upper_limit])"),
            Some("0.0"),
            "The upper 3-sigma process limit for the month's n.",
        ),
        measure(
            spc,
            "Signals fired",
            &format!("CONCATENATEX({spc}, {spc}[signals], \"; \")"),
            None,
            "The rules that fired in the month (outside the limits, shift, trend).",
        ),
    ]
}

/// One share-of-R² measure per key-driver outcome in the data, named with the outcome's name.
fn driver_measures(tables: &[TableData]) -> Vec<Measure> {
    let find = |name: &str| tables.iter().find(|t| t.def.name == name);
    let (Some(drivers), Some(indicators)) = (find("fact_drivers"), find("dim_indicator")) else {
        return Vec::new();
    };
    let text = |t: &TableData, row: &[Cell], col: &str| match t.def.column(col).map(|i| &row[i]) {
        Some(Cell::Text(s)) => Some(s.clone()),
        _ => None,
    };
    let mut outcomes: Vec<String> = drivers
        .rows
        .iter()
        .filter_map(|r| text(drivers, r, "outcome_indicator_id"))
        .collect();
    outcomes.sort();
    outcomes.dedup();
    let f = "fact_drivers";
    outcomes
        .iter()
        .map(|id| {
            let label = indicators
                .rows
                .iter()
                .find(|r| text(indicators, r, "indicator_id").as_deref() == Some(id))
                .and_then(|r| text(indicators, r, "indicator_name"))
                .unwrap_or_else(|| id.clone());
            measure(
                f,
                &format!("Share of {label} explained (%)"),
                &format!(
                    "CALCULATE(MAX({f}[share_of_r2]), USERELATIONSHIP({f}[driver_indicator_id], dim_indicator[indicator_id]), {f}[outcome_indicator_id] = {}, dim_group[level] = \"organisation\", dim_wave[is_latest] = TRUE())",
                    dax_string(id)
                ),
                Some("0.0"),
                &format!("Each driver theme's share (%) of the variance in {label} its drivers explain together (LMG), all respondents, latest wave: rows are the driver themes."),
            )
        })
        .collect()
}

/// Every measure of the model.
pub fn measures(tables: &[TableData]) -> Vec<Measure> {
    let present = |name: &str| tables.iter().any(|t| t.def.name == name);
    let mut all = staff_measures();
    all.extend(latest_measures());
    all.extend(change_measures("since_baseline", "since baseline"));
    all.extend(change_measures("since_previous", "since previous"));
    all.extend(other_measures());
    all.extend(driver_measures(tables));
    all.retain(|m| present(m.table));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dax_strings_double_their_quotes() {
        assert_eq!(dax_string("a \"b\""), "\"a \"\"b\"\"\"");
    }

    #[test]
    fn no_measure_shares_a_name_with_a_column() {
        // DAX names are case-insensitive: a measure `Value` beside a column `value` is
        // rejected by Power BI.
        let columns: Vec<String> = crate::report::model::registry()
            .iter()
            .flat_map(|t| t.columns.iter().map(|c| c.name.to_lowercase()))
            .collect();
        let names: Vec<String> = staff_measures()
            .into_iter()
            .chain(latest_measures())
            .chain(change_measures("since_baseline", "since baseline"))
            .chain(change_measures("since_previous", "since previous"))
            .chain(other_measures())
            .map(|m| m.name.to_lowercase())
            .collect();
        for n in &names {
            assert!(!columns.contains(n), "measure {n} is also a column");
        }
    }

    #[test]
    fn measure_names_are_unique_within_the_model() {
        let all = measures(&[]);
        assert!(all.is_empty(), "no tables, no measures");
        let mut names: Vec<String> = staff_measures()
            .into_iter()
            .chain(latest_measures())
            .chain(change_measures("since_baseline", "since baseline"))
            .chain(change_measures("since_previous", "since previous"))
            .chain(other_measures())
            .map(|m| m.name)
            .collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
