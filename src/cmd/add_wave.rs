//! `culture-metrics add-wave`: next year's export into a project's config as a new wave.

use crate::exit;
use crate::pipeline::{self, Error};
use crate::project::{self, AddWaveRequest};
use std::path::PathBuf;

/// Add next year's export to a project's config as a new wave.
#[derive(clap::Args)]
#[command(
    after_help = "Appends a [[waves]] block for the export, matched to the schema's questions \
    by wording, with guesses marked CHECK. The config is changed only if it still loads with the \
    new wave.\n\nExamples:\n  \
    culture-metrics add-wave --export staff-survey-2026.csv            # pipeline.toml in this folder\n  \
    culture-metrics add-wave --config my-survey/pipeline.toml --export export.csv --headcount hr-2026.csv\n  \
    culture-metrics add-wave --export surveymonkey-2026.xlsx --headcount hr-headcount.xlsx\n  \
    culture-metrics add-wave --export agency-2027.sav --fieldwork 2027-10-04..2027-10-29"
)]
pub struct Args {
    /// Pipeline config; default: pipeline.toml in the current folder.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// The new wave's survey export.
    #[arg(long)]
    pub export: PathBuf,
    /// HR headcount by group for this wave.
    #[arg(long)]
    pub headcount: Option<PathBuf>,
    /// The wave's id (default: the year of its responses).
    #[arg(long)]
    pub id: Option<String>,
    /// The first and last day the survey was open, e.g. 2026-10-05..2026-10-30 (default: the
    /// export's first and last response, marked CHECK). Needed when every date reads both as
    /// day/month and as month/day.
    #[arg(long, value_name = "START..END", value_parser = project::parse_fieldwork)]
    pub fieldwork: Option<project::Fieldwork>,
}

pub fn run(args: Args) -> Result<i32, Error> {
    let config = pipeline::find_config(args.config.as_deref())?;
    let written = project::add_wave(&AddWaveRequest {
        config: &config,
        export: &args.export,
        headcount: args.headcount.as_deref(),
        id: args.id.as_deref(),
        fieldwork: args.fieldwork,
    })?;
    print!("{}", written.render("Added a wave to"));
    Ok(exit::OK)
}
