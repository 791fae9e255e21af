//! Item-level results: for each wave, item and group, how many valid answers were positive,
//! neutral and negative (after reverse keying). "Don't know"-style answers are counted
//! separately and left out of the denominator (FEVS / Civil Service practice).
//!
//! Counting is one columnar pass per breakdown: a polars group-by with one `sum` per item and
//! answer code, so a million respondents cost one scan per breakdown, not one per cell.

use super::{Breakdown, Group};
use crate::schema::{AnswerGroup, Schema};
use polars::prelude::*;

/// Answer counts for one item in one group of one wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemCounts {
    pub wave: String,
    /// Index into `Schema::questions`.
    pub item: usize,
    pub breakdown: Breakdown,
    pub group: Group,
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
    /// Answers in the scale's excluded group (e.g. "Don't know").
    pub excluded: u64,
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

fn agg_name(item: &str, code: u8) -> String {
    format!("{item}\u{1F}{code}")
}

/// Count answers for every scored item in `df` (one wave from the store), overall and by each
/// breakdown field. Rows come out in schema order: item, then breakdown, then group.
pub fn count_items(
    schema: &Schema,
    wave: &str,
    df: &DataFrame,
    breakdowns: &[usize],
) -> PolarsResult<Vec<ItemCounts>> {
    let present: Vec<usize> = schema
        .questions
        .iter()
        .enumerate()
        .filter(|(_, q)| q.scale.is_some() && df.column(&q.id).is_ok())
        .map(|(i, _)| i)
        .collect();
    let mut aggs: Vec<Expr> = Vec::new();
    for &q in &present {
        let question = &schema.questions[q];
        for a in &schema.scale_of(question).expect("scored").answers {
            aggs.push(
                col(question.id.as_str())
                    .eq(lit(a.code as u32))
                    .sum()
                    .cast(DataType::UInt64)
                    .alias(agg_name(&question.id, a.code)),
            );
        }
    }

    /// One breakdown's aggregated frame, and which frame row holds each group
    /// (`usize::MAX` for a category nobody chose).
    struct Computed {
        breakdown: Breakdown,
        groups: Vec<(Group, usize)>,
        frame: DataFrame,
    }
    let mut per_breakdown: Vec<Computed> = Vec::new();
    if !aggs.is_empty() {
        let overall = df.clone().lazy().select(aggs.clone()).collect()?;
        per_breakdown.push(Computed {
            breakdown: Breakdown::Overall,
            groups: vec![(Group::All, 0)],
            frame: overall,
        });
        for &d in breakdowns {
            let dem = &schema.demographics[d];
            if df.column(&dem.id).is_err() {
                tracing::warn!(wave, field = %dem.id, "breakdown field not mapped in this wave; skipped");
                continue;
            }
            let grouped = df
                .clone()
                .lazy()
                .group_by([col(dem.id.as_str())])
                .agg(aggs.clone())
                .collect()?;
            let keys = grouped.column(&dem.id)?.str()?.clone();
            let mut groups: Vec<(Group, usize)> = Vec::with_capacity(dem.categories.len() + 1);
            for (c, cat) in dem.categories.iter().enumerate() {
                let row = keys.iter().position(|k| k == Some(cat.as_str()));
                groups.push((Group::Category(c as u32), row.unwrap_or(usize::MAX)));
            }
            if let Some(row) = keys.iter().position(|k| k.is_none()) {
                groups.push((Group::NotStated, row));
            }
            per_breakdown.push(Computed {
                breakdown: Breakdown::Field(d),
                groups,
                frame: grouped,
            });
        }
    }

    let mut out = Vec::new();
    for &q in &present {
        let question = &schema.questions[q];
        let scale = schema.scale_of(question).expect("scored");
        for Computed {
            breakdown,
            groups,
            frame,
        } in &per_breakdown
        {
            for &(group, row) in groups {
                let mut cell = ItemCounts {
                    wave: wave.to_string(),
                    item: q,
                    breakdown: *breakdown,
                    group,
                    positive: 0,
                    neutral: 0,
                    negative: 0,
                    excluded: 0,
                };
                if row != usize::MAX {
                    for a in &scale.answers {
                        let n = frame
                            .column(&agg_name(&question.id, a.code))?
                            .u64()?
                            .get(row)
                            .unwrap_or(0);
                        match schema
                            .scored_group(question, a.code)
                            .expect("code of scale")
                        {
                            AnswerGroup::Positive => cell.positive += n,
                            AnswerGroup::Neutral => cell.neutral += n,
                            AnswerGroup::Negative => cell.negative += n,
                            AnswerGroup::Excluded => cell.excluded += n,
                        }
                    }
                }
                out.push(cell);
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
"#,
        )
    }

    #[test]
    fn counts_by_hand_on_six_respondents() {
        let s = schema();
        let df = df! {
            "directorate" => [Some("Place"), Some("Place"), Some("Resources"), None, Some("Resources"), Some("Place")],
            "S01" => [Some(5u8), Some(4), Some(3), Some(9), None, Some(1)],
            "S02" => [Some(1u8), Some(2), Some(5), Some(4), Some(3), None],
        }
        .unwrap();
        let cells = count_items(&s, "2025", &df, &[0]).unwrap();
        let get = |item: usize, b: Breakdown, g: Group| {
            cells
                .iter()
                .find(|c| c.item == item && c.breakdown == b && c.group == g)
                .unwrap()
                .clone()
        };
        // S01 overall: answers 5,4,3,DK,blank,1 → positive 2, neutral 1, negative 1, excluded 1.
        let o = get(0, Breakdown::Overall, Group::All);
        assert_eq!(
            (o.positive, o.neutral, o.negative, o.excluded, o.n()),
            (2, 1, 1, 1, 4)
        );
        assert_eq!(o.pct(o.positive), Some(50.0));
        // Place: 5,4,1 → 2 positive of 3.
        let p = get(0, Breakdown::Field(0), Group::Category(0));
        assert_eq!((p.positive, p.neutral, p.negative), (2, 0, 1));
        // Not stated: the DK only.
        let ns = get(0, Breakdown::Field(0), Group::NotStated);
        assert_eq!((ns.n(), ns.excluded), (0, 1));
        assert_eq!(ns.pct(0), None);
        // Communities has nobody but is listed, so tables have the same shape every year.
        let c = get(0, Breakdown::Field(0), Group::Category(2));
        assert_eq!(c.n(), 0);
        // S02 is reverse keyed: disagreeing (1, 2) is favourable.
        let r = get(1, Breakdown::Overall, Group::All);
        assert_eq!((r.positive, r.neutral, r.negative), (2, 1, 2));
        // Groups add up to overall for every item.
        for item in 0..2 {
            let sum: u64 = cells
                .iter()
                .filter(|c| c.item == item && c.breakdown == Breakdown::Field(0))
                .map(|c| c.n())
                .sum();
            assert_eq!(sum, get(item, Breakdown::Overall, Group::All).n());
        }
    }
}
