//! End to end: random respondents → compute → derive → protect → written tables → audit.

use super::*;
use crate::ids::WaveId;
use crate::indicators::statistics::{Populations, indicators, items};
use crate::indicators::{Breakdown, Group, frame::compute_wave};
use crate::report::model::{self, Model};
use polars::prelude::{Column, DataFrame};
use proptest::prelude::*;

fn schema() -> crate::schema::Schema {
    crate::schema::testing::schema(
        r#"
[[questions]]
id = "Q1"
text = "Q1"
type = "likert"
scale = "agree5"
[[questions]]
id = "Q2"
text = "Q2"
type = "likert"
scale = "agree5"
[[demographics]]
id = "a"
label = "A"
categories = ["a1", "a2", "a3"]
[[demographics]]
id = "b"
label = "B"
categories = ["b1", "b2"]
[[indicators]]
id = "theme"
label = "Theme"
method = "theme-pct-positive"
items = ["Q1", "Q2"]
[[indicators]]
id = "index"
label = "Index"
method = "index-0-100"
items = ["Q1", "Q2"]
min_items = 2
"#,
    )
}

prop_compose! {
    fn respondent()(a in 0u8..5, b in 0u8..4, q1 in 0u8..8, q2 in 0u8..8) -> (u8, u8, u8, u8) {
        (a, b, q1, q2)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn every_written_pack_passes_the_audit(
        people in proptest::collection::vec(respondent(), 0..160),
        k in 3u32..12,
    ) {
        let s = schema();
        // a: a1 a1 a2 a3 blank (skewed so small groups are common); b: b1 b1 b2 blank.
        let a: Vec<Option<&str>> = people.iter().map(|p| [Some("a1"), Some("a1"), Some("a2"), Some("a3"), None][p.0 as usize]).collect();
        let b: Vec<Option<&str>> = people.iter().map(|p| [Some("b1"), Some("b1"), Some("b2"), None][p.1 as usize]).collect();
        let code = |c: u8| [Some(1u8), Some(2), Some(3), Some(4), Some(5), Some(9), None, Some(4)][c as usize];
        let q1: Vec<Option<u8>> = people.iter().map(|p| code(p.2)).collect();
        let q2: Vec<Option<u8>> = people.iter().map(|p| code(p.3)).collect();
        let df = DataFrame::new(people.len(), vec![
            Column::new("a".into(), a),
            Column::new("b".into(), b),
            Column::new("Q1".into(), q1),
            Column::new("Q2".into(), q2),
        ]).unwrap();
        let bs = [Breakdown::Overall, Breakdown::Field(0), Breakdown::Field(1), Breakdown::Cross(0, 1)];
        let wave = WaveId::from("2025");
        let agg = compute_wave(&s, &wave, &df, &bs).unwrap();
        let pops = Populations::new(None, true);
        let it = items(&agg, &pops);
        let ind = indicators(&s, &agg, &it, &pops);
        let respondents: HashMap<WaveId, u64> = [(wave, people.len() as u64)].into();
        let t = crate::disclosure::protect(&s, it, ind, Vec::new(), &respondents, crate::disclosure::Rules { k, min_for_breakdowns: crate::disclosure::MIN_RESPONDENTS_FOR_BREAKDOWNS, attribute_below: None, linear_attack: true, reasons: true, answers: crate::disclosure::Answers::Each, hide_last: None });
        let mut groups: Vec<(Breakdown, Group)> = t.items.iter().map(|p| (p.breakdown, p.group)).collect();
        groups.extend(t.indicators.iter().map(|p| (p.breakdown, p.group)));
        groups.sort();
        groups.dedup();
        let months = model::dim_month(&[crate::calendar::YearMonth::new(2025, 10).unwrap()], &[]);
        let (dim_ind, bridge) = model::dim_indicator(&[&s]);
        let m = Model {
            waves: vec![model::DimWave {
                wave_id: "2025".into(),
                wave_label: "2025".into(),
                fieldwork_start: chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
                fieldwork_end: chrono::NaiveDate::from_ymd_opt(2025, 10, 31).unwrap(),
                fieldwork_month: chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
                financial_year: "2025/26".into(),
                is_baseline: true,
                is_latest: true,
                sort_order: 1,
            }],
            questions: model::dim_question(&[&s]),
            indicators: dim_ind,
            indicator_questions: bridge,
            groups: model::dim_group(&s, &groups),
            months: months.0,
            quarters: months.1,
            item_results: model::item_results(&s, &t.items, false, None, &Default::default()),
            indicator_results: model::indicator_results(&s, &t.indicators, false, &Default::default()),
            ..Model::default()
        };
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("tables")).unwrap();
        for table in m.tables() {
            for (rel, bytes) in crate::report::write::table_files(&table).unwrap() {
                std::fs::write(dir.path().join(rel), bytes).unwrap();
            }
        }
        super::tests::seal(dir.path());
        let report = audit(dir.path(), Some(k)).unwrap();
        prop_assert!(report.passed(), "{}\n{}", report.render(dir.path()), std::fs::read_to_string(dir.path().join("tables/fact_indicator_results.csv")).unwrap_or_default());
    }
}
