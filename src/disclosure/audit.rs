//! `audit`: an independent check of a written evidence pack. It reads only the pack's tables
//! (not the pipeline's internal state), guided by the table registry's declarations, and fails
//! if a declared table is missing or has other columns or types than declared, if a key repeats
//! or a reference does not resolve, if any published figure rests on fewer than the threshold,
//! if a suppressed row still shows a value, or if a hidden figure can be recovered by
//! differencing: from the organisation's figure and a one-way breakdown, or from a one-way total
//! and a row or column of a two-way breakdown, and by a linear-programming attacker over every
//! line at once. Meeting feedback's month and quarter tables are checked together (months
//! within a quarter are one more breakdown), under their own threshold. The pack's other
//! outputs (Parquet copies, workbook, report pages, control charts) must withhold what the
//! tables withhold (see `audit_outputs`).

use crate::report::registry::{Disclosure, Period, Role, Table, Threshold};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Settings recorded in the pack by `run`.
pub const SETTINGS_FILE: &str = "disclosure.json";
/// The meeting-feedback threshold, recorded separately (committees are small).
pub const MEETINGS_SETTINGS_FILE: &str = "member_feedback_disclosure.json";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: String,
    pub line: u64,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("{}: {message}", path.display())]
    Unreadable { path: PathBuf, message: String },
    #[error(
        "{}: no {SETTINGS_FILE} with the threshold; pass --threshold",
        dir.display()
    )]
    NoThreshold { dir: PathBuf },
}

/// The outcome of an audit.
#[derive(Debug)]
pub struct Report {
    /// The run the pack says it is (its manifest's run id), when it says.
    pub run_id: Option<String>,
    pub threshold: u32,
    pub tables: Vec<String>,
    pub rows: usize,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.findings.is_empty() && !self.tables.is_empty()
    }

    pub fn render(&self, dir: &Path) -> String {
        let mut s = format!(
            "Audit of {}{} (threshold {}): {} table(s), {} row(s) checked: {}\n",
            dir.display(),
            self.run_id
                .as_ref()
                .map_or_else(String::new, |id| format!(", run {id}")),
            self.threshold,
            self.tables.len(),
            self.rows,
            if self.passed() { "PASS" } else { "FAIL" }
        );
        if self.tables.is_empty() {
            s.push_str("  no tables found: expected the evidence pack's tables/ folder (fact_item_results.csv and the rest)\n");
        }
        const SHOWN: usize = 50;
        for f in self.findings.iter().take(SHOWN) {
            s.push_str(&format!("  {}:{}: {}\n", f.file, f.line, f.message));
        }
        if self.findings.len() > SHOWN {
            s.push_str(&format!("  ... and {} more\n", self.findings.len() - SHOWN));
        }
        s
    }
}

/// A table as the audit reads it: its header and records, as text.
pub(super) struct Csv {
    pub(super) header: Vec<String>,
    pub(super) records: Vec<(u64, csv::StringRecord)>,
}

impl Csv {
    /// The position of the column `name`.
    pub(super) fn column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
    }
}

fn read_csv(path: &Path) -> Result<Csv, AuditError> {
    let unreadable = |message: String| AuditError::Unreadable {
        path: path.to_path_buf(),
        message,
    };
    let mut rdr = csv::Reader::from_path(path).map_err(|e| unreadable(e.to_string()))?;
    let header = rdr
        .headers()
        .map_err(|e| unreadable(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut records = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| unreadable(e.to_string()))?;
        records.push((rec.position().map_or(0, |p| p.line()), rec));
    }
    Ok(Csv { header, records })
}

/// A Parquet file's columns as (name, Arrow type name).
fn parquet_columns(path: &Path) -> Result<Vec<(String, String)>, String> {
    use polars::prelude::{DataType, ParquetReader, SerReader};
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let df = ParquetReader::new(file)
        .finish()
        .map_err(|e| e.to_string())?;
    Ok(df
        .columns()
        .iter()
        .map(|c| {
            let ty = match c.dtype() {
                DataType::Int64 => "Int64".to_string(),
                DataType::Float64 => "Float64".to_string(),
                DataType::Boolean => "Boolean".to_string(),
                DataType::Date => "Date32".to_string(),
                DataType::String => "Utf8".to_string(),
                other => other.to_string(),
            };
            (c.name().to_string(), ty)
        })
        .collect())
}

/// The Parquet copy of a table withholds what the CSV withholds: the same rows, in the same
/// order, and no value where the CSV shows `[c]` (a figure slipped into the Parquet file alone
/// would reach Power BI unseen by the CSV checks).
fn check_parquet_withholds(
    path: &Path,
    csv: &Csv,
    file: &str,
    find: &mut impl FnMut(String, u64, String),
) {
    use polars::prelude::{ParquetReader, SerReader};
    let Ok(df) = std::fs::File::open(path)
        .map_err(|e| e.to_string())
        .and_then(|f| ParquetReader::new(f).finish().map_err(|e| e.to_string()))
    else {
        return;
    };
    if df.height() > csv.records.len() {
        // Rows the CSV does not have cannot be checked against it.
        find(
            file.to_string(),
            0,
            format!(
                "holds {} rows but the CSV holds {}",
                df.height(),
                csv.records.len()
            ),
        );
        return;
    }
    if df.height() < csv.records.len() {
        return;
    }
    for (j, name) in csv.header.iter().enumerate() {
        let Ok(column) = df.column(name.trim_start_matches('\u{feff}')) else {
            continue;
        };
        let nulls = column.is_null();
        for (row, (line, rec)) in csv.records.iter().enumerate() {
            if rec.get(j) == Some(crate::disclosure::Suppression::MARK)
                && nulls.get(row) == Some(false)
            {
                find(
                    file.to_string(),
                    *line,
                    format!("`{name}` holds a value the CSV withholds ([c])"),
                );
            }
        }
    }
}

/// One published cell of an additive family.
struct Row {
    table: &'static str,
    line: u64,
    group: String,
    /// `None` when withheld.
    n: Option<u64>,
    /// What the differencing attacker reads from the row, for the tables it attacks.
    attack: Option<AttackCell>,
}

/// A row as the differencing attacker sees it.
struct AttackCell {
    /// The counts it publishes (see [`ATTACKED`]), `None` when withheld.
    counts: Option<Vec<f64>>,
    size: super::attack::Size,
    /// (period value as written, group key): where a published upper bound on its size is.
    at: (String, String),
}

/// How the attacker reads one count of a row.
#[derive(Clone, Copy)]
enum Count {
    /// A count column.
    Col(&'static str),
    /// A percentage of `n` (one decimal place fixes the count for any group under 1,000).
    Share(&'static str, &'static str),
    /// `n` less the other counts (those who did not mention a theme, did not answer positively).
    Rest(&'static str),
}

impl Count {
    fn name(self) -> &'static str {
        match self {
            Count::Col(c) => c,
            Count::Share(_, name) | Count::Rest(name) => name,
        }
    }
}

/// The tables the differencing attacker reads, with the counts each row's size is the sum of.
/// Member feedback's month tables join their quarter's families (months are one more
/// breakdown).
const ATTACKED: &[(&str, &[Count])] = &[
    (
        "fact_item_results",
        &[
            Count::Col("n_positive"),
            Count::Col("n_neutral"),
            Count::Col("n_negative"),
        ],
    ),
    ("fact_indicator_results", &[Count::Col("n")]),
    ("fact_response_rates", &[Count::Col("responses")]),
    (
        "fact_comment_themes",
        &[Count::Col("mentions"), Count::Rest("n - mentions")],
    ),
    (
        "fact_feedback_item_quarter",
        &[
            Count::Share("pct_positive", "positive answers"),
            Count::Rest("n - positive answers"),
        ],
    ),
    (
        "fact_feedback_item_month",
        &[
            Count::Share("pct_positive", "positive answers"),
            Count::Rest("n - positive answers"),
        ],
    ),
    ("fact_feedback_indicator_quarter", &[Count::Col("n")]),
    ("fact_feedback_indicator_month", &[Count::Col("n")]),
    ("fact_feedback_uptake_quarter", &[Count::Col("forms")]),
    ("fact_feedback_uptake_month", &[Count::Col("forms")]),
];

/// The attacker's reading of a published row's counts; `None` when any is not a number.
fn attack_counts(t: &Table, rec: &csv::StringRecord, counts: &[Count]) -> Option<Vec<f64>> {
    let num = |c: &str| rec.get(t.column(c)?)?.parse::<f64>().ok();
    let n = num("n");
    let mut out = Vec::with_capacity(counts.len());
    for c in counts {
        let v = match *c {
            Count::Col(c) => num(c)?,
            Count::Share(c, _) => (num(c)? * n? / 100.0).round(),
            Count::Rest(_) => n? - out.iter().sum::<f64>(),
        };
        out.push(v);
    }
    Some(out)
}

/// The demographic fields a group is defined by: `[]` for everyone, `[(directorate, A)]`, or
/// `[(directorate, A), (grade, B)]`.
type Fields = Vec<(String, String)>;

/// The groups a dimension defines, by key.
fn group_fields(csv: &Csv) -> HashMap<String, Fields> {
    let col = |name: &str| csv.column(name);
    let key = col("group_key");
    let sides = [
        (col("field_1_id"), col("category_1")),
        (col("field_2_id"), col("category_2")),
    ];
    let mut out = HashMap::new();
    let Some(key) = key else { return out };
    for (_, rec) in &csv.records {
        let fields = sides
            .iter()
            .filter_map(|&(f, c)| {
                let (f, c) = (rec.get(f?)?, rec.get(c?)?);
                (!f.is_empty()).then(|| (f.to_string(), c.to_string()))
            })
            .collect();
        out.insert(rec[key].to_string(), fields);
    }
    out
}

/// Audit the pack in `dir` (the folder holding `tables/`): every table the registry declares
/// must be there with its declared columns (CSV) and types (Parquet); keys must be unique and
/// references must resolve; and disclosure control must hold (see the module docs).
pub fn audit(dir: &Path, threshold: Option<u32>) -> Result<Report, AuditError> {
    audit_with(dir, threshold, None)
}

/// [`audit`] with the thresholds of the config that made the pack (staff survey, and meeting
/// feedback when configured): a pack's own record of its thresholds is only the fallback for
/// a pack received without its config, since a pack cannot vouch for itself. `threshold`
/// (`--threshold`) overrides both.
pub fn audit_with(
    dir: &Path,
    threshold: Option<u32>,
    config: Option<(u32, Option<u32>)>,
) -> Result<Report, AuditError> {
    let registry = crate::report::model::registry();
    let staff_k = match (threshold, config) {
        (Some(t), _) => t,
        (None, Some((staff, _))) => staff,
        (None, None) => read_threshold(dir, SETTINGS_FILE)?,
    };
    let run_id = std::fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| {
            // Shown on a terminal: a run id's own characters only, never a control sequence.
            let id = v["run"]["id"].as_str()?;
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .then(|| id.chars().take(80).collect())
        });
    let mut report = Report {
        run_id,
        threshold: staff_k,
        tables: Vec::new(),
        rows: 0,
        findings: Vec::new(),
    };
    let mut data: HashMap<&'static str, Csv> = HashMap::new();
    for t in &registry {
        let path = dir.join(file_of(t));
        if path.exists() {
            data.insert(t.name, read_csv(&path)?);
        }
    }
    if data.is_empty() {
        return Ok(report);
    }
    let mut find = |file: String, line: u64, message: String| {
        report.findings.push(Finding {
            file,
            line,
            message,
        })
    };
    let checked = check_files(dir, &registry, &data, &mut find);
    check_references(&checked, &data, &mut find);
    let thresholds = Thresholds {
        dir,
        given: threshold,
        staff: staff_k,
        feedback: config.and_then(|c| c.1),
    };
    let parts = figures(&checked, &data, thresholds, &mut find)?;
    for (key, cells) in &parts {
        let what = if key.measure.is_empty() {
            key.period.clone()
        } else {
            format!("{}, {}", key.period, key.measure)
        };
        check_partition(cells, key.k, &what, &mut find);
    }
    differencing_attack(&data, &parts, &mut find);
    headcount_attack(&data, &mut find);
    super::audit_outputs::built_on_results(&data, &mut find);
    super::audit_outputs::driver_scores(&data, &mut find);
    super::audit_outputs::headcounts_elsewhere(&data, &mut find);
    super::audit_outputs::control_chart(&data, &mut find);
    super::audit_outputs::workbook(dir, &checked, &data, &mut find);
    super::audit_outputs::report_pages(dir, &data, &mut find);
    super::audit_outputs::manifest(dir, &mut find);
    report.tables = checked.iter().map(|t| file_of(t)).collect();
    report.rows = checked.iter().map(|t| data[t.name].records.len()).sum();
    Ok(report)
}

fn file_of(t: &Table) -> String {
    format!("tables/{}.csv", t.name)
}

/// Every declared table is there, with its declared columns (CSV) and types (Parquet), and a
/// unique primary key. Returns the tables fit for the other checks.
fn check_files<'r>(
    dir: &Path,
    registry: &[&'r Table],
    data: &HashMap<&'static str, Csv>,
    find: &mut impl FnMut(String, u64, String),
) -> Vec<&'r Table> {
    let mut checked = Vec::new();
    for t in registry {
        let Some(csv) = data.get(t.name) else {
            find(
                file_of(t),
                0,
                "missing: every evidence pack has this table".into(),
            );
            continue;
        };
        let declared: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
        if csv.header != declared {
            find(
                file_of(t),
                1,
                format!(
                    "columns are {} but the table declares {}",
                    csv.header.join(","),
                    declared.join(",")
                ),
            );
            continue;
        }
        let parquet = format!("tables/{}.parquet", t.name);
        let typed = |cols: &mut dyn Iterator<Item = (&str, &str)>| {
            cols.map(|(n, t)| format!("{n}:{t}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        let declared = typed(&mut t.columns.iter().map(|c| (c.name, c.ty.name())));
        match parquet_columns(&dir.join(&parquet)) {
            Ok(found) => {
                let found = typed(&mut found.iter().map(|(n, t)| (n.as_str(), t.as_str())));
                if found != declared {
                    find(
                        parquet,
                        0,
                        format!("schema is {found} but the table declares {declared}"),
                    );
                } else {
                    check_parquet_withholds(&dir.join(&parquet), csv, &parquet, find);
                }
            }
            Err(e) => find(parquet, 0, format!("cannot be read: {e}")),
        }
        let key: Vec<usize> = t.primary_key.iter().filter_map(|k| t.column(k)).collect();
        let mut seen = HashMap::new();
        for (line, rec) in &csv.records {
            let k: Vec<&str> = key.iter().map(|&i| rec.get(i).unwrap_or("")).collect();
            if let Some(first) = seen.insert(k.join("\u{1f}"), *line) {
                find(
                    file_of(t),
                    *line,
                    format!(
                        "primary key ({}) repeats line {first}",
                        t.primary_key.join(", ")
                    ),
                );
            }
        }
        checked.push(*t);
    }
    checked
}

/// Every value of a foreign key is a key of its dimension.
fn check_references(
    checked: &[&Table],
    data: &HashMap<&'static str, Csv>,
    find: &mut impl FnMut(String, u64, String),
) {
    for t in checked {
        for fk in t.foreign_keys {
            let dim = checked.iter().find(|d| d.name == fk.table);
            let (Some(c), Some(dim)) = (t.column(fk.column), dim) else {
                continue;
            };
            let Some(r) = dim.column(fk.references) else {
                continue;
            };
            let keys: std::collections::HashSet<&str> = data[dim.name]
                .records
                .iter()
                .map(|(_, rec)| &rec[r])
                .collect();
            for (line, rec) in &data[t.name].records {
                let v = &rec[c];
                if !v.is_empty() && !keys.contains(v) {
                    find(
                        file_of(t),
                        *line,
                        format!(
                            "{} `{v}` is not in {}.{}",
                            fk.column, fk.table, fk.references
                        ),
                    );
                }
            }
        }
    }
}

/// Which threshold a table is checked against.
struct Thresholds<'a> {
    dir: &'a Path,
    /// `--threshold`: one number for every table.
    given: Option<u32>,
    staff: u32,
    /// Read from the pack when a feedback table first needs it.
    feedback: Option<u32>,
}

impl Thresholds<'_> {
    fn of(&mut self, t: Threshold) -> Result<u64, AuditError> {
        Ok(u64::from(match (self.given, t) {
            (Some(k), _) => k,
            (None, Threshold::Staff) => self.staff,
            (None, Threshold::Feedback) => match self.feedback {
                Some(k) => k,
                None => *self
                    .feedback
                    .insert(read_threshold(self.dir, MEETINGS_SETTINGS_FILE)?),
            },
        }))
    }
}

/// The unit of differencing: one family's cells in one period, for one measure.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct PartitionKey {
    family: &'static str,
    k: u64,
    period: String,
    measure: String,
}

type Partitions = BTreeMap<PartitionKey, Vec<(Fields, Row)>>;

/// The columns of a table with a role.
fn with_role(t: &Table, role: Role) -> Vec<usize> {
    (0..t.columns.len())
        .filter(|&i| t.columns[i].role == role)
        .collect()
}

/// Every table of figures: no published figure under the threshold, no figure in a withheld
/// row; and the cells of additive tables, by partition, for the differencing checks.
fn figures(
    checked: &[&Table],
    data: &HashMap<&'static str, Csv>,
    mut thresholds: Thresholds,
    find: &mut impl FnMut(String, u64, String),
) -> Result<Partitions, AuditError> {
    let groups: HashMap<&str, HashMap<String, Fields>> = ["dim_group", "dim_feedback_group"]
        .into_iter()
        .filter_map(|d| data.get(d).map(|csv| (d, group_fields(csv))))
        .collect();
    let quarter_of_month = data.get("dim_month").map(months).unwrap_or_default();
    let mut parts = Partitions::new();
    for t in checked {
        let Disclosure::Figures {
            threshold,
            additive,
        } = t.disclosure
        else {
            continue;
        };
        let csv = &data[t.name];
        if csv.records.is_empty() {
            continue;
        }
        let k = thresholds.of(threshold)?;
        let counts = with_role(t, Role::Count);
        // A withheld row shows no count or value, and a staff table's no HR figure (a
        // headcount beside withheld responses would give the group's size). Meeting tables'
        // administrative figures come from the public register of meetings.
        let admin = if threshold == Threshold::Staff {
            with_role(t, Role::Admin)
        } else {
            Vec::new()
        };
        let shown: Vec<usize> = counts
            .iter()
            .copied()
            .chain(with_role(t, Role::Value))
            .chain(admin)
            .collect();
        let suppressed = with_role(t, Role::Suppressed).first().copied();
        for (line, rec) in &csv.records {
            let line = *line;
            // Not asked in the wave (`[x]`): no figures, nothing to protect or recover.
            if counts
                .iter()
                .any(|&c| &rec[c] == crate::report::tables::NOT_ASKED)
            {
                continue;
            }
            let n = if suppressed.is_some_and(|c| &rec[c] == "true") {
                for &i in &shown {
                    let v = &rec[i];
                    if !(v.is_empty() || v == super::Suppression::MARK) {
                        find(
                            file_of(t),
                            line,
                            format!("suppressed row shows `{}` = {v:?}", t.columns[i].name),
                        );
                    }
                }
                None
            } else {
                published_count(t, rec, &counts, k, additive.is_some(), &mut |m| {
                    find(file_of(t), line, m)
                })
            };
            let Some(a) = additive else { continue };
            let group = &rec[t.column(a.group).expect("checked declaration")];
            let Some(mut fields) = groups.get(a.groups).and_then(|g| g.get(group)).cloned() else {
                find(
                    file_of(t),
                    line,
                    format!("group `{group}` is not in {}", a.groups),
                );
                continue;
            };
            let at = &rec[t.column(a.period.column()).expect("checked declaration")];
            let period = match a.period {
                Period::Column(_) => at.to_string(),
                Period::MonthOfQuarter(_) => {
                    let Some(q) = quarter_of_month.get(at) else {
                        find(file_of(t), line, format!("month {at} is not in dim_month"));
                        continue;
                    };
                    fields.push(("month".into(), at.to_string()));
                    q.clone()
                }
            };
            let measure: Vec<&str> = t
                .primary_key
                .iter()
                .filter(|&&c| c != a.period.column() && c != a.group)
                .filter_map(|c| t.column(c))
                .map(|c| &rec[c])
                .collect();
            let key = PartitionKey {
                family: a.family,
                k,
                period,
                measure: measure.join(" "),
            };
            let attack = ATTACKED.iter().find(|a| a.0 == t.name).map(|(_, counts)| {
                let reason = t
                    .column("suppression_reason")
                    .and_then(|c| rec.get(c))
                    .unwrap_or("");
                AttackCell {
                    counts: if n.is_some() && reason.is_empty() {
                        attack_counts(t, rec, counts)
                    } else {
                        None
                    },
                    size: match reason {
                        "primary" => super::attack::Size::Below,
                        "secondary" => super::attack::Size::AtLeast,
                        _ => super::attack::Size::Any,
                    },
                    at: (at.to_string(), group.to_string()),
                }
            });
            let row = Row {
                table: t.name,
                line,
                group: group.to_string(),
                n,
                attack,
            };
            parts.entry(key).or_default().push((fields, row));
        }
    }
    Ok(parts)
}

/// The count a published row rests on (its first count column), each count checked against
/// the threshold. Tables that are not additive may leave counts empty (a change not tested).
fn published_count(
    t: &Table,
    rec: &csv::StringRecord,
    counts: &[usize],
    k: u64,
    additive: bool,
    find: &mut impl FnMut(String),
) -> Option<u64> {
    let mut first = None;
    for &c in counts {
        let name = t.columns[c].name;
        match rec[c].parse::<u64>() {
            Ok(n) => {
                if n < k {
                    find(format!(
                        "published figure rests on {name} = {n}, fewer than {k}"
                    ));
                }
                first.get_or_insert(n);
            }
            Err(_) if !additive && rec[c].is_empty() => {}
            Err(_) => find(format!(
                "`{name}` is {:?}, not a count, but the row is not marked suppressed",
                &rec[c]
            )),
        }
    }
    first
}

/// `dim_month`: month_start → quarter_key.
fn months(csv: &Csv) -> HashMap<String, String> {
    match (csv.column("month_start"), csv.column("quarter_key")) {
        (Some(m), Some(q)) => csv
            .records
            .iter()
            .map(|(_, r)| (r[m].to_string(), r[q].to_string()))
            .collect(),
        _ => HashMap::new(),
    }
}

/// Two-way cells by their pair of fields: (first category, second category, cell).
type TwoWay<'a> = BTreeMap<(&'a str, &'a str), Vec<(&'a str, &'a str, &'a Row)>>;

/// One period and measure of a family: the organisation's figure, one-way groups that add up
/// to it, and two-way groups whose rows and columns add up to one-way totals.
fn check_partition(
    cells: &[(Fields, Row)],
    k: u64,
    what: &str,
    find: &mut impl FnMut(String, u64, String),
) {
    let total = cells
        .iter()
        .find(|(f, _)| f.is_empty())
        .and_then(|(_, r)| r.n);
    let mut one_way: BTreeMap<&str, Vec<(&str, &Row)>> = BTreeMap::new();
    let mut two_way = TwoWay::new();
    for (f, r) in cells {
        match f.as_slice() {
            [(a, x)] => one_way.entry(a).or_default().push((x, r)),
            [(a, x), (b, y)] => two_way.entry((a, b)).or_default().push((x, y, r)),
            _ => {}
        }
    }
    if let Some(t) = total {
        for (field, rows) in &one_way {
            let refs: Vec<&Row> = rows.iter().map(|(_, r)| *r).collect();
            check_line(t, &refs, k, &format!("{what}, {field}"), find);
        }
    }
    let margin = |field: &str, cat: &str| -> Option<u64> {
        one_way
            .get(field)?
            .iter()
            .find(|(c, _)| *c == cat)
            .and_then(|(_, r)| r.n)
    };
    for ((fa, fb), rows) in &two_way {
        let mut by_row: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
        let mut by_col: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
        for (x, y, r) in rows {
            by_row.entry(x).or_default().push(r);
            by_col.entry(y).or_default().push(r);
        }
        for (field, lines) in [(fa, &by_row), (fb, &by_col)] {
            for (cat, line_rows) in lines.iter() {
                if let Some(m) = margin(field, cat) {
                    check_line(
                        m,
                        line_rows,
                        k,
                        &format!("{what}, {fa} × {fb}, {field} = {cat}"),
                        find,
                    );
                }
            }
        }
    }
}

/// Cells that add up to a published `total`: the hidden ones must hold nothing, or be at
/// least two holding at least k together.
fn check_line(
    total: u64,
    rows: &[&Row],
    k: u64,
    what: &str,
    find: &mut impl FnMut(String, u64, String),
) {
    let published: u64 = rows.iter().filter_map(|r| r.n).sum();
    let hidden: Vec<&&Row> = rows.iter().filter(|r| r.n.is_none()).collect();
    let file = |r: &Row| format!("tables/{}.csv", r.table);
    let Some(first) = rows.first() else { return };
    if published > total {
        find(
            file(first),
            first.line,
            format!("{what}: published groups add up to {published}, more than the total {total}"),
        );
        return;
    }
    let rest = total - published;
    if rest == 0 {
        return;
    }
    match hidden.len() {
        0 => find(
            file(first),
            first.line,
            format!("{what}: groups add up to {published}, not the total {total} (missing rows?)"),
        ),
        1 => find(
            file(hidden[0]),
            hidden[0].line,
            format!(
                "{what}: the only hidden group ({}) can be recovered: {total} - {published} = {rest}",
                hidden[0].group
            ),
        ),
        _ if rest < k => find(
            file(hidden[0]),
            hidden[0].line,
            format!(
                "{what}: the {} hidden groups together hold {rest} (total {total} - published {published}), fewer than {k}",
                hidden.len()
            ),
        ),
        _ => {}
    }
}

fn read_threshold(dir: &Path, file: &str) -> Result<u32, AuditError> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).map_err(|_| AuditError::NoThreshold {
        dir: dir.to_path_buf(),
    })?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| AuditError::Unreadable {
        path: path.clone(),
        message: e.to_string(),
    })?;
    v.get("threshold")
        .and_then(|t| t.as_u64())
        .and_then(|t| u32::try_from(t).ok())
        .ok_or(AuditError::Unreadable {
            path,
            message: "no numeric `threshold`".into(),
        })
}

/// The settings file `run` writes beside `tables/`.
pub fn settings_json(threshold: u32) -> String {
    format!(
        "{{\n  \"threshold\": {threshold},\n  \"min_respondents_for_breakdowns\": {}\n}}\n",
        super::MIN_RESPONDENTS_FOR_BREAKDOWNS
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::registry;
    use crate::report::registry::TableData;

    /// [`super::audit`] on a test pack, with a manifest of the files as they are now (as the
    /// run writes one): these tests are about the tables.
    fn audit(dir: &Path, threshold: Option<u32>) -> Result<Report, AuditError> {
        seal(dir);
        super::audit(dir, threshold)
    }

    /// Write `manifest.json` listing every file of the pack with its SHA-256.
    pub(super) fn seal(dir: &Path) {
        let mut outputs = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.file_name().is_some_and(|n| n != "manifest.json") {
                    let rel = p
                        .strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    let sha = crate::report::sha256_hex(&std::fs::read(&p).unwrap());
                    outputs.push(serde_json::json!({ "path": rel, "sha256": sha }));
                }
            }
        }
        std::fs::write(
            dir.join("manifest.json"),
            serde_json::json!({ "outputs": outputs }).to_string(),
        )
        .unwrap();
    }

    /// A pack with every declared table empty (CSV and Parquet), the settings, and then the
    /// given CSV tables (header taken from the declaration, `rows` as CSV lines).
    fn pack(tables: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("tables")).unwrap();
        for def in registry() {
            let empty = TableData {
                def,
                rows: Vec::new(),
            };
            for (rel, bytes) in crate::report::write::table_files(&empty).unwrap() {
                std::fs::write(dir.path().join(rel), bytes).unwrap();
            }
        }
        for (name, rows) in tables {
            let def = registry().into_iter().find(|t| t.name == *name).unwrap();
            let header: Vec<&str> = def.columns.iter().map(|c| c.name).collect();
            std::fs::write(
                dir.path().join(format!("tables/{name}.csv")),
                format!("{}\n{rows}", header.join(",")),
            )
            .unwrap();
        }
        std::fs::write(dir.path().join(SETTINGS_FILE), settings_json(10)).unwrap();
        dir
    }

    const GROUPS: &str = "overall,organisation,overall,All,All,,,,,,,,,false,1\n\
        dir=A,one-way,dir,Dir,A,dir,Dir,A,1,,,,,false,2\n\
        dir=B,one-way,dir,Dir,B,dir,Dir,B,2,,,,,false,3\n\
        dir=C,one-way,dir,Dir,C,dir,Dir,C,3,,,,,false,4\n\
        grade=Low,one-way,grade,Grade,Low,grade,Grade,Low,1,,,,,false,5\n\
        grade=High,one-way,grade,Grade,High,grade,Grade,High,2,,,,,false,6\n\
        dir=A | grade=Low,two-way,dir_by_grade,Dir by grade,A / Low,dir,Dir,A,1,grade,Grade,Low,1,false,7\n\
        dir=A | grade=High,two-way,dir_by_grade,Dir by grade,A / High,dir,Dir,A,1,grade,Grade,High,2,false,8\n\
        dir=B | grade=Low,two-way,dir_by_grade,Dir by grade,B / Low,dir,Dir,B,2,grade,Grade,Low,1,false,9\n\
        dir=B | grade=High,two-way,dir_by_grade,Dir by grade,B / High,dir,Dir,B,2,grade,Grade,High,2,false,10\n";
    const WAVE: &str =
        "2025,2025 (Oct 2025),2025-10-01,2025-10-31,2025-10-01,2025/26,true,true,1\n";
    const MONTH: &str =
        "2025-10-01,2025-10-31,2025-10,Oct 2025,2025,10,2025-Q4,2025/26,3,2025/26 Q3,false,1\n";
    const QUARTER: &str =
        "2025-Q4,Oct-Dec 2025,2025-10-01,2025-12-31,2025,4,2025/26,3,2025/26 Q3,1\n";
    const QUESTION: &str = "S01,staff-survey,Staff,Proud,Proud,likert,agree5,,false,,S01,,,,1\n";

    /// Item rows `group,n,suppressed,reason`, with a value that shows or not.
    fn items(rows: &[(&str, &str, &str)]) -> String {
        rows.iter()
            .map(|(g, n, reason)| {
                let hidden = !reason.is_empty();
                let v = if hidden { "[c]" } else { "50.0" };
                let de = if hidden { "[c]" } else { "" };
                // Answer counts that add up: half positive, a quarter neutral, the rest negative.
                let counts = match n.parse::<u64>() {
                    Ok(n) if !hidden => format!("{},{},{}", n / 2, n / 4, n - n / 2 - n / 4),
                    _ => "[c],[c],[c]".into(),
                };
                format!("2025,S01,{g},{n},{counts},{v},{v},{v},{v},{v},{v},false,{de},,false,{hidden},{reason},false\n")
            })
            .collect()
    }

    fn findings(item_rows: &str) -> Vec<String> {
        let d = pack(&[
            ("dim_group", GROUPS),
            ("dim_wave", WAVE),
            ("dim_month", MONTH),
            ("dim_quarter", QUARTER),
            ("dim_question", QUESTION),
            ("fact_item_results", item_rows),
        ]);
        audit(d.path(), None)
            .unwrap()
            .findings
            .into_iter()
            .map(|f| format!("{}:{}: {}", f.file, f.line, f.message))
            .collect()
    }

    #[test]
    fn a_figure_slipped_into_the_parquet_file_alone_fails() {
        use crate::report::model::FactResponseRate;
        use crate::report::registry::Figure;
        // The CSV withholds B's responses; the Parquet copy was edited to show them.
        let rows = |shown: bool| {
            vec![FactResponseRate {
                wave_id: "2025".into(),
                group_key: "dir=B".into(),
                responses: if shown {
                    Figure::Shown(4)
                } else {
                    Figure::Withheld
                },
                headcount: Figure::Withheld,
                response_rate: Figure::Withheld,
                below_60: Figure::Withheld,
                pct_of_respondents: Figure::Withheld,
                pct_of_workforce: Figure::Withheld,
                suppressed: true,
                suppression_reason: Some("primary".into()),
            }]
        };
        let d = pack(&[("dim_group", GROUPS), ("dim_wave", WAVE)]);
        let csv = crate::report::tables::csv_bytes(&TableData::of(&rows(false)));
        std::fs::write(d.path().join("tables/fact_response_rates.csv"), csv).unwrap();
        let leaked = crate::report::parquet::parquet_bytes(&TableData::of(&rows(true))).unwrap();
        std::fs::write(d.path().join("tables/fact_response_rates.parquet"), leaked).unwrap();
        let f: Vec<String> = audit(d.path(), None)
            .unwrap()
            .findings
            .into_iter()
            .map(|f| format!("{}:{}: {}", f.file, f.line, f.message))
            .collect();
        assert!(
            f.contains(&"tables/fact_response_rates.parquet:2: `responses` holds a value the CSV withholds ([c])".to_string()),
            "{f:#?}"
        );
    }

    #[test]
    fn a_protected_table_passes() {
        let f = findings(&items(&[
            ("overall", "60", ""),
            ("dir=A", "40", ""),
            ("dir=B", "[c]", "primary"),
            ("dir=C", "[c]", "secondary"),
        ]));
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn a_small_published_figure_fails() {
        let f = findings(&items(&[("overall", "4", "")]));
        assert_eq!(
            f,
            ["tables/fact_item_results.csv:2: published figure rests on n = 4, fewer than 10"]
        );
    }

    #[test]
    fn a_single_hidden_group_is_recoverable() {
        let f = findings(&items(&[
            ("overall", "60", ""),
            ("dir=A", "54", ""),
            ("dir=B", "[c]", "primary"),
        ]));
        assert_eq!(
            f[0],
            "tables/fact_item_results.csv:4: 2025, S01, dir: the only hidden group (dir=B) can be recovered: 60 - 54 = 6"
        );
        // The LP attacker recovers its answers too (30 - 27 positive, 15 - 13 neutral, ...).
        for what in ["n_positive = 3", "n_neutral = 2", "n_negative = 1", "n = 6"] {
            assert!(
                f.iter()
                    .any(|m| m.contains("dir=B: a withheld figure can be worked out")
                        && m.ends_with(what)),
                "{what}: {f:#?}"
            );
        }
    }

    #[test]
    fn hidden_groups_that_are_small_together_fail() {
        let f = findings(&items(&[
            ("overall", "60", ""),
            ("dir=A", "53", ""),
            ("dir=B", "[c]", "primary"),
            ("dir=C", "[c]", "primary"),
        ]));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].contains("hold 7 (total 60 - published 53), fewer than 10"),
            "{f:?}"
        );
    }

    #[test]
    fn a_suppressed_row_must_not_show_values() {
        let rows = items(&[
            ("overall", "60", ""),
            ("dir=A", "30", ""),
            ("dir=B", "[c]", "primary"),
            ("dir=C", "[c]", "secondary"),
        ])
        .replacen("2025,S01,dir=B,[c],[c]", "2025,S01,dir=B,[c],41", 1);
        let f = findings(&rows);
        assert_eq!(
            f,
            ["tables/fact_item_results.csv:4: suppressed row shows `n_positive` = \"41\""]
        );
    }

    #[test]
    fn cross_rows_are_checked_against_one_way_totals() {
        let f = findings(&items(&[
            ("overall", "100", ""),
            ("dir=A", "50", ""),
            ("dir=B", "50", ""),
            ("grade=Low", "50", ""),
            ("grade=High", "50", ""),
            ("dir=A | grade=Low", "[c]", "primary"),
            ("dir=A | grade=High", "45", ""),
            ("dir=B | grade=Low", "45", ""),
            ("dir=B | grade=High", "[c]", "secondary"),
        ]));
        // Row A: 50 - 45 = 5 in one hidden cell; so is column Low.
        assert!(
            f.iter()
                .any(|m| m
                    .contains("dir × grade, dir = A: the only hidden group (dir=A | grade=Low)")),
            "{f:#?}"
        );
        assert!(
            f.iter()
                .any(|m| m.contains("dir × grade, grade = Low: the only hidden group")),
            "{f:#?}"
        );
    }

    #[test]
    fn tables_must_match_their_declarations_and_references_must_resolve() {
        let d = pack(&[
            ("dim_group", GROUPS),
            ("dim_wave", WAVE),
            ("dim_month", MONTH),
            ("dim_quarter", QUARTER),
            ("dim_question", QUESTION),
            (
                "fact_item_results",
                &items(&[("overall", "60", "")]).replace(",S01,", ",S99,"),
            ),
        ]);
        // A column renamed in one CSV, a Parquet file with a different type, a missing table.
        let rr = d.path().join("tables/fact_response_rates.csv");
        let text = std::fs::read_to_string(&rr)
            .unwrap()
            .replace("below_60", "below_sixty");
        std::fs::write(&rr, text).unwrap();
        let wrong = polars::prelude::df!("wave_id" => [1i64]).unwrap();
        let mut buf = Vec::new();
        polars::prelude::ParquetWriter::new(&mut buf)
            .finish(&mut wrong.clone())
            .unwrap();
        std::fs::write(d.path().join("tables/dim_wave.parquet"), buf).unwrap();
        std::fs::remove_file(d.path().join("tables/run_info.csv")).unwrap();
        let r = audit(d.path(), None).unwrap();
        let msgs: Vec<String> = r
            .findings
            .iter()
            .map(|f| format!("{}:{}: {}", f.file, f.line, f.message))
            .collect();
        assert!(!r.passed());
        for want in [
            "tables/dim_wave.parquet:0: schema is wave_id:Int64 but the table declares wave_id:Utf8,",
            "tables/fact_response_rates.csv:1: columns are wave_id,group_key,responses,headcount,response_rate,below_sixty",
            "tables/run_info.csv:0: missing: every evidence pack has this table",
            "tables/fact_item_results.csv:2: question_id `S99` is not in dim_question.question_id",
        ] {
            assert!(
                msgs.iter().any(|m| m.starts_with(want)),
                "{want}\n{msgs:#?}"
            );
        }
    }

    #[test]
    fn meeting_feedback_months_and_quarters_are_checked_together_under_their_own_threshold() {
        let groups = "overall,all forms,overall,All forms,All forms,,,,1\n\
            committee=Cabinet,one-way,committee,Committee,Cabinet,committee,Cabinet,Cabinet,2\n\
            committee=Planning,one-way,committee,Committee,Planning,committee,Planning,Planning,3\n";
        let committees = "Cabinet,Cabinet,3,1\nPlanning,Planning,3,2\n";
        // 6 forms is publishable under the meeting threshold of 5 (not under the staff 10).
        // The quarter's Planning total (14) is published and October's Planning cell is the
        // only hidden cell of Planning's months: 14 - 8 = 6 recovered.
        let quarter = "2025-Q4,overall,30,6,6,60,0.5,false,\n\
            2025-Q4,committee=Cabinet,16,3,3,30,0.533,false,\n\
            2025-Q4,committee=Planning,14,3,3,30,0.467,false,\n";
        let month = "2025-10-01,overall,30,6,6,60,0.5,false,\n\
            2025-10-01,committee=Cabinet,16,3,3,30,0.533,false,\n\
            2025-10-01,committee=Planning,[c],3,[c],30,[c],true,confidential\n";
        let d = pack(&[
            ("dim_month", MONTH),
            ("dim_quarter", QUARTER),
            ("dim_committee", committees),
            ("dim_feedback_group", groups),
            ("fact_feedback_uptake_quarter", quarter),
            ("fact_feedback_uptake_month", month),
        ]);
        std::fs::write(d.path().join(MEETINGS_SETTINGS_FILE), settings_json(5)).unwrap();
        let r = audit(d.path(), None).unwrap();
        let msgs: Vec<&str> = r.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "2025-Q4, committee × month, committee = Planning: the only hidden group (committee=Planning) can be recovered: 14 - 0 = 14",
                "2025-Q4, committee × month, month = 2025-10-01: the only hidden group (committee=Planning) can be recovered: 30 - 16 = 14",
                "2025-Q4, 2025-10-01, committee=Planning: a withheld figure can be worked out from the published ones: forms = 14",
            ]
        );
    }

    #[test]
    fn without_settings_the_threshold_must_be_given() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            audit(dir.path(), None),
            Err(AuditError::NoThreshold { .. })
        ));
        let r = audit(dir.path(), Some(10)).unwrap();
        assert!(!r.passed(), "an empty folder is not a pack");
    }
}

/// End to end: random respondents → compute → derive → protect → written tables → audit.
#[cfg(test)]
mod end_to_end {
    use super::*;
    use crate::config::WaveId;
    use crate::indicators::derive::{Populations, indicators, items};
    use crate::indicators::{Breakdown, Group, compute::compute_wave};
    use crate::report::model::{self, Model};
    use polars::prelude::{Column, DataFrame};
    use proptest::prelude::*;

    fn schema() -> crate::schema::Schema {
        crate::schema::testing::schema(
            r#"
[[questions]]
id = "Q1"
text = "Q1"
type = "likert"
scale = "agree5"
[[questions]]
id = "Q2"
text = "Q2"
type = "likert"
scale = "agree5"
[[demographics]]
id = "a"
label = "A"
categories = ["a1", "a2", "a3"]
[[demographics]]
id = "b"
label = "B"
categories = ["b1", "b2"]
[[indicators]]
id = "theme"
label = "Theme"
method = "theme-pct-positive"
items = ["Q1", "Q2"]
[[indicators]]
id = "index"
label = "Index"
method = "index-0-100"
items = ["Q1", "Q2"]
min_items = 2
"#,
        )
    }

    prop_compose! {
        fn respondent()(a in 0u8..5, b in 0u8..4, q1 in 0u8..8, q2 in 0u8..8) -> (u8, u8, u8, u8) {
            (a, b, q1, q2)
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn every_written_pack_passes_the_audit(
            people in proptest::collection::vec(respondent(), 0..160),
            k in 3u32..12,
        ) {
            let s = schema();
            // a: a1 a1 a2 a3 blank (skewed so small groups are common); b: b1 b1 b2 blank.
            let a: Vec<Option<&str>> = people.iter().map(|p| [Some("a1"), Some("a1"), Some("a2"), Some("a3"), None][p.0 as usize]).collect();
            let b: Vec<Option<&str>> = people.iter().map(|p| [Some("b1"), Some("b1"), Some("b2"), None][p.1 as usize]).collect();
            let code = |c: u8| [Some(1u8), Some(2), Some(3), Some(4), Some(5), Some(9), None, Some(4)][c as usize];
            let q1: Vec<Option<u8>> = people.iter().map(|p| code(p.2)).collect();
            let q2: Vec<Option<u8>> = people.iter().map(|p| code(p.3)).collect();
            let df = DataFrame::new(people.len(), vec![
                Column::new("a".into(), a),
                Column::new("b".into(), b),
                Column::new("Q1".into(), q1),
                Column::new("Q2".into(), q2),
            ]).unwrap();
            let bs = [Breakdown::Overall, Breakdown::Field(0), Breakdown::Field(1), Breakdown::Cross(0, 1)];
            let wave = WaveId::from("2025");
            let agg = compute_wave(&s, &wave, &df, &bs).unwrap();
            let pops = Populations::new(None, true);
            let it = items(&agg, &pops);
            let ind = indicators(&s, &agg, &it, &pops);
            let respondents: HashMap<WaveId, u64> = [(wave, people.len() as u64)].into();
            let t = crate::disclosure::protect(&s, it, ind, Vec::new(), &respondents, crate::disclosure::Rules { k, min_for_breakdowns: crate::disclosure::MIN_RESPONDENTS_FOR_BREAKDOWNS, attribute_below: None, linear_attack: true, reasons: true, answers: crate::disclosure::Answers::Each, hide_last: None });
            let mut groups: Vec<(Breakdown, Group)> = t.items.iter().map(|p| (p.breakdown, p.group)).collect();
            groups.extend(t.indicators.iter().map(|p| (p.breakdown, p.group)));
            groups.sort();
            groups.dedup();
            let months = model::dim_month(&[crate::calendar::YearMonth::new(2025, 10).unwrap()], &[]);
            let (dim_ind, bridge) = model::dim_indicator(&[&s]);
            let m = Model {
                waves: vec![model::DimWave {
                    wave_id: "2025".into(),
                    wave_label: "2025".into(),
                    fieldwork_start: chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
                    fieldwork_end: chrono::NaiveDate::from_ymd_opt(2025, 10, 31).unwrap(),
                    fieldwork_month: chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
                    financial_year: "2025/26".into(),
                    is_baseline: true,
                    is_latest: true,
                    sort_order: 1,
                }],
                questions: model::dim_question(&[&s]),
                indicators: dim_ind,
                indicator_questions: bridge,
                groups: model::dim_group(&s, &groups),
                months: months.0,
                quarters: months.1,
                item_results: model::item_results(&s, &t.items, false, None, &Default::default()),
                indicator_results: model::indicator_results(&s, &t.indicators, false, &Default::default()),
                ..Model::default()
            };
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("tables")).unwrap();
            for table in m.tables() {
                for (rel, bytes) in crate::report::write::table_files(&table).unwrap() {
                    std::fs::write(dir.path().join(rel), bytes).unwrap();
                }
            }
            super::tests::seal(dir.path());
            let report = audit(dir.path(), Some(k)).unwrap();
            prop_assert!(report.passed(), "{}\n{}", report.render(dir.path()), std::fs::read_to_string(dir.path().join("tables/fact_indicator_results.csv")).unwrap_or_default());
        }
    }
}

/// The differencing attack on the written tables: for each additive family the attacker reads
/// (see [`ATTACKED`]: an item's answer counts, an indicator's respondents, the response
/// counts, a comment theme's mentions by wave; meeting feedback's forms, answers and
/// indicators by quarter with its months as one more breakdown), an LP over every line the
/// groups make (see [`super::attack`]); any withheld value it pins down is a finding. Groups
/// without a row are empty (the pipeline writes every group with respondents).
fn differencing_attack(
    data: &HashMap<&'static str, Csv>,
    parts: &Partitions,
    find: &mut impl FnMut(String, u64, String),
) {
    let bounds = upper_bounds(data);
    for (key, cells) in parts {
        let Some(first) = cells.iter().find_map(|(_, r)| r.attack.as_ref().map(|_| r)) else {
            continue;
        };
        let Some(&(_, counts)) = ATTACKED.iter().find(|a| a.0 == first.table) else {
            continue;
        };
        let rows: Vec<&(Fields, Row)> = cells.iter().filter(|(_, r)| r.attack.is_some()).collect();
        let mut family = super::attack::Family {
            counts: counts.len(),
            ..Default::default()
        };
        for (_, r) in &rows {
            let a = r.attack.as_ref().expect("filtered");
            family.cells.push(super::attack::Cell {
                published: a.counts.clone(),
                size: a.size,
                upper: bounds.get(r.table).and_then(|b| b.get(&a.at)).copied(),
            });
        }
        family.lines = lines(rows.iter().map(|(f, _)| f));
        let out = super::attack::attack(&family, key.k as u32);
        let what = if key.measure.is_empty() {
            key.period.clone()
        } else {
            format!("{}, {}", key.period, key.measure)
        };
        if out.inconsistent {
            find(
                format!("tables/{}.csv", rows[0].1.table),
                rows[0].1.line,
                format!(
                    "{what}: the published figures do not add up (no counts fit every total), so the differencing check could not run"
                ),
            );
        }
        for leak in out.leaks {
            let name = |j: usize| counts[j].name();
            let figure = match leak.figure {
                super::attack::Figure::Count(j) => format!("{} = {}", name(j), leak.value),
                super::attack::Figure::Size => format!(
                    "{} = {}",
                    if counts.len() > 1 { "n" } else { name(0) },
                    leak.value
                ),
                super::attack::Figure::AllBut(j) if leak.value == 0.0 => {
                    format!("every member is in {} (n - {} = 0)", name(j), name(j))
                }
                super::attack::Figure::AllBut(j) => format!("n - {} = {}", name(j), leak.value),
            };
            let row = &rows[leak.cell];
            let month = row
                .0
                .iter()
                .find(|(f, _)| f == "month" && row.1.table.ends_with("_month"))
                .map(|(_, m)| format!("{m}, "))
                .unwrap_or_default();
            find(
                format!("tables/{}.csv", row.1.table),
                row.1.line,
                format!(
                    "{what}, {month}{}: a withheld figure can be worked out from the published ones: {figure}",
                    row.1.group
                ),
            );
        }
    }
}

/// The differencing attack on the HR headcounts of the response rates: by wave, an LP over the
/// lines the groups make (the whole organisation's staff are its directorates', a directorate's
/// its grades'...); a withheld headcount it pins down is a finding. Not stated has no
/// headcount and takes no part.
fn headcount_attack(data: &HashMap<&'static str, Csv>, find: &mut impl FnMut(String, u64, String)) {
    let (Some(rates), Some(dim)) = (data.get("fact_response_rates"), data.get("dim_group")) else {
        return;
    };
    let (Some(w), Some(g), Some(h)) = (
        rates.column("wave_id"),
        rates.column("group_key"),
        rates.column("headcount"),
    ) else {
        return;
    };
    let groups = group_fields(dim);
    // (fields, line, group, headcount or None when withheld)
    type HeadcountCell<'a> = (Fields, u64, &'a str, Option<f64>);
    let mut waves: BTreeMap<&str, Vec<HeadcountCell>> = BTreeMap::new();
    for (line, rec) in &rates.records {
        let value = match &rec[h] {
            "" => continue,
            v if v == super::Suppression::MARK => None,
            v => match v.parse::<f64>() {
                Ok(x) => Some(x),
                Err(_) => continue,
            },
        };
        let Some(fields) = groups.get(&rec[g]) else {
            continue;
        };
        waves
            .entry(&rec[w])
            .or_default()
            .push((fields.clone(), *line, &rec[g], value));
    }
    for (wave, cells) in waves {
        if cells.iter().all(|c| c.3.is_some()) {
            continue;
        }
        let family = super::attack::Family {
            counts: 1,
            cells: cells
                .iter()
                .map(|c| super::attack::Cell {
                    published: c.3.map(|v| vec![v]),
                    size: super::attack::Size::Any,
                    upper: None,
                })
                .collect(),
            lines: lines(cells.iter().map(|c| &c.0)),
        };
        for leak in super::attack::attack(&family, 1).leaks {
            let c = &cells[leak.cell];
            find(
                "tables/fact_response_rates.csv".into(),
                c.1,
                format!(
                    "{wave}, {}: a withheld headcount can be worked out from the published ones: headcount = {}",
                    c.2, leak.value
                ),
            );
        }
    }
}

/// Published upper bounds on a withheld row's size, by table, then (period value, group): a
/// staff group's respondents (from the response rates); a meeting group's forms where
/// published, else the attendees of its meetings (from the uptake tables).
fn upper_bounds(
    data: &HashMap<&'static str, Csv>,
) -> HashMap<&'static str, HashMap<(String, String), f64>> {
    let read = |table: &str, period: &str, values: &[&str]| {
        let mut out = HashMap::new();
        let Some(csv) = data.get(table) else {
            return out;
        };
        let (Some(p), Some(g)) = (csv.column(period), csv.column("group_key")) else {
            return out;
        };
        let values: Vec<usize> = values.iter().filter_map(|v| csv.column(v)).collect();
        for (_, rec) in &csv.records {
            if let Some(v) = values.iter().find_map(|&c| rec[c].parse::<f64>().ok()) {
                out.insert((rec[p].to_string(), rec[g].to_string()), v);
            }
        }
        out
    };
    let staff = read("fact_response_rates", "wave_id", &["responses"]);
    let quarter = read(
        "fact_feedback_uptake_quarter",
        "quarter_key",
        &["forms", "attendees"],
    );
    let month = read(
        "fact_feedback_uptake_month",
        "month_start",
        &["forms", "attendees"],
    );
    let attendees_q = read(
        "fact_feedback_uptake_quarter",
        "quarter_key",
        &["attendees"],
    );
    let attendees_m = read("fact_feedback_uptake_month", "month_start", &["attendees"]);
    HashMap::from([
        ("fact_item_results", staff.clone()),
        ("fact_indicator_results", staff),
        ("fact_feedback_item_quarter", quarter.clone()),
        ("fact_feedback_indicator_quarter", quarter),
        ("fact_feedback_item_month", month.clone()),
        ("fact_feedback_indicator_month", month),
        ("fact_feedback_uptake_quarter", attendees_q),
        ("fact_feedback_uptake_month", attendees_m),
    ])
}

/// The lines a family's groups make: the whole organisation is the sum of each field's
/// groups, and a one-way group the sum of its row (or column) of each cross with it.
fn lines<'a>(cells: impl Iterator<Item = &'a Fields>) -> Vec<(usize, Vec<usize>)> {
    let mut by_fields: BTreeMap<Vec<&str>, Vec<(&Fields, usize)>> = BTreeMap::new();
    let mut overall = None;
    for (i, f) in cells.enumerate() {
        if f.is_empty() {
            overall = Some(i);
        }
        by_fields
            .entry(f.iter().map(|(id, _)| id.as_str()).collect())
            .or_default()
            .push((f, i));
    }
    let mut out = Vec::new();
    for (fields, members) in &by_fields {
        let mut parts: Vec<usize> = members.iter().map(|m| m.1).collect();
        parts.sort_unstable();
        match fields.len() {
            1 => {
                if let Some(o) = overall {
                    out.push((o, parts));
                }
            }
            2 => {
                for side in 0..2 {
                    let mut by_total: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
                    for (f, i) in members {
                        by_total.entry(f[side].1.as_str()).or_default().push(*i);
                    }
                    for (category, mut parts) in by_total {
                        let total = by_fields.get(&vec![fields[side]]).and_then(|one| {
                            one.iter().find(|(f, _)| f[0].1 == category).map(|m| m.1)
                        });
                        if let Some(t) = total {
                            parts.sort_unstable();
                            out.push((t, parts));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out.sort();
    out
}
