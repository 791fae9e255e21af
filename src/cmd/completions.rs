//! `culture-metrics completions`: a shell completion script on stdout.

use crate::exit;
use crate::pipeline::Error;

/// Print a shell completion script (bash, zsh, fish, powershell, elvish).
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    culture-metrics completions bash > ~/.local/share/bash-completion/completions/culture-metrics\n  \
    culture-metrics completions zsh > ~/.zfunc/_culture-metrics\n  \
    culture-metrics completions powershell >> $PROFILE")]
pub struct Args {
    /// The shell.
    pub shell: clap_complete::Shell,
}

pub fn run(args: Args) -> Result<i32, Error> {
    use clap::CommandFactory;
    clap_complete::generate(
        args.shell,
        &mut super::Cli::command(),
        "culture-metrics",
        &mut std::io::stdout(),
    );
    Ok(exit::OK)
}
