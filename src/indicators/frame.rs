//! A stored wave's frame (the store's columns, or meeting feedback's labels) as the counting
//! engine's codes, and counted.

use super::Breakdown;
use super::aggregates::WaveAggregates;
use super::counting::count_wave;
use crate::ids::WaveId;
use crate::responses::{NOT_STATED, Responses};
use crate::schema::Schema;
use polars::prelude::*;
use std::collections::HashMap;

/// A wave's frame as the engine's codes. Demographic columns hold category labels (meeting
/// feedback, tests) or the store's category indices (UInt32); answers are the scale's codes
/// (UInt8). Null is Not stated / no answer.
pub fn responses(schema: &Schema, df: &DataFrame) -> PolarsResult<Responses> {
    let mut r = Responses::new(schema, df.height());
    for (d, dem) in schema.demographics.iter().enumerate() {
        let Ok(col) = df.column(&dem.id) else {
            continue;
        };
        let codes: Vec<u32> = match col.dtype() {
            DataType::String => {
                let lookup: HashMap<&str, u32> = dem
                    .categories
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.as_str(), i as u32))
                    .collect();
                col.str()?
                    .iter()
                    .map(|v| v.and_then(|s| lookup.get(s).copied()).unwrap_or(NOT_STATED))
                    .collect()
            }
            _ => col
                .cast(&DataType::UInt32)?
                .u32()?
                .iter()
                .map(|v| {
                    v.filter(|&c| (c as usize) < dem.categories.len())
                        .unwrap_or(NOT_STATED)
                })
                .collect(),
        };
        r.fields[d] = Some(codes);
    }
    for (q, question) in schema.questions.iter().enumerate() {
        let (Some(_), Ok(col)) = (question.scale, df.column(&question.id)) else {
            continue;
        };
        let lut = Responses::slots(schema, q);
        let col = col.cast(&DataType::UInt8)?;
        let slots: Vec<u8> = match col.u8()?.cont_slice() {
            Ok(values) => values.iter().map(|&c| lut[c as usize]).collect(),
            Err(_) => col
                .u8()?
                .iter()
                .map(|v| v.map_or(0, |c| lut[c as usize]))
                .collect(),
        };
        r.answers[q] = Some(slots);
    }
    Ok(r)
}

/// Compute every aggregate of one wave (a frame from the store) for `breakdowns`, which
/// should start with `Overall`. Breakdowns whose fields this wave did not map are skipped.
pub fn compute_wave(
    schema: &Schema,
    wave: &WaveId,
    df: &DataFrame,
    breakdowns: &[Breakdown],
) -> PolarsResult<WaveAggregates> {
    let r = responses(schema, df)?;
    Ok(count_wave(schema, wave, &r, breakdowns, &[], None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::{Cell, Group};

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
