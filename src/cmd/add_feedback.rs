//! `culture-metrics add-feedback`: member-meeting feedback files into a project's config.

use crate::exit;
use crate::pipeline::{self, Error};
use crate::project::{self, AddFeedbackRequest};
use std::path::PathBuf;

/// Add member-meeting feedback files (paper sheets, online forms) to a project's config.
#[derive(clap::Args)]
#[command(
    after_help = "Appends a [[meetings.sources]] block for each file: its columns matched to the \
    feedback schema's questions by wording (a keyed sheet's q1, q2, … by position), the meeting \
    column found by the register's meeting ids, the date column and its format by the dates of \
    the meetings. With no [meetings] section yet, --register is needed and the section is written \
    with a copy of the bundled feedback schema. Guesses are marked CHECK; the config is changed \
    only if it still loads.\n\nExamples:\n  \
    culture-metrics add-feedback --feedback microsoft-forms-2026.xlsx      # pipeline.toml in this folder\n  \
    culture-metrics add-feedback --feedback paper-forms.xlsx online.csv --register meeting-register.csv\n  \
    culture-metrics add-feedback --config my-survey/pipeline.toml --feedback keyed-forms.csv"
)]
pub struct Args {
    /// Pipeline config; default: pipeline.toml in the current folder.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Feedback files: keyed paper forms (a sheet or CSV), online-form downloads (Microsoft
    /// Forms .xlsx or .csv).
    #[arg(long, num_args = 1.., required = true, value_name = "FILE")]
    pub feedback: Vec<PathBuf>,
    /// The meeting register, when the config has no [meetings] section yet.
    #[arg(long, value_name = "FILE")]
    pub register: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<i32, Error> {
    let config = pipeline::find_config(args.config.as_deref())?;
    let files: Vec<&std::path::Path> = args.feedback.iter().map(PathBuf::as_path).collect();
    let written = project::add_feedback(&AddFeedbackRequest {
        config: &config,
        feedback: &files,
        register: args.register.as_deref(),
    })?;
    print!("{}", written.render());
    Ok(exit::OK)
}
