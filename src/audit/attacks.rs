//! The audit's differencing attackers: an LP over every line the published groups make,
//! on the additive families and on the HR headcounts.

use super::read::Csv;
use super::{Fields, Partitions, group_fields};
use crate::report::registry::Table;
use std::collections::{BTreeMap, HashMap};

/// One published cell of an additive family.
pub(super) struct Row {
    pub(super) table: &'static str,
    pub(super) line: u64,
    pub(super) group: String,
    /// `None` when withheld.
    pub(super) n: Option<u64>,
    /// What the differencing attacker reads from the row, for the tables it attacks.
    pub(super) attack: Option<AttackCell>,
}

/// A row as the differencing attacker sees it.
pub(super) struct AttackCell {
    /// The counts it publishes (see [`ATTACKED`]), `None` when withheld.
    pub(super) counts: Option<Vec<f64>>,
    pub(super) size: crate::disclosure::attack::Size,
    /// (period value as written, group key): where a published upper bound on its size is.
    pub(super) at: (String, String),
}

/// How the attacker reads one count of a row.
#[derive(Clone, Copy)]
pub(super) enum Count {
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
pub(super) const ATTACKED: &[(&str, &[Count])] = &[
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
pub(super) fn attack_counts(
    t: &Table,
    rec: &csv::StringRecord,
    counts: &[Count],
) -> Option<Vec<f64>> {
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

/// The differencing attack on the written tables: for each additive family the attacker reads
/// (see [`ATTACKED`]: an item's answer counts, an indicator's respondents, the response
/// counts, a comment theme's mentions by wave; meeting feedback's forms, answers and
/// indicators by quarter with its months as one more breakdown), an LP over every line the
/// groups make (see [`super::attack`]); any withheld value it pins down is a finding. Groups
/// without a row are empty (the pipeline writes every group with respondents).
pub(super) fn differencing_attack(
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
        let mut family = crate::disclosure::attack::Family {
            truth: Vec::new(),
            counts: counts.len(),
            ..Default::default()
        };
        for (_, r) in &rows {
            let a = r.attack.as_ref().expect("filtered");
            family.cells.push(crate::disclosure::attack::Cell {
                published: a.counts.clone(),
                size: a.size,
                upper: bounds.get(r.table).and_then(|b| b.get(&a.at)).copied(),
            });
        }
        with_lines(&mut family, rows.iter().map(|(f, _)| f));
        let out = crate::disclosure::attack::attack(&family, key.k as u32);
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
                crate::disclosure::attack::Figure::Count(j) => {
                    format!("{} = {}", name(j), leak.value)
                }
                crate::disclosure::attack::Figure::Size => format!(
                    "{} = {}",
                    if counts.len() > 1 { "n" } else { name(0) },
                    leak.value
                ),
                crate::disclosure::attack::Figure::AllBut(j) if leak.value == 0.0 => {
                    format!("every member is in {} (n - {} = 0)", name(j), name(j))
                }
                crate::disclosure::attack::Figure::AllBut(j) => {
                    format!("n - {} = {}", name(j), leak.value)
                }
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
pub(super) fn headcount_attack(
    data: &HashMap<&'static str, Csv>,
    find: &mut impl FnMut(String, u64, String),
) {
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
    let hidden = rates.column("headcount_withheld");
    let groups = group_fields(dim);
    // (fields, line, group, headcount or None when withheld)
    type HeadcountCell<'a> = (Fields, u64, &'a str, Option<f64>);
    let mut waves: BTreeMap<&str, Vec<HeadcountCell>> = BTreeMap::new();
    for (line, rec) in &rates.records {
        let withheld = hidden.is_some_and(|k| &rec[k] == "true");
        let value = match &rec[h] {
            _ if withheld => None,
            "" => continue,
            v if v == crate::disclosure::Suppression::MARK => None,
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
        let mut family = crate::disclosure::attack::Family {
            truth: Vec::new(),
            counts: 1,
            cells: cells
                .iter()
                .map(|c| crate::disclosure::attack::Cell {
                    published: c.3.map(|v| vec![v]),
                    size: crate::disclosure::attack::Size::Any,
                    upper: None,
                })
                .collect(),
            lines: Vec::new(),
        };
        with_lines(&mut family, cells.iter().map(|c| &c.0));
        for leak in crate::disclosure::attack::attack(&family, 1).leaks {
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
pub(super) fn upper_bounds(
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

/// The lines a family's groups make (see [`lines`]), set on `family`; each category a cross
/// publishes merged (`Scale 1-6 + SO1-SO2`) adds a cell to it, the sum of its members' one-way
/// groups, known when they all are, that is no figure of its own.
pub(super) fn with_lines<'a>(
    family: &mut crate::disclosure::attack::Family,
    cells: impl Iterator<Item = &'a Fields>,
) {
    let (mut out, merges) = lines(cells);
    for (members, columns) in merges {
        let at = family.cells.len();
        let published = members
            .iter()
            .map(|&m| family.cells[m].published.clone())
            .collect::<Option<Vec<Vec<f64>>>>()
            .map(|v| {
                (0..family.counts)
                    .map(|j| v.iter().map(|c| c[j]).sum())
                    .collect()
            });
        family.cells.push(crate::disclosure::attack::Cell {
            published,
            size: crate::disclosure::attack::Size::Sum,
            upper: None,
        });
        out.push((at, members));
        out.extend(columns.into_iter().map(|parts| (at, parts)));
    }
    family.lines = out;
}

/// A merged category's one-way members and the cross columns (or rows) that add up to it.
type MergeLines = (Vec<usize>, Vec<Vec<usize>>);

/// The lines a family's groups make: the whole organisation is the sum of each field's
/// groups, and a one-way group the sum of its row (or column) of each cross with it. A cross's
/// category that is no one-way group but its members joined with ` + ` is a merge: its rows
/// (or columns) and members are returned apart, by field and category.
pub(super) fn lines<'a>(
    cells: impl Iterator<Item = &'a Fields>,
) -> (Vec<(usize, Vec<usize>)>, Vec<MergeLines>) {
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
    let mut merges: BTreeMap<(&str, &str), MergeLines> = BTreeMap::new();
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
                    let one = by_fields.get(&vec![fields[side]]);
                    let group = |category: &str| {
                        one.and_then(|one| one.iter().find(|(f, _)| f[0].1 == category))
                            .map(|m| m.1)
                    };
                    for (category, mut parts) in by_total {
                        parts.sort_unstable();
                        if let Some(t) = group(category) {
                            out.push((t, parts));
                        } else if let Some(m) = merge_members(category, &group) {
                            merges
                                .entry((fields[side], category))
                                .or_insert_with(|| (m, Vec::new()))
                                .1
                                .push(parts);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out.sort();
    (out, merges.into_values().collect())
}

/// The one-way groups a merged category's label joins with ` + ` (at least two, each label
/// taken as long as it can be, so a label with ` + ` in it is found too); `None` when it is no
/// such join.
fn merge_members(category: &str, group: &dyn Fn(&str) -> Option<usize>) -> Option<Vec<usize>> {
    let pieces: Vec<&str> = category.split(" + ").collect();
    let mut out = Vec::new();
    let mut at = 0;
    while at < pieces.len() {
        let (len, g) = (1..=pieces.len() - at)
            .rev()
            .find_map(|len| group(&pieces[at..at + len].join(" + ")).map(|g| (len, g)))?;
        out.push(g);
        at += len;
    }
    (out.len() > 1).then(|| {
        out.sort_unstable();
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(f, c)| (f.to_string(), c.to_string()))
            .collect()
    }

    #[test]
    fn a_merged_category_adds_up_to_its_members_groups() {
        let cells = [
            fields(&[]),
            fields(&[("grade", "Scale 1-6")]),
            fields(&[("grade", "SO1 + SO2")]),
            fields(&[("grade", "PO1-PO4")]),
            fields(&[("dir", "A")]),
            fields(&[("dir", "A"), ("grade", "Scale 1-6 + SO1 + SO2")]),
            fields(&[("dir", "A"), ("grade", "PO1-PO4")]),
            fields(&[("dir", "A"), ("grade", "Unknown + PO1-PO4")]),
        ];
        let (lines, merges) = lines(cells.iter());
        // "SO1 + SO2" is a category of its own (its label has " + " in it).
        assert_eq!(merges, vec![(vec![1, 2], vec![vec![5]])]);
        assert!(lines.contains(&(3, vec![6, 7])) || lines.contains(&(3, vec![6])));
        assert!(lines.contains(&(4, vec![5, 6, 7])));
        let mut family = crate::disclosure::attack::Family {
            counts: 1,
            cells: (0..cells.len())
                .map(|i| crate::disclosure::attack::Cell {
                    published: Some(vec![i as f64]),
                    size: crate::disclosure::attack::Size::Any,
                    upper: None,
                })
                .collect(),
            ..Default::default()
        };
        with_lines(&mut family, cells.iter());
        // The merge's cell: known (1 + 2) since both members are published.
        assert_eq!(family.cells.len(), 9);
        assert_eq!(family.cells[8].published, Some(vec![3.0]));
        assert!(family.lines.contains(&(8, vec![1, 2])));
        assert!(family.lines.contains(&(8, vec![5])));
    }
}
