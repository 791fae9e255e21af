use super::*;

fn p(v: f64) -> Option<Point> {
    Some(Point {
        value: v,
        ci: Some((v - 2.0, v + 2.0)),
    })
}

fn column(label: &str, organisation: f64, lower_is_better: bool) -> HeatColumn {
    HeatColumn {
        label: label.into(),
        organisation: Some(organisation),
        lower_is_better,
    }
}

fn all_kinds() -> Vec<Chart> {
    let waves = vec!["2025".to_string(), "2026".to_string()];
    vec![
        relationship_matrix(
            "relationships",
            "How the tables relate",
            &["dim_wave".into(), "dim_group".into()],
            &[(
                "fact_item_changes".into(),
                vec![vec!["wave_from".into(), "wave_to".into()], vec![]],
            )],
        ),
        indicator_bars(
            "bars",
            "Bars",
            &waves,
            &[
                ("Trust".into(), vec![p(40.0), p(47.5)]),
                ("Respect".into(), vec![None, p(60.0)]),
            ],
        ),
        trend(
            "trend",
            "Trend",
            &waves,
            &[
                ("Trust".into(), vec![p(40.0), p(47.5)]),
                ("Respect".into(), vec![p(41.0), None]),
            ],
        ),
        diverging(
            "answers",
            "Answers",
            &[
                (
                    "S19 Officers and members work together with mutual trust".into(),
                    Some(Shares {
                        negative: 30.0,
                        neutral: 20.0,
                        positive: 50.0,
                    }),
                ),
                ("S20 Suppressed".into(), None),
            ],
        ),
        heatmap(
            "heat",
            "Heat",
            &[
                column("Officer-member trust", 50.0, false),
                column("Respect", 60.0, false),
            ],
            &[("Place".into(), vec![Some(55.0), None])],
        ),
        spc_chart(
            "spc",
            "SPC",
            &[
                SpcMonth {
                    label: "2025-09".into(),
                    value: Some(3.0),
                    centre: Some(4.0),
                    limits: Some((1.0, 7.0)),
                    provisional: true,
                    baseline: true,
                    frozen_here: false,
                    step: None,
                    signal: false,
                },
                SpcMonth {
                    label: "2025-10".into(),
                    value: None,
                    centre: Some(4.0),
                    limits: None,
                    provisional: false,
                    baseline: false,
                    frozen_here: true,
                    step: None,
                    signal: false,
                },
                SpcMonth {
                    label: "2025-11".into(),
                    value: Some(9.0),
                    centre: Some(6.0),
                    limits: Some((2.0, 8.5)),
                    provisional: false,
                    baseline: false,
                    frozen_here: false,
                    step: Some("New chairing protocol".into()),
                    signal: true,
                },
            ],
            1,
        ),
    ]
}

#[test]
fn every_chart_draws_as_accessible_svg_and_valid_png() {
    for c in all_kinds() {
        let svg = c.svg().unwrap().into_string();
        assert!(svg.starts_with("<svg"), "{}", c.name);
        assert!(svg.contains("role=\"img\"><title>"), "{}", c.name);
        assert!(svg.contains("<text"), "{} has text", c.name);
        let png = c.png().unwrap();
        assert_eq!(&png[1..4], b"PNG", "{}", c.name);
        let decoder = png::Decoder::new(std::io::Cursor::new(&png));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!(
            (info.width, info.height),
            (c.size.0 * PNG_SCALE, c.size.1 * PNG_SCALE)
        );
    }
}

#[test]
fn png_text_is_drawn_with_the_bundled_font() {
    // A title alone must put dark pixels on the white canvas: without a font the text
    // would silently be missing.
    let c = heatmap("h", "Title", &[], &[]);
    let png = c.png().unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut buf).unwrap();
    assert!(buf.iter().any(|&b| b < 100), "dark pixels from the title");
}

#[test]
fn the_same_chart_draws_byte_identically() {
    for c in all_kinds() {
        assert_eq!(c.svg().unwrap(), c.svg().unwrap());
        assert_eq!(c.png().unwrap(), c.png().unwrap());
    }
}

#[test]
fn descriptions_carry_the_values_and_suppression() {
    let kinds = all_kinds();
    assert!(
        kinds[1]
            .desc
            .contains("2026: 47.5 (95% interval 45.5 to 49.5)")
    );
    assert!(kinds[1].desc.contains("Respect (2025: not published"));
    assert!(
        kinds[3]
            .desc
            .contains("50.0% positive, 20.0% neutral, 30.0% negative")
    );
    assert!(kinds[4].desc.contains("Respect [c]"));
    assert!(kinds[5].desc.contains("Signals in: 2025-11"));
}

#[test]
fn markup_in_labels_is_escaped_in_svg() {
    let c = heatmap(
        "h",
        "<b>x</b>",
        &[column("<script>", 1.0, false)],
        &[("a&b".into(), vec![None])],
    );
    let svg = c.svg().unwrap().into_string();
    assert!(!svg.contains("<script>"));
    assert!(!svg.contains("<b>"));
    assert!(svg.contains("&lt;script&gt;"));
}

#[test]
fn long_labels_are_shortened_at_a_word() {
    assert_eq!(shorten("short", 10), "short");
    assert_eq!(
        shorten("I feel safe to speak up about anything", 20),
        "I feel safe to…"
    );
    assert_eq!(
        wrap("Speaking up and challenge", 14),
        vec!["Speaking up", "and challenge"]
    );
}

fn pct_panel(label: &str, unit: &str, bounds: (f64, f64), step: f64, values: &[f64]) -> Panel {
    Panel {
        label: label.into(),
        unit: unit.into(),
        bounds,
        step,
        range: bounds,
        decimals: 1,
        points: values.iter().map(|&v| p(v)).collect(),
    }
}

#[test]
fn panels_of_a_unit_share_one_span_so_equal_changes_look_equal() {
    // Respect 65 -> 70 and trust 40 -> 49 (intervals +-2) in points; morale 6.64 -> 6.52 out of
    // 10; bullying 11.8 -> 10.7 near the scale's floor.
    let mut panels = vec![
        pct_panel("Respect", "% positive", (0.0, 100.0), 10.0, &[65.0, 70.0]),
        pct_panel("Trust", "% positive", (0.0, 100.0), 10.0, &[40.0, 49.0]),
        pct_panel("Bullying", "% positive", (0.0, 100.0), 10.0, &[11.8, 10.7]),
        pct_panel("Morale", "out of 10", (0.0, 10.0), 1.0, &[6.64, 6.52]),
        pct_panel("Wide", "eNPS", (-100.0, 100.0), 10.0, &[-90.0, 95.0]),
    ];
    common_scale(&mut panels);
    // Trust's values with intervals span 38..51 = 13 points: 2 steps, plus a step at each end.
    // Respect 63..72, centred at 67.5: 47.5 rounded down to a gridline.
    assert_eq!(panels[0].range, (40.0, 80.0));
    assert_eq!(panels[1].range, (20.0, 60.0));
    // Never below the scale's floor: the span moves up instead.
    assert_eq!(panels[2].range, (0.0, 40.0));
    // Morale 4.52..8.64 with its intervals: 5 steps of 1 plus one at each end, from 6.58 - 3.5
    // rounded down; whatever the data, no wider than the scale (eNPS).
    assert_eq!(panels[3].range, (3.0, 10.0));
    assert_eq!(panels[4].range, (-100.0, 100.0));
    for p in &panels {
        for pt in p.points.iter().flatten() {
            let (a, b) = pt.ci.unwrap();
            assert!(
                p.range.0 <= a && b <= p.range.1,
                "{} {:?}",
                p.label,
                p.range
            );
        }
    }
    // The description states each axis, and that it is broken where it does not start at 0.
    let chart = panels_chart(&panels);
    assert!(
        chart
            .desc
            .contains("Respect (% positive, axis from 40 to 80, broken below)")
    );
    assert!(
        chart
            .desc
            .contains("Bullying (% positive, axis from 0 to 40):")
    );
}

fn panels_chart(panels: &[Panel]) -> Chart {
    let waves = vec!["2025".to_string(), "2026".to_string()];
    super::panels("p", "Panels", &waves, panels)
}

#[test]
fn heat_map_colours_by_better_or_worse_in_each_indicators_direction() {
    // Bullying at 8% against the organisation's 11%: lower is better, so better (blue); trust
    // at 45 against 50: worse (orange); respect level with the organisation: no gap.
    let c = heatmap(
        "h",
        "Heat",
        &[
            column("Trust", 50.0, false),
            column("Bullied", 11.0, true),
            column("Respect", 60.0, false),
        ],
        &[("Place".into(), vec![Some(45.0), Some(8.0), Some(60.0)])],
    );
    assert!(
        c.desc.contains(
            "Place: Trust 45.0 (worse by 5.0), Bullied 8.0 (better by 3.0), Respect 60.0"
        ),
        "{}",
        c.desc
    );
    let svg = c.svg().unwrap().into_string();
    assert!(
        svg.contains("Better than the whole organisation"),
        "legend in words"
    );
    let (trust, bullied) = (&column("Trust", 50.0, false), &column("B", 11.0, true));
    let hue = |col: HSLColor| (col.0 * 360.0).round();
    assert_eq!(hue(heatmap::shade(trust, 45.0)), 20.0, "orange: worse");
    assert_eq!(hue(heatmap::shade(bullied, 8.0)), 207.0, "blue: better");
    assert!(
        heatmap::shade(trust, 35.0).2 < heatmap::shade(trust, 45.0).2,
        "deeper for a larger gap"
    );
    assert_eq!(
        heatmap::shade(trust, 20.0),
        heatmap::shade(trust, 35.0),
        "full colour from 15 points"
    );
}

#[test]
fn the_relationship_matrix_describes_every_relationship() {
    let c = &all_kinds()[0];
    assert!(
        c.desc
            .contains("fact_item_changes points at dim_wave (by wave_from, wave_to)"),
        "{}",
        c.desc
    );
    assert!(
        !c.desc.contains("dim_group ("),
        "no relationship, no mention"
    );
}
