//! Where a project keeps its files: the config's own name and the store's record of each
//! wave's import.

use std::path::{Path, PathBuf};

/// The config file `init` writes and every command looks for in the current folder.
pub const CONFIG_FILE: &str = "pipeline.toml";

/// The store's record of a wave's import (fingerprint, rejects, row accounting).
pub fn record_path(store: &Path, wave: &str) -> PathBuf {
    store.join(format!("{wave}.import.json"))
}
