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
//! tables withhold (see `outputs`).

use crate::report::registry::{Disclosure, Period, Role, Table, Threshold};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

mod attacks;
#[cfg(test)]
mod end_to_end;
mod outputs;
mod pages;
mod parquet;
mod read;
#[cfg(test)]
mod tests;
mod views;
mod workbook;

pub use crate::report::write::{MEETINGS_SETTINGS_FILE, SETTINGS_FILE};
use attacks::{ATTACKED, AttackCell, Row, attack_counts, differencing_attack, headcount_attack};
use read::{Csv, read_csv};

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
    outputs::built_on_results(&data, &mut find);
    outputs::driver_scores(&data, &mut find);
    outputs::headcounts_elsewhere(&data, &mut find);
    outputs::control_chart(&data, &mut find);
    views::results_with_change(&data, &mut find);
    workbook::workbook(dir, &data, &mut find);
    pages::report_pages(dir, &data, &mut find);
    outputs::manifest(dir, &mut find);
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
                    parquet::check_parquet_withholds(&dir.join(&parquet), csv, &parquet, find);
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
        let shown = shown_columns(t, threshold, &counts);
        let suppressed = with_role(t, Role::Suppressed).first().copied();
        let not_asked = t.column("not_asked");
        for (line, rec) in &csv.records {
            let line = *line;
            // Not asked in the wave (`not_asked`, or `[x]` in a text count): no figures,
            // nothing to protect or recover.
            if not_asked.is_some_and(|c| &rec[c] == "true")
                || counts
                    .iter()
                    .any(|&c| &rec[c] == crate::report::tables::NOT_ASKED)
            {
                continue;
            }
            let n = if suppressed.is_some_and(|c| &rec[c] == "true") {
                withheld_shows_nothing(t, rec, &shown, line, find);
                None
            } else {
                published_count(t, rec, &counts, k, additive.is_some(), &mut |m| {
                    find(file_of(t), line, m)
                })
            };
            let Some(a) = additive else { continue };
            let place = (&groups, &quarter_of_month);
            if let Some((key, fields, row)) = placed(t, &a, k, place, (line, rec), n, find) {
                parts.entry(key).or_default().push((fields, row));
            }
        }
    }
    Ok(parts)
}

/// The columns a withheld row must leave empty: counts, values, and a staff table's HR
/// figures (a headcount beside withheld responses would give the group's size). Meeting
/// tables' administrative figures come from the public register of meetings.
fn shown_columns(t: &Table, threshold: Threshold, counts: &[usize]) -> Vec<usize> {
    let admin = if threshold == Threshold::Staff {
        with_role(t, Role::Admin)
    } else {
        Vec::new()
    };
    (counts.iter().copied())
        .chain(with_role(t, Role::Value))
        .chain(admin)
        .collect()
}

/// Each dimension's groups by key, as fields.
type GroupsByDim<'a> = HashMap<&'a str, HashMap<String, Fields>>;

/// Where a row of an additive family belongs (its partition and the fields of its group),
/// and the row as the partition checks and the attacker read it; `None` (with a finding)
/// when its group or month is unknown.
fn placed(
    t: &Table,
    a: &crate::report::registry::Additive,
    k: u64,
    (groups, quarter_of_month): (&GroupsByDim, &HashMap<String, String>),
    (line, rec): (u64, &::csv::StringRecord),
    n: Option<u64>,
    find: &mut impl FnMut(String, u64, String),
) -> Option<(PartitionKey, Fields, Row)> {
    let group = &rec[t.column(a.group).expect("checked declaration")];
    let Some(mut fields) = groups.get(a.groups).and_then(|g| g.get(group)).cloned() else {
        find(
            file_of(t),
            line,
            format!("group `{group}` is not in {}", a.groups),
        );
        return None;
    };
    let at = &rec[t.column(a.period.column()).expect("checked declaration")];
    let period = match a.period {
        Period::Column(_) => at.to_string(),
        Period::MonthOfQuarter(_) => {
            let Some(q) = quarter_of_month.get(at) else {
                find(file_of(t), line, format!("month {at} is not in dim_month"));
                return None;
            };
            fields.push(("month".into(), at.to_string()));
            q.clone()
        }
    };
    let key = PartitionKey {
        family: a.family,
        k,
        period,
        measure: measure_of(t, a, rec),
    };
    let attack = attack_cell(t, rec, n.is_some(), (at, group));
    let row = Row {
        table: t.name,
        line,
        group: group.to_string(),
        n,
        attack,
    };
    Some((key, fields, row))
}

/// What a row measures: its primary key less the period and the group.
fn measure_of(
    t: &Table,
    a: &crate::report::registry::Additive,
    rec: &::csv::StringRecord,
) -> String {
    let measure: Vec<&str> = (t.primary_key.iter())
        .filter(|&&c| c != a.period.column() && c != a.group)
        .filter_map(|c| t.column(c))
        .map(|c| &rec[c])
        .collect();
    measure.join(" ")
}

/// A withheld row shows no count or value (nor a staff table's HR figure).
fn withheld_shows_nothing(
    t: &Table,
    rec: &::csv::StringRecord,
    shown: &[usize],
    line: u64,
    find: &mut impl FnMut(String, u64, String),
) {
    for &i in shown {
        let v = &rec[i];
        if !(v.is_empty() || v == crate::disclosure::Suppression::MARK) {
            find(
                file_of(t),
                line,
                format!("suppressed row shows `{}` = {v:?}", t.columns[i].name),
            );
        }
    }
}

/// What the differencing attacker reads from a row of a table it attacks: its counts when
/// published without a reason, and what its reason says of its size.
fn attack_cell(
    t: &Table,
    rec: &::csv::StringRecord,
    published: bool,
    (at, group): (&str, &str),
) -> Option<AttackCell> {
    ATTACKED.iter().find(|a| a.0 == t.name).map(|(_, counts)| {
        let reason = t
            .column("suppression_reason")
            .and_then(|c| rec.get(c))
            .unwrap_or("");
        AttackCell {
            counts: if published && reason.is_empty() {
                attack_counts(t, rec, counts)
            } else {
                None
            },
            size: match reason {
                "primary" => crate::disclosure::attack::Size::Below,
                "secondary" => crate::disclosure::attack::Size::AtLeast,
                _ => crate::disclosure::attack::Size::Any,
            },
            at: (at.to_string(), group.to_string()),
        }
    })
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
