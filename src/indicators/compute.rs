//! One columnar pass per breakdown: a polars group-by whose aggregations are
//! - per item and answer code, how many chose it (so any grouping of answers can be derived);
//! - per indicator that scores respondents (theme share, 0–100 index, 0–10 score), the mean,
//!   standard deviation and count of respondent scores;
//! - the number of respondents.
//!
//! A million respondents cost one scan per breakdown, not one per cell.

use super::{Breakdown, Cat, Cell, Group};
use crate::config::WaveId;
use crate::schema::{AnswerGroup, Method, Schema};
use polars::prelude::*;
use std::collections::HashMap;

/// Answer counts for one item in one group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemCounts {
    /// After reverse keying.
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
    /// Answers in the scale's excluded group (e.g. "Don't know").
    pub excluded: u64,
    /// Count per answer, in the order of the scale's `answers`.
    pub codes: Vec<u64>,
}

impl ItemCounts {
    /// Valid answers: the denominator of every percentage.
    pub fn n(&self) -> u64 {
        self.positive + self.neutral + self.negative
    }

    /// Percentage of valid answers, at full precision; `None` when there are none.
    pub fn pct(&self, count: u64) -> Option<f64> {
        let n = self.n();
        (n > 0).then(|| 100.0 * count as f64 / n as f64)
    }
}

/// Summary of respondent-level scores in one group (n is the cell's `n`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ScoreSummary {
    pub mean: f64,
    /// Sample standard deviation (ddof = 1); 0 with fewer than two scores.
    pub sd: f64,
}

/// Everything one wave's pass produces, in table order.
#[derive(Debug, Clone, Default)]
pub struct WaveAggregates {
    pub wave: WaveId,
    /// Respondents per breakdown group.
    pub respondents: Vec<Cell<()>>,
    /// Ordered by item, then breakdown, then group.
    pub items: Vec<Cell<ItemCounts>>,
    /// Respondent-score indicators only (theme, index, score), ordered by indicator,
    /// breakdown, group.
    pub scores: Vec<Cell<ScoreSummary>>,
}

fn code_col(item: &str, code: u8) -> String {
    format!("{item}\u{1F}{code}")
}

fn any_code(item: &str, codes: &[u8]) -> Expr {
    codes
        .iter()
        .map(|&c| col(item).eq(lit(c as u32)))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false))
        .fill_null(lit(false))
}

/// The respondent-level score of an indicator over the items this wave asked, or `None` for
/// methods scored from item counts. A theme is scored on the items present (a changed
/// question leaves the theme's other items); an index or score needs every item.
fn score_expr(schema: &Schema, ind: usize, present: &dyn Fn(usize) -> bool) -> Option<Expr> {
    let ind = &schema.indicators[ind];
    let asked: Vec<usize> = ind.items.iter().copied().filter(|&q| present(q)).collect();
    let complete = asked.len() == ind.items.len();
    let min = lit(ind.min_items as f64);
    match ind.method {
        Method::ThemePctPositive => {
            if asked.is_empty() {
                return None;
            }
            let mut pos = lit(0.0);
            let mut ans = lit(0.0);
            for &q in &asked {
                let question = &schema.questions[q];
                let scale = schema.scale_of(question)?;
                let of = |want: &dyn Fn(AnswerGroup) -> bool| -> Vec<u8> {
                    scale
                        .answers
                        .iter()
                        .filter(|a| schema.scored_group(question, a.code).is_some_and(want))
                        .map(|a| a.code)
                        .collect()
                };
                let positive = of(&|g| g == AnswerGroup::Positive);
                let valid = of(&|g| g != AnswerGroup::Excluded);
                pos = pos + any_code(&question.id, &positive).cast(DataType::Float64);
                ans = ans + any_code(&question.id, &valid).cast(DataType::Float64);
            }
            Some(
                when(ans.clone().gt_eq(min))
                    .then(pos / ans)
                    .otherwise(lit(NULL).cast(DataType::Float64)),
            )
        }
        Method::Index0To100 | Method::Score0To10 => {
            if !complete {
                return None;
            }
            let top = if ind.method == Method::Index0To100 {
                100.0
            } else {
                10.0
            };
            let mut sum = lit(0.0);
            let mut count = lit(0.0);
            for &q in &ind.items {
                let question = &schema.questions[q];
                schema.scale_of(question)?;
                // Strongly disagree 0, Disagree 25, ... Strongly agree 100 (or 0..10); any
                // other code (excluded answers) scores nothing.
                let mut score = lit(NULL).cast(DataType::Float64);
                for (code, v) in schema.score_points(question, top).into_iter().rev() {
                    score = when(col(question.id.as_str()).eq(lit(code as u32)))
                        .then(lit(v))
                        .otherwise(score);
                }
                sum = sum + score.clone().fill_null(lit(0.0));
                count = count + score.is_not_null().cast(DataType::Float64);
            }
            Some(
                when(count.clone().gt_eq(min))
                    .then(sum / count)
                    .otherwise(lit(NULL).cast(DataType::Float64)),
            )
        }
        Method::YesRate | Method::Enps => None,
    }
}

/// Groups of a breakdown in table order, with the aggregated frame's row for each
/// (`None`: a category nobody in the wave chose, listed so tables keep their shape).
fn groups_of(
    schema: &Schema,
    breakdown: Breakdown,
    frame: &DataFrame,
) -> PolarsResult<Vec<(Group, Option<usize>)>> {
    let fields = breakdown.fields();
    let mut present: HashMap<Vec<Cat>, usize> = HashMap::new();
    let mut keys: Vec<Vec<Cat>> = vec![Vec::new(); frame.height()];
    for &d in &fields {
        let dem = &schema.demographics[d];
        let lookup: HashMap<&str, u32> = dem
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i as u32))
            .collect();
        for (row, v) in frame.column(&dem.id)?.str()?.iter().enumerate() {
            keys[row].push(v.and_then(|s| lookup.get(s).copied()));
        }
    }
    for (row, k) in keys.into_iter().enumerate() {
        present.insert(k, row);
    }
    let all = |d: usize| -> Vec<Cat> {
        (0..schema.demographics[d].categories.len() as u32)
            .map(Some)
            .chain(std::iter::once(None))
            .collect()
    };
    let row = |k: &Vec<Cat>| present.get(k).copied();
    Ok(match breakdown {
        Breakdown::Overall => vec![(Group::All, Some(0))],
        Breakdown::Field(d) => all(d)
            .into_iter()
            .filter(|c| c.is_some() || row(&vec![*c]).is_some())
            .map(|c| (Group::One(c), row(&vec![c])))
            .collect(),
        Breakdown::Cross(a, b) => {
            let mut out = Vec::new();
            for x in all(a) {
                for y in all(b) {
                    let r = row(&vec![x, y]);
                    if (x.is_some() && y.is_some()) || r.is_some() {
                        out.push((Group::Two(x, y), r));
                    }
                }
            }
            out
        }
    })
}

fn u64_at(frame: &DataFrame, name: &str, row: Option<usize>) -> PolarsResult<u64> {
    Ok(match row {
        Some(r) => frame.column(name)?.u64()?.get(r).unwrap_or(0),
        None => 0,
    })
}

fn f64_at(frame: &DataFrame, name: &str, row: Option<usize>) -> PolarsResult<Option<f64>> {
    Ok(match row {
        Some(r) => frame.column(name)?.f64()?.get(r),
        None => None,
    })
}

/// Compute every aggregate of one wave (a frame from the store) for `breakdowns`, which
/// should start with `Overall`. Breakdowns whose fields this wave did not map are skipped.
pub fn compute_wave(
    schema: &Schema,
    wave: &WaveId,
    df: &DataFrame,
    breakdowns: &[Breakdown],
) -> PolarsResult<WaveAggregates> {
    let items: Vec<usize> = schema
        .questions
        .iter()
        .enumerate()
        .filter(|(_, q)| q.scale.is_some() && df.column(&q.id).is_ok())
        .map(|(i, _)| i)
        .collect();
    let present = |q: usize| df.column(&schema.questions[q].id).is_ok();
    let scored: Vec<(usize, Expr)> = (0..schema.indicators.len())
        .filter_map(|i| score_expr(schema, i, &present).map(|e| (i, e)))
        .collect();

    let mut aggs: Vec<Expr> = vec![len().cast(DataType::UInt64).alias("\u{1F}respondents")];
    for &q in &items {
        let question = &schema.questions[q];
        for a in &schema.scale_of(question).expect("scored").answers {
            aggs.push(
                col(question.id.as_str())
                    .eq(lit(a.code as u32))
                    .sum()
                    .cast(DataType::UInt64)
                    .alias(code_col(&question.id, a.code)),
            );
        }
    }
    for (i, e) in &scored {
        let id = &schema.indicators[*i].id;
        aggs.push(e.clone().mean().alias(format!("{id}\u{1F}mean")));
        aggs.push(e.clone().std(1).alias(format!("{id}\u{1F}sd")));
        aggs.push(
            e.clone()
                .count()
                .cast(DataType::UInt64)
                .alias(format!("{id}\u{1F}n")),
        );
    }

    struct Computed {
        breakdown: Breakdown,
        groups: Vec<(Group, Option<usize>)>,
        frame: DataFrame,
    }
    let mut computed = Vec::new();
    for &b in breakdowns {
        let fields = b.fields();
        if let Some(&d) = fields
            .iter()
            .find(|&&d| df.column(&schema.demographics[d].id).is_err())
        {
            tracing::warn!(%wave, field = %schema.demographics[d].id, "field not mapped in this wave; breakdown skipped");
            continue;
        }
        let frame = if fields.is_empty() {
            df.clone().lazy().select(aggs.clone()).collect()?
        } else {
            let by: Vec<Expr> = fields
                .iter()
                .map(|&d| col(schema.demographics[d].id.as_str()))
                .collect();
            df.clone().lazy().group_by(by).agg(aggs.clone()).collect()?
        };
        let groups = groups_of(schema, b, &frame)?;
        computed.push(Computed {
            breakdown: b,
            groups,
            frame,
        });
    }

    let mut out = WaveAggregates {
        wave: wave.clone(),
        ..Default::default()
    };
    let cell = |measure, breakdown, group, n| Cell {
        wave: wave.clone(),
        measure,
        breakdown,
        group,
        n,
        stats: (),
    };
    for c in &computed {
        for &(g, row) in &c.groups {
            let n = u64_at(&c.frame, "\u{1F}respondents", row)?;
            out.respondents.push(cell(0, c.breakdown, g, n));
        }
    }
    for &q in &items {
        let question = &schema.questions[q];
        let scale = schema.scale_of(question).expect("scored");
        for c in &computed {
            for &(group, row) in &c.groups {
                let mut counts = ItemCounts::default();
                for a in &scale.answers {
                    let n = u64_at(&c.frame, &code_col(&question.id, a.code), row)?;
                    counts.codes.push(n);
                    match schema
                        .scored_group(question, a.code)
                        .expect("code of scale")
                    {
                        AnswerGroup::Positive => counts.positive += n,
                        AnswerGroup::Neutral => counts.neutral += n,
                        AnswerGroup::Negative => counts.negative += n,
                        AnswerGroup::Excluded => counts.excluded += n,
                    }
                }
                out.items.push(Cell {
                    wave: wave.clone(),
                    measure: q,
                    breakdown: c.breakdown,
                    group,
                    n: counts.n(),
                    stats: counts,
                });
            }
        }
    }
    for (i, _) in &scored {
        let id = &schema.indicators[*i].id;
        for c in &computed {
            for &(group, row) in &c.groups {
                let n = u64_at(&c.frame, &format!("{id}\u{1F}n"), row)?;
                let mean = f64_at(&c.frame, &format!("{id}\u{1F}mean"), row)?.unwrap_or(0.0);
                let sd = f64_at(&c.frame, &format!("{id}\u{1F}sd"), row)?.unwrap_or(0.0);
                out.scores.push(Cell {
                    wave: wave.clone(),
                    measure: *i,
                    breakdown: c.breakdown,
                    group,
                    n,
                    stats: ScoreSummary { mean, sd },
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        crate::schema::testing::schema(
            r#"
[[questions]]
id = "S01"
text = "Proud"
type = "likert"
scale = "agree5"
[[questions]]
id = "S02"
text = "Discriminated against"
type = "likert"
scale = "agree5"
reverse_keyed = true
[[demographics]]
id = "directorate"
label = "Directorate"
categories = ["Place", "Resources", "Communities"]
[[demographics]]
id = "grade"
label = "Grade"
categories = ["Low", "High"]
[[indicators]]
id = "theme"
label = "Theme"
method = "theme-pct-positive"
items = ["S01", "S02"]
[[indicators]]
id = "index"
label = "Index"
method = "index-0-100"
items = ["S01", "S02"]
min_items = 2
"#,
        )
    }

    fn frame() -> DataFrame {
        df! {
            "directorate" => [Some("Place"), Some("Place"), Some("Resources"), None, Some("Resources"), Some("Place")],
            "grade" => [Some("Low"), Some("High"), Some("Low"), Some("Low"), None, Some("Low")],
            "S01" => [Some(5u8), Some(4), Some(3), Some(9), None, Some(1)],
            "S02" => [Some(1u8), Some(2), Some(5), Some(4), Some(3), None],
        }
        .unwrap()
    }

    fn find<T: Clone>(cells: &[Cell<T>], m: usize, b: Breakdown, g: Group) -> Cell<T> {
        cells
            .iter()
            .find(|c| c.measure == m && c.breakdown == b && c.group == g)
            .unwrap_or_else(|| panic!("no cell {m} {b:?} {g:?}"))
            .clone()
    }

    #[test]
    fn counts_by_hand_on_six_respondents() {
        let s = schema();
        let bs = [
            Breakdown::Overall,
            Breakdown::Field(0),
            Breakdown::Cross(0, 1),
        ];
        let w = compute_wave(&s, &"2025".into(), &frame(), &bs).unwrap();
        // S01 overall: 5,4,3,DK,blank,1 → positive 2, neutral 1, negative 1, excluded 1.
        let o = find(&w.items, 0, Breakdown::Overall, Group::All).stats;
        assert_eq!(
            (o.positive, o.neutral, o.negative, o.excluded, o.n()),
            (2, 1, 1, 1, 4)
        );
        assert_eq!(o.codes, [1, 0, 1, 1, 1, 1]);
        assert_eq!(o.pct(o.positive), Some(50.0));
        // Place: 5,4,1 → 2 positive of 3.
        let p = find(&w.items, 0, Breakdown::Field(0), Group::One(Some(0))).stats;
        assert_eq!((p.positive, p.neutral, p.negative), (2, 0, 1));
        // Not stated: the DK only.
        let ns = find(&w.items, 0, Breakdown::Field(0), Group::One(None));
        assert_eq!((ns.n, ns.stats.excluded), (0, 1));
        // Communities has nobody but is listed, so tables keep their shape.
        assert_eq!(
            find(&w.items, 0, Breakdown::Field(0), Group::One(Some(2))).n,
            0
        );
        // S02 is reverse keyed: disagreeing (1, 2) is favourable.
        let r = find(&w.items, 1, Breakdown::Overall, Group::All).stats;
        assert_eq!((r.positive, r.neutral, r.negative), (2, 1, 2));
        // Groups add up to overall for every item and breakdown.
        for item in 0..2 {
            let total = find(&w.items, item, Breakdown::Overall, Group::All).n;
            for b in [Breakdown::Field(0), Breakdown::Cross(0, 1)] {
                let sum: u64 = w
                    .items
                    .iter()
                    .filter(|c| c.measure == item && c.breakdown == b)
                    .map(|c| c.n)
                    .sum();
                assert_eq!(sum, total, "{b:?}");
            }
        }
        // Cross: Place × Low holds respondents 1 and 6; Resources × Not stated respondent 5.
        assert_eq!(
            find(
                &w.respondents,
                0,
                Breakdown::Cross(0, 1),
                Group::Two(Some(0), Some(0))
            )
            .n,
            2
        );
        assert_eq!(
            find(
                &w.respondents,
                0,
                Breakdown::Cross(0, 1),
                Group::Two(Some(1), None)
            )
            .n,
            1
        );
        assert_eq!(find(&w.respondents, 0, Breakdown::Overall, Group::All).n, 6);
    }

    #[test]
    fn respondent_scores_by_hand() {
        let s = schema();
        let w = compute_wave(&s, &"2025".into(), &frame(), &[Breakdown::Overall]).unwrap();
        // Theme share of positive answers per respondent (S02 reversed: 1,2 positive):
        // r1: S01 5 (+), S02 1 (+) → 1; r2: 4 (+), 2 (+) → 1; r3: 3, 5 (−) → 0;
        // r4: DK (not valid), 4 (−) → 0; r5: blank, 3 → 0; r6: 1 (−), blank → 0.
        let t = find(&w.scores, 0, Breakdown::Overall, Group::All);
        assert_eq!(t.n, 6);
        assert!((t.stats.mean - 2.0 / 6.0).abs() < 1e-12);
        // sd of [1,1,0,0,0,0] with ddof 1 = sqrt(((2/3)^2*2 + (1/3)^2*4)/5) = sqrt(4/15)
        assert!((t.stats.sd - (4.0f64 / 15.0).sqrt()).abs() < 1e-12);
        // Index needs both items: r1 (100 + 100)/2 = 100 (S02=1 reversed → 100);
        // r2 (75 + 75)/2 = 75; r3 (50 + 0)/2 = 25; others lack an item.
        let i = find(&w.scores, 1, Breakdown::Overall, Group::All);
        assert_eq!(i.n, 3);
        assert!((i.stats.mean - 200.0 / 3.0).abs() < 1e-12);
        // sd of [100, 75, 25] = sqrt(((100-66.67)^2 + (75-66.67)^2 + (25-66.67)^2)/2)
        let m = 200.0 / 3.0;
        let sd = (((100.0f64 - m).powi(2) + (75.0 - m).powi(2) + (25.0 - m).powi(2)) / 2.0).sqrt();
        assert!((i.stats.sd - sd).abs() < 1e-9);
    }
}
