//! `culture-metrics validate`: every wave's rows checked, the reconciliation printed, and
//! exit 1 when more rows are rejected than tolerated.

use crate::exit;
use crate::pipeline::{self, Error, Options};
use std::path::PathBuf;

/// Check every wave's export, and every member-feedback source and the meeting register,
/// against the schema and mapping; print the reconciliation.
#[derive(clap::Args)]
#[command(
    after_help = "Exit code 0 when clean, 1 when more rows are rejected than the config's \
    tolerance.max_rejected_pct (or a file cannot be read), 2 for config mistakes.\n\nExamples:\n  \
    culture-metrics validate                              # pipeline.toml in this folder\n  \
    culture-metrics validate --config council/pipeline.toml --rejects rejected-rows.csv"
)]
pub struct Args {
    /// Pipeline config (TOML); default: pipeline.toml in the current folder.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Also write every excluded or rejected row (line, id, reason, column, value) to this CSV.
    /// For the analyst only: do not publish it.
    #[arg(long)]
    pub rejects: Option<PathBuf>,
}

pub fn run(args: Args, quiet: bool) -> Result<i32, Error> {
    let config = pipeline::find_config(args.config.as_deref())?;
    let imported = pipeline::validate(&config, Options { quiet })?;
    print!("{}", imported.report());
    // Member feedback: the register and every source, reconciled as the survey's waves are.
    let feedback = pipeline::validate_feedback(&imported.config)?;
    if let Some(text) = &feedback.report {
        print!("\n{text}");
    }
    if let Some(path) = args.rejects {
        imported.write_rejects(&path)?;
        println!("Row-by-row list written to {}", path.display());
    }
    let waves = imported.over_tolerance();
    let mut over = Vec::new();
    if !waves.is_empty() {
        over.push(format!("wave(s) {}", waves.join(", ")));
    }
    if !feedback.over.is_empty() {
        over.push(format!("feedback source(s) {}", feedback.over.join(", ")));
    }
    if over.is_empty() {
        println!("OK: every row is accounted for and rejections are within tolerance.");
        Ok(exit::OK)
    } else {
        println!(
            "DATA REJECTED: {} are over the tolerance of {}% rejected rows.",
            over.join("; "),
            imported.config.max_rejected_pct
        );
        Ok(exit::DATA)
    }
}
