//! Everything that can stop a command, and the exit code each maps to.

use crate::config::ConfigError;
use crate::exit;
use crate::import::{self, ImportError, headcount};
use crate::{audit, meetings, report, store, weighting};

/// Everything that can stop a command, with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Import(#[from] ImportError),
    #[error("{0}")]
    Headcount(#[from] headcount::HeadcountError),
    #[error("{0}")]
    Benchmark(#[from] import::benchmarks::BenchmarkError),
    #[error("{0}")]
    CommentCodes(#[from] import::comment_codes::CommentCodesError),
    #[error(
        "{report}Data rejected: wave(s) {waves} rejected more rows than the tolerance of {tolerance}% \
         (tolerance.max_rejected_pct in the config). Nothing was written.\n  How to fix: read the reasons above; \
         run `culture-metrics validate --rejects rejects.csv` for the row-by-row list."
    )]
    TooManyRejected {
        report: String,
        waves: String,
        tolerance: f64,
    },
    #[error("{0}")]
    Store(#[from] store::StoreError),
    #[error("computing results: {0}")]
    Compute(#[from] polars::prelude::PolarsError),
    #[error("{0}")]
    Output(#[from] report::WriteError),
    #[error("{0}")]
    Audit(#[from] audit::AuditError),
    #[error("{0}")]
    Register(#[from] meetings::register::RegisterError),
    #[error("{0}")]
    Weighting(#[from] weighting::WeightingError),
    #[error("{0}")]
    Feedback(#[from] meetings::FeedbackError),
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config(_) | Error::Usage(_) | Error::Audit(_) => exit::USAGE,
            Error::Import(e) if e.is_config_error() => exit::USAGE,
            Error::Import(_)
            | Error::Headcount(_)
            | Error::Benchmark(_)
            | Error::CommentCodes(_)
            | Error::Register(_)
            | Error::Weighting(_)
            | Error::TooManyRejected { .. } => exit::DATA,
            Error::Store(_) | Error::Compute(_) | Error::Output(_) => exit::OUTPUT,
            Error::Feedback(meetings::FeedbackError::Import(e)) if e.is_config_error() => {
                exit::USAGE
            }
            Error::Feedback(meetings::FeedbackError::Compute(_)) => exit::OUTPUT,
            Error::Feedback(_) => exit::DATA,
        }
    }
}
