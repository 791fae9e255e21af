//! The pack's CSV tables: stable column names (Power BI reads them), rows in a fixed order,
//! numbers rounded only here, once, to one decimal place.

use crate::disclosure::{ProtectedItem, Summary, Suppression};
use crate::import::WaveImport;
use crate::schema::Schema;

pub const ITEMS_HEADER: [&str; 13] = [
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
    "suppressed",
    "suppression_reason",
];

/// Percentages are published to one decimal place.
pub fn fmt_pct(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{v:.1}"))
}

fn csv_bytes(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(header).expect("in-memory write");
    for r in rows {
        w.write_record(&r).expect("in-memory write");
    }
    w.into_inner().expect("in-memory write")
}

/// `tables/items.csv`.
pub fn items_csv(schema: &Schema, items: &[ProtectedItem]) -> Vec<u8> {
    let rows = items.iter().map(|p| {
        let mut r = vec![
            p.wave.clone(),
            schema.questions[p.item].id.clone(),
            p.breakdown.name(schema).to_string(),
            p.group.label(schema, p.breakdown).to_string(),
        ];
        match (&p.values, p.suppression) {
            (Some(v), _) => {
                r.extend([
                    v.n().to_string(),
                    v.positive.to_string(),
                    v.neutral.to_string(),
                    v.negative.to_string(),
                    fmt_pct(v.pct(v.positive)),
                    fmt_pct(v.pct(v.neutral)),
                    fmt_pct(v.pct(v.negative)),
                    "false".into(),
                    String::new(),
                ]);
            }
            (None, s) => {
                r.extend(std::iter::repeat_n(Suppression::MARK.to_string(), 7));
                r.push("true".into());
                r.push(s.map_or("", Suppression::code).to_string());
            }
        }
        r
    });
    csv_bytes(&ITEMS_HEADER, rows)
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
pub fn disclosure_csv(table: &str, s: &Summary) -> Vec<u8> {
    csv_bytes(
        &["table", "outcome", "cells"],
        [
            ("published", s.published),
            ("suppressed_primary", s.primary),
            ("suppressed_secondary", s.secondary),
            ("suppressed_small_organisation", s.small_organisation),
        ]
        .into_iter()
        .map(|(o, n)| vec![table.to_string(), o.to_string(), n.to_string()]),
    )
}

/// `tables/README.md`: the data dictionary, the contract the dashboard reads.
pub fn data_dictionary(threshold: u32) -> String {
    format!(
        r#"# Data dictionary

Tables in this folder are UTF-8 CSV with one header row. Column names and meanings are stable
across runs and years. Rows are in a fixed order (wave, then schema order). Percentages are
rounded once, when written, to one decimal place; all sums and differences are computed from
unrounded values.

## Suppression

Outputs are published. No figure rests on fewer than **{threshold}** valid answers. Where a
figure is suppressed its values are removed and every value column shows `[c]`
(confidential, as in UK official statistics); `suppression_reason` says why:

| reason | meaning |
|---|---|
| `primary` | fewer than {threshold} valid answers in this cell |
| `secondary` | hidden so a primary-suppressed cell in the same breakdown cannot be recovered by subtracting the published groups from the overall figure |
| `small_organisation` | the wave has fewer than 30 respondents, so no breakdowns are published |

## items.csv

One row per wave × item × breakdown × group.

| column | type | meaning |
|---|---|---|
| wave | text | survey wave (year) |
| item | text | question id from the schema (e.g. `S19`) |
| breakdown | text | `overall`, or the demographic field (e.g. `directorate`) |
| group | text | `All respondents`, a category of the field, or `Not stated` (left blank) |
| n | integer | valid answers: positive + neutral + negative ("Don't know"-type answers and blanks excluded) |
| n_positive | integer | Agree + Strongly agree (for reverse-keyed items, the favourable answers; for yes/no items the favourable answer; for 0–10 items 9–10) |
| n_neutral | integer | Neither agree nor disagree (0–10 items: 7–8) |
| n_negative | integer | Disagree + Strongly disagree (0–10 items: 0–6) |
| pct_positive | number | 100 × n_positive / n, one decimal place |
| pct_neutral | number | 100 × n_neutral / n |
| pct_negative | number | 100 × n_negative / n |
| suppressed | true/false | whether the values were withheld |
| suppression_reason | text | empty, or one of the reasons above |

## import_reconciliation.csv

Proves that every row of every export is accounted for: for each wave,
`rows_in = accepted + excluded + rejected`.

| column | type | meaning |
|---|---|---|
| wave | text | survey wave |
| file | text | export file name |
| outcome | text | `total`, `accepted`, `excluded` (set aside by a declared rule) or `rejected` (defective) |
| reason | text | `rows_in`, `accepted`, `preview_or_test`, `incomplete`, `ragged_row`, `missing_response_id`, `duplicate_response_id`, `unknown_answer`, `unknown_category` |
| rows | integer | number of data rows |

## disclosure_summary.csv

| column | type | meaning |
|---|---|---|
| table | text | the table the cells belong to |
| outcome | text | `published` or `suppressed_<reason>` |
| cells | integer | number of cells |
"#
    )
}
