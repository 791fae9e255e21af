//! The audit's reading of the report pages (`report.md`, `report.html`, the deep dives and the
//! unit reports, both formats), as a reader sees them: a figure the tables withhold shows no
//! number in any of their tables.
//!
//! - A **table of groups** (its first column headed by a breakdown, e.g. "Directorate", its
//!   rows named by group labels, its columns by indicator names, each perhaps followed by its
//!   `n`): a cell whose figure `fact_indicator_results` withholds for that wave (named in the
//!   table's caption, else the latest) shows no number.
//! - A **table of measures** for a group (a unit report's: its first column headed "Indicator"
//!   or "Question", its rows named by indicator names or question wording, a column headed by
//!   the group's label, perhaps followed by `n` and the group's change, and the organisation's
//!   column headed "Whole organisation"): a cell of the group's whose figure
//!   `fact_indicator_results` or `fact_item_results` withholds shows no number. A group label
//!   that names groups of more than one breakdown is held to all of them.

use super::read::{Csv, rows};
use std::collections::{HashMap, HashSet};
use std::path::Path;

type Find<'a> = dyn FnMut(String, u64, String) + 'a;

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

/// The report pages' tables show no figure the results tables withhold.
pub(super) fn report_pages(dir: &Path, data: &HashMap<&'static str, Csv>, find: &mut Find) {
    let Some(reading) = reading(data) else {
        return;
    };
    for page in page_files(dir) {
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
            measures_table(&t, &file, &reading, find);
        }
    }
}

/// The pages a reader sees: the report, then the deep dives and the unit reports, both formats.
fn page_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut pages: Vec<std::path::PathBuf> = ["report.md", "report.html"]
        .iter()
        .map(|f| dir.join(f))
        .collect();
    for folder in ["deep-dives", "unit-reports"] {
        if let Ok(entries) = std::fs::read_dir(dir.join(folder)) {
            let mut more: Vec<_> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "md" || x == "html"))
                .collect();
            more.sort();
            pages.extend(more);
        }
    }
    pages
}

/// What the pages are read against, from the pack's tables (none without them).
fn reading<'a>(data: &'a HashMap<&'static str, Csv>) -> Option<PageReading<'a>> {
    let (groups, indicators, waves) = (
        data.get("dim_group")?,
        data.get("dim_indicator")?,
        data.get("dim_wave")?,
    );
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
    let named = |csv: Option<&'a Csv>, id: &str, name: &str| -> HashMap<&'a str, &'a str> {
        csv.map(|c| {
            rows(c, &[id, name])
                .into_iter()
                .map(|(_, r)| (r[1], r[0]))
                .collect()
        })
        .unwrap_or_default()
    };
    let wave_ids: Vec<&str> = rows(waves, &["wave_id"])
        .into_iter()
        .map(|(_, r)| r[0])
        .collect();
    let latest = *wave_ids.last()?;
    let withheld_in = |table: &str, id: &str| -> Vec<(&'a str, &'a str, &'a str)> {
        data.get(table).map_or_else(Vec::new, |csv| {
            rows(csv, &["wave_id", id, "group_key", "suppressed"])
                .into_iter()
                .filter(|(_, r)| r[3] == "true")
                .map(|(_, r)| (r[0], r[1], r[2]))
                .collect()
        })
    };
    let mut withheld: HashSet<(&str, &str, &str)> = HashSet::new();
    withheld.extend(withheld_in("fact_indicator_results", "indicator_id"));
    withheld.extend(withheld_in("fact_item_results", "question_id"));
    Some(PageReading {
        by_breakdown,
        indicator_of: named(Some(indicators), "indicator_id", "indicator_name"),
        question_of: named(data.get("dim_question"), "question_id", "question_text"),
        wave_ids,
        latest,
        withheld,
    })
}

/// What the report pages are read against: groups by breakdown label and group label,
/// indicators by name, questions by wording, the waves, and the withheld results (wave,
/// indicator or question id, group key).
struct PageReading<'a> {
    by_breakdown: HashMap<&'a str, HashMap<&'a str, &'a str>>,
    indicator_of: HashMap<&'a str, &'a str>,
    question_of: HashMap<&'a str, &'a str>,
    wave_ids: Vec<&'a str>,
    latest: &'a str,
    withheld: HashSet<(&'a str, &'a str, &'a str)>,
}

impl PageReading<'_> {
    /// The wave a table's caption names (`(2025)`), else the latest.
    fn wave_of(&self, t: &PageTable) -> &str {
        self.wave_ids
            .iter()
            .find(|w| t.caption.contains(&format!("({w})")))
            .copied()
            .unwrap_or(self.latest)
    }
}

/// What a finding says about a table: its caption, or "a table".
fn caption(t: &PageTable) -> &str {
    if t.caption.is_empty() {
        "a table"
    } else {
        t.caption.as_str()
    }
}

/// A table of groups: its first column headed by a breakdown, its columns by indicators.
fn page_table(t: &PageTable, file: &str, r: &PageReading, find: &mut Find) {
    let Some(labels) = t
        .header
        .first()
        .and_then(|h| r.by_breakdown.get(h.as_str()))
    else {
        return;
    };
    let wave = r.wave_of(t);
    // Each column's indicator; an `n` column belongs to the one before it.
    let mut columns: Vec<Option<&str>> = vec![None];
    for h in &t.header[1..] {
        let prev = columns.last().copied().flatten();
        columns.push(match r.indicator_of.get(h.as_str()) {
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
            if r.withheld.contains(&(wave, ind, group)) && cell.chars().any(|c| c.is_ascii_digit())
            {
                find(
                    file.to_string(),
                    *line,
                    format!(
                        "{}: {} shows `{cell}` for {ind}, {group}, {wave}, which tables/fact_indicator_results.csv withholds",
                        caption(t),
                        cells[0]
                    ),
                );
            }
        }
    }
}

/// A table of measures for a group: rows named by indicators or questions, the group's
/// columns from the one headed by its label up to "Whole organisation" (its `n`, its change),
/// and a difference or change column after the organisation's.
fn measures_table(t: &PageTable, file: &str, r: &PageReading, find: &mut Find) {
    if !matches!(
        t.header.first().map(String::as_str),
        Some("Indicator" | "Question")
    ) {
        return;
    }
    let wave = r.wave_of(t);
    // The group's columns: every group key its label names, from its column to the next
    // group's or the organisation's.
    let mut owner: Vec<Vec<&str>> = vec![Vec::new()];
    let mut group: Vec<&str> = Vec::new();
    for h in &t.header[1..] {
        let keys: Vec<&str> = r
            .by_breakdown
            .values()
            .filter_map(|groups| groups.get(h.as_str()).copied())
            .collect();
        let prev = owner.last().cloned().unwrap_or_default();
        owner.push(if !keys.is_empty() {
            group.clone_from(&keys);
            keys
        } else if h == "Whole organisation" {
            Vec::new()
        } else if h.starts_with("Difference") || h.starts_with("Change") {
            group.clone()
        } else {
            prev
        });
    }
    for (line, cells) in &t.rows {
        let Some(head) = cells.first() else { continue };
        let Some(measure) = r
            .indicator_of
            .get(head.as_str())
            .or_else(|| r.question_of.get(head.as_str()))
        else {
            continue;
        };
        for (cell, keys) in cells.iter().zip(&owner).skip(1) {
            let Some(key) = keys
                .iter()
                .find(|k| r.withheld.contains(&(wave, measure, **k)))
            else {
                continue;
            };
            if cell.chars().any(|c| c.is_ascii_digit()) {
                find(
                    file.to_string(),
                    *line,
                    format!(
                        "{}: {head} shows `{cell}` for {key}, {wave}, which the results tables withhold",
                        caption(t)
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
