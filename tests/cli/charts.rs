//! The pack's charts as drawn: no text runs past a chart's edges or over other text, and the
//! headline small multiples give every panel of a unit the same span.

use crate::common::*;

/// A `<text>` of a chart SVG: its text and the box it covers, estimated from its font size
/// (DejaVu Sans averages about 0.55 em a character; a line is about 0.8 em tall without its
/// leading) and its anchoring (`text-anchor`, and `dy`: 0.76em hangs below `y`, 0.5ex is
/// centred on it, anything else sits on it).
#[derive(Debug, Clone)]
struct TextBox {
    text: String,
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

/// The chart's width and every horizontal `<text>` in it (rotated axis titles are left out).
fn text_boxes(svg: &str) -> (f64, Vec<TextBox>) {
    let attr = |tag: &str, name: &str| -> Option<f64> {
        let key = format!(" {name}=\"");
        let i = tag.find(&key)? + key.len();
        tag[i..].split('"').next()?.parse().ok()
    };
    let Some(open) = svg.find("<svg") else {
        return (0.0, Vec::new());
    };
    let head = &svg[open..svg[open..].find('>').map_or(svg.len(), |j| open + j)];
    let width = attr(head, "width").unwrap_or(0.0);
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text") {
        let tag_end = rest[i..].find('>').map_or(rest.len(), |j| i + j);
        let tag = &rest[i..tag_end];
        let body_end = rest[tag_end..]
            .find("</text>")
            .map_or(rest.len(), |j| tag_end + j);
        let text: String = rest[tag_end + 1..body_end]
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&apos;", "'")
            .trim()
            .to_string();
        rest = &rest[body_end..];
        if tag.contains("rotate(") || text.is_empty() {
            continue;
        }
        let (Some(x), Some(y), Some(size)) =
            (attr(tag, "x"), attr(tag, "y"), attr(tag, "font-size"))
        else {
            continue;
        };
        let w = 0.55 * size * text.chars().count() as f64;
        let x0 = if tag.contains("text-anchor=\"middle\"") {
            x - w / 2.0
        } else if tag.contains("text-anchor=\"end\"") {
            x - w
        } else {
            x
        };
        let h = 0.8 * size;
        let y0 = if tag.contains("dy=\"0.76em\"") {
            y
        } else if tag.contains("dy=\"0.5ex\"") {
            y - h / 2.0
        } else {
            y - h
        };
        out.push(TextBox {
            text,
            x0,
            x1: x0 + w,
            y0,
            y1: y0 + h,
        });
    }
    (width, out)
}

/// Text of a chart that would run past its edges.
fn clipped_text(svg: &str) -> Vec<String> {
    let (width, boxes) = text_boxes(svg);
    if width == 0.0 {
        return vec!["no <svg>".into()];
    }
    boxes
        .iter()
        .filter(|b| b.x0 < -1.0 || b.x1 > width + 1.0)
        .map(|b| format!("{:?} spans {:.0}..{:.0} of {width}", b.text, b.x0, b.x1))
        .collect()
}

/// Pairs of texts in a chart whose boxes overlap by more than a pixel each way.
fn overlapping_text(svg: &str) -> Vec<String> {
    let (_, boxes) = text_boxes(svg);
    let mut out = Vec::new();
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            let dx = a.x1.min(b.x1) - a.x0.max(b.x0);
            let dy = a.y1.min(b.y1) - a.y0.max(b.y0);
            if dx > 1.0 && dy > 1.0 {
                out.push(format!(
                    "{:?} at ({:.0}, {:.0}) overlaps {:?} at ({:.0}, {:.0})",
                    a.text, a.x0, a.y0, b.text, b.x0, b.y0
                ));
            }
        }
    }
    out
}

/// Every chart SVG the sample pack writes (with the respect deep dive too), by file name.
fn sample_charts() -> Vec<(String, String)> {
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    s.expect_exit(
        &[
            "-q",
            "run",
            "--config",
            SAMPLE_CONFIG,
            "--out",
            "out",
            "--deep-dive",
            "respect",
        ],
        0,
    );
    let mut charts: Vec<(String, String)> = std::fs::read_dir(s.path("out/charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "svg"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    charts.sort();
    charts
}

/// Titles, legends and labels fit inside every chart of the report and the deep dives, and no
/// two of them are drawn over each other.
#[test]
fn chart_text_is_never_clipped_or_overlapping() {
    assert_eq!(
        clipped_text(
            r#"<svg width="100" height="50"><text x="90" y="10" font-size="10">too long</text></svg>"#
        )
        .len(),
        1,
        "the check sees a label past the edge"
    );
    assert_eq!(
        overlapping_text(
            r#"<svg width="200" height="50"><text x="10" y="20" dy="0.5ex" font-size="10">49.2</text><text x="25" y="22" dy="0.5ex" font-size="10">50.1</text><text x="10" y="40" dy="0.5ex" font-size="10">apart</text></svg>"#
        ),
        ["\"49.2\" at (10, 16) overlaps \"50.1\" at (25, 18)"],
        "the check sees two labels drawn over each other, and not two lines apart"
    );
    let charts = sample_charts();
    assert!(charts.len() >= 15, "{} charts", charts.len());
    let mut problems = Vec::new();
    for (name, svg) in &charts {
        for p in clipped_text(svg) {
            problems.push(format!("{name}: {p}"));
        }
        for p in overlapping_text(svg) {
            problems.push(format!("{name}: {p}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The headline small multiples: every panel of a unit spans the same distance (its axis, as
/// the chart's description states it), the axis holds the panel's values and intervals, and an
/// axis that does not start at the scale's floor says it is broken.
#[test]
fn small_multiples_share_one_span_per_unit() {
    let charts = sample_charts();
    let svg = &charts
        .iter()
        .find(|(n, _)| n == "indicators_by_wave.svg")
        .expect("the headline small multiples")
        .1;
    let desc = svg
        .split("<desc>")
        .nth(1)
        .and_then(|d| d.split("</desc>").next())
        .unwrap()
        .replace("&#39;", "'");
    // "Officer-member trust (% positive, axis from 20 to 60, broken below): 2025: 40.4 (95%
    // interval 38.9 to 41.9), 2026: ..."
    let mut spans: std::collections::HashMap<String, Vec<f64>> = Default::default();
    let mut panels = 0;
    for panel in desc.split("; ") {
        let Some(open) = panel.find(" (") else {
            continue;
        };
        let Some(axis) = panel.find(", axis from ") else {
            continue;
        };
        panels += 1;
        let unit = panel[open + 2..axis].to_string();
        let rest = &panel[axis + ", axis from ".len()..];
        let nums: Vec<f64> = rest
            .replace("95% interval", "interval")
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .filter_map(|t| t.parse().ok())
            .collect();
        let (lo, hi) = (nums[0], nums[1]);
        // Every value and interval end after the axis lies on it.
        for v in &nums[2..] {
            if *v >= 1000.0 {
                continue; // a wave's year
            }
            assert!(lo <= *v && *v <= hi, "{panel}: {v} is off the axis");
        }
        let floor = if unit == "eNPS" { -100.0 } else { 0.0 };
        assert_eq!(
            rest.contains("broken below"),
            lo > floor,
            "{panel}: a broken axis is marked"
        );
        spans.entry(unit).or_default().push(hi - lo);
    }
    assert!(panels >= 11, "{panels} panels in: {desc}");
    for (unit, s) in &spans {
        assert!(
            s.iter().all(|x| (x - s[0]).abs() < 1e-9),
            "{unit}: spans {s:?}"
        );
    }
    assert_eq!(spans["% positive"][0], 40.0);
    assert_eq!(spans["out of 10"][0], 4.0);
}

/// Control charts print one to a row on A4 with their text at 8 pt or more: the print
/// stylesheet fits a figure to the page's 186 mm (703 CSS px) and at most 7.5 cm (283 px) tall,
/// and 8 pt is 10.67 CSS px.
#[test]
fn control_chart_text_prints_at_eight_points_or_more() {
    let style = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/report/templates/style.css"),
    )
    .unwrap();
    assert!(
        style.contains("@page{size:A4;margin:12mm 12mm 14mm}")
            && style.contains("max-height:7.5cm"),
        "the print stylesheet this test assumes"
    );
    let attr = |tag: &str, name: &str| -> Option<f64> {
        let key = format!(" {name}=\"");
        let i = tag.find(&key)? + key.len();
        tag[i..].split('"').next()?.parse().ok()
    };
    let mut spc = 0;
    for (name, svg) in sample_charts()
        .iter()
        .filter(|(n, _)| n.starts_with("spc_"))
    {
        spc += 1;
        let head = &svg[..svg.find('>').unwrap()];
        let (w, h) = (attr(head, "width").unwrap(), attr(head, "height").unwrap());
        let scale = (703.0 / w).min(283.0 / h).min(1.0);
        let smallest = svg
            .split("<text")
            .skip(1)
            .filter_map(|t| attr(&t[..t.find('>').unwrap()], "font-size"))
            .fold(f64::MAX, f64::min);
        let printed_pt = smallest * scale * 0.75;
        assert!(
            printed_pt >= 8.0,
            "{name}: its smallest text prints at {printed_pt:.1} pt ({smallest:.1} px at {scale:.2})"
        );
    }
    assert!(spc >= 6, "{spc} control charts");
}
