//! SPSS data files (`.sav`, `.zsav`) read as the importer reads text, through `ambers` (a pure
//! Rust reader): row 1 holds the variable names (what a mapping names), row 2 the variable
//! labels (the wording `init` matches), then one row per case. A value with a value label is
//! written as its label, so the schema's answer labels and aliases apply as they do to a
//! vendor's CSV; user-missing values (the file's own "no answer" codes) and system-missing
//! values are written empty; dates and times as ISO 8601.

use ambers::{MissingSpec, SpssMetadata, Value};
use arrow::array::{
    Array, ArrayRef, Date32Array, DurationMicrosecondArray, Float64Array, StringViewArray,
    TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, TimeUnit};
use std::fmt::Write as _;
use std::io::Cursor;

/// Whether the bytes are an SPSS data file (`$FL2`, or `$FL3` for `.zsav`).
pub fn is_sav(bytes: &[u8]) -> bool {
    bytes.starts_with(b"$FL2") || bytes.starts_with(b"$FL3")
}

/// The file as comma-separated text; `Err` says what is wrong in words.
pub fn read(bytes: Vec<u8>) -> Result<String, String> {
    let (batch, meta) = ambers::read_sav_from_reader(Cursor::new(bytes)).map_err(|e| {
        format!(
            "cannot read the file as an SPSS data file: {e}.\n  How to fix: open it in SPSS (or \
             PSPP) and save it again as .sav, or export it as CSV with value labels"
        )
    })?;
    // A file cut short or damaged reads as fewer cases than its header says: every row must
    // be accounted for, so that is an error, not a short wave.
    if !meta.warnings.is_empty() {
        return Err(format!(
            "the SPSS file looks damaged ({}).\n  How to fix: copy or download it again, or \
             open it in SPSS (or PSPP) and save it again",
            meta.warnings.join("; ")
        ));
    }
    let names = &meta.variable_names;
    let mut out = String::new();
    let header = |out: &mut String, cell: &dyn Fn(&str) -> String| {
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            super::workbook::push_field(out, &cell(name));
        }
        out.push('\n');
    };
    header(&mut out, &|n| n.to_string());
    header(&mut out, &|n| meta.label(n).unwrap_or_default().to_string());
    let columns: Vec<Column> = names
        .iter()
        .enumerate()
        .map(|(i, name)| Column::of(batch.column(i), name, &meta))
        .collect();
    let mut cell = String::new();
    for row in 0..batch.num_rows() {
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            cell.clear();
            c.write(row, &mut cell);
            super::workbook::push_field(&mut out, cell.trim_end());
        }
        out.push('\n');
    }
    Ok(out)
}

/// One variable's values with its value labels and missing values.
struct Column<'a> {
    data: &'a ArrayRef,
    labels: Option<&'a indexmap::IndexMap<Value, String>>,
    missing: &'a [MissingSpec],
}

impl<'a> Column<'a> {
    fn of(data: &'a ArrayRef, name: &str, meta: &'a SpssMetadata) -> Column<'a> {
        Column {
            data,
            labels: meta.value_labels(name),
            missing: meta
                .variable_missing_values
                .get(name)
                .map_or(&[][..], Vec::as_slice),
        }
    }

    fn label(&self, v: &Value) -> Option<&str> {
        self.labels.and_then(|l| l.get(v)).map(String::as_str)
    }

    fn write(&self, row: usize, out: &mut String) {
        if self.data.is_null(row) {
            return;
        }
        let any = self.data.as_any();
        match self.data.data_type() {
            DataType::Float64 => {
                let Some(a) = any.downcast_ref::<Float64Array>() else {
                    return;
                };
                let v = a.value(row);
                if self.missing.iter().any(|m| match m {
                    MissingSpec::Value(x) => *x == v,
                    MissingSpec::Range { lo, hi } => *lo <= v && v <= *hi,
                    MissingSpec::StringValue(_) => false,
                }) {
                    return;
                }
                match self.label(&Value::Numeric(v)) {
                    Some(l) => out.push_str(l),
                    None if v.fract() == 0.0 && v.abs() < 1e15 => {
                        let _ = write!(out, "{}", v as i64);
                    }
                    None => {
                        let _ = write!(out, "{v}");
                    }
                }
            }
            DataType::Utf8View => {
                let Some(a) = any.downcast_ref::<StringViewArray>() else {
                    return;
                };
                let v = a.value(row).trim_end();
                if self
                    .missing
                    .iter()
                    .any(|m| matches!(m, MissingSpec::StringValue(s) if s.trim_end() == v))
                {
                    return;
                }
                match self.label(&Value::String(v.to_string())) {
                    Some(l) => out.push_str(l),
                    None => out.push_str(v),
                }
            }
            DataType::Date32 => {
                if let Some(d) = any
                    .downcast_ref::<Date32Array>()
                    .and_then(|a| a.value_as_date(row))
                {
                    let _ = write!(out, "{}", d.format("%Y-%m-%d"));
                }
            }
            DataType::Timestamp(TimeUnit::Microsecond, _) => {
                if let Some(t) = any
                    .downcast_ref::<TimestampMicrosecondArray>()
                    .and_then(|a| a.value_as_datetime(row))
                {
                    let _ = write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S"));
                }
            }
            DataType::Duration(TimeUnit::Microsecond) => {
                if let Some(a) = any.downcast_ref::<DurationMicrosecondArray>() {
                    let s = a.value(row) / 1_000_000;
                    let _ = write!(out, "{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
                }
            }
            _ => {
                if let Ok(s) = arrow::util::display::array_value_to_string(self.data, row) {
                    out.push_str(&s);
                }
            }
        }
    }
}
