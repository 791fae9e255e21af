//! The commands, one file each: its arguments (with the help text's examples) and `run`,
//! which calls the pipeline, decides what to print and returns the exit code. `main.rs` parses
//! the command line into [`Cli`] and calls [`execute`].

mod add_feedback;
mod add_wave;
mod audit;
mod completions;
mod generate;
mod init;
mod inspect;
mod run;
mod validate;

use crate::pipeline::Error;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "culture-metrics",
    version,
    about = "Staff-survey exports and member-meeting feedback -> a published, disclosure-controlled evidence pack",
    after_help = "First use with a vendor export:\n  \
        culture-metrics init my-survey --export export-2025.csv   # a project folder with a pipeline.toml\n  \
        cd my-survey\n  \
        culture-metrics validate                                  # check every row\n  \
        culture-metrics run                                       # write the evidence pack\n  \
        culture-metrics add-wave --export ../export-2026.csv      # next year's survey\n  \
        culture-metrics add-feedback --feedback ../forms.xlsx --register ../meeting-register.csv\n\n\
        Commands read pipeline.toml in the current folder unless --config names another.\n\
        Exit codes: 0 ok, 1 data rejected, 2 usage or config error, 3 outputs could not be written."
)]
pub struct Cli {
    /// No progress bars or summaries on stderr (errors are still printed).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// More log detail on stderr (-v info, -vv debug).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    Run(run::Args),
    Validate(validate::Args),
    Inspect(inspect::Args),
    Init(init::Args),
    AddWave(add_wave::Args),
    AddFeedback(add_feedback::Args),
    Completions(completions::Args),
    Audit(audit::Args),
    Generate(generate::Args),
}

/// Run a parsed command: its exit code, or the error that stopped it.
pub fn execute(command: Command, quiet: bool) -> Result<i32, Error> {
    match command {
        Command::Run(args) => run::run(args, quiet),
        Command::Validate(args) => validate::run(args, quiet),
        Command::Inspect(args) => inspect::run(args),
        Command::Init(args) => init::run(args),
        Command::AddWave(args) => add_wave::run(args),
        Command::AddFeedback(args) => add_feedback::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Generate(args) => generate::run(args, quiet),
    }
}
