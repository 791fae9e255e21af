//! Integration tests: the real `culture-metrics` binary on fixtures, each test in its own
//! temporary folder. A command with its own module: `inspect`, `project` (init, add-wave,
//! inspect --write), `import` (validate), `run`; the rest are by what they check across
//! commands (disclosure `hardening` and `hostile` input, `claims`, `powerbi`...), and
//! `architecture` checks the layout of `src/`. `Sandbox::expect_exit` runs the binary and
//! checks its exit code; `Sandbox::sample()` is the committed sample project.

mod architecture;
mod benchmarks;
mod charts;
mod claims;
mod comments;
mod common;
mod compare;
mod disclosure;
mod drivers;
mod hardening;
mod hostile;
mod import;
mod indicators;
mod inspect;
mod pages;
mod pbip;
mod powerbi;
mod project;
mod report;
mod run;
mod sample;
mod waves;
