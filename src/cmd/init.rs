//! `culture-metrics init`: a project folder with a commented pipeline.toml for a first export.

use crate::exit;
use crate::pipeline::Error;
use crate::project::{self, InitRequest};
use std::path::PathBuf;

/// Start a project: a folder with a commented pipeline.toml for your first survey export.
#[derive(clap::Args)]
#[command(
    after_help = "Reads the export as `inspect` does, matches its columns to the schema's \
    questions by wording, and writes FOLDER/pipeline.toml (with a copy of the bundled staff-survey \
    schema unless --schema names another). With --feedback and --register, it also writes the \
    [meetings] section for member-meeting feedback (and a copy of the bundled feedback schema). \
    Lines marked CHECK are guesses to check; the config \
    loads as written.\n\nExamples:\n  \
    culture-metrics init my-survey --export staff-survey-2025.csv\n  \
    culture-metrics init my-survey --export C:\\Users\\me\\Downloads\\export.csv --headcount hr-2025.csv\n  \
    culture-metrics init council --export export.csv --schema our-schema.toml --copy-schema\n  \
    culture-metrics init my-survey --export qualtrics-export.xlsx --headcount hr-headcount.xlsx\n  \
    culture-metrics init my-survey --export agency-data.sav\n  \
    culture-metrics init my-survey --export export-2026.csv --fieldwork 2026-10-05..2026-10-30\n  \
    culture-metrics init my-survey --export export-2025.csv --feedback paper-forms.xlsx \
    microsoft-forms.xlsx --register meeting-register.csv"
)]
pub struct Args {
    /// The project folder to create (or an empty one).
    pub folder: PathBuf,
    /// The survey export: CSV or other delimited text, an Excel/OpenDocument workbook, or an
    /// SPSS data file (.sav, .zsav).
    #[arg(long)]
    pub export: PathBuf,
    /// Survey schema; default: the bundled staff-survey schema, copied into the folder.
    #[arg(long)]
    pub schema: Option<PathBuf>,
    /// Copy --schema into the folder instead of pointing at it.
    #[arg(long, requires = "schema")]
    pub copy_schema: bool,
    /// HR headcount by group for this wave (response rates, finite population correction).
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
    /// Member-meeting feedback files: keyed paper forms (a sheet or CSV) and online-form
    /// downloads (Microsoft Forms .xlsx or .csv). Writes the [meetings] section.
    #[arg(long, num_args = 1.., value_name = "FILE", requires = "register")]
    pub feedback: Vec<PathBuf>,
    /// The meeting register (meeting_id, committee, date, members_attending, other_speakers),
    /// with --feedback.
    #[arg(long, value_name = "FILE", requires = "feedback")]
    pub register: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<i32, Error> {
    let written = project::init(&InitRequest {
        folder: &args.folder,
        export: &args.export,
        schema: args.schema.as_deref(),
        copy_schema: args.copy_schema,
        headcount: args.headcount.as_deref(),
        id: args.id.as_deref(),
        fieldwork: args.fieldwork,
        feedback: &args
            .feedback
            .iter()
            .map(PathBuf::as_path)
            .collect::<Vec<_>>(),
        register: args.register.as_deref(),
    })?;
    print!("{}", written.render("Wrote"));
    Ok(exit::OK)
}
