//! The table registry: every published table is declared once, with its grain, its columns
//! (name, Arrow type, role, rounding, unit, meaning), its primary key and the dimension keys
//! it references. Rows are typed structs made by [`published_table!`](crate::published_table),
//! which derives each column's type from its Rust field, so a declaration cannot disagree with
//! the rows it describes.
//!
//! Everything that shows a table follows from here: the CSV and Parquet files (types declared,
//! never inferred), the workbook's sheets, `tables/README.md`, `tables/schema.json` and the
//! audit's column checks.

use chrono::NaiveDate;

/// Column types, by their Arrow names (what `tables/schema.json` says and what Parquet holds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrowType {
    Int64,
    Float64,
    Boolean,
    Date32,
    Utf8,
}

impl ArrowType {
    pub fn name(self) -> &'static str {
        match self {
            ArrowType::Int64 => "Int64",
            ArrowType::Float64 => "Float64",
            ArrowType::Boolean => "Boolean",
            ArrowType::Date32 => "Date32",
            ArrowType::Utf8 => "Utf8",
        }
    }

    /// What Power BI calls it.
    pub fn power_bi(self) -> &'static str {
        match self {
            ArrowType::Int64 => "Whole number",
            ArrowType::Float64 => "Decimal number",
            ArrowType::Boolean => "True/False",
            ArrowType::Date32 => "Date",
            ArrowType::Utf8 => "Text",
        }
    }
}

/// What a column is for: decides what disclosure control and the audit do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Identifies the row, or references a dimension: never withheld.
    Key,
    /// Describes the row (labels, dates, sort orders, settings): never withheld.
    Attribute,
    /// How many people (or answers, or forms) a figure rests on: at least the threshold where
    /// published, withheld with the row's figures.
    Count,
    /// A figure computed from people's answers: withheld with the row.
    Value,
    /// An administrative figure (HR headcount, meetings in the register) that stays published
    /// where the row's figures are withheld.
    Admin,
    /// Whether the row's figures are withheld.
    Suppressed,
    /// Why they are withheld.
    Reason,
}

/// How a number is published: the rounding every format (CSV, Parquet, workbook) applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// As it is (whole numbers, text, flags, dates).
    Plain,
    /// One decimal place.
    D1,
    /// Two decimal places.
    D2,
    /// Three decimal places.
    D3,
    /// p- and q-values: six decimals, or scientific notation below 0.0001.
    PValue,
    /// As the row's unit needs (an [`InUnit`] value): two decimals for 0–10 scores, one for
    /// percentages, indices and eNPS (`dim_indicator.decimals`).
    Unit,
}

impl Format {
    pub fn decimals(self) -> Option<usize> {
        match self {
            Format::D1 => Some(1),
            Format::D2 => Some(2),
            Format::D3 => Some(3),
            Format::Plain | Format::PValue | Format::Unit => None,
        }
    }
}

#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub ty: ArrowType,
    pub role: Role,
    pub format: Format,
    /// Empty when the column has no unit.
    pub unit: &'static str,
    pub description: &'static str,
}

/// `column` holds keys of `table`'s `references` column.
#[derive(Debug)]
pub struct ForeignKey {
    pub column: &'static str,
    pub table: &'static str,
    pub references: &'static str,
}

/// Whose threshold protects a table's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threshold {
    /// The staff survey's `anonymity_threshold`.
    Staff,
    /// Meeting feedback's own, smaller threshold.
    Feedback,
}

/// How the period a row belongs to is read, for differencing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// The column holds the period (a wave, a quarter).
    Column(&'static str),
    /// The column holds a month (`dim_month.month_start`): the period is its quarter
    /// (`dim_month.quarter_key`), and the month is one more field of the row's group, so month
    /// rows add up to quarter rows as a two-way table does.
    MonthOfQuarter(&'static str),
}

impl Period {
    pub fn column(self) -> &'static str {
        match self {
            Period::Column(c) | Period::MonthOfQuarter(c) => c,
        }
    }
}

/// Rows whose groups add up to their totals: a hidden group must not be recoverable by
/// subtraction within a family (which may span tables, e.g. months and quarters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Additive {
    pub family: &'static str,
    pub period: Period,
    /// The column holding the group key.
    pub group: &'static str,
    /// The dimension describing the groups (`dim_group` or `dim_feedback_group`).
    pub groups: &'static str,
}

/// What disclosure control promises about a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    /// Not figures about people (dimensions, import counts, settings).
    None,
    /// Figures about groups of people: none rests on fewer than the threshold, withheld rows
    /// show no figures, and (when additive) no hidden group can be recovered by subtraction.
    Figures {
        threshold: Threshold,
        additive: Option<Additive>,
    },
}

/// One published table.
#[derive(Debug)]
pub struct Table {
    /// File name without extension: `tables/<name>.csv` and `.parquet`, and the sheet name.
    pub name: &'static str,
    pub title: &'static str,
    /// One sentence: what one row is.
    pub grain: &'static str,
    pub primary_key: &'static [&'static str],
    pub foreign_keys: &'static [ForeignKey],
    pub disclosure: Disclosure,
    pub columns: &'static [Column],
}

impl Table {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

/// A value as a writer sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value: not applicable, or not known (empty in CSV, null in Parquet, blank in Excel).
    Null,
    /// Withheld by disclosure control (`[c]` in CSV and Excel, null in Parquet).
    Withheld,
    /// Not asked in the wave (`[x]`, not available, in CSV and Excel; null in Parquet): the
    /// wave did not ask enough of the figure's questions. Never a withheld figure.
    NotAsked,
    Int(i64),
    Float(f64),
    /// A number with the decimals its row's unit is published with.
    Decimal(f64, u8),
    Bool(bool),
    Date(NaiveDate),
    Text(String),
}

/// A Rust type that can be a column: its Arrow type and its cell.
pub trait Field {
    const TYPE: ArrowType;
    fn cell(&self) -> Cell;
}

impl Field for u64 {
    const TYPE: ArrowType = ArrowType::Int64;
    fn cell(&self) -> Cell {
        Cell::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl Field for u32 {
    const TYPE: ArrowType = ArrowType::Int64;
    fn cell(&self) -> Cell {
        Cell::Int(i64::from(*self))
    }
}

impl Field for i64 {
    const TYPE: ArrowType = ArrowType::Int64;
    fn cell(&self) -> Cell {
        Cell::Int(*self)
    }
}

impl Field for f64 {
    const TYPE: ArrowType = ArrowType::Float64;
    fn cell(&self) -> Cell {
        if self.is_finite() {
            Cell::Float(*self)
        } else {
            Cell::Null
        }
    }
}

/// A figure in its row's unit, published with that unit's decimals (0–10 scores to two,
/// everything else to one): for columns whose unit varies by row (`Format::Unit`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InUnit {
    pub value: f64,
    pub decimals: u8,
}

impl Field for InUnit {
    const TYPE: ArrowType = ArrowType::Float64;
    fn cell(&self) -> Cell {
        if self.value.is_finite() {
            Cell::Decimal(self.value, self.decimals)
        } else {
            Cell::Null
        }
    }
}

impl Field for bool {
    const TYPE: ArrowType = ArrowType::Boolean;
    fn cell(&self) -> Cell {
        Cell::Bool(*self)
    }
}

impl Field for NaiveDate {
    const TYPE: ArrowType = ArrowType::Date32;
    fn cell(&self) -> Cell {
        Cell::Date(*self)
    }
}

impl Field for String {
    const TYPE: ArrowType = ArrowType::Utf8;
    fn cell(&self) -> Cell {
        Cell::Text(self.clone())
    }
}

impl<T: Field> Field for Option<T> {
    const TYPE: ArrowType = T::TYPE;
    fn cell(&self) -> Cell {
        self.as_ref().map_or(Cell::Null, Field::cell)
    }
}

/// A figure that disclosure control may withhold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figure<T> {
    Shown(T),
    /// Not applicable or not computable (no interval for one answer, say).
    Blank,
    Withheld,
    /// The wave did not ask the figure's questions (`[x]`).
    NotAsked,
}

impl<T> Figure<T> {
    /// `Withheld` when the row is suppressed, else the value or `Blank`.
    /// The value when it is published.
    pub fn shown(&self) -> Option<&T> {
        match self {
            Figure::Shown(v) => Some(v),
            _ => None,
        }
    }

    pub fn of(value: Option<T>, withheld: bool) -> Figure<T> {
        match (withheld, value) {
            (true, _) => Figure::Withheld,
            (false, Some(v)) => Figure::Shown(v),
            (false, None) => Figure::Blank,
        }
    }
}

impl<T: Field> Field for Figure<T> {
    const TYPE: ArrowType = T::TYPE;
    fn cell(&self) -> Cell {
        match self {
            Figure::Shown(v) => v.cell(),
            Figure::Blank => Cell::Null,
            Figure::Withheld => Cell::Withheld,
            Figure::NotAsked => Cell::NotAsked,
        }
    }
}

/// A row of a published table.
pub trait Row {
    fn table() -> &'static Table;
    /// The row's cells, in column order.
    fn cells(&self, out: &mut Vec<Cell>);
}

/// A table's rows as cells, ready for any writer.
#[derive(Debug, Clone)]
pub struct TableData {
    pub def: &'static Table,
    pub rows: Vec<Vec<Cell>>,
}

impl TableData {
    pub fn of<R: Row>(rows: &[R]) -> TableData {
        let def = R::table();
        TableData {
            def,
            rows: rows
                .iter()
                .map(|r| {
                    let mut cells = Vec::with_capacity(def.columns.len());
                    r.cells(&mut cells);
                    cells
                })
                .collect(),
        }
    }
}

/// Declare a published table: its row struct and its registry entry, in one place.
///
/// ```ignore
/// published_table! {
///     /// One survey wave.
///     pub struct DimWave in "dim_wave" {
///         title: "Survey waves",
///         grain: "One row per survey wave.",
///         primary_key: ["wave_id"],
///         foreign_keys: [],
///         disclosure: None,
///         columns: {
///             wave_id: String => (Key, Plain, "", "The wave's id."),
///         }
///     }
/// }
/// ```
macro_rules! published_table {
    (
        $(#[$meta:meta])*
        pub struct $row:ident in $name:literal {
            title: $title:literal,
            grain: $grain:literal,
            primary_key: [$($pk:literal),* $(,)?],
            foreign_keys: [$($fk_col:literal -> $fk_table:literal . $fk_ref:literal),* $(,)?],
            disclosure: $disclosure:expr,
            columns: {
                $($field:ident : $ty:ty => ($role:ident, $fmt:ident, $unit:literal, $desc:literal)),* $(,)?
            }
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $row {
            $(pub $field: $ty,)*
        }

        impl $crate::report::registry::Row for $row {
            fn table() -> &'static $crate::report::registry::Table {
                #[allow(unused_imports)]
                use $crate::report::registry::{Additive, Column, Disclosure, Field, ForeignKey, Format, Period, Role, Table, Threshold};
                static TABLE: Table = Table {
                    name: $name,
                    title: $title,
                    grain: $grain,
                    primary_key: &[$($pk),*],
                    foreign_keys: &[$(ForeignKey { column: $fk_col, table: $fk_table, references: $fk_ref }),*],
                    disclosure: $disclosure,
                    columns: &[$(Column {
                        name: stringify!($field),
                        ty: <$ty as Field>::TYPE,
                        role: Role::$role,
                        format: Format::$fmt,
                        unit: $unit,
                        description: $desc,
                    }),*],
                };
                &TABLE
            }

            fn cells(&self, out: &mut Vec<$crate::report::registry::Cell>) {
                $(out.push($crate::report::registry::Field::cell(&self.$field));)*
            }
        }
    };
}
pub(crate) use published_table;

/// `tables/schema.json`: every table with its grain, columns (in file order), primary key and
/// foreign keys.
pub fn schema_json(tables: &[&Table]) -> String {
    let v = serde_json::json!({
        "tables": tables.iter().map(|t| serde_json::json!({
            "name": t.name,
            "title": t.title,
            "grain": t.grain,
            "primary_key": t.primary_key,
            "columns": t.columns.iter().map(|c| serde_json::json!({
                "name": c.name,
                "type": c.ty.name(),
                "unit": (!c.unit.is_empty()).then_some(c.unit),
                "description": c.description,
            })).collect::<Vec<_>>(),
            "foreign_keys": t.foreign_keys.iter().map(|f| serde_json::json!({
                "columns": [f.column],
                "references": { "table": f.table, "columns": [f.references] },
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&v).expect("serialisable") + "\n"
}

/// Check that every declaration is sound: keys and references name real columns and tables,
/// names are unique, fit an Excel sheet name, and every table with figures says which column
/// marks withheld rows. Used by a unit test over the whole registry.
pub fn check(tables: &[&Table]) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        if tables[..i].iter().any(|x| x.name == t.name) {
            problems.push(format!("{}: declared twice", t.name));
        }
        if t.name.len() > 31 {
            problems.push(format!("{}: longer than an Excel sheet name (31)", t.name));
        }
        for (j, c) in t.columns.iter().enumerate() {
            if t.columns[..j].iter().any(|x| x.name == c.name) {
                problems.push(format!("{}.{}: column declared twice", t.name, c.name));
            }
        }
        for k in t.primary_key {
            if t.column(k).is_none() {
                problems.push(format!("{}: primary key column {k} does not exist", t.name));
            }
        }
        for f in t.foreign_keys {
            if t.column(f.column).is_none() {
                problems.push(format!(
                    "{}: foreign key column {} does not exist",
                    t.name, f.column
                ));
            }
            match tables.iter().find(|x| x.name == f.table) {
                None => problems.push(format!(
                    "{}.{}: references unknown table {}",
                    t.name, f.column, f.table
                )),
                Some(d) => {
                    if !(d.primary_key.len() == 1 && d.primary_key[0] == f.references) {
                        problems.push(format!(
                            "{}.{}: {}.{} is not that table's primary key",
                            t.name, f.column, f.table, f.references
                        ));
                    }
                }
            }
        }
        if let Disclosure::Figures { additive, .. } = t.disclosure {
            if !t.columns.iter().any(|c| c.role == Role::Count) {
                problems.push(format!("{}: figures without a count column", t.name));
            }
            if let Some(a) = additive {
                for col in [a.group, a.period.column()] {
                    if t.column(col).is_none() {
                        problems.push(format!("{}: additive column {col} does not exist", t.name));
                    }
                }
                if !t.columns.iter().any(|c| c.role == Role::Suppressed) {
                    problems.push(format!(
                        "{}: additive figures need a suppressed column",
                        t.name
                    ));
                }
            }
        }
    }
    problems
}
