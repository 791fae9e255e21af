//! culture-metrics: staff-survey exports and member-meeting feedback → a published,
//! disclosure-controlled evidence pack.
//!
//! The pipeline follows the data, one module per stage:
//! `schema → import → store → indicators → disclosure → compare → report`, with `stats` as
//! the shared toolbox, `meetings` for member-meeting feedback, `config` for the analyst's
//! pipeline settings and `synth` for the seeded sample-data generator.
//! This file holds the pipeline itself; `main.rs` only parses arguments and prints errors.

pub mod audit;
pub mod calendar;
pub mod compare;
pub mod config;
pub mod disclosure;
pub mod drivers;
pub mod fault;
pub mod ids;
pub mod import;
pub mod indicators;
pub mod meetings;
pub mod file_errors;
pub mod project;
pub mod report;
pub mod responses;
pub mod schema;
pub mod stats;
pub mod store;
pub mod synth;
pub mod timings;
pub mod weighting;

use config::{Config, ConfigError};
use import::{ImportError, WaveImport, headcount};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};


/// Exit codes, documented in the README.
pub mod exit {
    pub const OK: i32 = 0;
    /// Data rejected: a file cannot be imported, or more rows were rejected than tolerated.
    pub const DATA: i32 = 1;
    /// Usage or config error: bad arguments, config or schema, a missing file, a wrong mapping.
    pub const USAGE: i32 = 2;
    /// The outputs could not be written (disk full, permissions).
    pub const OUTPUT: i32 = 3;
}

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

/// The result of importing every wave of a config.
pub struct Imported {
    pub config: Config,
    pub waves: Vec<WaveImport>,
    pub headcounts: Vec<Option<headcount::Headcount>>,
    /// External benchmark values (`[benchmarks] files`), checked against the schema.
    pub benchmarks: import::benchmarks::Benchmarks,
    /// Each wave's coded comments (`comment_codes`), checked against the schema's themes.
    pub comment_codes: Vec<Option<import::comment_codes::CommentCodes>>,
    /// A run's hold on its output and store folders (none for `validate`, which writes
    /// neither): taken before the store is read, released when the run ends.
    pub locks: Vec<report::OutputLock>,
}

impl Imported {
    /// Waves whose defective rows exceed the config's tolerance.
    pub fn over_tolerance(&self) -> Vec<&str> {
        self.waves
            .iter()
            .filter(|w| w.rejected_pct() > self.config.max_rejected_pct)
            .map(|w| w.wave.as_str())
            .collect()
    }

    /// The reconciliation as text, with response rates where a headcount is known.
    pub fn report(&self) -> String {
        let mut s = import::reconcile::render_text(
            &self.waves,
            self.config.max_rejected_pct,
            import::reconcile::Imports::SurveyWaves,
        );
        for (w, hc) in self.waves.iter().zip(&self.headcounts) {
            if let Some(hc) = hc {
                let total = hc.total();
                s.push_str(&format!(
                    "Wave {}: {} accepted responses of {} staff in post ({:.1}% response rate)\n",
                    w.wave,
                    w.accepted(),
                    total,
                    if total > 0 {
                        100.0 * w.accepted() as f64 / total as f64
                    } else {
                        0.0
                    }
                ));
            }
        }
        s
    }

    /// Write the row-by-row list of excluded and rejected rows (for the analyst; not for
    /// publication).
    pub fn write_rejects(&self, path: &Path) -> Result<(), Error> {
        let mut w = csv::Writer::from_path(path).map_err(|e| report::WriteError {
            path: path.to_path_buf(),
            source: std::io::Error::other(e),
        })?;
        let err = |e: csv::Error| report::WriteError {
            path: path.to_path_buf(),
            source: std::io::Error::other(e),
        };
        w.write_record([
            "wave",
            "file",
            "line",
            "response_id",
            "outcome",
            "reason",
            "column",
            "value",
            "detail",
        ])
        .map_err(err)?;
        for wave in &self.waves {
            let file = wave
                .file
                .file_name()
                .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
            for r in &wave.rows {
                // Analysts open this file in Excel: values from the export that look like
                // formulas (`=HYPERLINK(...)`) are written as text, as in the pack's tables.
                let defuse = report::tables::defuse;
                w.write_record([
                    defuse(wave.wave.as_str()).as_ref(),
                    &defuse(&file),
                    &r.line.to_string(),
                    &defuse(&r.response_id),
                    r.reason.outcome().as_str(),
                    r.reason.code(),
                    &defuse(r.column.as_deref().unwrap_or("")),
                    &defuse(r.value.as_deref().unwrap_or("")),
                    &defuse(&r.detail),
                ])
                .map_err(err)?;
            }
        }
        w.flush().map_err(|e| report::WriteError {
            path: path.to_path_buf(),
            source: e,
        })?;
        Ok(())
    }
}

/// Which waves the store may stand in for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// `run`: a wave whose export, schema and mapping are unchanged since the store recorded it
    /// is not imported again, and a wave whose export was archived is read from the store.
    Stored,
    /// `validate`: every export there is read; an archived one's recorded import is reported.
    ArchivedOnly,
    /// `run --reimport`: every export is read; a missing one is an error.
    Nothing,
}

/// Load the config and import every wave (no outputs written). With `Reuse::Stored`, a wave
/// whose export, schema and mapping are unchanged since the store recorded it is not imported
/// again: its recorded reconciliation is used and the store already holds its responses.
pub fn import_config(config_path: &Path, opts: Options, reuse: Reuse) -> Result<Imported, Error> {
    import_timed(
        config_path,
        opts,
        reuse,
        false,
        &timings::Timings::default(),
    )
}

fn import_timed(
    config_path: &Path,
    opts: Options,
    reuse: Reuse,
    lock: bool,
    timings: &timings::Timings,
) -> Result<Imported, Error> {
    let config = timings.time("load config and schemas", || Config::load(config_path))?;
    let mut locks = Vec::new();
    if lock {
        locks.push(report::OutputLock::acquire(&config.output)?);
        if !config.store.starts_with(&config.output) {
            locks.push(report::OutputLock::acquire(&config.store)?);
        }
    }
    let pb = opts.progress(config.waves.len() as u64, "importing");
    // Waves are imported in parallel (each on its own core); results keep the config's order.
    let import_one = |w: &config::Wave| -> Result<WaveImport, Error> {
        if !w.file.is_file() {
            // An archived export: the store's copy stands in when it is what importing the
            // export with today's schema and mapping would give.
            let missing = file_errors::not_found("export", &w.file);
            if reuse == Reuse::Nothing {
                return Err(Error::Usage(format!(
                    "wave {}: {missing}, and --reimport imports every export again from its file.\n  \
                     How to fix: put the export back, or run without --reimport to use the copy of \
                     wave {} that the store holds.",
                    w.id, w.id
                )));
            }
            return match store::archived_import(&config.store, &config.schema_path, w) {
                Some(wave) => {
                    tracing::info!(wave = %w.id, "export archived; using the store's copy");
                    pb.inc(1);
                    Ok(wave)
                }
                None => Err(Error::Usage(format!(
                    "wave {}: {missing}. The store holds wave {}, but imported with a different \
                     schema, mapping or export (or by an older version of this program), or its files \
                     have changed since, so it cannot stand in for the file.\n  How to fix: put the export back and run again; once the \
                     store holds the wave, the export can be archived.",
                    w.id, w.id
                ))),
            };
        }
        let fingerprint = timings.time("fingerprint exports", || {
            store::fingerprint(&config.schema_path, w)
        })?;
        let cached = (reuse == Reuse::Stored)
            .then(|| store::cached_import(&config.store, &w.id, &fingerprint.import))
            .flatten();
        let mut wave = match cached {
            Some(c) => {
                tracing::info!(wave = %w.id, "unchanged since it was stored; not imported again");
                c
            }
            None => {
                tracing::info!(wave = %w.id, file = %w.file.display(), "importing");
                let mut imported =
                    timings.time("import", || import::import_wave(&config.schema, w))?;
                imported.fingerprint = fingerprint.import.clone();
                imported
            }
        };
        wave.file_sha256 = Some((fingerprint.file_sha256, fingerprint.file_bytes));
        pb.inc(1);
        Ok(wave)
    };
    use rayon::prelude::*;
    // Collected in order first, so that with several bad waves the first is the one reported.
    let results: Vec<Result<WaveImport, Error>> = config.waves.par_iter().map(import_one).collect();
    let waves: Vec<WaveImport> = results.into_iter().collect::<Result<_, _>>()?;
    let mut headcounts = Vec::with_capacity(config.waves.len());
    for w in &config.waves {
        headcounts.push(match &w.headcount {
            Some(p) => Some(headcount::load(p, &config.schema)?),
            None => None,
        });
    }
    let benchmarks = match &config.benchmarks {
        Some(b) if !b.files.is_empty() => import::benchmarks::load(&b.files, &config.schema)?,
        _ => Default::default(),
    };
    let mut comment_codes = Vec::with_capacity(config.waves.len());
    for w in &config.waves {
        comment_codes.push(match &w.comment_codes {
            Some(p) => Some(import::comment_codes::load(p, &config.schema)?),
            None => None,
        });
    }
    pb.finish_and_clear();
    Ok(Imported {
        config,
        waves,
        headcounts,
        benchmarks,
        comment_codes,
        locks,
    })
}

/// `validate`: import checks only. Always reads the exports themselves (an archived export's
/// wave is reported as the store recorded it).
pub fn validate(config_path: &Path, opts: Options) -> Result<Imported, Error> {
    import_config(config_path, opts, Reuse::ArchivedOnly)
}

/// The config a command uses: the one given with `--config`, else `pipeline.toml` in the
/// current folder. Never the sample's: a forgotten flag must not quietly run the sample.
pub fn find_config(given: Option<&Path>) -> Result<PathBuf, Error> {
    if let Some(p) = given {
        return Ok(p.to_path_buf());
    }
    let here = Path::new(config::files::CONFIG_FILE);
    if here.is_file() {
        return Ok(here.to_path_buf());
    }
    Err(Error::Usage(format!(
        "no pipeline config: --config was not given and there is no {file} in this folder ({folder}).\n  \
         How to fix: start a project from your survey export with\n    \
         culture-metrics init my-survey --export path/to/export.csv\n  \
         then run the commands from the folder it makes, or give the config: `--config my-survey/{file}`.\n  \
         To try the committed sample: `culture-metrics run --config sample-data/{file}`.",
        file = config::files::CONFIG_FILE,
        folder = file_errors::folder_of(here),
    )))
}

/// The thresholds `audit` checks against, from the config (staff survey, meeting feedback);
/// `None` when the config cannot be read (a pack received on its own).
pub fn audit_thresholds(config_path: &Path) -> Option<(u32, Option<u32>)> {
    Config::load(config_path).ok().map(|c| {
        (
            c.anonymity_threshold,
            c.meetings.as_ref().map(|m| m.threshold),
        )
    })
}

/// The pack Power BI reads in an output folder, `<output>/latest/`, or else the newest run
/// `runs.csv` records there.
pub fn latest_pack_in(output: &Path) -> Option<PathBuf> {
    Some(output.join(report::LATEST))
        .filter(|p| p.join("manifest.json").is_file())
        .or_else(|| report::latest_run(output))
}

/// The pack Power BI reads, `<output>/latest/`, or else the newest run recorded in the
/// config's output folder (for `audit` without a folder).
pub fn latest_pack(config_path: &Path) -> Result<PathBuf, Error> {
    let config = Config::load(config_path)?;
    latest_pack_in(&config.output)
        .filter(|p| p.is_dir())
        .ok_or_else(|| {
            Error::Usage(format!(
                "no evidence pack found: {} lists no run whose folder exists.\n  How to fix: run \
                 `culture-metrics run --config {}` first, or give the pack folder: \
                 `culture-metrics audit <folder>`.",
                config.output.join(report::RUNS_FILE).display(),
                config_path.display()
            ))
        })
}

/// What `run` produced.
pub struct RunSummary {
    pub pack: PathBuf,
    /// `<output>/latest/`, replaced by this run (`None` with `--out`).
    pub latest: Option<PathBuf>,
    /// The run's id: its folder name under the config's output.
    pub run_id: String,
    pub report: String,
    pub item_rows: usize,
    pub indicator_rows: usize,
    /// Meeting-feedback reconciliation and SPC signals, when configured.
    pub feedback: Option<String>,
    /// The latest wave's headline indicators and their changes, for the terminal.
    pub headline: String,
    /// Where the time went.
    pub timings: timings::Timings,
}

/// `run`: the whole batch. Imports, stores, computes, protects and writes the pack.
pub fn run(config_path: &Path, out: Option<&Path>, opts: Options) -> Result<RunSummary, Error> {
    run_with(config_path, out, opts, true, &[])
}

/// `run`, choosing whether waves already in the store may be reused (`--reimport` says no).
pub fn run_with(
    config_path: &Path,
    out: Option<&Path>,
    opts: Options,
    reuse_store: bool,
    deep_dives: &[String],
) -> Result<RunSummary, Error> {
    let started = std::time::SystemTime::now();
    let timings = timings::Timings::default();
    let reuse = if reuse_store {
        Reuse::Stored
    } else {
        Reuse::Nothing
    };
    let mut imported = import_timed(config_path, opts, reuse, true, &timings)?;
    let dives = deep_dive_indicators(&imported.config, deep_dives)?;
    let over = imported.over_tolerance();
    if !over.is_empty() {
        return Err(Error::TooManyRejected {
            report: imported.report(),
            waves: over.join(", "),
            tolerance: imported.config.max_rejected_pct,
        });
    }
    let codes = wave_codes(&mut imported, &timings)?;
    let imported = imported;
    let config = &imported.config;
    let schema = &config.schema;
    let weights = timings.time("weighting", || weigh_waves(&imported, &codes))?;

    // Fresh waves go to the store (later runs and years read their codes) while they are
    // counted; the run stops before any pack is written if the store cannot be written.
    let breakdowns = breakdowns(config);
    let counted = std::thread::scope(|scope| {
        let writer = scope.spawn(|| store_fresh_waves(&imported, &codes, &timings));
        let counted = count_waves(&imported, &codes, &weights, &breakdowns, opts, &timings);
        let stored = writer
            .join()
            .unwrap_or_else(|_| Err(Error::Usage("the store writer stopped unexpectedly".into())));
        stored.map(|()| counted)
    })?;
    let Counted {
        items,
        indicators: inds,
        responses,
        workforce,
        respondents,
    } = counted;

    // Key drivers of the latest wave (association, not cause), for groups large enough.
    let drivers = timings.time("key drivers", || {
        match (config.waves.last(), codes.last()) {
            (Some(w), Some(r)) => drivers::analyse(
                schema,
                &config.drivers,
                &ids::WaveId::new(w.id.as_str()),
                r,
                &breakdowns,
            ),
            _ => Vec::new(),
        }
    });

    // Comment themes: each wave's coded comments, counted by group.
    let theme_cells = timings.time("comment themes", || {
        comment_theme_cells(config, &imported.comment_codes, &codes, &breakdowns)
    })?;

    // Disclosure control, before any writer.
    let mut tables = timings.time("disclosure control", || {
        disclosure::protect(
            schema,
            items,
            inds,
            responses,
            &respondents,
            disclosure::Rules {
                k: config.anonymity_threshold,
                min_for_breakdowns: disclosure::MIN_RESPONDENTS_FOR_BREAKDOWNS,
                attribute_below: config.attribute_disclosure.below(),
                linear_attack: true,
                reasons: true,
                hide_last: None,
                answers: disclosure::Answers::Each,
            },
        )
    });

    tables.protect_headcounts(
        &|w, b, g| workforce.get(w).and_then(|hr| hr.of(b, g)),
        config.anonymity_threshold,
    );
    tables.protect_themes(
        theme_cells,
        &respondents,
        config.anonymity_threshold,
        disclosure::MIN_RESPONDENTS_FOR_BREAKDOWNS,
    );
    tables.protect_drivers(
        drivers,
        config.anonymity_threshold,
        config.drivers.min_respondents,
    );
    let tables = tables;

    // The opt-in quotes file: redacted comments from groups whose theme counts are published.
    let quotes = match &config.quotes {
        Some(q) => comment_quotes(config, q, &imported.comment_codes, &codes, &tables)?,
        None => None,
    };

    // Compare: the latest wave with the previous one and the baseline, published cells only.
    let wave_ids: Vec<ids::WaveId> = config
        .waves
        .iter()
        .map(|w| ids::WaveId::new(w.id.as_str()))
        .collect();
    let pairs = compare::pairs(&wave_ids, &config.baseline);
    let deltas = timings.time("compare waves", || {
        compare::deltas(schema, &pairs, &tables.items, &tables.indicators)
    });
    // Benchmarks: the latest wave's published figures against external values and, for a
    // multi-organisation export, the median of the organisations.
    let benchmarks = timings.time("benchmarks", || {
        match (config.waves.last(), wave_ids.last()) {
            (Some(w), Some(id)) => compare::benchmarks::compare(
                schema,
                &tables,
                &imported.benchmarks,
                id,
                w.fieldwork
                    .map_or(i32::MAX, |f| chrono::Datelike::year(&f.start)),
                config.benchmarks.as_ref().and_then(|b| b.organisation),
                config
                    .benchmarks
                    .as_ref()
                    .map_or(config::BENCHMARK_MARGIN, |b| b.margin),
            ),
            _ => Vec::new(),
        }
    });

    // Member-meeting feedback, when configured: its own import, threshold and tables.
    let feedback = timings.time("meeting feedback", || {
        config
            .meetings
            .as_ref()
            .map(|m| meetings::run(m, meetings::attribute_below(config, m)))
            .transpose()
    })?;
    if let Some(fb) = &feedback {
        let over: Vec<&str> = fb
            .imports
            .iter()
            .filter(|w| w.rejected_pct() > config.max_rejected_pct)
            .map(|w| w.wave.as_str())
            .collect();
        if !over.is_empty() {
            return Err(Error::TooManyRejected {
                report: import::reconcile::render_text(
                    &fb.imports,
                    config.max_rejected_pct,
                    import::reconcile::Imports::FeedbackSources,
                ),
                waves: over.join(", "),
                tolerance: config.max_rejected_pct,
            });
        }
    }

    // Report: the pack goes to `--out`, or to its own run folder under the config's output.
    let dive_ids: Vec<&str> = dives
        .iter()
        .map(|&i| schema.indicators[i].id.as_str())
        .collect();
    let provenance = report::manifest::Provenance::collect(
        config,
        &imported.waves,
        feedback.as_ref(),
        &dive_ids,
    )?;
    let dest = out.map_or_else(|| config.output.join(&provenance.run_id), Path::to_path_buf);
    // `--out` elsewhere: hold that folder too while the pack goes in.
    let _out_lock = match dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) if out.is_some() && !parent.starts_with(&config.output) => {
            Some(report::OutputLock::acquire(parent)?)
        }
        _ => None,
    };
    let evidence = report::model::Evidence {
        config,
        waves: &wave_ids,
        breakdowns: &breakdowns,
        run_id: &provenance.run_id,
        config_sha256: &provenance.config_sha256,
        imports: &imported.waves,
        tables: &tables,
        deltas: &deltas,
        workforce: &workforce,
        feedback: feedback.as_ref(),
        deep_dives: &dives,
        weights: &weights,
        benchmarks: &benchmarks,
        quotes: quotes.as_deref(),
    };
    let pack = report::write::write_pack(&evidence, &provenance, &dest, started, &timings)?;
    let latest = match out {
        Some(_) => None,
        None => timings.time("copy to latest", || {
            // `latest/` first: runs.csv lists only runs that reached it.
            let latest = report::publish_latest(&config.output, &pack)?;
            report::record_run(&config.output, &provenance, &wave_ids, started)?;
            Ok::<_, report::WriteError>(Some(latest))
        })?,
    };
    let headline = wave_ids.last().map_or_else(String::new, |latest| {
        report::view::headline(
            schema,
            &tables,
            &deltas,
            latest.as_str(),
            config.baseline.as_str(),
        )
    });
    Ok(RunSummary {
        headline,
        timings,
        pack,
        latest,
        run_id: provenance.run_id,
        report: imported.report(),
        item_rows: tables.items.len(),
        indicator_rows: tables.indicators.len(),
        feedback: feedback
            .as_ref()
            .map(|fb| feedback_summary(fb, config.max_rejected_pct)),
    })
}

/// The counting engine's codes for every wave, in the config's order: moved out of a fresh
/// import, or read from the store for a wave reused from an earlier run (in parallel).
fn wave_codes(
    imported: &mut Imported,
    timings: &timings::Timings,
) -> Result<Vec<responses::Responses>, Error> {
    use rayon::prelude::*;
    let config = &imported.config;
    let codes: Vec<Result<responses::Responses, Error>> = imported
        .waves
        .par_iter_mut()
        .zip(config.waves.par_iter())
        .map(|(imp, w)| {
            if imp.from_store {
                timings.time("store read", || {
                    store::read_responses(&config.store, &config.schema, &w.id).map_err(Error::from)
                })
            } else {
                Ok(imp.data.take_responses(&config.schema))
            }
        })
        .collect();
    codes.into_iter().collect()
}

/// Write every freshly imported wave (codes, response ids, comments, import record) to the
/// store, in parallel.
fn store_fresh_waves(
    imported: &Imported,
    codes: &[responses::Responses],
    timings: &timings::Timings,
) -> Result<(), Error> {
    use rayon::prelude::*;
    let config = &imported.config;
    let written: Vec<Result<(), store::StoreError>> = imported
        .waves
        .par_iter()
        .zip(codes.par_iter())
        .filter(|(w, _)| !w.from_store)
        .map(|(w, c)| {
            timings.time("store write", || {
                // The record goes first and comes back last, so it only ever vouches for
                // files that were completely written.
                store::remove_record(&config.store, &w.wave)?;
                let files = store::write_wave(&config.store, &config.schema, &w.wave, &w.data, c)?;
                fault::point("store-before-record");
                store::write_record(&config.store, w, &files)
            })
        })
        .collect();
    written.into_iter().collect::<Result<(), _>>()?;
    Ok(())
}

/// Rake every wave to its HR margins when `[weighting]` is configured (one entry per wave,
/// `None` without weighting), and keep the weights in the store beside the wave.
fn weigh_waves(
    imported: &Imported,
    codes: &[responses::Responses],
) -> Result<Vec<Option<weighting::WaveWeights>>, Error> {
    let config = &imported.config;
    let Some(cfg) = &config.weighting else {
        return Ok(vec![None; codes.len()]);
    };
    let mut out = Vec::with_capacity(codes.len());
    for ((w, hc), r) in config.waves.iter().zip(&imported.headcounts).zip(codes) {
        let wave = ids::WaveId::new(w.id.as_str());
        let ww = weighting::weigh(&config.schema, cfg, &wave, hc.as_ref(), r)?;
        store::write_weights(&config.store, &w.id, &ww.weights)?;
        out.push(Some(ww));
    }
    Ok(out)
}

/// What counting every wave produced, before disclosure control.
struct Counted<'a> {
    items: Vec<indicators::Cell<indicators::statistics::ItemStats>>,
    indicators: Vec<indicators::Cell<indicators::statistics::IndicatorStats>>,
    responses: Vec<indicators::Cell<()>>,
    workforce: std::collections::HashMap<ids::WaveId, indicators::statistics::Populations<'a>>,
    respondents: std::collections::HashMap<ids::WaveId, u64>,
}

/// Count every wave with the engine and derive values, intervals and MDDs.
fn count_waves<'a>(
    imported: &'a Imported,
    codes: &[responses::Responses],
    weights: &[Option<weighting::WaveWeights>],
    breakdowns: &[indicators::Breakdown],
    opts: Options,
    timings: &timings::Timings,
) -> Counted<'a> {
    let config = &imported.config;
    let schema = &config.schema;
    let pb = opts.progress(config.waves.len() as u64, "computing");
    let mut out = Counted {
        items: Vec::new(),
        indicators: Vec::new(),
        responses: Vec::new(),
        workforce: std::collections::HashMap::new(),
        respondents: std::collections::HashMap::new(),
    };
    for (((w, hc), codes), ww) in config
        .waves
        .iter()
        .zip(&imported.headcounts)
        .zip(codes)
        .zip(weights)
    {
        let wave = ids::WaveId::new(w.id.as_str());
        out.respondents.insert(wave.clone(), codes.rows as u64);
        let weights = ww.as_ref().map(|ww| ww.weights.as_slice());
        let agg = timings.time("compute", || {
            indicators::counting::count_wave(schema, &wave, codes, breakdowns, weights)
        });
        let pops = indicators::statistics::Populations::new(hc.as_ref(), config.fpc);
        let wave_items = indicators::statistics::items(&agg, &pops);
        out.indicators.extend(indicators::statistics::indicators(
            schema,
            &agg,
            &wave_items,
            &pops,
        ));
        out.items.extend(wave_items);
        // Response rates exist for the groups the HR file describes.
        let hr = indicators::statistics::Populations::new(hc.as_ref(), true);
        out.responses.extend(
            agg.respondents
                .into_iter()
                .filter(|c| hr.describes(c.breakdown)),
        );
        out.workforce.insert(wave, hr);
        pb.inc(1);
    }
    pb.finish_and_clear();
    out
}

/// The indicators (indices into the schema) to write deep dives for: the config's, then the
/// command line's, each once.
fn deep_dive_indicators(config: &Config, extra: &[String]) -> Result<Vec<usize>, Error> {
    let schema = &config.schema;
    let mut dives: Vec<usize> = Vec::new();
    for id in config.deep_dives.iter().chain(extra) {
        match schema.indicator(id) {
            Some(i) if !dives.contains(&i) => dives.push(i),
            Some(_) => {}
            None => {
                return Err(Error::Usage(format!(
                    "--deep-dive {id}: not an indicator in the schema; choose one of: {}",
                    schema.indicator_ids()
                )));
            }
        }
    }
    Ok(dives)
}

/// Every breakdown the config asks for: overall, each field, each two-way cross.
/// Every wave's comment-theme cells, from its coded comments file matched to the stored
/// responses. A code for a response the wave did not accept stops the run (nothing dropped).
fn comment_theme_cells(
    config: &Config,
    coded_files: &[Option<import::comment_codes::CommentCodes>],
    codes: &[responses::Responses],
    breakdowns: &[indicators::Breakdown],
) -> Result<Vec<indicators::Cell<indicators::comments::ThemeStats>>, Error> {
    let mut cells = Vec::new();
    for ((w, r), coded) in config.waves.iter().zip(codes).zip(coded_files) {
        let Some(coded) = coded else {
            continue;
        };
        let file = &coded.file;
        let ids = store::read_response_ids(&config.store, &w.id)?;
        let row_of: std::collections::HashMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i))
            .collect();
        let mut problems = Vec::new();
        // One entry per respondent: a response coded on several lines has its themes merged.
        let mut merged: std::collections::BTreeMap<usize, std::collections::BTreeSet<usize>> =
            Default::default();
        for (id, line, themes) in &coded.codes {
            match row_of.get(id.as_str()) {
                Some(&row) => merged.entry(row).or_default().extend(themes),
                None => problems.push(format!(
                    "line {line}: response `{id}` is not an accepted response of wave {} (a test, partial or rejected response, or from another wave); remove the line or check the file",
                    w.id
                )),
            }
        }
        if !problems.is_empty() {
            return Err(Error::CommentCodes(
                import::comment_codes::CommentCodesError {
                    file: file.clone(),
                    problems,
                },
            ));
        }
        let rows: Vec<(usize, &std::collections::BTreeSet<usize>)> =
            merged.iter().map(|(r, t)| (*r, t)).collect();
        cells.extend(indicators::comments::count(
            &config.schema,
            &ids::WaveId::new(w.id.as_str()),
            r,
            &rows,
            breakdowns,
        ));
    }
    Ok(cells)
}

/// Most quotes listed under one theme.
const QUOTES_PER_THEME: usize = 20;

/// The quotes file (Markdown) for the latest wave with coded comments: each theme's comments,
/// redacted, from respondents whose group (of `q.by`) has its theme count published.
fn comment_quotes(
    config: &Config,
    q: &config::QuoteSettings,
    coded_files: &[Option<import::comment_codes::CommentCodes>],
    codes: &[responses::Responses],
    tables: &disclosure::ProtectedTables,
) -> Result<Option<String>, Error> {
    use indicators::{Breakdown, Group};
    let schema = &config.schema;
    let Some(((w, r), Some(coded))) = config
        .waves
        .iter()
        .zip(codes)
        .zip(coded_files)
        .rev()
        .find(|(_, c)| c.is_some())
    else {
        return Ok(None);
    };
    let ids = store::read_response_ids(&config.store, &w.id)?;
    let row_of: std::collections::HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let texts: std::collections::HashMap<(String, String), String> =
        store::read_comments(&config.store, &w.id)?
            .into_iter()
            .map(|(id, qid, text)| ((id, qid), text))
            .collect();
    let published: std::collections::HashSet<(usize, Group)> = tables
        .themes
        .iter()
        .filter(|p| {
            p.wave.as_str() == w.id
                && p.breakdown == Breakdown::Field(q.by)
                && p.suppression.is_none()
        })
        .map(|p| (p.measure, p.group))
        .collect();
    let redactor = disclosure::redact::Redactor::new(&q.names);
    let field = &schema.demographics[q.by];
    let mut themes = Vec::new();
    let mut left_out = 0;
    for (t, theme) in schema.comment_themes.iter().enumerate() {
        let qid = &schema.questions[theme.question].id;
        let mut quotes = Vec::new();
        for (id, _, coded_themes) in &coded.codes {
            if !coded_themes.contains(&t) || quotes.len() >= QUOTES_PER_THEME {
                continue;
            }
            let (Some(&row), Some(text)) = (
                row_of.get(id.as_str()),
                texts.get(&(id.clone(), qid.clone())),
            ) else {
                continue;
            };
            let cat = r.fields[q.by].as_deref().map(|c| c[row]);
            let group = match cat {
                Some(c) if c != responses::NOT_STATED => Group::One(Some(c)),
                _ => Group::One(None),
            };
            if !published.contains(&(t, group)) {
                continue;
            }
            let Some((clean, _)) = redactor.quote(text) else {
                left_out += 1;
                continue;
            };
            let label = match group {
                Group::One(Some(c)) => field.categories[c as usize].clone(),
                _ => schema::NOT_STATED.to_string(),
            };
            quotes.push(report::view::Quote {
                text: clean.split_whitespace().collect::<Vec<_>>().join(" "),
                group: label,
            });
        }
        themes.push(report::view::QuoteTheme {
            label: theme.label.clone(),
            quotes,
        });
    }
    let page = report::view::QuotesPage {
        wave: w.id.to_string(),
        question: schema
            .comment_themes
            .first()
            .map_or_else(String::new, |t| schema.questions[t.question].text.clone()),
        names: q.names.len(),
        field: report::model::lower_first(&field.label),
        threshold: config.anonymity_threshold,
        per_theme: QUOTES_PER_THEME,
        left_out,
        themes,
    };
    report::render::quotes(&page).map(Some).map_err(|e| {
        Error::Output(report::WriteError {
            path: config.output.join("deep-dives/comment-quotes-internal.md"),
            source: std::io::Error::other(e),
        })
    })
}

fn breakdowns(config: &Config) -> Vec<indicators::Breakdown> {
    let schema = &config.schema;
    let mut out = vec![indicators::Breakdown::Overall];
    out.extend(
        config
            .breakdowns
            .iter()
            .filter_map(|b| schema.demographic(b))
            .map(indicators::Breakdown::Field),
    );
    out.extend(config.crosses.iter().filter_map(|(a, b)| {
        Some(indicators::Breakdown::Cross(
            schema.demographic(a)?,
            schema.demographic(b)?,
        ))
    }));
    out
}

/// Meeting feedback's reconciliation and SPC signals, for the end-of-run summary.
fn feedback_summary(fb: &meetings::Feedback, max_rejected_pct: f64) -> String {
    let mut s = import::reconcile::render_text(
        &fb.imports,
        max_rejected_pct,
        import::reconcile::Imports::FeedbackSources,
    );
    let signals: Vec<String> = fb
        .spc
        .iter()
        .filter(|p| !p.chart.signals.is_empty())
        .map(|p| {
            let provisional = p.chart.status == Some(meetings::spc::Status::Provisional);
            format!(
                "{} {}{}",
                p.series.id(&fb.schema),
                p.month,
                if provisional { " (provisional)" } else { "" }
            )
        })
        .collect();
    s.push_str(&format!(
        "Meeting feedback baseline: {}; SPC signals: {}\n",
        fb.baseline_list(),
        if signals.is_empty() {
            "none".to_string()
        } else {
            signals.join(", ")
        }
    ));
    s
}
