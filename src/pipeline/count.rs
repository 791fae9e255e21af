//! The counting stages: each wave's codes (fresh from import or from the store), the store
//! written beside the counting, weights, and every wave counted into statistics.

use super::imported::Imported;
use super::{Error, Options};
use crate::config::Config;
use crate::{fault, ids, indicators, responses, store, timings, weighting};

/// The counting engine's codes for every wave, in the config's order: moved out of a fresh
/// import, or read from the store for a wave reused from an earlier run (in parallel).
pub(super) fn wave_codes(
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
pub(super) fn store_fresh_waves(
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
pub(super) fn weigh_waves(
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
pub(super) struct Counted<'a> {
    pub(super) items: Vec<indicators::Cell<indicators::statistics::ItemStats>>,
    pub(super) indicators: Vec<indicators::Cell<indicators::statistics::IndicatorStats>>,
    pub(super) responses: Vec<indicators::Cell<()>>,
    pub(super) workforce:
        std::collections::HashMap<ids::WaveId, indicators::statistics::Populations<'a>>,
    pub(super) respondents: std::collections::HashMap<ids::WaveId, u64>,
}

/// Count every wave with the engine and derive values, intervals and MDDs.
pub(super) fn count_waves<'a>(
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
    let collapse = collapse(config);
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
            indicators::counting::count_wave(schema, &wave, codes, breakdowns, &collapse, weights)
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
pub(super) fn deep_dive_indicators(config: &Config, extra: &[String]) -> Result<Vec<usize>, Error> {
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
pub(super) fn breakdowns(config: &Config) -> Vec<indicators::Breakdown> {
    let schema = &config.schema;
    let mut out = vec![indicators::Breakdown::Overall];
    out.extend(
        config
            .breakdowns
            .iter()
            .filter_map(|b| schema.demographic(b))
            .map(indicators::Breakdown::Field),
    );
    out.extend(config.crosses.iter().filter_map(|c| cross(config, c)));
    out
}

fn cross(config: &Config, (a, b): &(String, String)) -> Option<indicators::Breakdown> {
    let schema = &config.schema;
    Some(indicators::Breakdown::Cross(
        schema.demographic(a)?,
        schema.demographic(b)?,
    ))
}

/// The categories crosses publish merged (`[[crosses]] collapse`).
pub(super) fn collapse(config: &Config) -> Vec<indicators::Collapse> {
    config
        .collapse
        .iter()
        .filter_map(|c| {
            Some(indicators::Collapse {
                cross: cross(config, config.crosses.get(c.cross)?)?,
                field: c.field,
                merges: c.merges.clone(),
            })
        })
        .collect()
}
