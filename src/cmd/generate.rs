//! `culture-metrics generate`: a synthetic council's exports (the committed sample) or the
//! national benchmark workload, seeded and deterministic.

use crate::exit;
use crate::pipeline::Error;
use crate::synth;
use std::path::PathBuf;

/// Generate a synthetic council's exports (seeded, deterministic): the committed sample
/// data, or bigger inputs for benchmarks.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    culture-metrics generate --out sample-data            # re-create the committed sample\n  \
    culture-metrics generate --out /tmp/big --staff 1000000\n  \
    culture-metrics generate --out /tmp/national --workload 1000000   # the benchmark workload\n  \
    culture-metrics generate --out /tmp/group --workload 20000 --organisations 12   # several organisations in one export")]
pub struct Args {
    /// Folder to write the exports, headcount files and pipeline.toml into.
    #[arg(long)]
    pub out: PathBuf,
    /// Staff in post (about half respond).
    #[arg(long, default_value_t = synth::DEFAULT_STAFF)]
    pub staff: u32,
    /// Random seed: the same seed gives byte-identical files.
    #[arg(long, default_value_t = synth::DEFAULT_SEED)]
    pub seed: u64,
    /// Instead of the council sample, write the national-scale benchmark workload: two
    /// plain-CSV waves of N respondents, 60 items, 8 demographic fields, schema and config.
    #[arg(long, value_name = "N", conflicts_with = "staff")]
    pub workload: Option<u32>,
    /// With --workload: one export holding this many organisations (an `organisation`
    /// column), compared with the Civil Service medians and with each other.
    #[arg(long, value_name = "K", requires = "workload", default_value_t = 0,
          value_parser = clap::value_parser!(u16).range(0..=99))]
    pub organisations: u16,
}

pub fn run(args: Args, quiet: bool) -> Result<i32, Error> {
    let written = match args.workload {
        Some(n) => {
            synth::workload::generate(&args.out, n, args.seed, usize::from(args.organisations))
        }
        None => synth::generate(&args.out, args.staff, args.seed),
    }
    .map_err(Error::Output)?;
    if !quiet {
        for f in written {
            eprintln!("wrote {}", f.display());
        }
    }
    Ok(exit::OK)
}
