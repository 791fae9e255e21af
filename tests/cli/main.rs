//! Integration tests: the real `culture-metrics` binary on fixtures, one module per command
//! (xsv/qsv style). Each test runs in its own temporary folder.

mod architecture;
mod benchmarks;
mod claims;
mod comments;
mod common;
mod compare;
mod drivers;
mod hardening;
mod hostile;
mod import;
mod indicators;
mod inspect;
mod powerbi;
mod project;
mod report;
mod run;
mod sample;
mod waves;
