//! `culture-metrics run`: the whole batch, then the run's summary and headline on stderr.

use crate::exit;
use crate::pipeline::{self, Error, RunOptions};
use std::path::PathBuf;

/// Run the whole batch: import every wave, store it, compute and protect results, write the pack.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    culture-metrics run                                   # pipeline.toml in this folder\n  \
    culture-metrics run --config sample-data/pipeline.toml   # the committed sample data\n  \
    culture-metrics run --config council/pipeline.toml\n  \
    culture-metrics run --config council/pipeline.toml --out /tmp/pack-check\n  \
    culture-metrics run --deep-dive officer_member_trust      # plus a focused report\n  \
    culture-metrics run --timings                         # where the time goes\n\n\
    Each run writes its pack to <output>/<run id>/ (output is set in the config), adds a line to \
    <output>/runs.csv, newest last, and then copies the pack to <output>/latest/, the fixed place for \
    the Power BI data source (a failed run leaves latest/ as it was). The run id is the latest wave and \
    a short hash of the config, schemas and inputs: rerunning unchanged inputs replaces that run's \
    folder, any change makes a new one.")]
pub struct Args {
    /// Pipeline config (TOML); default: pipeline.toml in the current folder.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Write the evidence pack to exactly this folder instead of a run folder under the
    /// config's `output` (runs.csv is not updated).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Import every wave again even if its export, schema and mapping are unchanged since
    /// the store recorded it.
    #[arg(long)]
    pub reimport: bool,
    /// Also write a focused report for this indicator (repeatable), e.g.
    /// `--deep-dive officer_member_trust`.
    #[arg(long, value_name = "INDICATOR")]
    pub deep_dive: Vec<String>,
    /// Print each stage's wall time and the peak memory on stderr (also in manifest.json).
    #[arg(long)]
    pub timings: bool,
}

pub fn run(args: Args, quiet: bool) -> Result<i32, Error> {
    let config = pipeline::find_config(args.config.as_deref())?;
    let summary = pipeline::run(
        &config,
        &RunOptions {
            out: args.out,
            reimport: args.reimport,
            deep_dives: args.deep_dive,
            quiet,
        },
    )?;
    if args.timings {
        eprint!("{}", summary.timings.render());
    }
    if !quiet {
        eprint!("{}", summary.report);
        if let Some(fb) = &summary.feedback {
            eprint!("Member-meeting feedback\n{fb}");
        }
        eprintln!(
            "Wrote the evidence pack to {} (run {}; {} item rows, {} indicator rows).\n\
             Start with report.html{}; tables/README.md describes every table.",
            summary.pack.display(),
            summary.run_id,
            summary.item_rows,
            summary.indicator_rows,
            summary
                .unit_reports
                .as_ref()
                .map_or_else(String::new, |(n, by)| format!(
                    "; unit-reports/ has {n} report{} by {by}",
                    if *n == 1 { "" } else { "s" }
                ))
        );
        if let Some(latest) = &summary.latest {
            eprintln!(
                "Copied to {}: point Power BI at its tables/ folder once; every run replaces it.",
                latest.display()
            );
        }
        eprint!("{}", summary.headline);
    }
    Ok(exit::OK)
}
