//! `run`: the whole batch, stage by stage.

use super::comments::{comment_quotes, comment_theme_cells};
use super::count::{
    Counted, breakdowns, count_waves, deep_dive_indicators, store_fresh_waves, wave_codes,
    weigh_waves,
};
use super::imported::{Imported, Reuse, import_timed};
use super::{Error, Options};
use crate::{
    compare, config, disclosure, drivers, ids, import, indicators, meetings, report, responses,
    timings, weighting,
};
use std::path::{Path, PathBuf};

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
    /// With `[unit_reports]`: how many were written, and the field they are by ("directorate").
    pub unit_reports: Option<(usize, String)>,
    /// The latest wave's headline indicators and their changes, for the terminal.
    pub headline: String,
    /// Where the time went.
    pub timings: timings::Timings,
}

/// How `run` was asked to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Write the pack to exactly this folder instead of a run folder under the config's
    /// `output` (runs.csv and `latest/` are left alone).
    pub out: Option<PathBuf>,
    /// Import every wave again even when the store holds it unchanged (`--reimport`).
    pub reimport: bool,
    /// Indicators to write deep dives for, besides the config's.
    pub deep_dives: Vec<String>,
    /// No progress bars on stderr.
    pub quiet: bool,
}

/// `run`: the whole batch. Imports, stores, computes, protects and writes the pack.
pub fn run(config_path: &Path, o: &RunOptions) -> Result<RunSummary, Error> {
    let started = std::time::SystemTime::now();
    let timings = timings::Timings::default();
    let opts = Options { quiet: o.quiet };
    let (imported, codes, dives) = import_stage(config_path, o, opts, &timings)?;
    let config = &imported.config;
    let schema = &config.schema;
    let weights = timings.time("weighting", || weigh_waves(&imported, &codes))?;
    let breakdowns = breakdowns(config);
    let mut counted = count_and_store(&imported, &codes, &weights, &breakdowns, opts, &timings)?;
    let tables = protect_stage(&imported, &codes, &breakdowns, &mut counted, &timings)?;
    // The opt-in quotes file: redacted comments from groups whose theme counts are published.
    let quotes = match &config.quotes {
        Some(q) => comment_quotes(config, q, &imported.comment_codes, &codes, &tables)?,
        None => None,
    };
    let wave_ids: Vec<ids::WaveId> = config
        .waves
        .iter()
        .map(|w| ids::WaveId::new(w.id.as_str()))
        .collect();
    let (deltas, benchmarks) = compare_stage(&imported, &wave_ids, &tables, &timings);
    let feedback = feedback_stage(config, &timings)?;

    // Report: the pack goes to `--out`, or to its own run folder under the config's output.
    let provenance = provenance(&imported, feedback.as_ref(), &dives)?;
    let out = o.out.as_deref();
    let dest = out.map_or_else(|| config.output.join(&provenance.run_id), Path::to_path_buf);
    let _out_lock = lock_elsewhere(config, out, &dest)?;
    let evidence = report::model::Evidence {
        config,
        waves: &wave_ids,
        breakdowns: &breakdowns,
        run_id: &provenance.run_id,
        config_sha256: &provenance.config_sha256,
        imports: &imported.waves,
        tables: &tables,
        deltas: &deltas,
        workforce: &counted.workforce,
        feedback: feedback.as_ref(),
        deep_dives: &dives,
        weights: &weights,
        benchmarks: &benchmarks,
        quotes: quotes.as_deref(),
    };
    let bi = power_bi_tables(config, out);
    let pack = report::write::write_pack(&evidence, &provenance, (&dest, &bi), started, &timings)?;
    let latest = match out {
        Some(_) => None,
        None => Some(timings.time("copy to latest", || {
            copy_to_latest(config, &pack, &provenance, &wave_ids, started)
        })?),
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
        latest,
        run_id: provenance.run_id,
        report: imported.report(),
        item_rows: tables.items.len(),
        indicator_rows: tables.indicators.len(),
        feedback: feedback
            .as_ref()
            .map(|fb| feedback_summary(fb, config.max_rejected_pct)),
        unit_reports: unit_reports_written(config, &pack),
        pack,
    })
}

/// With `[unit_reports]`: the reports the pack holds, and the field they are by.
fn unit_reports_written(config: &crate::config::Config, pack: &Path) -> Option<(usize, String)> {
    config.unit_reports.as_ref().map(|u| {
        let written = std::fs::read_dir(pack.join("unit-reports")).map_or(0, |d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
                .count()
        });
        let by = &config.schema.demographics[u.breakdown].label;
        (written, by.to_lowercase())
    })
}

/// Import every wave (holding the output and store folders), check the deep dives asked for
/// and the rejection tolerance, and take each wave's codes.
fn import_stage(
    config_path: &Path,
    o: &RunOptions,
    opts: Options,
    timings: &timings::Timings,
) -> Result<(Imported, Vec<responses::Responses>, Vec<usize>), Error> {
    let reuse = if o.reimport {
        Reuse::Nothing
    } else {
        Reuse::Stored
    };
    let mut imported = import_timed(config_path, opts, reuse, true, timings)?;
    let dives = deep_dive_indicators(&imported.config, &o.deep_dives)?;
    let over = imported.over_tolerance();
    if !over.is_empty() {
        return Err(Error::TooManyRejected {
            report: imported.report(),
            waves: over.join(", "),
            tolerance: imported.config.max_rejected_pct,
        });
    }
    let codes = wave_codes(&mut imported, timings)?;
    Ok((imported, codes, dives))
}

/// Fresh waves go to the store (later runs and years read their codes) while they are
/// counted; the run stops before any pack is written if the store cannot be written.
fn count_and_store<'a>(
    imported: &'a Imported,
    codes: &[responses::Responses],
    weights: &[Option<weighting::WaveWeights>],
    breakdowns: &[indicators::Breakdown],
    opts: Options,
    timings: &timings::Timings,
) -> Result<Counted<'a>, Error> {
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| store_fresh_waves(imported, codes, timings));
        let counted = count_waves(imported, codes, weights, breakdowns, opts, timings);
        let stored = writer
            .join()
            .unwrap_or_else(|_| Err(Error::Usage("the store writer stopped unexpectedly".into())));
        stored.map(|()| counted)
    })
}

/// Key drivers and comment themes, then disclosure control over everything counted, before
/// any writer. The counted cells move into the protected tables.
fn protect_stage(
    imported: &Imported,
    codes: &[responses::Responses],
    breakdowns: &[indicators::Breakdown],
    counted: &mut Counted,
    timings: &timings::Timings,
) -> Result<disclosure::ProtectedTables, Error> {
    let config = &imported.config;
    let schema = &config.schema;
    // Key drivers of the latest wave (association, not cause), for groups large enough.
    let drivers = timings.time("key drivers", || {
        match (config.waves.last(), codes.last()) {
            (Some(w), Some(r)) => drivers::analyse(
                schema,
                &config.drivers,
                &ids::WaveId::new(w.id.as_str()),
                r,
                breakdowns,
            ),
            _ => Vec::new(),
        }
    });
    // Comment themes: each wave's coded comments, counted by group.
    let theme_cells = timings.time("comment themes", || {
        comment_theme_cells(config, &imported.comment_codes, codes, breakdowns)
    })?;
    let mut tables = timings.time("disclosure control", || {
        disclosure::protect(
            schema,
            std::mem::take(&mut counted.items),
            std::mem::take(&mut counted.indicators),
            std::mem::take(&mut counted.responses),
            &counted.respondents,
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
    let workforce = &counted.workforce;
    tables.protect_headcounts(
        &|w, b, g| workforce.get(w).and_then(|hr| hr.of(b, g)),
        config.anonymity_threshold,
    );
    tables.protect_themes(
        theme_cells,
        &counted.respondents,
        config.anonymity_threshold,
        disclosure::MIN_RESPONDENTS_FOR_BREAKDOWNS,
    );
    tables.protect_drivers(
        drivers,
        config.anonymity_threshold,
        config.drivers.min_respondents,
    );
    Ok(tables)
}

/// Compare: the latest wave with the previous one and the baseline, published cells only;
/// and benchmarks: the latest wave's published figures against external values and, for a
/// multi-organisation export, the median of the organisations.
fn compare_stage(
    imported: &Imported,
    wave_ids: &[ids::WaveId],
    tables: &disclosure::ProtectedTables,
    timings: &timings::Timings,
) -> (
    Vec<compare::Delta>,
    Vec<compare::benchmarks::BenchmarkComparison>,
) {
    let config = &imported.config;
    let schema = &config.schema;
    let pairs = compare::pairs(wave_ids, &config.baseline);
    let deltas = timings.time("compare waves", || {
        compare::deltas(schema, &pairs, &tables.items, &tables.indicators)
    });
    let benchmarks = timings.time("benchmarks", || {
        match (config.waves.last(), wave_ids.last()) {
            (Some(w), Some(id)) => compare::benchmarks::compare(
                schema,
                tables,
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
    (deltas, benchmarks)
}

/// Member-meeting feedback, when configured: its own import, threshold and tables, under the
/// same rejection tolerance as the survey.
fn feedback_stage(
    config: &config::Config,
    timings: &timings::Timings,
) -> Result<Option<meetings::Feedback>, Error> {
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
    Ok(feedback)
}

/// What the run is made of (config, schemas, inputs, deep dives): its id and hashes.
fn provenance(
    imported: &Imported,
    feedback: Option<&meetings::Feedback>,
    dives: &[usize],
) -> Result<report::manifest::Provenance, Error> {
    let schema = &imported.config.schema;
    let dive_ids: Vec<&str> = dives
        .iter()
        .map(|&i| schema.indicators[i].id.as_str())
        .collect();
    Ok(report::manifest::Provenance::collect(
        &imported.config,
        &imported.waves,
        feedback,
        &dive_ids,
    )?)
}

/// The tables folder Power BI reads: `latest/tables/`, which every complete run replaces, or
/// the pack's own with `--out`.
fn power_bi_tables(config: &crate::config::Config, out: Option<&Path>) -> PathBuf {
    out.map_or_else(
        || config.output.join("latest").join("tables"),
        |o| o.join("tables"),
    )
}

/// `latest/` replaced by the pack, then the run recorded: runs.csv lists only runs that
/// reached `latest/`.
fn copy_to_latest(
    config: &config::Config,
    pack: &Path,
    provenance: &report::manifest::Provenance,
    wave_ids: &[ids::WaveId],
    started: std::time::SystemTime,
) -> Result<PathBuf, report::WriteError> {
    let latest = report::publish_latest(&config.output, pack)?;
    report::record_run(&config.output, provenance, wave_ids, started)?;
    Ok(latest)
}

/// `--out` elsewhere than the config's output: hold that folder too while the pack goes in.
fn lock_elsewhere(
    config: &config::Config,
    out: Option<&Path>,
    dest: &Path,
) -> Result<Option<report::OutputLock>, Error> {
    Ok(match dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) if out.is_some() && !parent.starts_with(&config.output) => {
            Some(report::OutputLock::acquire(parent)?)
        }
        _ => None,
    })
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
                p.series.label(&fb.schema),
                p.month,
                if provisional { " (provisional)" } else { "" }
            )
        })
        .collect();
    s.push_str(&format!(
        "Meeting feedback baseline: {}; control-chart signals: {}\n",
        fb.baseline_list(),
        if signals.is_empty() {
            "none".to_string()
        } else {
            signals.join(", ")
        }
    ));
    s
}
