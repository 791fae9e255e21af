use super::*;
use proptest::prelude::*;

fn schema() -> Schema {
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
[[demographics]]
id = "c"
label = "C"
categories = ["c1", "c2", "c3", "c4"]
[[demographics]]
id = "d"
label = "D"
categories = ["d1", "d2"]
"#,
    )
}

#[test]
fn grids_pack_small_fields_and_reuse_crosses() {
    let s = schema();
    let layout = |b: Breakdown| Layout {
        breakdown: b,
        grid: Grid::new(&s, b.fields(), None),
    };
    let layouts: Vec<Layout> = [
        Breakdown::Overall,
        Breakdown::Field(0),
        Breakdown::Field(1),
        Breakdown::Field(2),
        Breakdown::Field(3),
        Breakdown::Cross(0, 1),
    ]
    .into_iter()
    .map(layout)
    .collect();
    let (grids, of) = plan(&layouts);
    // a and b come from the a × b cross; c and d share one packed grid (5 × 3 groups).
    assert_eq!(grids.len(), 2, "{grids:?}");
    assert_eq!(grids[0].fields, [0, 1]);
    assert_eq!(grids[1].fields, [2, 3]);
    assert_eq!(of, [0, 0, 0, 1, 1, 0]);
    // A group of the grid maps onto the coarse breakdown's group with the same category.
    let onto = grids[1].onto(&layouts[4].grid);
    assert_eq!(onto.len(), 15);
    assert_eq!(
        (onto[0], onto[1], onto[2], onto[3]),
        (0, 1, 2, 0),
        "d varies fastest"
    );
}

#[test]
fn weights_give_weighted_shares_and_kish_n_while_counts_stay_counts() {
    // Four respondents in a1, a1, a2, a2 answering Q1 Agree, Disagree, Agree, (none),
    // with weights 1, 3, 2, 5. Overall: 2 positive of 3 valid (counts); weighted
    // positive 1 + 2 = 3 of 1 + 3 + 2 = 6 valid: 50%; Kish n = 6² / (1 + 9 + 4) = 36/14.
    let s = schema();
    let mut r = Responses::new(&s, 4);
    r.fields = vec![
        Some(vec![0, 0, 1, 1]),
        Some(vec![0; 4]),
        Some(vec![0; 4]),
        Some(vec![0; 4]),
    ];
    let agree = Responses::answer_slot(&s, 0, 4);
    let disagree = Responses::answer_slot(&s, 0, 2);
    r.answers[0] = Some(vec![agree, disagree, agree, 0]);
    let w = [1.0, 3.0, 2.0, 5.0];
    let agg = count_wave(
        &s,
        &WaveId::from("w"),
        &r,
        &[Breakdown::Overall, Breakdown::Field(0)],
        &[],
        Some(&w),
    );
    let overall = agg
        .items
        .iter()
        .find(|c| c.breakdown == Breakdown::Overall && c.measure == 0)
        .unwrap();
    let c = &overall.stats;
    assert_eq!((c.positive, c.negative, c.n()), (2, 1, 3));
    assert!((c.pct_positive().unwrap() - 50.0).abs() < 1e-12);
    let (x, n) = c.positive_of();
    assert!((n - 36.0 / 14.0).abs() < 1e-12 && (x - 0.5 * n).abs() < 1e-12);
    assert!((c.design_effect().unwrap() - 3.0 / (36.0 / 14.0)).abs() < 1e-12);
    // Group a2: one valid answer (Agree) with weight 2: 100%.
    let a2 = agg
        .items
        .iter()
        .find(|x| {
            x.breakdown == Breakdown::Field(0) && x.group == Group::One(Some(1)) && x.measure == 0
        })
        .unwrap();
    assert_eq!(a2.stats.pct_positive(), Some(100.0));
    // Equal weights change nothing but add the effective n (= n).
    let plain = count_wave(&s, &WaveId::from("w"), &r, &[Breakdown::Overall], &[], None);
    let ones = count_wave(
        &s,
        &WaveId::from("w"),
        &r,
        &[Breakdown::Overall],
        &[],
        Some(&[1.0; 4]),
    );
    assert_eq!(
        plain.items[0].stats.pct_positive(),
        ones.items[0].stats.pct_positive()
    );
    assert_eq!(ones.items[0].stats.positive_of(), (2.0, 3.0));
}

#[test]
fn weighted_respondent_scores_by_hand() {
    // Scores 10, 20, (none), 40 with weights 1, 3, 2, 5: Σw = 9, mean (10 + 60 + 200) / 9
    // = 30; Σw(x − 30)² = 400 + 300 + 500 = 1200; sd² = 1200 / 9 × 3/2 = 200;
    // Kish n = 81 / (1 + 9 + 25).
    let g = group_scores(
        &[0, 0, 0, 0],
        &[10.0, 20.0, f64::NAN, 40.0],
        1,
        Some(&[1.0, 3.0, 2.0, 5.0]),
    );
    assert_eq!(g[0].n, 3);
    assert!((g[0].mean - 30.0).abs() < 1e-12);
    assert!((g[0].sd - 200f64.sqrt()).abs() < 1e-12);
    assert!((g[0].n_eff.unwrap() - 81.0 / 35.0).abs() < 1e-12);
    // Equal weights: the unweighted mean and sample SD.
    let eq = group_scores(&[0, 0, 0], &[10.0, 20.0, 40.0], 1, Some(&[2.0; 3]));
    let un = group_scores(&[0, 0, 0], &[10.0, 20.0, 40.0], 1, None);
    assert!((eq[0].mean - un[0].mean).abs() < 1e-12 && (eq[0].sd - un[0].sd).abs() < 1e-12);
}

fn naive(r: &Responses, fields: &[usize], sizes: &[usize], q: usize) -> Vec<[u64; 7]> {
    let groups: usize = sizes.iter().product();
    let mut out = vec![[0u64; 7]; groups];
    for row in 0..r.rows {
        let mut g = 0;
        for (&f, &size) in fields.iter().zip(sizes) {
            let c = r.fields[f].as_ref().unwrap()[row];
            let c = if c == NOT_STATED {
                size - 1
            } else {
                c as usize
            };
            g = g * size + c;
        }
        out[g][r.answers[q].as_ref().unwrap()[row] as usize] += 1;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// The counts the engine sums from shared grids equal counting each breakdown directly.
    #[test]
    fn grid_sums_equal_direct_counts(
        rows in proptest::collection::vec((0u32..5, 0u32..3, 0u32..5, 0u32..3, 0u8..7, 0u8..7), 0..120),
    ) {
        let s = schema();
        let cat = |v: u32, k: u32| if v >= k { NOT_STATED } else { v };
        let mut r = Responses::new(&s, rows.len());
        r.fields[0] = Some(rows.iter().map(|x| cat(x.0, 3)).collect());
        r.fields[1] = Some(rows.iter().map(|x| cat(x.1, 2)).collect());
        r.fields[2] = Some(rows.iter().map(|x| cat(x.2, 4)).collect());
        r.fields[3] = Some(rows.iter().map(|x| cat(x.3, 2)).collect());
        r.answers[0] = Some(rows.iter().map(|x| x.4).collect());
        r.answers[1] = Some(rows.iter().map(|x| x.5).collect());
        let bs = [
            Breakdown::Overall,
            Breakdown::Field(0),
            Breakdown::Field(2),
            Breakdown::Field(3),
            Breakdown::Cross(0, 1),
            Breakdown::Cross(2, 3),
        ];
        let agg = count_wave(&s, &WaveId::from("w"), &r, &bs, &[], None);
        for b in bs {
            let fields = b.fields();
            let sizes: Vec<usize> = fields.iter().map(|&d| s.demographics[d].categories.len() + 1).collect();
            let layout = Layout { breakdown: b, grid: Grid::new(&s, fields.clone(), None) };
            for q in 0..2 {
                let want = naive(&r, &fields, &sizes, q);
                for cell in agg.items.iter().filter(|c| c.measure == q && c.breakdown == b) {
                    let g = (0..layout.groups()).find(|&g| layout.group(g) == cell.group).unwrap();
                    prop_assert_eq!(&cell.stats.codes[..], &want[g][1..7], "{:?} {:?}", b, cell.group);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// A cross with merged categories (`collapse`) counts each merge as the sum of its
    /// members' cells, and its one-way groups are unchanged, whether the full cross is counted
    /// beside it or not.
    #[test]
    fn a_collapsed_cross_counts_each_merge_as_its_members_summed(
        rows in proptest::collection::vec((0u32..5, 0u32..6, 0u8..7), 0..120),
        with_full in any::<bool>(),
    ) {
        let s = schema();
        let cat = |v: u32, k: u32| if v >= k { NOT_STATED } else { v };
        let mut r = Responses::new(&s, rows.len());
        r.fields[0] = Some(rows.iter().map(|x| cat(x.0, 3)).collect());
        r.fields[2] = Some(rows.iter().map(|x| cat(x.1, 4)).collect());
        r.answers[0] = Some(rows.iter().map(|x| x.2).collect());
        r.answers[1] = Some(rows.iter().map(|x| x.2).collect());
        // c1 + c3 merged; c2 and c4 as they are.
        let collapse = Collapse { cross: Breakdown::Cross(0, 2), field: 2, merges: vec![vec![0, 2]] };
        let merged = crate::indicators::merged(&[0, 2]);
        let plain = count_wave(&s, &WaveId::from("w"), &r,
            &[Breakdown::Overall, Breakdown::Field(0), Breakdown::Field(2), Breakdown::Cross(0, 2)], &[], None);
        let mut bs = vec![Breakdown::Overall, Breakdown::Field(0), Breakdown::Field(2), Breakdown::Cross(0, 2)];
        if with_full {
            bs.insert(3, Breakdown::Cross(2, 0));
        }
        let agg = count_wave(&s, &WaveId::from("w"), &r, &bs, std::slice::from_ref(&collapse), None);
        let codes = |agg: &WaveAggregates, b: Breakdown, g: Group| -> Vec<u64> {
            agg.items.iter().find(|c| c.measure == 0 && c.breakdown == b && c.group == g)
                .map_or(Vec::new(), |c| c.stats.codes.clone())
        };
        for x in [Some(0), Some(1), Some(2), None] {
            let (p, q) = (
                codes(&plain, Breakdown::Cross(0, 2), Group::Two(x, Some(0))),
                codes(&plain, Breakdown::Cross(0, 2), Group::Two(x, Some(2))),
            );
            // A listed group (every stated pair; Not stated where someone is) has every code.
            let sum: Vec<u64> = (0..p.len().max(q.len()))
                .map(|j| p.get(j).unwrap_or(&0) + q.get(j).unwrap_or(&0))
                .collect();
            prop_assert_eq!(codes(&agg, Breakdown::Cross(0, 2), Group::Two(x, Some(merged))), sum);
            for y in [Some(1), Some(3), None] {
                prop_assert_eq!(
                    codes(&agg, Breakdown::Cross(0, 2), Group::Two(x, y)),
                    codes(&plain, Breakdown::Cross(0, 2), Group::Two(x, y))
                );
            }
            prop_assert!(agg.items.iter().all(|c| c.breakdown != Breakdown::Cross(0, 2)
                || !matches!(c.group, Group::Two(_, Some(0 | 2)))));
        }
        for b in [Breakdown::Overall, Breakdown::Field(0), Breakdown::Field(2)] {
            let one = |a: &WaveAggregates| a.items.iter().filter(|c| c.breakdown == b)
                .map(|c| (c.measure, c.group, c.stats.codes.clone())).collect::<Vec<_>>();
            prop_assert_eq!(one(&agg), one(&plain));
        }
        // Respondent scores follow the same groups.
        prop_assert_eq!(
            agg.respondents.iter().filter(|c| c.breakdown == Breakdown::Cross(0, 2)).count(),
            agg.respondents.iter().filter(|c| c.breakdown == Breakdown::Cross(0, 2))
                .map(|c| c.group).collect::<std::collections::BTreeSet<_>>().len()
        );
    }
}

#[test]
fn merged_categories_say_their_members() {
    let m = crate::indicators::merged(&[3, 1]);
    assert_eq!(crate::indicators::members(m), Some(vec![1, 3]));
    assert_eq!(crate::indicators::members(3), None);
    assert_eq!(crate::indicators::position(m), 1);
    let c = Collapse {
        cross: Breakdown::Cross(0, 2),
        field: 2,
        merges: vec![vec![1, 3]],
    };
    assert_eq!((c.category(0), c.category(1), c.category(3)), (0, m, m));
}
