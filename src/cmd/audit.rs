//! `culture-metrics audit`: an independent check of a written pack; exit 1 when it fails.

use crate::exit;
use crate::pipeline::{self, Error};
use std::path::PathBuf;

/// Check a written evidence pack: no published figure on fewer than the threshold, no hidden
/// figure recoverable by differencing. Reads only the pack's tables.
#[derive(clap::Args)]
#[command(
    after_help = "Exit code 0 when the pack passes, 1 when it fails, 2 when it cannot be read.\n\nExamples:\n  \
    culture-metrics audit                                     # the latest run of pipeline.toml here\n  \
    culture-metrics audit --config council/pipeline.toml      # the latest run of that config\n  \
    culture-metrics audit received-pack --threshold 10"
)]
pub struct Args {
    /// The pack folder (the one holding `tables/`), or an output folder (its newest run);
    /// default: the newest run in the config's output folder (runs.csv).
    pub dir: Option<PathBuf>,
    /// Pipeline config whose latest run to audit when no folder is given; default:
    /// pipeline.toml in the current folder.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Threshold to check against (default: the config's anonymity_threshold; for a pack
    /// with no config at hand, the one the run recorded in disclosure.json).
    #[arg(long)]
    pub threshold: Option<u32>,
}

pub fn run(args: Args) -> Result<i32, Error> {
    // The config, when there is one (given, or in this folder): the pack to audit when no
    // folder is named, and the thresholds.
    let config = pipeline::find_config(args.config.as_deref());
    let dir = match args.dir {
        // An output folder rather than a pack: its newest run.
        Some(d) if !d.join("tables").is_dir() => pipeline::latest_pack_in(&d).unwrap_or(d),
        Some(d) => d,
        None => match config {
            Ok(ref c) => pipeline::latest_pack(c)?,
            Err(e) => return Err(e),
        },
    };
    let thresholds = config.ok().and_then(|c| pipeline::audit_thresholds(&c));
    let report = crate::audit::audit_with(&dir, args.threshold, thresholds)?;
    print!("{}", report.render(&dir));
    Ok(if report.passed() {
        exit::OK
    } else {
        exit::DATA
    })
}
