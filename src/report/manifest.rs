//! `manifest.json`: what an auditor needs to reproduce a run — tool version, the config and
//! schemas (with their SHA-256), every input with its hash and row counts, every output with
//! its hash, the thresholds and settings, and when the run happened. The run time lives here
//! only: the tables themselves carry no timestamps, so reruns give byte-identical tables.

use serde_json::{Value, json};

/// One input file.
pub struct Input {
    pub role: String,
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub rows_in: Option<usize>,
    pub accepted: Option<usize>,
}

pub struct Manifest {
    pub config_path: String,
    pub config_sha256: String,
    pub config_text: String,
    pub schemas: Vec<(String, String, String, String)>,
    pub inputs: Vec<Input>,
    pub outputs: Vec<(String, String, usize)>,
    pub settings: Value,
    pub started_unix: u64,
    pub seconds: f64,
}

/// RFC 3339 UTC time from seconds since the epoch.
pub fn utc(secs: u64) -> String {
    chrono::DateTime::from_timestamp(secs as i64, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

impl Manifest {
    pub fn to_json(&self) -> String {
        let v = json!({
            "tool": { "name": env!("CARGO_PKG_NAME"), "version": env!("CARGO_PKG_VERSION") },
            "run": { "started_utc": utc(self.started_unix), "seconds": (self.seconds * 1000.0).round() / 1000.0 },
            "config": { "path": self.config_path, "sha256": self.config_sha256, "text": self.config_text },
            "schemas": self.schemas.iter().map(|(path, id, version, sha)| json!({
                "path": path, "id": id, "version": version, "sha256": sha
            })).collect::<Vec<_>>(),
            "inputs": self.inputs.iter().map(|i| json!({
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
