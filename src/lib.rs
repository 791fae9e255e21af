//! culture-metrics: staff-survey exports and member-meeting feedback → a published,
//! disclosure-controlled evidence pack.
//!
//! The modules are layers, each importing only from those below it (`docs/architecture.md`;
//! `tests/cli/architecture.rs` checks it):
//! base (`ids`, `calendar`, `stats`, `file_errors`, `fault`, `timings`, `exit`) → `schema` →
//! `config` → `responses` → `import` → `store` → `indicators`, `weighting`, `drivers` →
//! `disclosure` → `compare`, `meetings` → `report` → `audit` → `pipeline`, `project`, `synth`
//! → `cmd` (one file per command). `main.rs` only parses arguments and prints errors.

pub mod audit;
pub mod calendar;
pub mod cmd;
pub mod compare;
pub mod config;
pub mod disclosure;
pub mod drivers;
pub mod exit;
pub mod fault;
pub mod file_errors;
pub mod ids;
pub mod import;
pub mod indicators;
pub mod meetings;
pub mod pipeline;
pub mod project;
pub mod report;
pub mod responses;
pub mod schema;
pub mod stats;
pub mod store;
pub mod synth;
pub mod timings;
pub mod weighting;
