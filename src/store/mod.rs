//! The store: accepted responses as Parquet, one file per wave, so later stages (and later
//! years) read canonical columns instead of vendor files.
//!
//! `<store>/<wave>.parquet` holds `response_id`, one `UInt32` column per mapped demographic
//! (the category's index in the schema, null = not stated) and one `UInt8` column per mapped
//! scored question (the scale's code, null = no answer): the codes the counting engine reads,
//! with no labels to map back. Questions a wave did not ask are absent, not null: "not asked"
//! and "not answered" stay different. Free text goes to `<store>/<wave>.comments.parquet`
//! (`response_id`, `question`, `text`) and is never published.

use crate::import::WaveData;
use crate::schema::Schema;
use polars::prelude::*;
use std::fs::File;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("store {}: {source}", path.display())]
    Polars { path: PathBuf, source: PolarsError },
}

/// What the store records about how a wave was imported (`<wave>.import.json`).
pub fn record_path(store: &Path, wave: &str) -> PathBuf {
    store.join(format!("{wave}.import.json"))
}

/// SHA-256 over everything that decides a wave's import: the tool version, the schema file,
/// the wave's reading rules and mapping, and the export's bytes. If it is unchanged, the
/// store's copy is what a fresh import would produce, so the wave is not imported again.
pub fn fingerprint(schema_path: &Path, wave: &crate::config::Wave) -> Result<String, StoreError> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, source }
    };
    let mut h = Sha256::new();
    h.update(b"culture-metrics store 2\0");
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(std::fs::read(schema_path).map_err(io(schema_path))?);
    h.update(
        format!(
            "{:?}",
            (
                wave.layout,
                wave.encoding,
                wave.delimiter,
                &wave.response_id,
                &wave.filters,
                &wave.columns
            )
        )
        .as_bytes(),
    );
    let mut file = File::open(&wave.file).map_err(io(&wave.file))?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(io(&wave.file))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The recorded import of a wave, if the store holds the wave and the record matches
/// `fingerprint`.
pub fn cached_import(
    store: &Path,
    wave: &str,
    fingerprint: &str,
) -> Option<crate::import::WaveImport> {
    if !wave_path(store, wave).is_file() {
        return None;
    }
    let text = std::fs::read_to_string(record_path(store, wave)).ok()?;
    let mut record: crate::import::WaveImport = serde_json::from_str(&text).ok()?;
    (record.fingerprint == fingerprint).then(|| {
        record.from_store = true;
        record
    })
}

/// Write the import record beside the wave's data (after the data).
pub fn write_record(store: &Path, import: &crate::import::WaveImport) -> Result<(), StoreError> {
    let path = record_path(store, &import.wave);
    let io = |source| StoreError::Io {
        path: path.clone(),
        source,
    };
    let json = serde_json::to_string_pretty(import).map_err(|e| io(std::io::Error::other(e)))?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, json).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)
}

pub fn wave_path(store: &Path, wave: &str) -> PathBuf {
    store.join(format!("{wave}.parquet"))
}

pub fn comments_path(store: &Path, wave: &str) -> PathBuf {
    store.join(format!("{wave}.comments.parquet"))
}

/// Canonical responses of one wave as a DataFrame.
pub fn to_frame(schema: &Schema, data: &WaveData) -> PolarsResult<DataFrame> {
    let n = data.len();
    let mut cols: Vec<Column> =
        Vec::with_capacity(1 + data.demographics.len() + data.questions.len());
    cols.push(Column::new("response_id".into(), &data.response_id));
    for (d, values) in &data.demographics {
        cols.push(Column::new(
            schema.demographics[*d].id.as_str().into(),
            values,
        ));
    }
    for (q, values) in &data.questions {
        cols.push(Column::new(schema.questions[*q].id.as_str().into(), values));
    }
    DataFrame::new(n, cols)
}

fn comments_frame(data: &WaveData) -> PolarsResult<DataFrame> {
    let ids: Vec<&str> = data
        .comments
        .iter()
        .map(|c| data.response_id[c.row].as_str())
        .collect();
    let qs: Vec<&str> = data.comments.iter().map(|c| c.question.as_str()).collect();
    let texts: Vec<&str> = data.comments.iter().map(|c| c.text.as_str()).collect();
    DataFrame::new(
        ids.len(),
        vec![
            Column::new("response_id".into(), ids),
            Column::new("question".into(), qs),
            Column::new("text".into(), texts),
        ],
    )
}

/// Write a frame to `path` atomically (temp file, then rename).
fn write_parquet(path: &Path, df: &mut DataFrame) -> Result<(), StoreError> {
    let tmp = path.with_extension("parquet.tmp");
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(&tmp).map_err(io)?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(df)
        .map_err(|source| StoreError::Polars {
            path: path.to_path_buf(),
            source,
        })?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Write one wave (responses and comments) into the store.
pub fn write_wave(
    store: &Path,
    schema: &Schema,
    wave: &str,
    data: &WaveData,
) -> Result<(), StoreError> {
    std::fs::create_dir_all(store).map_err(|source| StoreError::Io {
        path: store.to_path_buf(),
        source,
    })?;
    let polars = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Polars { path, source }
    };
    let p = wave_path(store, wave);
    let mut df = to_frame(schema, data).map_err(polars(&p))?;
    write_parquet(&p, &mut df)?;
    let p = comments_path(store, wave);
    let mut comments = comments_frame(data).map_err(polars(&p))?;
    write_parquet(&p, &mut comments)
}

/// Read one wave's responses back from the store: every column (response ids included).
pub fn read_wave(store: &Path, wave: &str) -> Result<DataFrame, StoreError> {
    read(store, wave, None)
}

/// Read the columns the counting engine needs: the schema's demographics and questions the
/// wave has (not the response ids).
pub fn read_codes(store: &Path, schema: &Schema, wave: &str) -> Result<DataFrame, StoreError> {
    let path = wave_path(store, wave);
    let polars = |source| StoreError::Polars {
        path: path.clone(),
        source,
    };
    let file = File::open(&path).map_err(|source| StoreError::Io {
        path: path.clone(),
        source,
    })?;
    let present = ParquetReader::new(file).schema().map_err(polars)?;
    let wanted: Vec<String> = schema
        .demographics
        .iter()
        .map(|d| &d.id)
        .chain(schema.questions.iter().map(|q| &q.id))
        .filter(|id| present.contains(id.as_str()))
        .cloned()
        .collect();
    read(store, wave, Some(wanted))
}

fn read(store: &Path, wave: &str, columns: Option<Vec<String>>) -> Result<DataFrame, StoreError> {
    let path = wave_path(store, wave);
    let file = File::open(&path).map_err(|source| StoreError::Io {
        path: path.clone(),
        source,
    })?;
    ParquetReader::new(file)
        .with_columns(columns)
        .finish()
        .map_err(|source| StoreError::Polars { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Comment;

    #[test]
    fn a_wave_round_trips_through_parquet() {
        let schema = crate::schema::Schema::from_toml(
            Path::new("t.toml"),
            r#"
[survey]
id = "t"
title = "t"
version = "1"
[[scales]]
id = "yn"
answers = [{ code = 1, label = "Yes", group = "positive" }, { code = 2, label = "No", group = "negative" }]
[[questions]]
id = "E01"
text = "Bullied?"
type = "yes-no"
scale = "yn"
[[questions]]
id = "T01"
text = "Comments"
type = "free-text"
[[demographics]]
id = "directorate"
label = "Directorate"
categories = ["Place", "Resources"]
"#,
        )
        .unwrap();
        let data = WaveData {
            response_id: vec!["R1".into(), "R2".into(), "R3".into()],
            demographics: vec![(0, vec![Some(1), None, Some(0)])],
            questions: vec![(0, vec![Some(1), Some(2), None])],
            comments: vec![Comment {
                row: 1,
                question: "T01".into(),
                text: "Line one\nline two".into(),
            }],
            ..WaveData::default()
        };
        let dir = tempfile::tempdir().unwrap();
        write_wave(dir.path(), &schema, "2025", &data).unwrap();
        let df = read_wave(dir.path(), "2025").unwrap();
        assert_eq!(df.height(), 3);
        let dir_col: Vec<Option<u32>> = df
            .column("directorate")
            .unwrap()
            .u32()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(
            dir_col,
            [Some(1), None, Some(0)],
            "category indices, not labels"
        );
        let codes = read_codes(dir.path(), &schema, "2025").unwrap();
        assert_eq!(
            codes
                .get_column_names()
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>(),
            ["directorate", "E01"],
            "only what the engine reads"
        );
        let e01: Vec<Option<u8>> = df.column("E01").unwrap().u8().unwrap().iter().collect();
        assert_eq!(e01, [Some(1), Some(2), None]);
        assert!(
            df.column("T01").is_err(),
            "free text is not in the responses file"
        );
        let c = ParquetReader::new(File::open(comments_path(dir.path(), "2025")).unwrap())
            .finish()
            .unwrap();
        assert_eq!(c.height(), 1);
        assert_eq!(
            c.column("response_id").unwrap().str().unwrap().get(0),
            Some("R2")
        );
    }
}
