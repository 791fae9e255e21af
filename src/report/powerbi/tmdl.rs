//! The semantic model in TMDL (Tabular Model Definition Language), generated from the table
//! registry: one table per published table, reading its Parquet file through Power Query from
//! one folder parameter; every column typed as declared, described, formatted by its unit and
//! foldered by its role; keys and sort orders hidden; labels sorted by their order column where
//! the data allow it; relationships from the declared foreign keys, one active path between any
//! two tables.
//!
//! Syntax: Microsoft's TMDL overview (tab indentation; names with spaces or `. = : '` quoted in
//! single quotes, a quote doubled; descriptions as `///` lines above the object).

use crate::report::registry::{ArrowType, Column, Format, Role, Table, TableData};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// A TMDL object name, quoted when it must be.
pub fn name(s: &str) -> String {
    if s.contains(['.', '=', ':', '\'', ' ', '\t']) || s.is_empty() {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        s.to_string()
    }
}

/// A stable lineage tag (a UUID-shaped hash of what the object is), so a regenerated model
/// keeps its objects' identity and the same pack gives the same files.
pub fn lineage_tag(what: &str) -> String {
    let h = Sha256::digest(what.as_bytes());
    let x: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

/// What TMDL calls the column's type.
pub fn data_type(ty: ArrowType) -> &'static str {
    match ty {
        ArrowType::Int64 => "int64",
        ArrowType::Float64 => "double",
        ArrowType::Boolean => "boolean",
        ArrowType::Date32 => "dateTime",
        ArrowType::Utf8 => "string",
    }
}

/// The format string a column's figures are shown with (none where the unit varies by row:
/// measures format those).
fn format_string(c: &Column) -> Option<&'static str> {
    match (c.ty, c.format) {
        (ArrowType::Int64, _) => Some("#,0"),
        (ArrowType::Date32, _) => Some("d mmm yyyy"),
        (ArrowType::Float64, Format::D1) => Some("0.0"),
        (ArrowType::Float64, Format::D2) => Some("0.00"),
        (ArrowType::Float64, Format::D3) => Some("0.000"),
        (ArrowType::Float64, Format::PValue) => Some("0.0000"),
        _ => None,
    }
}

/// The display folder a column is listed in, by what it is for.
fn display_folder(role: Role) -> Option<&'static str> {
    match role {
        Role::Key => Some("Keys"),
        Role::Count | Role::Admin => Some("Counts"),
        Role::Value => Some("Figures"),
        Role::Suppressed | Role::Reason => Some("Disclosure"),
        Role::Attribute => None,
    }
}

/// A description as `///` lines at `indent`, one line per sentence-free line of text.
fn description(s: &mut String, indent: &str, text: &str) {
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let _ = writeln!(s, "{indent}/// {}", line.trim());
    }
}

/// Columns to sort by another: a label beside `sort_order` (or `x` beside `x_order`) whose
/// every value has one order in the data, as Power BI's "Sort by column" requires.
pub fn sort_by(t: &TableData) -> BTreeMap<&'static str, &'static str> {
    let mut out = BTreeMap::new();
    let cols = t.def.columns;
    for (i, c) in cols.iter().enumerate() {
        if c.ty != ArrowType::Utf8 || c.role == Role::Key {
            continue;
        }
        let own = format!("{}_order", c.name);
        let labelled = ["_label", "_name", "_text"]
            .iter()
            .any(|end| c.name.ends_with(end));
        let by = cols
            .iter()
            .position(|o| o.name == own)
            .or_else(|| labelled.then(|| t.def.column("sort_order")).flatten());
        let Some(j) = by else { continue };
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let one_each = t.rows.iter().all(|r| {
            let key = format!("{:?}", r[i]);
            let order = format!("{:?}", r[j]);
            seen.entry(key).or_insert_with(|| order.clone()) == &order
        });
        if one_each {
            out.insert(c.name, cols[j].name);
        }
    }
    out
}

/// A measure: its DAX on its line when one line, else indented below; its format and tag.
fn measure(s: &mut String, table: &str, m: &super::measures::Measure) {
    let _ = writeln!(s);
    description(s, "\t", &m.description);
    if m.dax.contains('\n') {
        let _ = writeln!(s, "\tmeasure {} =", name(&m.name));
        for line in m.dax.lines() {
            let _ = writeln!(s, "\t\t\t{line}");
        }
    } else {
        let _ = writeln!(s, "\tmeasure {} = {}", name(&m.name), m.dax);
    }
    if let Some(f) = m.format {
        let _ = writeln!(s, "\t\tformatString: {f}");
    }
    let _ = writeln!(
        s,
        "\t\tlineageTag: {}",
        lineage_tag(&format!("{table}[{}]", m.name))
    );
}

/// `tables/<table>.tmdl`.
pub fn table(
    t: &TableData,
    hidden: &BTreeSet<&str>,
    measures: &[&super::measures::Measure],
) -> String {
    let def = t.def;
    let mut s = String::new();
    description(&mut s, "", &format!("{}. {}", def.title, def.grain));
    let _ = writeln!(s, "table {}", name(def.name));
    let _ = writeln!(s, "\tlineageTag: {}", lineage_tag(def.name));
    let sorted = sort_by(t);
    let sort_columns: BTreeSet<&str> = sorted.values().copied().collect();
    for m in measures {
        measure(&mut s, def.name, m);
    }
    for c in def.columns {
        let _ = writeln!(s);
        description(&mut s, "\t", c.description);
        let _ = writeln!(s, "\tcolumn {}", name(c.name));
        let _ = writeln!(s, "\t\tdataType: {}", data_type(c.ty));
        if let Some(f) = format_string(c) {
            let _ = writeln!(s, "\t\tformatString: {f}");
        }
        if c.role == Role::Key && hidden.contains(c.name) || sort_columns.contains(c.name) {
            let _ = writeln!(s, "\t\tisHidden");
        }
        let _ = writeln!(
            s,
            "\t\tlineageTag: {}",
            lineage_tag(&format!("{}.{}", def.name, c.name))
        );
        let _ = writeln!(s, "\t\tsummarizeBy: none");
        let _ = writeln!(s, "\t\tsourceColumn: {}", c.name);
        if let Some(by) = sorted.get(c.name) {
            let _ = writeln!(s, "\t\tsortByColumn: {}", name(by));
        }
        if let Some(folder) = display_folder(c.role) {
            let _ = writeln!(s, "\t\tdisplayFolder: {folder}");
        }
        let _ = writeln!(s);
        let _ = writeln!(s, "\t\tannotation SummarizationSetBy = User");
        if c.ty == ArrowType::Date32 {
            // Parquet's dates are dates, not date-times: Power BI keeps them so.
            let _ = writeln!(s);
            let _ = writeln!(s, "\t\tannotation UnderlyingDateTimeDataType = Date");
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "\tpartition {} = m", name(def.name));
    let _ = writeln!(s, "\t\tmode: import");
    let _ = writeln!(s, "\t\tsource =");
    let _ = writeln!(s, "\t\t\t\tlet");
    let _ = writeln!(
        s,
        "\t\t\t\t    Source = Parquet.Document(File.Contents(Folder & \"{}.parquet\"))",
        def.name
    );
    let _ = writeln!(s, "\t\t\t\tin");
    let _ = writeln!(s, "\t\t\t\t    Source");
    let _ = writeln!(s);
    s
}

/// One relationship: the many side's column, the one side's, and whether it filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relationship {
    pub from: (&'static str, &'static str),
    pub to: (&'static str, &'static str),
    pub active: bool,
}

/// The foreign keys as relationships. A table referring to itself (a question replacing
/// another) has none: Power BI relates two tables. Of the rest, a relationship filters only if
/// it opens no second path between two tables (Power BI allows one); facts' keys are tried
/// before dimensions' links, and a wave's `wave_from` after its `wave_to`, so the paths a
/// dashboard uses most are the active ones.
pub fn relationships(tables: &[&Table]) -> Vec<Relationship> {
    let secondary = |col: &str| {
        col.ends_with("_from")
            || col.starts_with("baseline_")
            || col.starts_with("driver_")
            || col.starts_with("primary_")
    };
    let mut candidates: Vec<(u8, usize, Relationship)> = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        for fk in t.foreign_keys.iter().filter(|fk| fk.table != t.name) {
            let rank = u8::from(t.name.starts_with("dim_")) * 2 + u8::from(secondary(fk.column));
            candidates.push((
                rank,
                i,
                Relationship {
                    from: (t.name, fk.column),
                    to: (fk.table, fk.references),
                    active: false,
                },
            ));
        }
    }
    candidates.sort_by_key(|(rank, i, _)| (*rank, *i));
    // Filters run from the one side (`to`) to the many side (`from`).
    let mut edges: Vec<(&str, &str)> = Vec::new();
    let mut out = Vec::new();
    for (_, _, mut r) in candidates {
        let (one, many) = (r.to.0, r.from.0);
        let reach = |from: &str, edges: &[(&str, &str)]| -> BTreeSet<String> {
            let mut seen = BTreeSet::from([from.to_string()]);
            let mut stack = vec![from.to_string()];
            while let Some(n) = stack.pop() {
                for (a, b) in edges {
                    if *a == n && seen.insert((*b).to_string()) {
                        stack.push((*b).to_string());
                    }
                }
            }
            seen
        };
        // Every table that reaches `one` would reach everything `many` reaches by a new
        // path: ambiguous if it reaches any of them already.
        let downstream = reach(many, &edges);
        let ambiguous = tables.iter().any(|t| {
            let r = reach(t.name, &edges);
            r.contains(one) && downstream.iter().any(|d| r.contains(d))
        });
        r.active = !ambiguous;
        if r.active {
            edges.push((one, many));
        }
        out.push(r);
    }
    out.sort_by(|a, b| (a.from, a.to).cmp(&(b.from, b.to)));
    out
}

/// `relationships.tmdl`.
pub fn relationships_file(rels: &[Relationship]) -> String {
    let mut s = String::new();
    for r in rels {
        let id = lineage_tag(&format!("{}.{}->{}.{}", r.from.0, r.from.1, r.to.0, r.to.1));
        let _ = writeln!(s, "relationship {id}");
        if !r.active {
            let _ = writeln!(s, "\tisActive: false");
        }
        let _ = writeln!(s, "\tfromColumn: {}.{}", name(r.from.0), name(r.from.1));
        let _ = writeln!(s, "\ttoColumn: {}.{}", name(r.to.0), name(r.to.1));
        let _ = writeln!(s);
    }
    s
}

/// `model.tmdl`: culture, and the tables in the registry's order.
pub fn model(tables: &[&Table]) -> String {
    let mut s = String::from(
        "model Model\n\tculture: en-GB\n\tdefaultPowerBIDataSourceVersion: powerBI_V3\n\t\
         discourageImplicitMeasures\n\tsourceQueryCulture: en-GB\n\n",
    );
    for t in tables {
        let _ = writeln!(s, "ref table {}", name(t.name));
    }
    s
}

/// `expressions.tmdl`: the one folder parameter every table reads from.
pub fn expressions(folder: &str) -> String {
    let mut s = String::new();
    description(
        &mut s,
        "",
        "The folder holding the evidence pack's tables, ending in a separator (e.g. \
         C:\\Culture Change\\out\\latest\\tables\\). Set it once under Transform data > Edit \
         parameters, then Refresh.",
    );
    let _ = writeln!(
        s,
        "expression Folder = \"{}\" meta [IsParameterQuery=true, Type=\"Text\", IsParameterQueryRequired=true]",
        folder.replace('"', "\"\"")
    );
    let _ = writeln!(s, "\tlineageTag: {}", lineage_tag("expression Folder"));
    let _ = writeln!(s);
    let _ = writeln!(s, "\tannotation PBI_ResultType = Text");
    s
}

/// Whether a cell is a key the model hides (a key some relationship uses).
pub fn related_keys(rels: &[Relationship]) -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in rels {
        out.entry(r.from.0).or_default().insert(r.from.1);
        out.entry(r.to.0).or_default().insert(r.to.1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::registry::{ForeignKey, Threshold};

    #[test]
    fn names_with_spaces_dots_or_quotes_are_quoted() {
        assert_eq!(name("dim_wave"), "dim_wave");
        assert_eq!(name("Headline value"), "'Headline value'");
        assert_eq!(name("it's"), "'it''s'");
        assert_eq!(name("a.b"), "'a.b'");
    }

    #[test]
    fn lineage_tags_are_stable_and_uuid_shaped() {
        let t = lineage_tag("dim_wave");
        assert_eq!(t, lineage_tag("dim_wave"));
        assert_ne!(t, lineage_tag("dim_month"));
        assert_eq!(t.len(), 36);
        assert_eq!(t.matches('-').count(), 4);
    }

    macro_rules! table {
        ($name:literal, [$($col:literal -> $t:literal . $r:literal),*]) => {
            &Table {
                name: $name,
                title: $name,
                grain: "",
                primary_key: &[],
                foreign_keys: &[$(ForeignKey { column: $col, table: $t, references: $r }),*],
                disclosure: crate::report::registry::Disclosure::Figures {
                    threshold: Threshold::Staff,
                    additive: None,
                },
                columns: &[],
            }
        };
    }

    #[test]
    fn a_label_sorts_by_its_order_only_where_each_label_has_one_order() {
        use crate::report::registry::{Cell, Column, Format, TableData};
        const COLUMNS: &[Column] = &[
            Column {
                name: "group_label",
                ty: ArrowType::Utf8,
                role: Role::Attribute,
                format: Format::Plain,
                unit: "",
                description: "",
            },
            Column {
                name: "category_1",
                ty: ArrowType::Utf8,
                role: Role::Attribute,
                format: Format::Plain,
                unit: "",
                description: "",
            },
            Column {
                name: "category_1_order",
                ty: ArrowType::Int64,
                role: Role::Attribute,
                format: Format::Plain,
                unit: "",
                description: "",
            },
            Column {
                name: "sort_order",
                ty: ArrowType::Int64,
                role: Role::Attribute,
                format: Format::Plain,
                unit: "",
                description: "",
            },
        ];
        static DEF: Table = Table {
            name: "dim_x",
            title: "",
            grain: "",
            primary_key: &[],
            foreign_keys: &[],
            disclosure: crate::report::registry::Disclosure::None,
            columns: COLUMNS,
        };
        let row = |label: &str, cat: &str, cat_order: i64, order: i64| {
            vec![
                Cell::Text(label.into()),
                Cell::Text(cat.into()),
                Cell::Int(cat_order),
                Cell::Int(order),
            ]
        };
        // "Not stated" is a group of two breakdowns, sorted last in each: one label, two orders.
        let t = TableData {
            def: &DEF,
            rows: vec![
                row("Housing", "Housing", 1, 1),
                row("Not stated", "Not stated", 9, 2),
                row("Band 1", "Band 1", 1, 3),
                row("Not stated", "Not stated", 9, 4),
            ],
        };
        let sorted = sort_by(&t);
        assert_eq!(sorted.get("category_1"), Some(&"category_1_order"));
        assert_eq!(sorted.get("group_label"), None);
        let t = TableData {
            def: &DEF,
            rows: vec![
                row("Housing", "Housing", 1, 1),
                row("Band 1", "Band 1", 1, 2),
            ],
        };
        assert_eq!(sort_by(&t).get("group_label"), Some(&"sort_order"));
    }

    #[test]
    fn one_active_path_between_any_two_tables() {
        // A fact that refers to a wave twice, a dimension linked to another that the fact
        // also refers to, and a table referring to itself.
        let tables: Vec<&Table> = vec![
            table!("dim_wave", []),
            table!("dim_indicator", []),
            table!("dim_question", ["replaces" -> "dim_question"."id", "primary_indicator_id" -> "dim_indicator"."indicator_id"]),
            table!("bridge", ["indicator_id" -> "dim_indicator"."indicator_id", "question_id" -> "dim_question"."id"]),
            table!("fact_changes", ["wave_from" -> "dim_wave"."wave_id", "wave_to" -> "dim_wave"."wave_id"]),
        ];
        let rels = relationships(&tables);
        let active = |from: &str, col: &str| {
            rels.iter()
                .find(|r| r.from == (from, col) || (r.from.0 == from && r.from.1 == col))
                .map(|r| r.active)
        };
        assert_eq!(rels.len(), 5, "{rels:?}");
        assert_eq!(active("dim_question", "replaces"), None);
        assert_eq!(active("fact_changes", "wave_to"), Some(true));
        assert_eq!(active("fact_changes", "wave_from"), Some(false));
        assert_eq!(active("bridge", "indicator_id"), Some(true));
        assert_eq!(active("bridge", "question_id"), Some(true));
        // dim_indicator → dim_question → bridge would be a second path to the bridge.
        assert_eq!(active("dim_question", "primary_indicator_id"), Some(false));
    }
}
