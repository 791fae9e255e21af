//! The audit's reading of the pack's other outputs: a figure the tables withhold must not
//! appear anywhere else a reader can see it.
//!
//! - **Workbook** (in `workbook.rs`): each sheet's figure cells hold the numbers of its source
//!   table's CSV, and no number where the CSV has none.
//! - **Report pages** (`report.md`, `report.html` and the deep dives, both formats): in every
//!   table of groups (its first column headed by a breakdown, e.g. "Directorate", its rows
//!   named by group labels, its columns by indicator names, each perhaps followed by its `n`),
//!   a cell whose figure `fact_indicator_results` withholds for that wave (named in the
//!   table's caption, else the latest) shows no number.
//! - **Tables built on the results** (changes between waves, benchmarks, key drivers): a row
//!   shows figures only for a group, measure and wave whose results are published.
//! - **Control charts**: `fact_feedback_spc` shows a month's value only where the month's
//!   table publishes the whole month's figure, on the same number of forms.
//!
//! Like the rest of the audit this reads only the pack, as a reader would.

use super::read::Csv;
use std::collections::HashMap;
use std::path::Path;

type Find<'a> = dyn FnMut(String, u64, String) + 'a;

/// Rows of `csv` as maps of the named columns (missing columns read as "").
fn rows<'c>(csv: &'c Csv, names: &[&str]) -> Vec<(u64, Vec<&'c str>)> {
    let at: Vec<Option<usize>> = names.iter().map(|n| csv.column(n)).collect();
    csv.records
        .iter()
        .map(|(line, rec)| {
            (
                *line,
                at.iter()
                    .map(|c| c.and_then(|c| rec.get(c)).unwrap_or(""))
                    .collect(),
            )
        })
        .collect()
}

/// The control-chart table shows a month only where the month's own table publishes it.
pub(super) fn control_chart(data: &HashMap<&'static str, Csv>, find: &mut Find) {
    let Some(spc) = data.get("fact_feedback_spc") else {
        return;
    };
    // (month, indicator id or "" for forms per attendee) → the published n.
    let mut shown: HashMap<(String, String), String> = HashMap::new();
    if let Some(m) = data.get("fact_feedback_indicator_month") {
        for (_, r) in rows(
            m,
            &[
                "month_start",
                "indicator_id",
                "group_key",
                "n",
                "suppressed",
            ],
        ) {
            if r[2] == "overall" && r[4] != "true" {
                shown.insert((r[0].into(), r[1].into()), r[3].into());
            }
        }
    }
    if let Some(m) = data.get("fact_feedback_uptake_month") {
        for (_, r) in rows(m, &["month_start", "group_key", "forms", "suppressed"]) {
            if r[1] == "overall" && r[3] != "true" {
                shown.insert((r[0].into(), String::new()), r[2].into());
            }
        }
    }
    let file = "tables/fact_feedback_spc.csv".to_string();
    for (line, r) in rows(
        spc,
        &["series_label", "indicator_id", "month_start", "value", "n"],
    ) {
        if r[3].is_empty() && r[4].is_empty() {
            continue;
        }
        match shown.get(&(r[2].to_string(), r[1].to_string())) {
            None => find(
                file.clone(),
                line,
                format!(
                    "{} for {} is shown on the control chart, but the month's table withholds it",
                    r[0], r[2]
                ),
            ),
            Some(n) if n != r[4] => find(
                file.clone(),
                line,
                format!(
                    "{} for {} rests on n = {:?} on the control chart but {n} in the month's table",
                    r[0], r[2], r[4]
                ),
            ),
            Some(_) => {}
        }
    }
}

/// Tables built on the results show a group's figures only where its results are published:
/// (table, measure column, wave columns, results table, results' measure column).
const BUILT_ON_RESULTS: &[(&str, &str, &[&str], &str, &str)] = &[
    (
        "fact_item_changes",
        "question_id",
        &["wave_from", "wave_to"],
        "fact_item_results",
        "question_id",
    ),
    (
        "fact_indicator_changes",
        "indicator_id",
        &["wave_from", "wave_to"],
        "fact_indicator_results",
        "indicator_id",
    ),
    (
        "fact_item_benchmarks",
        "question_id",
        &["wave_id"],
        "fact_item_results",
        "question_id",
    ),
    (
        "fact_indicator_benchmarks",
        "indicator_id",
        &["wave_id"],
        "fact_indicator_results",
        "indicator_id",
    ),
    (
        "fact_drivers",
        "outcome_indicator_id",
        &["wave_id"],
        "fact_indicator_results",
        "indicator_id",
    ),
];

/// Changes, benchmarks and drivers withhold what the results they are built on withhold.
pub(super) fn built_on_results(data: &HashMap<&'static str, Csv>, find: &mut Find) {
    for &(table, measure, waves, results, results_measure) in BUILT_ON_RESULTS {
        let (Some(t), Some(r)) = (data.get(table), data.get(results)) else {
            continue;
        };
        let withheld: std::collections::HashSet<(&str, &str, &str)> =
            rows(r, &["wave_id", results_measure, "group_key", "suppressed"])
                .into_iter()
                .filter(|(_, r)| r[3] == "true")
                .map(|(_, r)| (r[0], r[1], r[2]))
                .collect();
        let mut names = vec![measure, "group_key", "suppressed"];
        names.extend(waves);
        for (line, row) in rows(t, &names) {
            if row[2] == "true" {
                continue;
            }
            if let Some(w) = row[3..]
                .iter()
                .find(|w| withheld.contains(&(**w, row[0], row[1])))
            {
                find(
                    format!("tables/{table}.csv"),
                    line,
                    format!(
                        "shows figures for {}, {}, {w}, which tables/{results}.csv withholds",
                        row[0], row[1]
                    ),
                );
            }
        }
    }
}

/// A key driver's score stands in for the group's result on that theme: withheld where the
/// result is.
pub(super) fn driver_scores(data: &HashMap<&'static str, Csv>, find: &mut Find) {
    let (Some(t), Some(r)) = (data.get("fact_drivers"), data.get("fact_indicator_results")) else {
        return;
    };
    let withheld: std::collections::HashSet<(&str, &str, &str)> =
        rows(r, &["wave_id", "indicator_id", "group_key", "suppressed"])
            .into_iter()
            .filter(|(_, r)| r[3] == "true")
            .map(|(_, r)| (r[0], r[1], r[2]))
            .collect();
    for (line, row) in rows(
        t,
        &[
            "wave_id",
            "driver_indicator_id",
            "group_key",
            "driver_score",
        ],
    ) {
        if withheld.contains(&(row[0], row[1], row[2]))
            && !(row[3].is_empty() || row[3] == crate::disclosure::Suppression::MARK)
        {
            find(
                "tables/fact_drivers.csv".into(),
                line,
                format!(
                    "shows the driver score of {}, {}, {}, which tables/fact_indicator_results.csv withholds",
                    row[1], row[2], row[0]
                ),
            );
        }
    }
}

/// A headcount the response rates withhold appears in no other table: not as a weighting
/// margin's staff or share, nor as a result's population.
pub(super) fn headcounts_elsewhere(data: &HashMap<&'static str, Csv>, find: &mut Find) {
    let Some(rates) = data.get("fact_response_rates") else {
        return;
    };
    let withheld: std::collections::HashSet<(&str, &str)> = rows(
        rates,
        &["wave_id", "group_key", "headcount", "headcount_withheld"],
    )
    .into_iter()
    .filter(|(_, r)| r[2] == crate::disclosure::Suppression::MARK || r[3] == "true")
    .map(|(_, r)| (r[0], r[1]))
    .collect();
    let elsewhere: [(&str, &[&str]); 3] = [
        (
            "fact_weighting_margins",
            &["headcount", "population_share", "weighted_share"],
        ),
        ("fact_item_results", &["population"]),
        ("fact_indicator_results", &["population"]),
    ];
    for (table, columns) in elsewhere {
        let Some(t) = data.get(table) else { continue };
        let mut names = vec!["wave_id", "group_key"];
        names.extend(columns);
        for (line, row) in rows(t, &names) {
            if !withheld.contains(&(row[0], row[1])) {
                continue;
            }
            for (name, v) in columns.iter().zip(&row[2..]) {
                if !(v.is_empty() || *v == crate::disclosure::Suppression::MARK || *v == "[x]") {
                    find(
                        format!("tables/{table}.csv"),
                        line,
                        format!(
                            "shows {name} = {v} for {}, {}, whose headcount tables/fact_response_rates.csv withholds",
                            row[1], row[0]
                        ),
                    );
                }
            }
        }
    }
}

/// The manifest run records, and the files the pack holds, agree: every file it lists is
/// there with its size and SHA-256, and no file is there that it does not list (a figure
/// slipped into a page or a chart, bytes appended to an image, a file planted in the folder).
pub(super) fn manifest(dir: &Path, find: &mut Find) {
    const MANIFEST: &str = "manifest.json";
    let text = match std::fs::read_to_string(dir.join(MANIFEST)) {
        Ok(t) => t,
        Err(e) => {
            find(
                MANIFEST.into(),
                0,
                format!("cannot be read ({e}): without it no file of the pack can be checked"),
            );
            return;
        }
    };
    let outputs = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("outputs").and_then(|o| o.as_array()).cloned());
    let Some(outputs) = outputs else {
        find(
            MANIFEST.into(),
            0,
            "does not list the pack's files (`outputs`): it is not the one the run wrote".into(),
        );
        return;
    };
    let mut listed = std::collections::HashSet::new();
    for o in &outputs {
        let (Some(rel), Some(sha)) = (
            o.get("path").and_then(|p| p.as_str()),
            o.get("sha256").and_then(|p| p.as_str()),
        ) else {
            find(
                MANIFEST.into(),
                0,
                format!("an output without a path and hash: {o}"),
            );
            continue;
        };
        let safe = std::path::Path::new(rel)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !safe {
            find(
                MANIFEST.into(),
                0,
                format!("lists `{rel}`, outside the pack"),
            );
            continue;
        }
        listed.insert(rel.to_string());
        match std::fs::read(dir.join(rel)) {
            Ok(bytes) if crate::report::sha256_hex(&bytes) == sha => {}
            Ok(_) => find(
                rel.to_string(),
                0,
                "differs from the file the run wrote (its SHA-256 is not the one in manifest.json): it was changed afterwards".into(),
            ),
            Err(e) => find(
                rel.to_string(),
                0,
                format!("is listed in manifest.json but cannot be read: {e}"),
            ),
        }
    }
    let mut unlisted = files_not_in(dir, &listed, MANIFEST);
    unlisted.sort();
    for rel in unlisted {
        find(
            rel,
            0,
            "is not one of the files the run wrote (manifest.json does not list it): remove it before the pack is shared".into(),
        );
    }
}

/// A table as a page shows it.
struct PageTable {
    caption: String,
    header: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

/// The tables of a Markdown page: a header row, a `|---|` row, then rows, with the italic
/// line above as the caption.
fn markdown_tables(text: &str) -> Vec<PageTable> {
    let lines: Vec<&str> = text.lines().collect();
    let cells = |l: &str| -> Vec<String> {
        let inner = l.trim().trim_start_matches('|');
        let inner = inner.strip_suffix('|').unwrap_or(inner);
        let mut out = vec![String::new()];
        let mut escaped = false;
        for ch in inner.chars() {
            match ch {
                '\\' if !escaped => escaped = true,
                '|' if !escaped => out.push(String::new()),
                _ => {
                    if escaped && ch != '|' {
                        out.last_mut().expect("one cell").push('\\');
                    }
                    escaped = false;
                    out.last_mut().expect("one cell").push(ch);
                }
            }
        }
        out.into_iter()
            .map(|c| c.trim().replace('\\', ""))
            .collect()
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < lines.len() {
        let sep = lines[i + 1].trim();
        if lines[i].trim_start().starts_with('|') && sep.starts_with("|-") {
            let caption = lines[..i]
                .iter()
                .rev()
                .find(|l| !l.trim().is_empty())
                .filter(|l| l.trim().starts_with('*'))
                .map(|l| l.trim().trim_matches('*').to_string())
                .unwrap_or_default();
            let mut t = PageTable {
                caption,
                header: cells(lines[i]),
                rows: Vec::new(),
            };
            let mut j = i + 2;
            while j < lines.len() && lines[j].trim_start().starts_with('|') {
                t.rows.push((j as u64 + 1, cells(lines[j])));
                j += 1;
            }
            out.push(t);
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Text of an HTML fragment with the entities this pipeline writes decoded.
fn decode(s: &str) -> String {
    let s = s
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", " ");
    s.replace("&amp;", "&").trim().to_string()
}

/// The tables of an HTML page.
fn html_tables(text: &str) -> Vec<PageTable> {
    let Ok(dom) = tl::parse(text, tl::ParserOptions::default()) else {
        return Vec::new();
    };
    let parser = dom.parser();
    let line_of = |node: &tl::Node| -> u64 {
        node.as_tag()
            .map(|t| t.boundaries(parser).0)
            .map_or(1, |at| {
                text.as_bytes()[..at.min(text.len())]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64
                    + 1
            })
    };
    let inner = |h: &tl::NodeHandle| {
        h.get(parser)
            .map(|n| decode(&n.inner_text(parser)))
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    let Some(tables) = dom.query_selector("table") else {
        return out;
    };
    for handle in tables {
        let Some(node) = handle.get(parser) else {
            continue;
        };
        let Some(tag) = node.as_tag() else { continue };
        let first = |sel: &str| {
            tag.query_selector(parser, sel)
                .and_then(|mut q| q.next())
                .map(|h| inner(&h))
        };
        let mut t = PageTable {
            caption: first("caption").unwrap_or_default(),
            header: Vec::new(),
            rows: Vec::new(),
        };
        if let Some(trs) = tag.query_selector(parser, "tr") {
            for tr in trs {
                let Some(tr_node) = tr.get(parser) else {
                    continue;
                };
                let Some(tr_tag) = tr_node.as_tag() else {
                    continue;
                };
                let cells: Vec<String> = tr_tag
                    .children()
                    .top()
                    .iter()
                    .filter_map(|h| {
                        let n = h.get(parser)?;
                        let name = n.as_tag()?.name().as_utf8_str();
                        (name == "th" || name == "td").then(|| decode(&n.inner_text(parser)))
                    })
                    .collect();
                if t.header.is_empty() {
                    t.header = cells;
                } else {
                    t.rows.push((line_of(tr_node), cells));
                }
            }
        }
        out.push(t);
    }
    out
}

/// The report pages' tables of groups show no figure the indicator table withholds.
pub(super) fn report_pages(dir: &Path, data: &HashMap<&'static str, Csv>, find: &mut Find) {
    let (Some(groups), Some(indicators), Some(results), Some(waves)) = (
        data.get("dim_group"),
        data.get("dim_indicator"),
        data.get("fact_indicator_results"),
        data.get("dim_wave"),
    ) else {
        return;
    };
    // Breakdown label → group label → group key (one-way groups).
    let mut by_breakdown: HashMap<&str, HashMap<&str, &str>> = HashMap::new();
    for (_, r) in rows(
        groups,
        &["group_key", "breakdown_label", "group_label", "field_2_id"],
    ) {
        if r[3].is_empty() {
            by_breakdown.entry(r[1]).or_default().insert(r[2], r[0]);
        }
    }
    let indicator_of: HashMap<&str, &str> = rows(indicators, &["indicator_id", "indicator_name"])
        .into_iter()
        .map(|(_, r)| (r[1], r[0]))
        .collect();
    let wave_ids: Vec<&str> = rows(waves, &["wave_id"])
        .into_iter()
        .map(|(_, r)| r[0])
        .collect();
    let Some(&latest) = wave_ids.last() else {
        return;
    };
    let withheld: std::collections::HashSet<(&str, &str, &str)> = rows(
        results,
        &["wave_id", "indicator_id", "group_key", "suppressed"],
    )
    .into_iter()
    .filter(|(_, r)| r[3] == "true")
    .map(|(_, r)| (r[0], r[1], r[2]))
    .collect();

    let reading = PageReading {
        by_breakdown,
        indicator_of,
        wave_ids,
        latest,
        withheld,
    };
    let mut pages: Vec<std::path::PathBuf> = ["report.md", "report.html"]
        .iter()
        .map(|f| dir.join(f))
        .collect();
    if let Ok(entries) = std::fs::read_dir(dir.join("deep-dives")) {
        let mut more: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "md" || x == "html"))
            .collect();
        more.sort();
        pages.extend(more);
    }
    for page in pages {
        let Ok(text) = std::fs::read_to_string(&page) else {
            continue;
        };
        let file = page
            .strip_prefix(dir)
            .unwrap_or(&page)
            .display()
            .to_string();
        let tables = if page.extension().is_some_and(|x| x == "html") {
            html_tables(&text)
        } else {
            markdown_tables(&text)
        };
        for t in tables {
            page_table(&t, &file, &reading, find);
        }
    }
}

/// What the report pages are read against: groups by breakdown label and group label,
/// indicators by name, the waves, and the withheld indicator results.
struct PageReading<'a> {
    by_breakdown: HashMap<&'a str, HashMap<&'a str, &'a str>>,
    indicator_of: HashMap<&'a str, &'a str>,
    wave_ids: Vec<&'a str>,
    latest: &'a str,
    withheld: std::collections::HashSet<(&'a str, &'a str, &'a str)>,
}

/// Every file in the pack (but the manifest itself) that `listed` does not name, by its path
/// in the pack.
fn files_not_in(
    dir: &Path,
    listed: &std::collections::HashSet<String>,
    manifest: &str,
) -> Vec<String> {
    let mut stack = vec![dir.to_path_buf()];
    let mut unlisted = Vec::new();
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            if rel != manifest && !listed.contains(&rel) {
                unlisted.push(rel);
            }
        }
    }
    unlisted
}

/// One table of groups on a page: a cell whose figure the results withhold shows no number.
fn page_table(t: &PageTable, file: &str, r: &PageReading, find: &mut Find) {
    let (by_breakdown, indicator_of, withheld) = (&r.by_breakdown, &r.indicator_of, &r.withheld);
    let (wave_ids, latest) = (&r.wave_ids, r.latest);
    let Some(labels) = t.header.first().and_then(|h| by_breakdown.get(h.as_str())) else {
        return;
    };
    let wave = wave_ids
        .iter()
        .find(|w| t.caption.contains(&format!("({w})")))
        .copied()
        .unwrap_or(latest);
    // Each column's indicator; an `n` column belongs to the one before it.
    let mut columns: Vec<Option<&str>> = vec![None];
    for h in &t.header[1..] {
        let prev = columns.last().copied().flatten();
        columns.push(match indicator_of.get(h.as_str()) {
            Some(id) => Some(id),
            None if h == "n" => prev,
            None => None,
        });
    }
    for (line, cells) in &t.rows {
        let Some(group) = cells.first().and_then(|c| labels.get(c.as_str())) else {
            continue;
        };
        for (cell, ind) in cells.iter().zip(&columns).skip(1) {
            let Some(ind) = ind else { continue };
            if withheld.contains(&(wave, ind, group)) && cell.chars().any(|c| c.is_ascii_digit()) {
                find(
                    file.to_string(),
                    *line,
                    format!(
                        "{}: {} shows `{cell}` for {ind}, {group}, {wave}, which tables/fact_indicator_results.csv withholds",
                        if t.caption.is_empty() {
                            "a table"
                        } else {
                            t.caption.as_str()
                        },
                        cells[0]
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_tables_are_read_with_captions_and_escaped_pipes() {
        let md = "text\n\n*By grade (2026); [c] = suppressed*\n\n| Grade | Trust | n |\n|---|---|---|\n| A \\| B | 50.0 | 12 |\n| C | [c] | [c] |\n\nafter\n";
        let t = markdown_tables(md);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].caption, "By grade (2026); [c] = suppressed");
        assert_eq!(t[0].header, ["Grade", "Trust", "n"]);
        assert_eq!(
            t[0].rows[0],
            (7, vec!["A | B".into(), "50.0".into(), "12".into()])
        );
        assert_eq!(t[0].rows[1].1, ["C", "[c]", "[c]"]);
    }

    #[test]
    fn html_tables_are_read_with_entities_decoded() {
        let html = "<p>x</p>\n<table>\n<caption>By directorate (2025)</caption>\n<thead><tr><th scope=\"col\">Directorate</th><th scope=\"col\">Trust</th></tr></thead>\n<tbody>\n<tr><th scope=\"row\">Children&#39;s Services</th><td class=\"h3\">41.0</td></tr>\n</tbody>\n</table>\n";
        let t = html_tables(html);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].caption, "By directorate (2025)");
        assert_eq!(t[0].header, ["Directorate", "Trust"]);
        assert_eq!(
            t[0].rows,
            [(6, vec!["Children's Services".into(), "41.0".into()])]
        );
    }
}
