use super::*;

fn p(v: f64) -> Option<Point> {
    Some(Point {
        value: v,
        ci: Some((v - 2.0, v + 2.0)),
    })
}

fn all_kinds() -> Vec<Chart> {
    let waves = vec!["2025".to_string(), "2026".to_string()];
    vec![
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
            &["Officer-member trust".into(), "Respect".into()],
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
        kinds[0]
            .desc
            .contains("2026: 47.5 (95% interval 45.5 to 49.5)")
    );
    assert!(kinds[0].desc.contains("Respect (2025: not published"));
    assert!(
        kinds[2]
            .desc
            .contains("50.0% positive, 20.0% neutral, 30.0% negative")
    );
    assert!(kinds[3].desc.contains("Respect [c]"));
    assert!(kinds[4].desc.contains("Signals in: 2025-11"));
}

#[test]
fn markup_in_labels_is_escaped_in_svg() {
    let c = heatmap(
        "h",
        "<b>x</b>",
        &["<script>".into()],
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
