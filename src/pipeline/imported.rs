//! Loading the config and importing every wave: all `validate` does, and `run`'s first stage.

use super::{Error, Options};
use crate::config::{self, Config};
use crate::import::{self, WaveImport, headcount};
use crate::{file_errors, report, store, timings};
use std::path::Path;

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

pub(super) fn import_timed(
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
        let wave = if w.file.is_file() {
            import_wave(&config, w, reuse, timings)
        } else {
            archived_wave(&config, w, reuse)
        };
        pb.inc(1);
        wave
    };
    use rayon::prelude::*;
    // Collected in order first, so that with several bad waves the first is the one reported.
    let results: Vec<Result<WaveImport, Error>> = config.waves.par_iter().map(import_one).collect();
    let waves: Vec<WaveImport> = results.into_iter().collect::<Result<_, _>>()?;
    let SideFiles {
        headcounts,
        benchmarks,
        comment_codes,
    } = side_files(&config)?;
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

/// One wave's export imported, or its store copy reused when nothing that decides the
/// import has changed (`Reuse::Stored`).
fn import_wave(
    config: &Config,
    w: &config::Wave,
    reuse: Reuse,
    timings: &timings::Timings,
) -> Result<WaveImport, Error> {
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
            let mut imported = timings.time("import", || import::import_wave(&config.schema, w))?;
            imported.fingerprint = fingerprint.import.clone();
            imported
        }
    };
    wave.file_sha256 = Some((fingerprint.file_sha256, fingerprint.file_bytes));
    Ok(wave)
}

/// An archived export: the store's copy stands in when it is what importing the export with
/// today's schema and mapping would give.
fn archived_wave(config: &Config, w: &config::Wave, reuse: Reuse) -> Result<WaveImport, Error> {
    let missing = file_errors::not_found("export", &w.file);
    if reuse == Reuse::Nothing {
        return Err(Error::Usage(format!(
            "wave {}: {missing}, and --reimport imports every export again from its file.\n  \
             How to fix: put the export back, or run without --reimport to use the copy of \
             wave {} that the store holds.",
            w.id, w.id
        )));
    }
    match store::archived_import(&config.store, &config.schema_path, w) {
        Some(wave) => {
            tracing::info!(wave = %w.id, "export archived; using the store's copy");
            Ok(wave)
        }
        None => Err(Error::Usage(format!(
            "wave {}: {missing}. The store holds wave {}, but imported with a different \
             schema, mapping or export (or by an older version of this program), or its files \
             have changed since, so it cannot stand in for the file.\n  How to fix: put the export back and run again; once the \
             store holds the wave, the export can be archived.",
            w.id, w.id
        ))),
    }
}

/// Each wave's headcount and coded comments, and the benchmark files.
struct SideFiles {
    headcounts: Vec<Option<headcount::Headcount>>,
    benchmarks: import::benchmarks::Benchmarks,
    comment_codes: Vec<Option<import::comment_codes::CommentCodes>>,
}

/// The side files, read and checked against the schema.
fn side_files(config: &Config) -> Result<SideFiles, Error> {
    let mut headcounts = Vec::with_capacity(config.waves.len());
    let waves: Vec<&str> = config.waves.iter().map(|w| w.id.as_str()).collect();
    for w in &config.waves {
        let for_wave = headcount::ForWave {
            wave: &w.id,
            waves: &waves,
        };
        headcounts.push(match &w.headcount {
            Some(p) => Some(headcount::load(p, &config.schema, for_wave)?),
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
    Ok(SideFiles {
        headcounts,
        benchmarks,
        comment_codes,
    })
}

/// `validate`: import checks only. Always reads the exports themselves (an archived export's
/// wave is reported as the store recorded it).
pub fn validate(config_path: &Path, opts: Options) -> Result<Imported, Error> {
    import_config(config_path, opts, Reuse::ArchivedOnly)
}

/// Member feedback as `validate` checks it: each source's reconciliation, and the sources
/// over the rejection tolerance.
pub struct FeedbackCheck {
    /// The reconciliation as text (`None` when no feedback is configured).
    pub report: Option<String>,
    /// Sources with more rejected rows than the tolerance.
    pub over: Vec<String>,
}

/// Read the meeting register and import every feedback source, as `run` does.
pub fn validate_feedback(config: &Config) -> Result<FeedbackCheck, Error> {
    let Some(m) = &config.meetings else {
        return Ok(FeedbackCheck {
            report: None,
            over: Vec::new(),
        });
    };
    let imports = crate::meetings::check(m)?;
    Ok(FeedbackCheck {
        report: Some(import::reconcile::render_text(
            &imports,
            config.max_rejected_pct,
            import::reconcile::Imports::FeedbackSources,
        )),
        over: imports
            .iter()
            .filter(|w| w.rejected_pct() > config.max_rejected_pct)
            .map(|w| w.wave.to_string())
            .collect(),
    })
}
