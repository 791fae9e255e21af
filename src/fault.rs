//! Fault points for crash tests: `CULTURE_METRICS_FAULT=<name>` makes the process abort (as
//! `kill -9` would stop it) when it reaches the point of that name, so a test can stop a run
//! at each rename and check what it leaves. Unset, a point costs one cached lookup.

use std::sync::OnceLock;

/// The environment variable naming the point to stop at.
pub const VAR: &str = "CULTURE_METRICS_FAULT";

/// Stop the process here if the fault variable names this point.
pub fn point(name: &str) {
    static CHOSEN: OnceLock<Option<String>> = OnceLock::new();
    if CHOSEN.get_or_init(|| std::env::var(VAR).ok()).as_deref() == Some(name) {
        std::process::abort();
    }
}
