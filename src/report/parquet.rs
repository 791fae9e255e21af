//! The pack's tables as Parquet, typed as the registry declares (never inferred from values):
//! Int64, Float64, Boolean, Date32 and UTF-8 text. Withheld and missing values are nulls (the
//! `suppressed` and `suppression_reason` columns say why). An empty table and a column that
//! happens to be all null keep their declared types, so a Power BI model built on one run
//! refreshes on the next.
//!
//! Numbers are the published figures: rounded as the column declares, exactly as the CSV and
//! the workbook show them, so every format of the pack publishes the same number (and no
//! format publishes more precision than disclosure control and the methodology intend).

use super::registry::{ArrowType, Cell, Format, TableData};
use super::tables::fmt_number;
use polars::prelude::*;

/// A number as the pack publishes it: the value its CSV cell shows.
fn published(v: f64, format: Format) -> f64 {
    fmt_number(v, format).parse().unwrap_or(v)
}

fn column(t: &TableData, i: usize) -> Column {
    let def = &t.def.columns[i];
    let name: PlSmallStr = def.name.into();
    let cells = t.rows.iter().map(|r| &r[i]);
    match def.ty {
        ArrowType::Int64 => Column::new(
            name,
            cells
                .map(|c| match c {
                    Cell::Int(v) => Some(*v),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        ),
        ArrowType::Float64 => Column::new(
            name,
            cells
                .map(|c| match c {
                    Cell::Float(v) => Some(published(*v, def.format)),
                    Cell::Decimal(v, d) => {
                        let shown = super::tables::fmt_decimals(*v, usize::from(*d));
                        Some(shown.parse().unwrap_or(*v))
                    }
                    _ => None,
                })
                .collect::<Vec<_>>(),
        ),
        ArrowType::Boolean => Column::new(
            name,
            cells
                .map(|c| match c {
                    Cell::Bool(v) => Some(*v),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        ),
        ArrowType::Date32 => {
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
            let days: Vec<Option<i32>> = cells
                .map(|c| match c {
                    Cell::Date(d) => i32::try_from((*d - epoch).num_days()).ok(),
                    _ => None,
                })
                .collect();
            Series::new(name, days).into_date().into_column()
        }
        ArrowType::Utf8 => Column::new(
            name,
            cells
                .map(|c| match c {
                    Cell::Text(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        ),
    }
}

/// The Arrow schema recorded in the file (`ARROW:schema`): the declared types, with text as
/// plain `Utf8` (what pyarrow, pandas and DuckDB read as `string`), not the string-view type
/// polars uses in memory. The bytes on disk are the same Parquet strings either way.
fn arrow_schema(t: &TableData) -> ArrowSchema {
    t.def
        .columns
        .iter()
        .map(|c| {
            let ty = match c.ty {
                ArrowType::Int64 => ArrowDataType::Int64,
                ArrowType::Float64 => ArrowDataType::Float64,
                ArrowType::Boolean => ArrowDataType::Boolean,
                ArrowType::Date32 => ArrowDataType::Date32,
                ArrowType::Utf8 => ArrowDataType::Utf8,
            };
            let name: PlSmallStr = c.name.into();
            (name.clone(), ArrowField::new(name, ty, true))
        })
        .collect()
}

/// `tables/<name>.parquet`.
pub fn parquet_bytes(t: &TableData) -> PolarsResult<Vec<u8>> {
    let cols = (0..t.def.columns.len()).map(|i| column(t, i)).collect();
    let mut df = DataFrame::new(t.rows.len(), cols)?;
    let schema = polars_parquet::write::schema_to_metadata_key(&arrow_schema(t));
    let metadata =
        KeyValueMetadata::from_static(vec![(schema.key, schema.value.unwrap_or_default())]);
    let mut out = Vec::new();
    ParquetWriter::new(&mut out)
        .with_compression(ParquetCompression::Zstd(None))
        .with_key_value_metadata(Some(metadata))
        .finish(&mut df)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{FactResponseRate, RunInfo};
    use crate::report::registry::Figure;

    fn read(bytes: Vec<u8>) -> DataFrame {
        ParquetReader::new(std::io::Cursor::new(bytes))
            .finish()
            .unwrap()
    }

    #[test]
    fn columns_keep_their_declared_types_even_when_empty_or_all_withheld() {
        let withheld = FactResponseRate {
            wave_id: "2025".into(),
            group_key: "directorate=A".into(),
            responses: Figure::Withheld,
            headcount: Figure::Withheld,
            response_rate: Figure::Withheld,
            below_60: Figure::Withheld,
            pct_of_respondents: Figure::Withheld,
            pct_of_workforce: Figure::Withheld,
            headcount_withheld: true,
            suppressed: true,
            suppression_reason: Some("primary".into()),
        };
        let full = read(parquet_bytes(&TableData::of(&[withheld])).unwrap());
        let empty = read(parquet_bytes(&TableData::of::<FactResponseRate>(&[])).unwrap());
        assert_eq!(full.schema(), empty.schema(), "no rows, same types");
        assert_eq!(full.column("responses").unwrap().dtype(), &DataType::Int64);
        assert_eq!(
            full.column("responses").unwrap().i64().unwrap().get(0),
            None
        );
        assert_eq!(full.column("below_60").unwrap().dtype(), &DataType::Boolean);
        assert_eq!(
            full.column("suppressed").unwrap().bool().unwrap().get(0),
            Some(true)
        );
        assert_eq!(
            full.column("headcount").unwrap().i64().unwrap().get(0),
            None,
            "a withheld group's headcount is withheld too"
        );
        assert_eq!(
            full.column("response_rate").unwrap().dtype(),
            &DataType::Float64
        );
    }

    #[test]
    fn dates_are_dates_and_text_is_text() {
        let run = RunInfo::example();
        let df = read(parquet_bytes(&TableData::of(&[run])).unwrap());
        assert_eq!(
            df.column("config_sha256").unwrap().str().unwrap().get(0),
            Some("=HYPERLINK(1)"),
            "Parquet stores text as it is: the formula guard is for CSV only"
        );
        assert_eq!(
            df.column("latest_wave_id").unwrap().dtype(),
            &DataType::String
        );
        assert_eq!(
            df.column("feedback_threshold").unwrap().dtype(),
            &DataType::Int64
        );
        let months = crate::report::model::dim_month(
            &[crate::calendar::YearMonth::new(2025, 3).unwrap()],
            &[],
        )
        .0;
        let df = read(parquet_bytes(&TableData::of(&months)).unwrap());
        assert_eq!(df.column("month_start").unwrap().dtype(), &DataType::Date);
    }
}
