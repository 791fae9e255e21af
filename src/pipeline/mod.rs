//! The pipeline: the stages in the data's order, from a config to a written pack.
//!
//! `imported` loads the config and imports every wave (all `validate` does); `run` goes on:
//! the waves' codes are stored and counted (`count`), weighted, protected by disclosure
//! control, compared, joined by member feedback and written (`run`); `comments` turns coded
//! comments into theme counts and the quotes page; `locate` finds a project's config and packs.
//! The commands in `cmd/` call these and decide what to print and which exit code to give.

mod comments;
mod count;
mod error;
mod imported;
mod locate;
mod run;

pub use error::Error;
pub use imported::{FeedbackCheck, Imported, Reuse, import_config, validate, validate_feedback};
pub use locate::{audit_thresholds, find_config, latest_pack, latest_pack_in};
pub use run::{RunOptions, RunSummary, run};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Settings shared by every command.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// No progress bars and no summaries on stderr.
    pub quiet: bool,
}

impl Options {
    fn progress(&self, len: u64, what: &str) -> ProgressBar {
        let target = if self.quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let pb = ProgressBar::with_draw_target(Some(len), target);
        pb.set_style(
            ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {msg}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        pb.set_prefix(what.to_string());
        pb
    }
}
