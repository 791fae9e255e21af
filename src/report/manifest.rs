//! `manifest.json`: what an auditor needs to reproduce a run — tool version, the config and
//! schemas (with their SHA-256), every input with its hash and row counts, every output with
//! its hash, the thresholds and settings, and when the run happened. The run time lives here
//! only: the tables themselves carry no timestamps, so reruns give byte-identical tables.
//!
//! The run id names the pack's folder (`<output>/<run id>/`): the latest wave and a short
//! hash of the tool version, config, schemas, inputs and deep dives. The same inputs give
//! the same id (a rerun replaces its own folder); any change to them gives a new folder.

use super::{WriteError, sha256_hex};
use crate::config::Config;
use crate::import::WaveImport;
use crate::meetings::Feedback;
use serde_json::{Value, json};
use std::path::Path;

/// One input file.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub role: String,
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub rows_in: Option<usize>,
    pub accepted: Option<usize>,
}

/// One schema: path, id, version, SHA-256.
#[derive(Debug, Clone)]
pub struct SchemaFile {
    pub path: String,
    pub id: String,
    pub version: String,
    pub sha256: String,
}

/// Where a run's results came from: config, schemas and inputs with their hashes.
#[derive(Debug, Clone)]
pub struct Provenance {
    pub run_id: String,
    pub config_path: String,
    pub config_sha256: String,
    pub config_text: String,
    pub schemas: Vec<SchemaFile>,
    pub inputs: Vec<InputFile>,
}

/// SHA-256 (hex) and size of a file, read in 1 MiB blocks: exports can be gigabytes.
fn file_sha(path: &Path) -> Result<(String, u64), WriteError> {
    use sha2::{Digest, Sha256};
    let err = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(err)?;
    let (mut hasher, mut buf, mut bytes) = (Sha256::new(), vec![0u8; 1 << 20], 0u64);
    loop {
        let n = file.read(&mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((hex, bytes))
}

impl Provenance {
    /// Hash the config, schemas and every input of a run. `deep_dives` are the indicator ids
    /// given a deep dive (they change the pack, so they change the run id).
    pub fn collect(
        config: &Config,
        imports: &[WaveImport],
        feedback: Option<&Feedback>,
        deep_dives: &[&str],
    ) -> Result<Provenance, WriteError> {
        let config_text = std::fs::read_to_string(&config.path).map_err(|source| WriteError {
            path: config.path.clone(),
            source,
        })?;
        let schemas = schema_files(config)?;
        let mut inputs = Vec::new();
        let mut add = |role: String, path: &Path, counts: Option<&WaveImport>| {
            // An export was hashed when the run read it; anything else is hashed now.
            let (sha256, bytes) = match counts.and_then(|c| c.file_sha256.clone()) {
                Some(known) => known,
                None => file_sha(path)?,
            };
            inputs.push(InputFile {
                role,
                path: path.display().to_string(),
                sha256,
                bytes,
                rows_in: counts.map(|c| c.rows_in),
                accepted: counts.map(WaveImport::accepted),
            });
            Ok::<_, WriteError>(())
        };
        for (w, imp) in config.waves.iter().zip(imports) {
            add(format!("survey wave {}", w.id), &w.file, Some(imp))?;
            if let Some(h) = &w.headcount {
                add(format!("HR headcount {}", w.id), h, None)?;
            }
        }
        if let (Some(m), Some(fb)) = (&config.meetings, feedback) {
            add("meeting register".into(), &m.register, None)?;
            for (src, imp) in m.sources.iter().zip(&fb.imports) {
                add(
                    format!("meeting feedback {}", src.wave.id),
                    &src.wave.file,
                    Some(imp),
                )?;
            }
        }
        let config_sha256 = sha256_hex(config_text.as_bytes());
        let fingerprint = fingerprint(&config_sha256, &schemas, &inputs, deep_dives);
        let latest = config.waves.last().map_or("run", |w| w.id.as_str());
        Ok(Provenance {
            run_id: run_id(latest, &fingerprint),
            config_path: config.path.display().to_string(),
            config_sha256,
            config_text,
            schemas,
            inputs,
        })
    }
}

/// `<latest wave>-<10 hex digits>`, with anything but letters, digits, `-` and `_` in the
/// wave id replaced so the id is a safe folder name everywhere.
fn run_id(latest_wave: &str, fingerprint: &str) -> String {
    let wave: String = latest_wave
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    format!("{wave}-{}", &sha256_hex(fingerprint.as_bytes())[..10])
}

pub struct Manifest<'a> {
    pub provenance: &'a Provenance,
    pub outputs: Vec<(String, String, usize)>,
    pub settings: Value,
    pub started: std::time::SystemTime,
    /// (stage, seconds) so far.
    pub timings: Vec<(String, f64)>,
}

/// RFC 3339 UTC time from seconds since the epoch.
pub fn utc(secs: u64) -> String {
    chrono::DateTime::from_timestamp(secs as i64, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Seconds since the epoch.
pub fn unix(t: std::time::SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Manifest<'_> {
    pub fn to_json(&self) -> String {
        let p = self.provenance;
        let seconds = self.started.elapsed().map_or(0.0, |d| d.as_secs_f64());
        let v = json!({
            "tool": { "name": env!("CARGO_PKG_NAME"), "version": env!("CARGO_PKG_VERSION") },
            "run": {
                "id": p.run_id,
                "started_utc": utc(unix(self.started)),
                "seconds": (seconds * 1000.0).round() / 1000.0,
                "stages": self.timings.iter().map(|(stage, s)| json!({
                    "stage": stage, "seconds": (s * 1000.0).round() / 1000.0
                })).collect::<Vec<_>>(),
                "peak_memory_mib": crate::timings::peak_memory_bytes()
                    .map(|b| (b as f64 / 1048576.0 * 10.0).round() / 10.0),
            },
            "config": { "path": p.config_path, "sha256": p.config_sha256, "text": p.config_text },
            "schemas": p.schemas.iter().map(|s| json!({
                "path": s.path, "id": s.id, "version": s.version, "sha256": s.sha256
            })).collect::<Vec<_>>(),
            "inputs": p.inputs.iter().map(|i| json!({
                "role": i.role, "path": i.path, "sha256": i.sha256, "bytes": i.bytes,
                "rows_in": i.rows_in, "accepted": i.accepted
            })).collect::<Vec<_>>(),
            "outputs": self.outputs.iter().map(|(p, sha, bytes)| json!({
                "path": p, "sha256": sha, "bytes": bytes
            })).collect::<Vec<_>>(),
            "settings": self.settings,
        });
        serde_json::to_string_pretty(&v).expect("serialisable") + "\n"
    }
}

/// The staff survey's schema file and, with member feedback, its schema file.
fn schema_files(config: &Config) -> Result<Vec<SchemaFile>, WriteError> {
    let mut schemas = vec![SchemaFile {
        path: config.schema_path.display().to_string(),
        id: config.schema.id.clone(),
        version: config.schema.version.clone(),
        sha256: file_sha(&config.schema_path)?.0,
    }];
    if let Some(m) = &config.meetings {
        schemas.push(SchemaFile {
            path: m.schema_path.display().to_string(),
            id: m.schema.id.clone(),
            version: m.schema.version.clone(),
            sha256: file_sha(&m.schema_path)?.0,
        });
    }
    Ok(schemas)
}

/// What the run id is a hash of: the tool, the config, the schemas, every input and the
/// deep dives asked for.
fn fingerprint(
    config_sha256: &str,
    schemas: &[SchemaFile],
    inputs: &[InputFile],
    deep_dives: &[&str],
) -> String {
    let mut fingerprint = format!(
        "{} {}\nconfig {config_sha256}\n",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION")
    );
    for s in schemas {
        fingerprint.push_str(&format!("schema {}\n", s.sha256));
    }
    for i in inputs {
        fingerprint.push_str(&format!("input {} {}\n", i.role, i.sha256));
    }
    for d in deep_dives {
        fingerprint.push_str(&format!("deep dive {d}\n"));
    }
    fingerprint
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_name_the_latest_wave_and_change_with_any_input() {
        let a = run_id("2026", "config x\ninput a 1\n");
        assert_eq!(
            a,
            run_id("2026", "config x\ninput a 1\n"),
            "same inputs, same id"
        );
        assert_ne!(a, run_id("2026", "config x\ninput a 2\n"));
        assert!(
            a.starts_with("2026-") && a.len() == "2026-".len() + 10,
            "{a}"
        );
        assert!(run_id("Oct 2026/27", "x").starts_with("Oct_2026_27-"));
    }
}
