//! The pack's tables as Parquet too, typed for Power BI: a column whose values are all whole
//! numbers (or empty / `[c]`) becomes Int64, all numbers Float64, anything else text; `[c]`
//! and empty cells become nulls (the `suppressed` column says why). Built from the same
//! protected CSV bytes, so it cannot show anything the CSV does not.

use polars::prelude::*;

fn is_missing(v: &str) -> bool {
    v.is_empty() || v == crate::disclosure::Suppression::MARK
}

/// Convert one of the pack's CSV tables to Parquet bytes.
pub fn csv_to_parquet(csv_bytes: &[u8]) -> PolarsResult<Vec<u8>> {
    let mut rdr = csv::Reader::from_reader(csv_bytes);
    let header: Vec<String> = rdr
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    let records: Vec<csv::StringRecord> = rdr.records().flatten().collect();
    let n = records.len();
    let mut cols = Vec::with_capacity(header.len());
    for (c, name) in header.iter().enumerate() {
        let values: Vec<&str> = records.iter().map(|r| r.get(c).unwrap_or("")).collect();
        let present = || values.iter().filter(|v| !is_missing(v));
        let name: PlSmallStr = name.as_str().into();
        let column = if present().clone().count() > 0 && present().all(|v| v.parse::<i64>().is_ok())
        {
            Column::new(
                name,
                values
                    .iter()
                    .map(|v| v.parse::<i64>().ok())
                    .collect::<Vec<_>>(),
            )
        } else if present().clone().count() > 0 && present().all(|v| v.parse::<f64>().is_ok()) {
            Column::new(
                name,
                values
                    .iter()
                    .map(|v| v.parse::<f64>().ok())
                    .collect::<Vec<_>>(),
            )
        } else {
            let text: Vec<Option<&str>> = values
                .iter()
                .map(|v| (!v.is_empty()).then(|| super::tables::undefuse(v)))
                .collect();
            Column::new(name, text)
        };
        cols.push(column);
    }
    let mut df = DataFrame::new(n, cols)?;
    let mut out = Vec::new();
    ParquetWriter::new(&mut out)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(&mut df)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_typed_and_suppressed_cells_are_null() {
        let csv = b"wave,group,n,pct,suppressed\n2025,A,12,50.5,false\n2025,'=X,[c],[c],true\n";
        let bytes = csv_to_parquet(csv).unwrap();
        let df = ParquetReader::new(std::io::Cursor::new(bytes))
            .finish()
            .unwrap();
        assert_eq!(df.column("wave").unwrap().dtype(), &DataType::Int64);
        assert_eq!(df.column("n").unwrap().i64().unwrap().get(1), None);
        assert_eq!(df.column("pct").unwrap().f64().unwrap().get(0), Some(50.5));
        assert_eq!(
            df.column("group").unwrap().str().unwrap().get(1),
            Some("=X")
        );
        assert_eq!(
            df.column("suppressed").unwrap().str().unwrap().get(1),
            Some("true")
        );
    }
}
