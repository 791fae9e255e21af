//! Writing the whole evidence pack from protected results: tables (CSV and Parquet) with
//! their data dictionary, the workbook, the report and deep dives with their charts, the
//! disclosure settings and the manifest. Only sealed (protected) tables reach this stage.

use super::manifest::{Manifest, Provenance};
use super::model::{Evidence, Model};
use super::registry::{TableData, schema_json};
use super::{Pack, WriteError, dictionary, parquet, render, tables, view, workbook};
use crate::disclosure;
use std::path::{Path, PathBuf};

/// "1 December 2026".
fn long_date(d: chrono::NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// A count with thousands separators.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What a release states about itself, for the workbook's cover and the report's cover block:
/// organisation, publication date, status, fieldwork, responses, source and contact.
fn release_facts(e: &Evidence, model: &Model) -> Vec<(&'static str, String)> {
    let config = e.config;
    let p = &config.publication;
    let waves: Vec<String> = e.waves.iter().map(ToString::to_string).collect();
    let fieldwork = config
        .waves
        .iter()
        .map(|w| match w.fieldwork {
            Some(f) => format!("{}: {} to {}", w.id, long_date(f.start), long_date(f.end)),
            None => w.id.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let latest = waves.last().cloned().unwrap_or_default();
    let responses = model
        .response_rates
        .iter()
        .find(|r| r.wave_id == latest && r.group_key == "overall");
    let responses_text = match responses {
        Some(r) => match (&r.responses, r.headcount.shown().copied()) {
            (super::registry::Figure::Shown(n), Some(h)) if h > 0 => format!(
                "{} responses from {} staff in post ({:.0}%) in {latest}",
                thousands(*n),
                thousands(h),
                100.0 * *n as f64 / h as f64
            ),
            (super::registry::Figure::Shown(n), _) => {
                format!("{} responses in {latest}", thousands(*n))
            }
            _ => "Withheld [c]".to_string(),
        },
        None => format!(
            "{} responses in {latest} (no HR headcount, so no response rate)",
            e.imports.last().map_or(0, |w| w.accepted() as u64)
        ),
    };
    let unset = |what: &str| format!("Not stated: set `{what}` under [publication] in the config");
    vec![
        (
            "Organisation",
            p.organisation
                .clone()
                .unwrap_or_else(|| unset("organisation")),
        ),
        (
            "Publication date",
            p.published.map(long_date).unwrap_or_else(|| {
                "Not published: a draft (set `published` under [publication] in the config)".into()
            }),
        ),
        (
            "Status",
            p.status
                .clone()
                .unwrap_or_else(|| "Draft: not for publication".into()),
        ),
        ("Fieldwork", fieldwork),
        ("Responses", responses_text),
        ("Source", source_line(e)),
        (
            "Contact",
            p.contact.clone().unwrap_or_else(|| unset("contact")),
        ),
    ]
}

/// The source line under every table and chart.
fn source_line(e: &Evidence) -> String {
    let config = e.config;
    let waves: Vec<String> = e.waves.iter().map(ToString::to_string).collect();
    format!(
        "{}{}, waves {}{}",
        config.schema.title,
        config
            .publication
            .organisation
            .as_deref()
            .map_or_else(String::new, |o| format!(" of {o}")),
        waves.join(", "),
        if config.meetings.is_some() {
            "; member-meeting feedback forms"
        } else {
            ""
        }
    )
}

fn workbook_bytes(
    e: &Evidence,
    model: &Model,
    tables: &[TableData],
    dest: &Path,
) -> Result<Vec<u8>, WriteError> {
    let config = e.config;
    let schema = &config.schema;
    let title = config
        .publication
        .title
        .clone()
        .unwrap_or_else(|| schema.title.clone());
    let waves: Vec<String> = e.waves.iter().map(ToString::to_string).collect();
    let mut cover = release_facts(e, model);
    cover.extend([
        ("About these tables", format!(
            "{}: results of the staff survey waves {} and, where configured, member-meeting feedback, for the Culture Change programme's evidence base.",
            schema.title,
            waves.join(", ")
        )),
        ("Anonymity", format!(
            "No figure rests on fewer than {} valid answers ({} for meeting feedback); withheld values are shown as [c].",
            config.anonymity_threshold,
            config.meetings.as_ref().map_or(config.anonymity_threshold, |m| m.threshold)
        )),
        ("Methods", "Scoring, intervals, tests and suppression are described in tables/README.md in this evidence pack; tables/schema.json describes every table for software.".to_string()),
        ("Produced by", format!("culture-metrics {}", env!("CARGO_PKG_VERSION"))),
    ]);
    let notes = [
        (
            "[c]",
            "Confidential: withheld so that no figure rests on fewer people than the threshold and no hidden figure can be recovered by subtraction.",
        ),
        (
            "[x]",
            "Not available: the wave did not ask (enough of) the questions the figure is built from. Not the same as [c].",
        ),
        (
            "[z]",
            "Not applicable: the value does not exist for this row (for example no interval for a single answer, or no suppression reason for a published row).",
        ),
        (
            "Rounding",
            "Numbers are rounded when written (0-10 scores to two decimal places, most other figures to one); all differences come from unrounded values.",
        ),
        (
            "Not stated",
            "Respondents who left a demographic question blank, kept as a group so that groups add up to the total.",
        ),
        (
            "Verdicts",
            "Improved and Declined mean the change is larger than chance would explain, allowing for the number of comparisons made (a Benjamini-Hochberg q-value below 0.05 within the change's family: the headline indicators, all questions, or one breakdown). No significant change means any difference could be chance; Not tested means the survey cannot say, not that nothing changed.",
        ),
        (
            "Units",
            "Each column holds one measure in one unit, named in its header. Indicators are measured in different units (% of respondents, an index 0-100, a score 0-10, eNPS from -100 to 100), so each table of indicators is split into one table per unit. A change in a percentage is in percentage points.",
        ),
        (
            "Survey year",
            "The year the wave's fieldwork started. Member-meeting feedback is by calendar quarter and month.",
        ),
        (
            "p-values",
            "Stored as numbers; shown to four decimal places, and as <0.0001 below that.",
        ),
    ];
    workbook::workbook(&title, &cover, &notes, tables).map_err(|e| WriteError {
        path: dest.join("workbook.xlsx"),
        source: std::io::Error::other(e),
    })
}

fn render_error(dest: &Path) -> impl Fn(render::RenderError) -> WriteError + '_ {
    move |e| WriteError {
        path: match &e {
            render::RenderError::Chart(c) => dest.join("charts").join(&c.name),
            render::RenderError::Template { .. } => dest.to_path_buf(),
        },
        source: std::io::Error::other(e),
    }
}

/// A table's two files: `tables/<name>.csv` and `tables/<name>.parquet`.
/// A table's two files: (path in the pack, bytes) for its CSV and its Parquet copy.
pub type TableFiles = [(String, Vec<u8>); 2];

pub fn table_files(t: &TableData) -> polars::prelude::PolarsResult<TableFiles> {
    let name = t.def.name;
    Ok([
        (format!("tables/{name}.csv"), tables::csv_bytes(t)),
        (format!("tables/{name}.parquet"), parquet::parquet_bytes(t)?),
    ])
}

/// Write the whole pack to `dest` (built beside it and renamed into place when complete).
pub fn write_pack(
    e: &Evidence,
    provenance: &Provenance,
    (dest, power_bi_tables): (&Path, &Path),
    started: std::time::SystemTime,
    timings: &crate::timings::Timings,
) -> Result<PathBuf, WriteError> {
    let config = e.config;
    let model = timings.time("build tables", || Model::build(e));
    let tables = model.tables();
    let defs: Vec<_> = tables.iter().map(|t| t.def).collect();
    let weighted_by = weighted_by(e);
    let weighting_cells = (config.weighting.as_ref()).and_then(|w| w.method.min_cell());
    let dictionary = dictionary_text(e, &defs, weighted_by.clone(), weighting_cells);
    let report_input = view::Input {
        evidence: e,
        model: &model,
        dictionary_md: &dictionary,
        table_defs: &defs,
        weighted_by,
        weighting_cells,
        facts: release_facts(e, &model),
        source: source_line(e),
    };
    // The files are made in parallel (tables, workbook, report with deep dives and charts),
    // then written into the pack in a fixed order.
    let (files, (workbook, reports)) = rayon::join(
        || timings.time("write tables", || every_table_file(&tables, dest)),
        || {
            rayon::join(
                || timings.time("workbook", || workbook_bytes(e, &model, &tables, dest)),
                || {
                    timings.time("report, deep dives and charts", || {
                        render_pages(e, &report_input)
                    })
                },
            )
        },
    );
    let pages = reports.map_err(render_error(dest))?;
    let pack = Pack::begin(dest)?;
    for table in files {
        for (rel, bytes) in table? {
            pack.write(&rel, &bytes)?;
        }
    }
    pack.write("tables/schema.json", schema_json(&defs).as_bytes())?;
    let folder = std::path::absolute(power_bi_tables).unwrap_or_else(|_| power_bi_tables.into());
    let folder = format!("{}{}", folder.display(), std::path::MAIN_SEPARATOR);
    for (rel, bytes) in super::powerbi::project_files(&tables, &folder) {
        pack.write(&rel, &bytes)?;
    }
    if let Some(fb) = e.feedback {
        pack.write(
            "member_feedback_disclosure.json",
            settings_json(fb.threshold).as_bytes(),
        )?;
    }
    pack.write("workbook.xlsx", &workbook?)?;
    pack.write("tables/README.md", dictionary.as_bytes())?;
    write_pages(&pack, e, &pages)?;
    pack.write(
        SETTINGS_FILE,
        settings_json(config.anonymity_threshold).as_bytes(),
    )?;
    let manifest = Manifest {
        provenance,
        outputs: pack.written(),
        settings: settings(e),
        started,
        timings: timings.stages(),
    };
    pack.write("manifest.json", manifest.to_json().as_bytes())?;
    pack.finish()
}

/// Every table's files (CSV and Parquet), made in parallel.
fn every_table_file(tables: &[TableData], dest: &Path) -> Vec<Result<TableFiles, WriteError>> {
    use rayon::prelude::*;
    tables
        .par_iter()
        .map(|t| {
            table_files(t).map_err(|err| WriteError {
                path: dest.join(format!("tables/{}.parquet", t.def.name)),
                source: std::io::Error::other(err),
            })
        })
        .collect()
}

/// The weighting's margins in words ("directorate and grade"), when weighted.
fn weighted_by(e: &Evidence) -> Option<String> {
    let config = e.config;
    let schema = &config.schema;
    config.weighting.as_ref().map(|w| {
        let labels: Vec<String> = w
            .margins
            .iter()
            .map(|&d| super::model::lower_first(&schema.demographics[d].label))
            .collect();
        match labels.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => labels.join(""),
        }
    })
}

/// `tables/README.md`: every table's columns and the methods behind them.
fn dictionary_text(
    e: &Evidence,
    defs: &[&super::registry::Table],
    weighted_by: Option<String>,
    weighting_cells: Option<u64>,
) -> String {
    let config = e.config;
    dictionary::data_dictionary(
        &dictionary::DictionarySettings {
            threshold: config.anonymity_threshold,
            fpc: config.fpc,
            baseline: config.baseline.to_string(),
            meetings: e.feedback.map(|fb| dictionary::MeetingsSettings {
                threshold: fb.threshold,
                baseline: fb.baseline_list(),
                pack_false_alarm: fb.pack_false_alarm,
            }),
            weighted_by,
            weighting_cells,
            drivers: (config.drivers.min_respondents, config.drivers.bootstrap),
        },
        defs,
    )
}

/// The pages rendered: each deep dive (by indicator), each unit report (by file name), the
/// board's report and the data dictionary page.
struct Pages {
    dives: Vec<(usize, render::Rendered)>,
    units: Vec<(String, render::Rendered)>,
    report: render::Rendered,
    dictionary: render::Rendered,
}

fn render_pages(e: &Evidence, report_input: &view::Input) -> Result<Pages, render::RenderError> {
    let schema = &e.config.schema;
    let dives = e
        .deep_dives
        .iter()
        .map(|&i| render::render(&view::deep_dive(report_input, i)).map(|d| (i, d)))
        .collect::<Result<Vec<_>, _>>()?;
    let units = match &e.config.unit_reports {
        Some(u) => view::unit_groups(report_input, u.breakdown)
            .into_iter()
            .map(|(c, _, file)| {
                render::render(&view::unit_report(report_input, u.breakdown, c, &file))
                    .map(|r| (file, r))
            })
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    let title = format!("{}: evidence pack", schema.title);
    let report = render::render(&view::board_report(report_input, &title))?;
    let dictionary = render::render(&view::dictionary_page(
        report_input,
        &format!("{}: methodology and data dictionary", schema.title),
    ))?;
    Ok(Pages {
        dives,
        units,
        report,
        dictionary,
    })
}

/// The deep dives, the unit reports, the quotes page, the data dictionary and the report, with
/// their charts.
fn write_pages(pack: &Pack, e: &Evidence, pages: &Pages) -> Result<(), WriteError> {
    let schema = &e.config.schema;
    for (i, dive) in &pages.dives {
        let id = &schema.indicators[*i].id;
        pack.write(&format!("deep-dives/{id}.html"), dive.html.as_bytes())?;
        pack.write(
            &format!("deep-dives/{id}.md"),
            dive.markdown
                .replace("](charts/", "](../charts/")
                .as_bytes(),
        )?;
        for (file, bytes) in &dive.charts {
            pack.write(&format!("charts/{file}"), bytes)?;
        }
    }
    for (name, unit) in &pages.units {
        pack.write(&format!("unit-reports/{name}.html"), unit.html.as_bytes())?;
        pack.write(
            &format!("unit-reports/{name}.md"),
            unit.markdown
                .replace("](charts/", "](../charts/")
                .as_bytes(),
        )?;
        for (file, bytes) in &unit.charts {
            pack.write(&format!("charts/{file}"), bytes)?;
        }
    }
    if let Some(q) = e.quotes {
        pack.write("deep-dives/comment-quotes-internal.md", q.as_bytes())?;
    }
    let (rendered, dictionary_page) = (&pages.report, &pages.dictionary);
    pack.write("data-dictionary.html", dictionary_page.html.as_bytes())?;
    pack.write("data-dictionary.md", dictionary_page.markdown.as_bytes())?;
    pack.write("report.html", rendered.html.as_bytes())?;
    pack.write("report.md", rendered.markdown.as_bytes())?;
    for (file, bytes) in rendered.charts.iter().chain(&dictionary_page.charts) {
        pack.write(&format!("charts/{file}"), bytes)?;
    }
    Ok(())
}

/// The settings that shaped the results, for the manifest.
fn settings(e: &Evidence) -> serde_json::Value {
    let (config, feedback) = (e.config, e.feedback);
    let dives: Vec<&str> = e
        .deep_dives
        .iter()
        .map(|&i| config.schema.indicators[i].id.as_str())
        .collect();
    let mut settings = serde_json::json!({
        "anonymity_threshold": config.anonymity_threshold,
        "min_respondents_for_breakdowns": disclosure::MIN_RESPONDENTS_FOR_BREAKDOWNS,
        "finite_population_correction": config.fpc,
        "baseline_wave": config.baseline.as_str(),
        "breakdowns": config.breakdowns,
        "crosses": config.crosses,
        "max_rejected_pct": config.max_rejected_pct,
        "significance": crate::compare::ALPHA,
        "multiple_testing": "Benjamini-Hochberg within pre-specified families for each pair of waves: headline indicators (whole organisation), all questions (whole organisation), each breakdown",
        "deep_dives": dives,
        "meetings": config.meetings.as_ref().map(|m| serde_json::json!({
            "threshold": m.threshold,
            "baseline_months": feedback.map(|f| f.baseline.iter().map(ToString::to_string).collect::<Vec<_>>()),
            "max_days_after": m.max_days_after,
        })),
    });
    if let Some(u) = &config.unit_reports {
        settings["unit_reports"] = config.schema.demographics[u.breakdown].id.as_str().into();
    }
    // Only where a cross merges categories, so packs without leave this as it was.
    if !config.collapse.is_empty() {
        let schema = &config.schema;
        settings["collapse"] = config
            .collapse
            .iter()
            .map(|c| {
                let dem = &schema.demographics[c.field];
                serde_json::json!({
                    "cross": config.crosses.get(c.cross),
                    "field": dem.id,
                    "merges": c.merges.iter().map(|m| {
                        m.iter().map(|&k| dem.categories[k as usize].as_str()).collect::<Vec<_>>()
                    }).collect::<Vec<_>>(),
                })
            })
            .collect();
    }
    settings
}

/// Settings recorded in the pack by `run` (read back by `audit`).
pub const SETTINGS_FILE: &str = "disclosure.json";
/// The meeting-feedback threshold, recorded separately (committees are small).
pub const MEETINGS_SETTINGS_FILE: &str = "member_feedback_disclosure.json";

/// The settings file `run` writes beside `tables/`.
pub fn settings_json(threshold: u32) -> String {
    format!(
        "{{\n  \"threshold\": {threshold},\n  \"min_respondents_for_breakdowns\": {}\n}}\n",
        crate::disclosure::MIN_RESPONDENTS_FOR_BREAKDOWNS
    )
}
