//! Finding a project's config, and the pack `audit` reads.

use super::Error;
use crate::config::{self, Config};
use crate::{file_errors, report};
use std::path::{Path, PathBuf};

/// The config a command uses: the one given with `--config`, else `pipeline.toml` in the
/// current folder. Never the sample's: a forgotten flag must not quietly run the sample.
pub fn find_config(given: Option<&Path>) -> Result<PathBuf, Error> {
    if let Some(p) = given {
        return Ok(p.to_path_buf());
    }
    let here = Path::new(config::files::CONFIG_FILE);
    if here.is_file() {
        return Ok(here.to_path_buf());
    }
    Err(Error::Usage(format!(
        "no pipeline config: --config was not given and there is no {file} in this folder ({folder}).\n  \
         How to fix: start a project from your survey export with\n    \
         culture-metrics init my-survey --export path/to/export.csv\n  \
         then run the commands from the folder it makes, or give the config: `--config my-survey/{file}`.\n  \
         To try the committed sample: `culture-metrics run --config sample-data/{file}`.",
        file = config::files::CONFIG_FILE,
        folder = file_errors::folder_of(here),
    )))
}

/// The thresholds `audit` checks against, from the config (staff survey, meeting feedback);
/// `None` when the config cannot be read (a pack received on its own).
pub fn audit_thresholds(config_path: &Path) -> Option<(u32, Option<u32>)> {
    Config::load(config_path).ok().map(|c| {
        (
            c.anonymity_threshold,
            c.meetings.as_ref().map(|m| m.threshold),
        )
    })
}

/// The pack Power BI reads in an output folder, `<output>/latest/`, or else the newest run
/// `runs.csv` records there.
pub fn latest_pack_in(output: &Path) -> Option<PathBuf> {
    Some(output.join(report::LATEST))
        .filter(|p| p.join("manifest.json").is_file())
        .or_else(|| report::latest_run(output))
}

/// The pack Power BI reads, `<output>/latest/`, or else the newest run recorded in the
/// config's output folder (for `audit` without a folder).
pub fn latest_pack(config_path: &Path) -> Result<PathBuf, Error> {
    let config = Config::load(config_path)?;
    latest_pack_in(&config.output)
        .filter(|p| p.is_dir())
        .ok_or_else(|| {
            Error::Usage(format!(
                "no evidence pack found: {} lists no run whose folder exists.\n  How to fix: run \
                 `culture-metrics run --config {}` first, or give the pack folder: \
                 `culture-metrics audit <folder>`.",
                config.output.join(report::RUNS_FILE).display(),
                config_path.display()
            ))
        })
}
