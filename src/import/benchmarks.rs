//! External benchmark files (format: `schemas/benchmarks/README.md`): published results of
//! another survey, such as the Civil Service People Survey medians, one row per source × year
//! × measure id. Checked like the other reference tables: every problem with its line, all at
//! once, and every mapping in the schema must find its measure.

use crate::schema::{BenchmarkRef, Method, Schema};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a benchmark value measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BenchmarkMeasure {
    PctPositive,
    Index0To100,
    Score0To10,
    PctYes,
    Enps,
}

impl BenchmarkMeasure {
    pub const ALL: [BenchmarkMeasure; 5] = [
        BenchmarkMeasure::PctPositive,
        BenchmarkMeasure::Index0To100,
        BenchmarkMeasure::Score0To10,
        BenchmarkMeasure::PctYes,
        BenchmarkMeasure::Enps,
    ];

    pub fn code(self) -> &'static str {
        match self {
            BenchmarkMeasure::PctPositive => "pct_positive",
            BenchmarkMeasure::Index0To100 => "index_0_100",
            BenchmarkMeasure::Score0To10 => "score_0_10",
            BenchmarkMeasure::PctYes => "pct_yes",
            BenchmarkMeasure::Enps => "enps",
        }
    }

    fn parse(s: &str) -> Option<BenchmarkMeasure> {
        Self::ALL.into_iter().find(|m| m.code() == s)
    }

    /// The measure an indicator's value is, for comparison.
    pub fn of_method(m: Method) -> BenchmarkMeasure {
        match m {
            Method::ThemePctPositive => BenchmarkMeasure::PctPositive,
            Method::Index0To100 => BenchmarkMeasure::Index0To100,
            Method::Score0To10 => BenchmarkMeasure::Score0To10,
            Method::YesRate => BenchmarkMeasure::PctYes,
            Method::Enps => BenchmarkMeasure::Enps,
        }
    }
}

/// One published value.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchmarkValue {
    pub source: String,
    pub year: i32,
    pub id: String,
    pub label: String,
    pub measure: BenchmarkMeasure,
    pub value: f64,
    pub n: Option<u64>,
    /// File name, for provenance.
    pub file: String,
}

/// Every benchmark value loaded, by (source, id), years ascending; and where a file gives each
/// organisation's score (rows with an `organisation_code`), the spread of organisations.
#[derive(Debug, Clone, Default)]
pub struct Benchmarks {
    pub values: BTreeMap<BenchmarkRef, Vec<BenchmarkValue>>,
    /// Organisations' scores by (source, id, year): (organisation code, value), in file order.
    pub organisations: BTreeMap<(BenchmarkRef, i32), Vec<(String, f64)>>,
}

impl Benchmarks {
    /// The value to compare a wave of `year` with: the latest year not after it.
    pub fn for_year(&self, r: &BenchmarkRef, year: i32) -> Option<&BenchmarkValue> {
        self.values.get(r)?.iter().rev().find(|v| v.year <= year)
    }

    /// The organisations' scores for the year of a benchmark value, sorted ascending (at
    /// least two organisations, else `None`).
    pub fn spread(&self, v: &BenchmarkValue) -> Option<Vec<f64>> {
        let key = (
            BenchmarkRef {
                source: v.source.clone(),
                id: v.id.clone(),
            },
            v.year,
        );
        let mut scores: Vec<f64> = self.organisations.get(&key)?.iter().map(|o| o.1).collect();
        scores.sort_by(f64::total_cmp);
        (scores.len() >= 2).then_some(scores)
    }

    /// Whether any file holds this source.
    pub fn has_source(&self, source: &str) -> bool {
        self.values.keys().any(|k| k.source == source)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{}: {} problem(s) in the benchmark file(s):\n{}", files, problems.len(), problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
pub struct BenchmarkError {
    pub files: String,
    pub problems: Vec<String>,
}

const COLUMNS: [&str; 7] = ["source", "year", "id", "label", "measure", "value", "n"];
/// Optional: a row with an organisation code is one organisation's score, not a benchmark.
const ORGANISATION: &str = "organisation_code";

/// Read every file and check the schema's mappings against them.
pub fn load(files: &[PathBuf], schema: &Schema) -> Result<Benchmarks, BenchmarkError> {
    let mut problems = Vec::new();
    let mut out = Benchmarks::default();
    for file in files {
        read_one(file, &mut out, &mut problems);
    }
    for ((r, year), orgs) in &out.organisations {
        let mut seen = std::collections::BTreeSet::new();
        for (code, _) in orgs {
            if !seen.insert(code) {
                problems.push(format!(
                    "{r} {year}: organisation {code} appears twice; keep one row per organisation"
                ));
            }
        }
    }
    for v in out.values.values_mut() {
        v.sort_by_key(|v| v.year);
        for w in v.windows(2) {
            if w[0].year == w[1].year {
                problems.push(format!(
                    "{}: {}:{} {} appears twice; keep one row per source, id and year",
                    w[1].file, w[1].source, w[1].id, w[1].year
                ));
            }
        }
    }
    let mut check = |what: String, refs: &[BenchmarkRef], want: BenchmarkMeasure| {
        for r in refs {
            if !out.has_source(&r.source) {
                // A source no file supplies is simply not compared.
                continue;
            }
            match out.values.get(r) {
                None => problems.push(format!(
                    "{what} maps to {r}, which no benchmark file has; check the id in the schema's `benchmarks` (ids are case-sensitive)"
                )),
                Some(v) if v.iter().any(|v| v.measure != want) => problems.push(format!(
                    "{what} maps to {r}, which is `{}` in the benchmark file but the council's figure is `{}`; map it to a measure of the same kind",
                    v[0].measure.code(),
                    want.code()
                )),
                Some(_) => {}
            }
        }
    };
    for q in &schema.questions {
        check(
            format!("question {}", q.id),
            &q.benchmarks,
            BenchmarkMeasure::PctPositive,
        );
    }
    for i in &schema.indicators {
        check(
            format!("indicator {}", i.id),
            &i.benchmarks,
            BenchmarkMeasure::of_method(i.method),
        );
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(BenchmarkError {
            files: files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            problems,
        })
    }
}

fn read_one(file: &Path, out: &mut Benchmarks, problems: &mut Vec<String>) {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    let table = match super::reference::read(file) {
        Ok(t) => t,
        Err(p) => {
            problems.extend(p.into_iter().map(|p| format!("{name}: {p}")));
            return;
        }
    };
    problems.extend(table.problems.iter().map(|p| format!("{name}: {p}")));
    let col = |c: &str| table.header.iter().position(|h| h.eq_ignore_ascii_case(c));
    let cols: Vec<Option<usize>> = COLUMNS.iter().map(|c| col(c)).collect();
    let missing: Vec<&str> = COLUMNS
        .iter()
        .zip(&cols)
        .filter(|(c, i)| i.is_none() && **c != "n")
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "{name}: line 1: missing column(s) {}; the header should be {}",
            missing.join(", "),
            COLUMNS.join(",")
        ));
        return;
    }
    let at = |i: usize| cols[i].expect("checked");
    let organisation = col(ORGANISATION);
    for (line, rec) in &table.rows {
        let get = |i: usize| cols[i].and_then(|c| rec.get(c)).unwrap_or("").trim();
        let mut bad = |col: usize, what: String| {
            problems.push(format!(
                "{name}: line {line}, column {} ({}): {what}",
                super::layout::column_letter(at(col)),
                COLUMNS[col]
            ))
        };
        let Some(Parsed {
            source,
            id,
            year,
            measure,
            value,
            n,
        }) = parse_row(&get, &mut bad)
        else {
            continue;
        };
        let key = BenchmarkRef {
            source: source.to_string(),
            id: id.to_string(),
        };
        let code = organisation
            .and_then(|c| rec.get(c))
            .map(str::trim)
            .unwrap_or("");
        if !code.is_empty() {
            out.organisations
                .entry((key, year))
                .or_default()
                .push((code.to_string(), value));
            continue;
        }
        out.values.entry(key).or_default().push(BenchmarkValue {
            source: source.to_string(),
            year,
            id: id.to_string(),
            label: get(3).to_string(),
            measure,
            value,
            n,
            file: name.clone(),
        });
    }
}

/// A benchmark row's checked values.
struct Parsed<'a> {
    source: &'a str,
    id: &'a str,
    year: i32,
    measure: BenchmarkMeasure,
    value: f64,
    n: Option<u64>,
}

/// Check a row's source, id, year, measure, value and n, reporting each problem by column;
/// `None` when any is wrong.
fn parse_row<'a>(
    get: &impl Fn(usize) -> &'a str,
    bad: &mut impl FnMut(usize, String),
) -> Option<Parsed<'a>> {
    let source = get(0);
    let id = get(2);
    if source.is_empty() {
        bad(0, "empty; name who published the value, e.g. CSPS".into());
    }
    if id.is_empty() {
        bad(
            2,
            "empty; give the measure's id in its source, e.g. B47".into(),
        );
    }
    let year = match get(1).parse::<i32>() {
        Ok(y) if (1900..=2200).contains(&y) => Some(y),
        _ => {
            bad(1, format!("`{}` is not a four-digit year", get(1)));
            None
        }
    };
    let measure = BenchmarkMeasure::parse(get(4));
    if measure.is_none() {
        let known: Vec<&str> = BenchmarkMeasure::ALL.iter().map(|m| m.code()).collect();
        bad(
            4,
            format!(
                "`{}` is not a measure; use one of {}",
                get(4),
                known.join(", ")
            ),
        );
    }
    let value = match get(5).trim_end_matches('%').trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (-100.0..=100.0).contains(&v) => Some(v),
        _ => {
            bad(
                5,
                format!(
                    "`{}` is not a value in percent or points (63 for 63%)",
                    get(5)
                ),
            );
            None
        }
    };
    let n = match get(6) {
        "" => Some(None),
        s => match s.parse::<u64>() {
            Ok(n) => Some(Some(n)),
            Err(_) => {
                bad(
                    6,
                    format!("`{s}` is not a whole number (leave it empty if not known)"),
                );
                None
            }
        },
    };
    let (Some(year), Some(measure), Some(value), Some(n)) = (year, measure, value, n) else {
        return None;
    };
    if source.is_empty() || id.is_empty() {
        return None;
    }
    Some(Parsed {
        source,
        id,
        year,
        measure,
        value,
        n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        crate::schema::testing::schema(
            r#"
[[questions]]
id = "Q1"
text = "I am proud"
type = "likert"
scale = "agree5"
benchmarks = ["CSPS:B47"]
[[questions]]
id = "Q2"
text = "Q2"
type = "likert"
scale = "agree5"
benchmarks = ["NHS:q1"]
[[indicators]]
id = "eng"
label = "Engagement"
method = "index-0-100"
items = ["Q1"]
benchmarks = ["CSPS:EES"]
"#,
        )
    }

    #[test]
    fn the_latest_year_not_after_the_wave_is_used_and_unloaded_sources_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("b.csv");
        std::fs::write(
            &f,
            "\u{feff}source,year,id,label,measure,value,n\n\
             CSPS,2018,B47,Proud,pct_positive,66,\n\
             CSPS,2019,B47,Proud,pct_positive,67%,101\n\
             CSPS,2019,EES,Engagement,index_0_100,63,\n",
        )
        .unwrap();
        let b = load(&[f], &schema()).unwrap();
        let r = BenchmarkRef {
            source: "CSPS".into(),
            id: "B47".into(),
        };
        assert_eq!(b.for_year(&r, 2026).unwrap().value, 67.0);
        assert_eq!(b.for_year(&r, 2026).unwrap().n, Some(101));
        assert_eq!(b.for_year(&r, 2018).unwrap().value, 66.0);
        assert_eq!(b.for_year(&r, 2017), None);
        assert!(!b.has_source("NHS"), "Q2's NHS mapping is not an error");
    }

    #[test]
    fn every_problem_is_reported_with_its_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("bad.csv");
        std::fs::write(
            &f,
            "source,year,id,label,measure,value,n\n\
             CSPS,19,B47,Proud,pct_positive,67,\n\
             CSPS,2019,B47,Proud,percent,67,\n\
             CSPS,2019,EES,Engagement,pct_positive,lots,x\n",
        )
        .unwrap();
        let e = load(&[f], &schema()).unwrap_err();
        let text = e.to_string();
        for want in [
            "bad.csv: line 2, column B (year): `19` is not a four-digit year",
            "line 3, column E (measure): `percent` is not a measure",
            "line 4, column F (value): `lots` is not a value",
            "line 4, column G (n): `x` is not a whole number",
        ] {
            assert!(text.contains(want), "{want}\n{text}");
        }
        let f2 = dir.path().join("kind.csv");
        std::fs::write(
            &f2,
            "source,year,id,label,measure,value\nCSPS,2019,B48,Recommend,pct_positive,61\nCSPS,2019,EES,E,pct_positive,63\n",
        )
        .unwrap();
        let text = load(&[f2], &schema()).unwrap_err().to_string();
        assert!(
            text.contains("question Q1 maps to CSPS:B47, which no benchmark file has"),
            "{text}"
        );
        assert!(
            text.contains("indicator eng maps to CSPS:EES, which is `pct_positive` in the benchmark file but the council's figure is `index_0_100`"),
            "{text}"
        );
    }
}
