//! The counting engine: one pass over a wave's rows per breakdown fills a counts array
//! (group × question × answer), and every statistic downstream reads those counts (or the
//! respondent scores, computed once per indicator), never the rows again.
//!
//! Answers arrive as small integer codes: each row's position in the question's scale plus one
//! (0 = no answer), one byte per answer. Groups are dense indices: a one-way breakdown's
//! categories in schema order with Not stated last, a two-way breakdown's pairs row-major, the
//! whole organisation as a group of its own. Breakdowns are counted in parallel.
//!
//! A weighted wave (raked to HR margins) carries a weight per row, and each counts array a
//! companion array of the sums of weights and of squared weights, filled in the same pass; the
//! unweighted counts stay, because disclosure control and the published n use them.

use super::aggregates::{ItemCounts, ScoreSummary, WaveAggregates, WeightedCounts};
use super::{Breakdown, Cat, Cell, Collapse, Group};
use crate::ids::WaveId;
use crate::responses::{NOT_STATED, Responses};
use crate::schema::{AnswerGroup, Method, Schema};
use rayon::prelude::*;

/// A grid of groups: every combination of some fields' categories (each with Not stated),
/// numbered row-major (the first field's category most significant). `sizes` are the fields'
/// category counts plus one; a field a cross publishes with categories merged has a [`Merge`],
/// and its size counts the merged categories.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Grid {
    fields: Vec<usize>,
    sizes: Vec<usize>,
    merges: Vec<Option<Merge>>,
}

/// How a field's categories are counted when some are merged.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Merge {
    /// The digit each schema category (then Not stated) is counted in.
    to: Vec<u32>,
    /// The category each digit but the last (Not stated) stands for.
    cats: Vec<u32>,
}

impl Merge {
    /// A field of `categories` categories counted as `collapse` says.
    fn of(collapse: &Collapse, categories: usize) -> Merge {
        let mut cats: Vec<u32> = Vec::new();
        let mut to: Vec<u32> = Vec::with_capacity(categories + 1);
        for c in 0..categories as u32 {
            let code = collapse.category(c);
            let digit = cats.iter().position(|&x| x == code).unwrap_or_else(|| {
                cats.push(code);
                cats.len() - 1
            });
            to.push(digit as u32);
        }
        to.push(cats.len() as u32);
        Merge { to, cats }
    }
}

impl Grid {
    /// A grid of `fields`, with the merges `collapse` declares for them.
    fn new(schema: &Schema, fields: Vec<usize>, collapse: Option<&Collapse>) -> Grid {
        let merges: Vec<Option<Merge>> = fields
            .iter()
            .map(|&d| {
                collapse
                    .filter(|c| c.field == d)
                    .map(|c| Merge::of(c, schema.demographics[d].categories.len()))
            })
            .collect();
        let sizes = fields
            .iter()
            .zip(&merges)
            .map(|(&d, m)| {
                m.as_ref()
                    .map_or(schema.demographics[d].categories.len(), |m| m.cats.len())
                    + 1
            })
            .collect();
        Grid {
            fields,
            sizes,
            merges,
        }
    }

    fn groups(&self) -> usize {
        self.sizes.iter().product()
    }

    /// The dense index of each row's group.
    fn index(&self, r: &Responses) -> Vec<u32> {
        let mut idx = vec![0u32; r.rows];
        for ((&f, &size), merge) in self.fields.iter().zip(&self.sizes).zip(&self.merges) {
            let col = r.fields[f].as_ref().expect("checked mapped");
            match merge {
                None => {
                    let not_stated = size as u32 - 1;
                    for (i, &c) in idx.iter_mut().zip(col) {
                        let c = if c == NOT_STATED { not_stated } else { c };
                        *i = *i * size as u32 + c;
                    }
                }
                Some(m) => {
                    let not_stated = m.to.len() - 1;
                    for (i, &c) in idx.iter_mut().zip(col) {
                        let c = if c == NOT_STATED {
                            m.to[not_stated]
                        } else {
                            m.to[c as usize]
                        };
                        *i = *i * size as u32 + c;
                    }
                }
            }
        }
        idx
    }

    /// Each field's category digit of a group index.
    fn digits(&self, mut g: usize) -> Vec<usize> {
        let mut d = vec![0; self.sizes.len()];
        for (k, &size) in self.sizes.iter().enumerate().rev() {
            d[k] = g % size;
            g /= size;
        }
        d
    }

    /// Whether `coarse`'s groups are sums of this grid's: it has each of `coarse`'s fields,
    /// counted in full or merged as `coarse` merges it.
    fn serves(&self, coarse: &Grid) -> bool {
        coarse.fields.iter().zip(&coarse.merges).all(|(f, m)| {
            self.fields
                .iter()
                .position(|x| x == f)
                .is_some_and(|k| self.merges[k].is_none() || self.merges[k] == *m)
        })
    }

    /// For each group of this grid, the group of `coarse` it falls in (this grid must
    /// [`serve`](Grid::serves) `coarse`).
    fn onto(&self, coarse: &Grid) -> Vec<u32> {
        let at: Vec<usize> = coarse
            .fields
            .iter()
            .map(|f| self.fields.iter().position(|x| x == f).expect("sub-grid"))
            .collect();
        (0..self.groups())
            .map(|g| {
                let d = self.digits(g);
                at.iter().zip(&coarse.sizes).zip(&coarse.merges).fold(
                    0,
                    |acc, ((&k, &size), merge)| {
                        let digit = match merge {
                            Some(m) if self.merges[k].is_none() => m.to[d[k]] as usize,
                            _ => d[k],
                        };
                        acc * size + digit
                    },
                ) as u32
            })
            .collect()
    }
}

/// A breakdown and the grid its groups are numbered in.
struct Layout {
    breakdown: Breakdown,
    grid: Grid,
}

impl Layout {
    fn groups(&self) -> usize {
        self.grid.groups()
    }

    /// The group a dense index stands for.
    fn group(&self, g: usize) -> Group {
        let sizes = &self.grid.sizes;
        let cat = |i: usize, k: usize| -> Cat {
            (i + 1 < sizes[k]).then(|| match &self.grid.merges[k] {
                Some(m) => m.cats[i],
                None => i as u32,
            })
        };
        match self.breakdown {
            Breakdown::Overall => Group::All,
            Breakdown::Field(_) => Group::One(cat(g, 0)),
            Breakdown::Cross(..) => {
                let sb = sizes[1];
                Group::Two(cat(g / sb, 0), cat(g % sb, 1))
            }
        }
    }
}

/// Groups at most in a grid that packs several one-way breakdowns (its counts stay in cache).
const PACKED_GROUPS: usize = 256;

/// The grids to count, and for each breakdown the grid it is read from: every two-way
/// breakdown is a grid; one-way breakdowns are read from a grid that holds their field (a
/// cross, or a pack of small fields); the organisation from any. So each row is visited once
/// per grid, not once per breakdown, and the breakdowns' counts are exact sums of grid cells.
fn plan(layouts: &[Layout]) -> (Vec<Grid>, Vec<usize>) {
    let mut grids: Vec<Grid> = Vec::new();
    for l in layouts.iter().filter(|l| l.grid.fields.len() > 1) {
        if !grids.contains(&l.grid) {
            grids.push(l.grid.clone());
        }
    }
    for l in layouts.iter().filter(|l| l.grid.fields.len() == 1) {
        let (f, size) = (l.grid.fields[0], l.grid.sizes[0]);
        if grids.iter().any(|g| g.serves(&l.grid)) {
            continue;
        }
        match grids.last_mut() {
            Some(g) if g.fields.len() > 1 || g.groups() * size > PACKED_GROUPS => {
                grids.push(l.grid.clone())
            }
            Some(g) => {
                g.fields.push(f);
                g.sizes.push(size);
                g.merges.push(None);
            }
            None => grids.push(l.grid.clone()),
        }
    }
    if grids.is_empty() {
        grids.push(Grid {
            fields: Vec::new(),
            sizes: Vec::new(),
            merges: Vec::new(),
        });
    }
    let of = layouts
        .iter()
        .map(|l| {
            grids
                .iter()
                .position(|g| g.serves(&l.grid))
                .expect("every breakdown's fields are in a grid")
        })
        .collect();
    (grids, of)
}

/// Where each question's answers sit in a group's row of counts.
struct Slots {
    /// (question, first slot, answers in its scale)
    questions: Vec<(usize, usize, usize)>,
    stride: usize,
}

/// Sums of weights and of squared weights, laid out like the counts (groups × stride).
#[derive(Debug, Clone)]
struct WeightSums {
    sum: Vec<f64>,
    sq: Vec<f64>,
}

/// One group's respondent scores: n, mean and standard deviation (weighted when the wave is),
/// and Kish's effective n when weighted.
#[derive(Debug, Clone, Copy, PartialEq)]
struct GroupScore {
    n: u64,
    mean: f64,
    sd: f64,
    n_eff: Option<f64>,
}

/// What one breakdown's pass produced.
struct Tally {
    layout: Layout,
    respondents: Vec<u64>,
    /// groups × stride
    counts: Vec<u64>,
    weighted: Option<WeightSums>,
    /// Per scored indicator, per group.
    scores: Vec<Vec<GroupScore>>,
}

/// Respondent-level scores of the indicators scored per respondent (themes, indices,
/// scores), in the schema's order: (indicator, score per row, NaN = no score).
fn respondent_scores(schema: &Schema, r: &Responses) -> Vec<(usize, Vec<f64>)> {
    (0..schema.indicators.len())
        .into_par_iter()
        .filter_map(|i| score(schema, r, i).map(|s| (i, s)))
        .collect()
}

/// An indicator's score for every row, or `None` for methods scored from item counts (and a
/// theme none of whose questions this wave asked, or an index missing a question).
fn score(schema: &Schema, r: &Responses, i: usize) -> Option<Vec<f64>> {
    let ind = &schema.indicators[i];
    let asked: Vec<usize> = ind
        .items
        .iter()
        .copied()
        .filter(|&q| r.answers[q].is_some())
        .collect();
    // Not asked: too few of the indicator's questions in this wave (`min_coverage`).
    if !schema.covers(i, &|q| r.answers[q].is_some()) {
        return None;
    }
    match ind.method {
        Method::ThemePctPositive if asked.is_empty() => None,
        Method::ThemePctPositive => Some(theme_scores(schema, r, ind, &asked)),
        Method::Index0To100 | Method::Score0To10 => Some(mean_scores(schema, r, ind, &asked)),
        Method::YesRate | Method::Enps => None,
    }
}

/// Per question, per answer slot: what the answer counts as.
fn slot_values(schema: &Schema, q: usize, f: &dyn Fn(u8) -> Option<f64>) -> Vec<Option<f64>> {
    let scale = schema.scale_of(&schema.questions[q]);
    std::iter::once(None)
        .chain(
            scale
                .into_iter()
                .flat_map(|s| s.answers.iter().map(|a| f(a.code))),
        )
        .collect()
}

/// Each respondent's share of positive answers among their valid answers to the theme's
/// questions (NaN under the minimum of answers).
fn theme_scores(
    schema: &Schema,
    r: &Responses,
    ind: &crate::schema::Indicator,
    asked: &[usize],
) -> Vec<f64> {
    let min = ind.min_items as f64;
    let lut = |q: usize, f: &dyn Fn(u8) -> Option<f64>| slot_values(schema, q, f);
    // Per question: its answers, and per answer slot whether it is positive and valid.
    struct ThemeQuestion<'a> {
        answers: &'a [u8],
        positive: Vec<f64>,
        valid: Vec<f64>,
    }
    let questions: Vec<ThemeQuestion> = asked
        .iter()
        .map(|&q| {
            let question = &schema.questions[q];
            let group = |c| schema.scored_group(question, c);
            let flag = |f: &dyn Fn(u8) -> bool| -> Vec<f64> {
                lut(q, &|c| Some(f64::from(f(c))))
                    .into_iter()
                    .map(|v| v.unwrap_or(0.0))
                    .collect()
            };
            ThemeQuestion {
                answers: r.answers[q].as_deref().expect("asked"),
                positive: flag(&|c| group(c) == Some(AnswerGroup::Positive)),
                valid: flag(&|c| group(c).is_some_and(|g| g != AnswerGroup::Excluded)),
            }
        })
        .collect();
    (0..r.rows)
        .map(|row| {
            let (mut pos, mut ans) = (0.0, 0.0);
            for t in &questions {
                let s = t.answers[row] as usize;
                pos += t.positive[s];
                ans += t.valid[s];
            }
            if ans >= min { pos / ans } else { f64::NAN }
        })
        .collect()
}

/// Each respondent's mean of the points their answers score (0-100 or 0-10; NaN under the
/// minimum of answers).
fn mean_scores(
    schema: &Schema,
    r: &Responses,
    ind: &crate::schema::Indicator,
    asked: &[usize],
) -> Vec<f64> {
    let min = ind.min_items as f64;
    let lut = |q: usize, f: &dyn Fn(u8) -> Option<f64>| slot_values(schema, q, f);
    let top = if ind.method == Method::Index0To100 {
        100.0
    } else {
        10.0
    };
    let tables: Vec<(&[u8], Vec<Option<f64>>)> = asked
        .iter()
        .map(|&q| {
            let points = schema.score_points(&schema.questions[q], top);
            (
                r.answers[q].as_deref().expect("asked"),
                lut(q, &|c| points.iter().find(|(k, _)| *k == c).map(|p| p.1)),
            )
        })
        .collect();
    (0..r.rows)
        .map(|row| {
            let (mut sum, mut count) = (0.0, 0.0);
            for (col, points) in &tables {
                if let Some(v) = points[col[row] as usize] {
                    sum += v;
                    count += 1.0;
                }
            }
            if count >= min { sum / count } else { f64::NAN }
        })
        .collect()
}

/// n, mean and standard deviation of the scores in each group, weighted when `weights` are
/// given (two passes: means first, then squared deviations from them). The weighted standard
/// deviation is Σw(x − x̄)²/Σw × n/(n − 1), which is the sample SD when all weights are equal.
fn group_scores(
    idx: &[u32],
    scores: &[f64],
    groups: usize,
    weights: Option<&[f64]>,
) -> Vec<GroupScore> {
    let Some(w) = weights else {
        return group_scores_unweighted(idx, scores, groups);
    };
    let mut n = vec![0u64; groups];
    let (mut sw, mut sw2, mut swx) = (
        vec![0.0f64; groups],
        vec![0.0f64; groups],
        vec![0.0f64; groups],
    );
    for ((&g, &x), &wi) in idx.iter().zip(scores).zip(w) {
        if !x.is_nan() {
            let g = g as usize;
            n[g] += 1;
            sw[g] += wi;
            sw2[g] += wi * wi;
            swx[g] += wi * x;
        }
    }
    let mean: Vec<f64> = (0..groups)
        .map(|g| if sw[g] > 0.0 { swx[g] / sw[g] } else { 0.0 })
        .collect();
    let mut ss = vec![0.0f64; groups];
    for ((&g, &x), &wi) in idx.iter().zip(scores).zip(w) {
        if !x.is_nan() {
            let d = x - mean[g as usize];
            ss[g as usize] += wi * d * d;
        }
    }
    (0..groups)
        .map(|g| {
            let sd = if n[g] > 1 && sw[g] > 0.0 {
                (ss[g] / sw[g] * n[g] as f64 / (n[g] - 1) as f64).sqrt()
            } else {
                0.0
            };
            GroupScore {
                n: n[g],
                mean: mean[g],
                sd,
                n_eff: Some(crate::stats::rake::effective_n(sw[g], sw2[g]).unwrap_or(0.0)),
            }
        })
        .collect()
}

fn group_scores_unweighted(idx: &[u32], scores: &[f64], groups: usize) -> Vec<GroupScore> {
    let mut n = vec![0u64; groups];
    let mut sum = vec![0.0f64; groups];
    for (&g, &x) in idx.iter().zip(scores) {
        if !x.is_nan() {
            n[g as usize] += 1;
            sum[g as usize] += x;
        }
    }
    let mean: Vec<f64> = sum
        .iter()
        .zip(&n)
        .map(|(s, &k)| if k > 0 { s / k as f64 } else { 0.0 })
        .collect();
    let mut ss = vec![0.0f64; groups];
    for (&g, &x) in idx.iter().zip(scores) {
        if !x.is_nan() {
            let d = x - mean[g as usize];
            ss[g as usize] += d * d;
        }
    }
    (0..groups)
        .map(|g| {
            let sd = if n[g] > 1 {
                (ss[g] / (n[g] - 1) as f64).sqrt()
            } else {
                0.0
            };
            GroupScore {
                n: n[g],
                mean: mean[g],
                sd,
                n_eff: None,
            }
        })
        .collect()
}

/// One grid's counts: respondents and answers per group.
struct GridCounts {
    respondents: Vec<u64>,
    /// groups × stride
    counts: Vec<u64>,
    weighted: Option<WeightSums>,
}

/// The counting pass: every row once, every asked question's answer into its group's row
/// (and, for a weighted wave, its weight and squared weight beside it).
fn count_grid(r: &Responses, grid: &Grid, slots: &Slots, weights: Option<&[f64]>) -> GridCounts {
    let idx = grid.index(r);
    let mut respondents = vec![0u64; grid.groups()];
    for &g in &idx {
        respondents[g as usize] += 1;
    }
    let cells = grid.groups() * slots.stride;
    let mut counts = vec![0u64; cells];
    let mut weighted = weights.map(|_| WeightSums {
        sum: vec![0.0; cells],
        sq: vec![0.0; cells],
    });
    for &(q, first, _) in &slots.questions {
        let col = r.answers[q].as_deref().expect("asked");
        match (&mut weighted, weights) {
            (Some(ws), Some(w)) => {
                for ((&g, &a), &wi) in idx.iter().zip(col).zip(w) {
                    let at = g as usize * slots.stride + first + a as usize;
                    counts[at] += 1;
                    ws.sum[at] += wi;
                    ws.sq[at] += wi * wi;
                }
            }
            _ => {
                for (&g, &a) in idx.iter().zip(col) {
                    counts[g as usize * slots.stride + first + a as usize] += 1;
                }
            }
        }
    }
    GridCounts {
        respondents,
        counts,
        weighted,
    }
}

/// A breakdown's tally: its counts summed from the grid's cells, and its respondent scores.
fn tally(
    r: &Responses,
    layout: Layout,
    grid: &Grid,
    fine: &GridCounts,
    slots: &Slots,
    scores: &[(usize, Vec<f64>)],
    weights: Option<&[f64]>,
) -> Tally {
    let groups = layout.groups();
    let map = grid.onto(&layout.grid);
    let mut respondents = vec![0u64; groups];
    let mut counts = vec![0u64; groups * slots.stride];
    let mut weighted = fine.weighted.as_ref().map(|_| WeightSums {
        sum: vec![0.0; groups * slots.stride],
        sq: vec![0.0; groups * slots.stride],
    });
    for (fine_g, &g) in map.iter().enumerate() {
        respondents[g as usize] += fine.respondents[fine_g];
        let from = &fine.counts[fine_g * slots.stride..][..slots.stride];
        let to = &mut counts[g as usize * slots.stride..][..slots.stride];
        for (t, f) in to.iter_mut().zip(from) {
            *t += f;
        }
        if let (Some(to), Some(from)) = (&mut weighted, &fine.weighted) {
            let range = |g: usize| g * slots.stride..(g + 1) * slots.stride;
            for (t, f) in to.sum[range(g as usize)]
                .iter_mut()
                .zip(&from.sum[range(fine_g)])
            {
                *t += f;
            }
            for (t, f) in to.sq[range(g as usize)]
                .iter_mut()
                .zip(&from.sq[range(fine_g)])
            {
                *t += f;
            }
        }
    }
    let scores = if scores.is_empty() {
        Vec::new()
    } else {
        let idx = layout.grid.index(r);
        scores
            .iter()
            .map(|(_, s)| group_scores(&idx, s, groups, weights))
            .collect()
    };
    Tally {
        layout,
        respondents,
        counts,
        weighted,
        scores,
    }
}

/// Count one wave for `breakdowns` (which should start with `Overall`). Breakdowns whose fields
/// the wave did not map are skipped. `weights` (one per row) make every share, mean and
/// effective n weighted; counts stay unweighted. A cross with a [`Collapse`] is counted with
/// its merged categories.
pub fn count_wave(
    schema: &Schema,
    wave: &WaveId,
    r: &Responses,
    breakdowns: &[Breakdown],
    collapse: &[Collapse],
    weights: Option<&[f64]>,
) -> WaveAggregates {
    let mut slots = Slots {
        questions: Vec::new(),
        stride: 0,
    };
    for (q, question) in schema.questions.iter().enumerate() {
        if let (Some(scale), Some(_)) = (schema.scale_of(question), &r.answers[q]) {
            slots.questions.push((q, slots.stride, scale.answers.len()));
            slots.stride += scale.answers.len() + 1;
        }
    }
    let layouts: Vec<Layout> = breakdowns
        .iter()
        .filter_map(|&b| {
            let fields = b.fields();
            if let Some(&d) = fields.iter().find(|&&d| r.fields[d].is_none()) {
                tracing::warn!(%wave, field = %schema.demographics[d].id, "field not mapped in this wave; breakdown skipped");
                return None;
            }
            let merged = collapse.iter().find(|c| c.cross == b);
            Some(Layout {
                breakdown: b,
                grid: Grid::new(schema, fields, merged),
            })
        })
        .collect();
    let scores = respondent_scores(schema, r);
    let (grids, of) = plan(&layouts);
    let counted: Vec<GridCounts> = grids
        .par_iter()
        .map(|g| count_grid(r, g, &slots, weights))
        .collect();
    let tallies: Vec<Tally> = layouts
        .into_par_iter()
        .zip(of)
        .map(|(l, gi)| tally(r, l, &grids[gi], &counted[gi], &slots, &scores, weights))
        .collect();
    aggregates(schema, wave, &slots, &scores, tallies)
}

/// The groups a breakdown lists: every category (and pair of categories), and Not stated only
/// where someone is in it, so tables keep their shape from year to year.
fn listed(t: &Tally) -> Vec<usize> {
    (0..t.layout.groups())
        .filter(|&g| {
            let stated = match t.layout.group(g) {
                Group::All => true,
                Group::One(c) => c.is_some(),
                Group::Two(x, y) => x.is_some() && y.is_some(),
            };
            stated || t.respondents[g] > 0
        })
        .collect()
}

/// One item's answer counts in one group (and their sums of weights), grouped as the schema
/// scores them.
fn item_counts(
    schema: &Schema,
    question: &crate::schema::Question,
    scale: &crate::schema::Scale,
    t: &Tally,
    at: usize,
    answers: usize,
) -> ItemCounts {
    let row = &t.counts[at..][..answers];
    let mut counts = ItemCounts {
        codes: row.to_vec(),
        ..ItemCounts::default()
    };
    let mut weighted = t.weighted.as_ref().map(|ws| WeightedCounts {
        codes: ws.sum[at..][..answers].to_vec(),
        codes_sq: ws.sq[at..][..answers].to_vec(),
        ..WeightedCounts::default()
    });
    for (k, (a, &n)) in scale.answers.iter().zip(row).enumerate() {
        let group = schema
            .scored_group(question, a.code)
            .expect("code of scale");
        match group {
            AnswerGroup::Positive => counts.positive += n,
            AnswerGroup::Neutral => counts.neutral += n,
            AnswerGroup::Negative => counts.negative += n,
            AnswerGroup::Excluded => counts.excluded += n,
        }
        if let Some(w) = &mut weighted {
            let (sum, sq) = (w.codes[k], w.codes_sq[k]);
            match group {
                AnswerGroup::Positive => w.positive += sum,
                AnswerGroup::Neutral => w.neutral += sum,
                AnswerGroup::Negative => w.negative += sum,
                AnswerGroup::Excluded => continue,
            }
            w.valid_sq += sq;
        }
    }
    counts.weighted = weighted;
    counts
}

/// The engine's counts as the cells the rest of the pipeline reads, in table order: by
/// measure, then breakdown, then group.
fn aggregates(
    schema: &Schema,
    wave: &WaveId,
    slots: &Slots,
    scores: &[(usize, Vec<f64>)],
    tallies: Vec<Tally>,
) -> WaveAggregates {
    let cell = |measure, t: &Tally, g: usize, n| Cell {
        wave: wave.clone(),
        measure,
        breakdown: t.layout.breakdown,
        group: t.layout.group(g),
        n,
        stats: (),
    };
    let lists: Vec<Vec<usize>> = tallies.iter().map(listed).collect();
    let mut out = WaveAggregates {
        wave: wave.clone(),
        ..Default::default()
    };
    for (t, list) in tallies.iter().zip(&lists) {
        for &g in list {
            out.respondents.push(cell(0, t, g, t.respondents[g]));
        }
    }
    for &(q, first, answers) in &slots.questions {
        let question = &schema.questions[q];
        let scale = schema.scale_of(question).expect("scored");
        for (t, list) in tallies.iter().zip(&lists) {
            for &g in list {
                let at = g * slots.stride + first + 1;
                let counts = item_counts(schema, question, scale, t, at, answers);
                let c = cell(q, t, g, counts.n());
                out.items.push(Cell {
                    stats: counts,
                    wave: c.wave,
                    measure: c.measure,
                    breakdown: c.breakdown,
                    group: c.group,
                    n: c.n,
                });
            }
        }
    }
    for (k, &(i, _)) in scores.iter().enumerate() {
        for (t, list) in tallies.iter().zip(&lists) {
            for &g in list {
                let s = t.scores[k][g];
                let c = cell(i, t, g, s.n);
                out.scores.push(Cell {
                    stats: ScoreSummary {
                        mean: s.mean,
                        sd: s.sd,
                        n_eff: s.n_eff,
                    },
                    wave: c.wave,
                    measure: c.measure,
                    breakdown: c.breakdown,
                    group: c.group,
                    n: c.n,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
