//! The store: accepted responses as Parquet, one file per wave, so later stages (and later
//! years) read canonical columns instead of vendor files.
//!
//! `<store>/<wave>.parquet` holds `response_id`, one `UInt32` column per mapped demographic
//! (the category's position in the schema's list, 1 for the first; 0 = not stated) and one
//! `UInt8` column per mapped scored question (the answer's position in the question's scale,
//! 1 for the first answer listed; 0 = no answer): the codes the counting engine counts, read
//! straight into it, with no labels to map back and no nulls to unpack. The store is read
//! only with the schema it was written with (the import fingerprint covers the schema file).
//! Questions a wave did not ask are absent: "not asked" and "not answered" stay different.
//! Free text goes to `<store>/<wave>.comments.parquet` (`response_id`, `question`, `text`)
//! and is never published.

use crate::config::files::record_path;
use crate::import::WaveData;
use crate::responses::{NOT_STATED, Responses};
use crate::schema::Schema;
use polars::prelude::*;
use std::fs::File;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {}: {}", path.display(), crate::file_errors::io_words(source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("store {}: {source}", path.display())]
    Polars { path: PathBuf, source: PolarsError },
    #[error(
        "store {}: {what}, which is not a code of the schema: the store is damaged or was written for another schema.\n  How to fix: run again with --reimport to import the wave's export afresh.",
        path.display()
    )]
    Damaged { path: PathBuf, what: String },
}

/// An export's SHA-256 and size, and the wave's import fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// SHA-256 over everything that decides a wave's import: the tool version, the schema
    /// file, the wave's reading rules and mapping, and the export's SHA-256. If it is
    /// unchanged, the store's copy is what a fresh import would produce.
    pub import: String,
    /// The export's own SHA-256 and size (for the manifest: each export is read once a run).
    pub file_sha256: String,
    pub file_bytes: u64,
}

/// Read the export once: its hash, and the wave's import fingerprint.
pub fn fingerprint(
    schema_path: &Path,
    wave: &crate::config::Wave,
) -> Result<Fingerprint, StoreError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, source }
    };
    let (file_sha256, bytes) = sha256_file(&wave.file).map_err(io(&wave.file))?;
    Ok(Fingerprint {
        import: import_fingerprint(schema_path, wave, &file_sha256)?,
        file_sha256,
        file_bytes: bytes,
    })
}

/// The import fingerprint of a wave whose export has the SHA-256 `file_sha256`.
fn import_fingerprint(
    schema_path: &Path,
    wave: &crate::config::Wave,
    file_sha256: &str,
) -> Result<String, StoreError> {
    use sha2::{Digest, Sha256};
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, source }
    };
    let mut h = Sha256::new();
    h.update(b"culture-metrics store 3\0");
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
    h.update(file_sha256.as_bytes());
    Ok(hex(&h.finalize()))
}

/// A file's SHA-256 (hex) and size, read in 1 MiB blocks.
pub fn sha256_file(path: &Path) -> std::io::Result<(String, u64)> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = File::open(path)?;
    let (mut hash, mut buf, mut bytes) = (Sha256::new(), vec![0u8; 1 << 20], 0u64);
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((hex(&hash.finalize()), bytes))
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// The recorded import of a wave, if the store holds the wave, the record matches
/// `fingerprint`, and every data file the record lists still has the SHA-256 it was written
/// with (a wave whose files were changed or half-replaced, e.g. by a run killed while writing,
/// is imported again rather than trusted).
pub fn cached_import(
    store: &Path,
    wave: &str,
    fingerprint: &str,
) -> Option<crate::import::WaveImport> {
    let text = std::fs::read_to_string(record_path(store, wave)).ok()?;
    let mut record: crate::import::WaveImport = serde_json::from_str(&text).ok()?;
    if record.fingerprint != fingerprint {
        return None;
    }
    let expected = [wave_path(store, wave), comments_path(store, wave)];
    for path in &expected {
        let name = path.file_name()?.to_string_lossy();
        let recorded = record.store_files.get(name.as_ref())?;
        let (actual, _) = sha256_file(path).ok()?;
        if &actual != recorded {
            tracing::warn!(file = %path.display(), "store file does not match its import record; importing again");
            return None;
        }
    }
    record.from_store = true;
    Some(record)
}

/// A wave whose export is missing (archived): the store's recorded import, if the store holds
/// the wave with the export's SHA-256 and the same schema, reading rules and mapping as the
/// config now gives (so it is exactly what importing the export would give), and its data
/// files are intact. `None` otherwise (an older record without the export's SHA-256 too).
pub fn archived_import(
    store: &Path,
    schema_path: &Path,
    wave: &crate::config::Wave,
) -> Option<crate::import::WaveImport> {
    let text = std::fs::read_to_string(record_path(store, &wave.id)).ok()?;
    let record: crate::import::WaveImport = serde_json::from_str(&text).ok()?;
    let (sha, _) = record.file_sha256.as_ref()?;
    let expected = import_fingerprint(schema_path, wave, sha).ok()?;
    let mut record = cached_import(store, &wave.id, &expected)?;
    record.archived = true;
    Some(record)
}

/// Remove a wave's import record: done before its data files are replaced, so that a run
/// stopped half-way leaves no record that could vouch for them.
pub fn remove_record(store: &Path, wave: &str) -> Result<(), StoreError> {
    let path = record_path(store, wave);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(StoreError::Io { path, source: e })
        }
        _ => Ok(()),
    }
}

/// Write the import record beside the wave's data, last: with the SHA-256 of each data file
/// (`files`: file name → hash), so the record vouches for exactly those bytes.
pub fn write_record(
    store: &Path,
    import: &crate::import::WaveImport,
    files: &[(String, String)],
) -> Result<(), StoreError> {
    let path = record_path(store, &import.wave);
    let io = |source| StoreError::Io {
        path: path.clone(),
        source,
    };
    let mut value = serde_json::to_value(import).map_err(|e| io(std::io::Error::other(e)))?;
    value["store_files"] = files
        .iter()
        .map(|(name, hash)| (name.clone(), serde_json::Value::String(hash.clone())))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let json = serde_json::to_string_pretty(&value).map_err(|e| io(std::io::Error::other(e)))?;
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

/// Canonical responses of one wave as a DataFrame: response ids and the engine's codes.
pub fn to_frame(schema: &Schema, data: &WaveData, codes: &Responses) -> PolarsResult<DataFrame> {
    let n = data.len();
    let ids: Vec<&str> = data.response_id.iter().collect();
    let mut cols: Vec<Column> = vec![Column::new("response_id".into(), ids)];
    for (d, values) in codes.fields.iter().enumerate() {
        if let Some(values) = values {
            let positions: Vec<u32> = values
                .iter()
                .map(|&c| if c == NOT_STATED { 0 } else { c + 1 })
                .collect();
            cols.push(Column::new(
                schema.demographics[d].id.as_str().into(),
                positions,
            ));
        }
    }
    for (q, values) in codes.answers.iter().enumerate() {
        if let Some(values) = values {
            cols.push(Column::new(
                schema.questions[q].id.as_str().into(),
                values.as_slice(),
            ));
        }
    }
    DataFrame::new(n, cols)
}

fn comments_frame(data: &WaveData) -> PolarsResult<DataFrame> {
    let ids: Vec<&str> = data
        .comments
        .iter()
        .map(|c| data.response_id.get(c.row))
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

/// Write a frame to `path` atomically (temp file, then rename); returns the file's name and
/// SHA-256.
fn write_parquet(path: &Path, df: &mut DataFrame) -> Result<(String, String), StoreError> {
    use sha2::{Digest, Sha256};
    let tmp = path.with_extension("parquet.tmp");
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(df)
        .map_err(|source| StoreError::Polars {
            path: path.to_path_buf(),
            source,
        })?;
    std::fs::write(&tmp, &bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)?;
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    Ok((name, hex(&Sha256::digest(&bytes))))
}

pub fn weights_path(store: &Path, wave: &str) -> PathBuf {
    store.join(format!("{wave}.weights.parquet"))
}

/// Write a wave's non-response weights beside it: one `weight` per respondent, in the wave
/// file's row order. Kept for audit and reuse; never published.
pub fn write_weights(store: &Path, wave: &str, weights: &[f64]) -> Result<(), StoreError> {
    std::fs::create_dir_all(store).map_err(|source| StoreError::Io {
        path: store.to_path_buf(),
        source,
    })?;
    let p = weights_path(store, wave);
    let mut df = DataFrame::new(weights.len(), vec![Column::new("weight".into(), weights)])
        .map_err(|source| StoreError::Polars {
            path: p.clone(),
            source,
        })?;
    write_parquet(&p, &mut df).map(|_| ())
}

/// Write one wave (response ids, codes and comments) into the store; returns each file's
/// name and SHA-256 for the import record.
pub fn write_wave(
    store: &Path,
    schema: &Schema,
    wave: &str,
    data: &WaveData,
    codes: &Responses,
) -> Result<Vec<(String, String)>, StoreError> {
    std::fs::create_dir_all(store).map_err(|source| StoreError::Io {
        path: store.to_path_buf(),
        source,
    })?;
    let polars = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Polars { path, source }
    };
    let p = wave_path(store, wave);
    let mut df = to_frame(schema, data, codes).map_err(polars(&p))?;
    let responses = write_parquet(&p, &mut df)?;
    crate::fault::point("store-between-files");
    let p = comments_path(store, wave);
    let mut comments = comments_frame(data).map_err(polars(&p))?;
    Ok(vec![responses, write_parquet(&p, &mut comments)?])
}

/// Read one wave's responses back from the store: every column (response ids included).
pub fn read_wave(store: &Path, wave: &str) -> Result<DataFrame, StoreError> {
    read(store, wave, None)
}

/// A wave's response ids, in the store's row order (the order of [`read_responses`]' rows).
pub fn read_response_ids(store: &Path, wave: &str) -> Result<Vec<String>, StoreError> {
    let path = wave_path(store, wave);
    let df = read(store, wave, Some(vec!["response_id".to_string()]))?;
    let col = df
        .column("response_id")
        .and_then(|c| c.cast(&DataType::String))
        .map_err(|source| StoreError::Polars {
            path: path.clone(),
            source,
        })?;
    let ca = col
        .str()
        .map_err(|source| StoreError::Polars { path, source })?;
    Ok(ca.iter().map(|v| v.unwrap_or("").to_string()).collect())
}

/// A wave's stored comments: (response id, question id, text).
pub fn read_comments(
    store: &Path,
    wave: &str,
) -> Result<Vec<(String, String, String)>, StoreError> {
    let path = comments_path(store, wave);
    let file = File::open(&path).map_err(|source| StoreError::Io {
        path: path.clone(),
        source,
    })?;
    let df = ParquetReader::new(file)
        .finish()
        .map_err(|source| StoreError::Polars {
            path: path.clone(),
            source,
        })?;
    let col = |name: &str| -> Result<Vec<String>, StoreError> {
        let c = df
            .column(name)
            .and_then(|c| c.cast(&DataType::String))
            .map_err(|source| StoreError::Polars {
                path: path.clone(),
                source,
            })?;
        let ca = c.str().map_err(|source| StoreError::Polars {
            path: path.clone(),
            source,
        })?;
        Ok(ca.iter().map(|v| v.unwrap_or("").to_string()).collect())
    };
    let (ids, qs, texts) = (col("response_id")?, col("question")?, col("text")?);
    Ok(ids
        .into_iter()
        .zip(qs)
        .zip(texts)
        .map(|((a, b), c)| (a, b, c))
        .collect())
}

/// A column's values, chunk by chunk (a file's row groups arrive as chunks); a null (which the
/// store never writes) becomes `null`, an out-of-range value the caller rejects.
fn chunk_values<T: PolarsNumericType>(ca: &ChunkedArray<T>, null: T::Native) -> Vec<T::Native> {
    let mut out = Vec::with_capacity(ca.len());
    for arr in ca.downcast_iter() {
        if arr.validity().is_none_or(|v| v.unset_bits() == 0) {
            out.extend_from_slice(arr.values());
        } else {
            out.extend(arr.iter().map(|v| v.copied().unwrap_or(null)));
        }
    }
    out
}

/// Read a wave's codes straight into the counting engine: the schema's demographics and
/// questions the wave has (not the response ids). A value out of range means the store was
/// damaged or written for another schema: an error, never a miscount.
pub fn read_responses(store: &Path, schema: &Schema, wave: &str) -> Result<Responses, StoreError> {
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
    let df = read(store, wave, Some(wanted))?;
    let damaged = |what: String| StoreError::Damaged {
        path: path.clone(),
        what,
    };
    let mut r = Responses::new(schema, df.height());
    for (d, dem) in schema.demographics.iter().enumerate() {
        let Ok(col) = df.column(&dem.id) else {
            continue;
        };
        let k = dem.categories.len() as u32;
        let values = chunk_values(col.u32().map_err(polars)?, u32::MAX);
        if let Some(bad) = values.iter().find(|&&p| p > k) {
            return Err(damaged(format!("`{}` holds {bad}", dem.id)));
        }
        r.fields[d] = Some(
            values
                .into_iter()
                .map(|p| if p == 0 { NOT_STATED } else { p - 1 })
                .collect(),
        );
    }
    for (q, question) in schema.questions.iter().enumerate() {
        let (Some(scale), Ok(col)) = (schema.scale_of(question), df.column(&question.id)) else {
            continue;
        };
        let top = scale.answers.len() as u8;
        let slots = chunk_values(col.u8().map_err(polars)?, u8::MAX);
        if let Some(bad) = slots.iter().find(|&&s| s > top) {
            return Err(damaged(format!("`{}` holds {bad}", question.id)));
        }
        r.answers[q] = Some(slots);
    }
    Ok(r)
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
    fn a_damaged_store_is_an_error_not_a_miscount() {
        let schema = crate::schema::testing::schema(
            "[[questions]]\nid = \"Q1\"\ntext = \"Q1\"\ntype = \"likert\"\nscale = \"agree5\"\n",
        );
        let dir = tempfile::tempdir().unwrap();
        let mut df = df!("response_id" => ["a", "b"], "Q1" => [1u8, 77]).unwrap();
        write_parquet(&wave_path(dir.path(), "2025"), &mut df).unwrap();
        let err = read_responses(dir.path(), &schema, "2025").unwrap_err();
        assert!(
            err.to_string().contains("`Q1` holds 77") && err.to_string().contains("--reimport"),
            "{err}"
        );
    }

    #[test]
    fn a_wave_round_trips_through_parquet() {
        let schema = crate::schema::testing::schema(
            r#"
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
        );
        let data = WaveData {
            response_id: ["R1", "R2", "R3"].into_iter().collect(),
            demographics: vec![(0, vec![1, NOT_STATED, 0])],
            questions: vec![(0, vec![1, 2, 0])],
            comments: vec![Comment {
                row: 1,
                question: "T01".into(),
                text: "Line one\nline two".into(),
            }],
            ..WaveData::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let mut moved = data.clone();
        let codes = moved.take_responses(&schema);
        write_wave(dir.path(), &schema, "2025", &moved, &codes).unwrap();
        let df = read_wave(dir.path(), "2025").unwrap();
        assert_eq!(df.height(), 3);
        let column = |name: &str| -> Vec<Option<u32>> {
            df.column(name)
                .unwrap()
                .cast(&DataType::UInt32)
                .unwrap()
                .u32()
                .unwrap()
                .iter()
                .collect()
        };
        // Positions from 1, 0 for blank: no labels to map back, no nulls.
        assert_eq!(column("directorate"), [Some(2), Some(0), Some(1)]);
        assert_eq!(column("E01"), [Some(1), Some(2), Some(0)]);
        // Read back, the engine gets exactly what the import made.
        let back = read_responses(dir.path(), &schema, "2025").unwrap();
        assert_eq!(back.fields, codes.fields);
        assert_eq!(back.answers, codes.answers);
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
