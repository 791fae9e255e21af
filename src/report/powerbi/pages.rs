//! The report in PBIR: the pages a Transformation and Assurance Board member opens, each
//! visual bound to the model's columns and measures by name (the tests check every binding
//! exists in the model).
//!
//! 1. Headline: a card per leading indicator (value, change since baseline, verdict) and every
//!    indicator's latest value, changes and verdict;
//! 2. Trust and respect by group, with 95% intervals;
//! 3. Changes since the baseline, by group, with verdicts;
//! 4. Response rates by group;
//! 5. Member feedback: control charts of each monthly series;
//! 6. Key drivers: each theme's share of what explains each outcome.

use super::measures::Measure;
use crate::report::registry::{Cell, TableData};
use serde_json::{Value, json};

const SCHEMAS: &str = "https://developer.microsoft.com/json-schemas/fabric/item/report/definition";
pub const VISUAL_SCHEMA: &str = "visualContainer/2.4.0";
pub const PAGE_SCHEMA: &str = "page/2.0.0";

/// A field a visual shows: a model column or measure.
#[derive(Debug, Clone)]
pub enum Field {
    Column(&'static str, &'static str),
    Measure(&'static str, String),
}

fn projection(f: &Field) -> Value {
    let (kind, table, name) = match f {
        Field::Column(t, c) => ("Column", *t, c.to_string()),
        Field::Measure(t, m) => ("Measure", *t, m.clone()),
    };
    json!({
        "field": { kind: { "Expression": { "SourceRef": { "Entity": table } }, "Property": name } },
        "queryRef": format!("{table}.{name}"),
        "nativeQueryRef": name,
    })
}

fn literal(v: &str) -> Value {
    json!({ "expr": { "Literal": { "Value": v } } })
}

/// A text literal as PBIR writes it (single quotes, a quote doubled).
fn text(v: &str) -> Value {
    literal(&format!("'{}'", v.replace('\'', "''")))
}

/// One visual on a page.
pub struct Visual {
    pub name: String,
    pub kind: &'static str,
    /// (role, fields): `Values`, `Category`, `Y`.
    pub roles: Vec<(&'static str, Vec<Field>)>,
    pub title: String,
    /// (x, y, width, height) on a 1280 × 720 page.
    pub at: (u32, u32, u32, u32),
    /// Only rows whose column holds this value (a card for one indicator).
    pub only: Option<(&'static str, &'static str, String)>,
}

impl Visual {
    fn json(&self, z: usize) -> Value {
        let (x, y, width, height) = self.at;
        let query: serde_json::Map<String, Value> = self
            .roles
            .iter()
            .map(|(role, fields)| {
                (
                    (*role).to_string(),
                    json!({ "projections": fields.iter().map(projection).collect::<Vec<_>>() }),
                )
            })
            .collect();
        let mut v = json!({
            "$schema": format!("{SCHEMAS}/{VISUAL_SCHEMA}/schema.json"),
            "name": self.name,
            "position": { "x": x, "y": y, "z": z * 1000, "width": width, "height": height, "tabOrder": z * 1000 },
            "visual": {
                "visualType": self.kind,
                "query": { "queryState": query },
                "visualContainerObjects": {
                    "title": [{ "properties": { "show": literal("true"), "text": text(&self.title) } }]
                },
                "drillFilterOtherVisuals": true
            }
        });
        if let Some((table, column, value)) = &self.only {
            v["filterConfig"] = json!({ "filters": [{
                "name": format!("{}Filter", self.name),
                "field": { "Column": { "Expression": { "SourceRef": { "Entity": table } }, "Property": column } },
                "type": "Categorical",
                "filter": {
                    "Version": 2,
                    "From": [{ "Name": "t", "Entity": table, "Type": 0 }],
                    "Where": [{ "Condition": { "In": {
                        "Expressions": [{ "Column": { "Expression": { "SourceRef": { "Source": "t" } }, "Property": column } }],
                        "Values": [[{ "Literal": { "Value": format!("'{}'", value.replace('\'', "''")) } }]]
                    } } }]
                },
                "howCreated": "User"
            }] });
        }
        v
    }
}

/// One page and its visuals.
pub struct Page {
    pub name: &'static str,
    pub display: &'static str,
    pub visuals: Vec<Visual>,
}

fn m(table: &'static str, name: &str) -> Field {
    Field::Measure(table, name.to_string())
}

const RESULTS: &str = "fact_indicator_results";
const CHANGES: &str = "fact_indicator_changes";

fn visual(
    name: &str,
    kind: &'static str,
    title: &str,
    at: (u32, u32, u32, u32),
    roles: Vec<(&'static str, Vec<Field>)>,
) -> Visual {
    Visual {
        name: name.to_string(),
        kind,
        roles,
        title: title.to_string(),
        at,
        only: None,
    }
}

/// A slicer on one column, in the row across the top of a page.
fn slicer(name: &str, title: &str, (x, width): (u32, u32), field: Field) -> Visual {
    visual(
        name,
        "slicer",
        title,
        (x, 20, width, 90),
        vec![("Values", vec![field])],
    )
}

/// The slicer choosing a breakdown (directorate, grade...) of `dim_group`.
fn breakdown_slicer(x: u32) -> Visual {
    slicer(
        "breakdownSlicer",
        "Breakdown",
        (x, 300),
        Field::Column("dim_group", "breakdown_label"),
    )
}

/// The headline indicators in the schema's order (ids and names), read from dim_indicator.
fn staff_indicators(tables: &[TableData]) -> Vec<(String, String)> {
    let Some(t) = tables.iter().find(|t| t.def.name == "dim_indicator") else {
        return Vec::new();
    };
    let col = |row: &[Cell], name: &str| match t.def.column(name).map(|i| &row[i]) {
        Some(Cell::Text(s)) => s.clone(),
        _ => String::new(),
    };
    let headline = t.def.column("is_headline");
    t.rows
        .iter()
        .filter(|r| headline.is_some_and(|i| r[i] == Cell::Bool(true)))
        .map(|r| (col(r, "indicator_id"), col(r, "indicator_name")))
        .collect()
}

fn headline(tables: &[TableData]) -> Page {
    let mut visuals: Vec<Visual> = staff_indicators(tables)
        .into_iter()
        .take(4)
        .enumerate()
        .map(|(i, (id, label))| Visual {
            only: Some(("dim_indicator", "indicator_id", id)),
            ..visual(
                &format!("card{}", i + 1),
                "multiRowCard",
                &label,
                (20 + 310 * i as u32, 20, 300, 170),
                vec![(
                    "Values",
                    vec![
                        m(RESULTS, "Headline value"),
                        m(CHANGES, "Change shown since baseline"),
                        m(CHANGES, "Verdict since baseline"),
                    ],
                )],
            )
        })
        .collect();
    visuals.push(visual(
        "indicators",
        "tableEx",
        "Every indicator: latest wave, all respondents",
        (20, 210, 1240, 490),
        vec![(
            "Values",
            vec![
                Field::Column("dim_indicator", "indicator_name"),
                m(RESULTS, "Headline value"),
                m(CHANGES, "Change shown since previous"),
                m(CHANGES, "Verdict since previous"),
                m(CHANGES, "Change shown since baseline"),
                m(CHANGES, "Verdict since baseline"),
            ],
        )],
    ));
    Page {
        name: "headline",
        display: "Headline",
        visuals,
    }
}

fn by_group() -> Page {
    Page {
        name: "trustAndRespectByGroup",
        display: "Trust and respect by group",
        visuals: vec![
            slicer(
                "indicatorSlicer",
                "Indicator",
                (20, 300),
                Field::Column("dim_indicator", "indicator_name"),
            ),
            breakdown_slicer(340),
            visual(
                "groupBars",
                "clusteredBarChart",
                "Latest value by group",
                (20, 130, 610, 570),
                vec![
                    ("Category", vec![Field::Column("dim_group", "group_label")]),
                    ("Y", vec![m(RESULTS, "Latest value")]),
                ],
            ),
            visual(
                "groupTable",
                "tableEx",
                "Latest value with its 95% interval ([c]: withheld)",
                (650, 130, 610, 570),
                vec![(
                    "Values",
                    vec![
                        Field::Column("dim_group", "group_label"),
                        m(RESULTS, "Latest value shown"),
                        m(RESULTS, "Latest interval low"),
                        m(RESULTS, "Latest interval high"),
                        m(RESULTS, "Latest respondents"),
                    ],
                )],
            ),
        ],
    }
}

fn changes() -> Page {
    Page {
        name: "changesSinceBaseline",
        display: "Changes since baseline",
        visuals: vec![
            breakdown_slicer(20),
            visual(
                "changesTable",
                "tableEx",
                "Change since the baseline wave and whether it is significant",
                (20, 130, 1240, 570),
                vec![(
                    "Values",
                    vec![
                        Field::Column("dim_indicator", "indicator_name"),
                        Field::Column("dim_group", "group_label"),
                        m(CHANGES, "Change shown since baseline"),
                        m(CHANGES, "Verdict since baseline"),
                        m(CHANGES, "Change shown since previous"),
                        m(CHANGES, "Verdict since previous"),
                    ],
                )],
            ),
        ],
    }
}

fn response_rates() -> Page {
    let rr = "fact_response_rates";
    Page {
        name: "responseRates",
        display: "Response rates",
        visuals: vec![
            breakdown_slicer(20),
            visual(
                "rateBars",
                "clusteredBarChart",
                "Response rate by group, latest wave (%)",
                (20, 130, 610, 570),
                vec![
                    ("Category", vec![Field::Column("dim_group", "group_label")]),
                    ("Y", vec![m(rr, "Response rate")]),
                ],
            ),
            visual(
                "rateTable",
                "tableEx",
                "Responses and staff in post, latest wave",
                (650, 130, 610, 570),
                vec![(
                    "Values",
                    vec![
                        Field::Column("dim_group", "group_label"),
                        m(rr, "Responses in latest wave"),
                        m(rr, "Staff in post in latest wave"),
                        m(rr, "Response rate"),
                    ],
                )],
            ),
        ],
    }
}

fn feedback() -> Page {
    let spc = "fact_feedback_spc";
    Page {
        name: "memberFeedback",
        display: "Member feedback",
        visuals: vec![
            slicer(
                "seriesSlicer",
                "Series",
                (20, 400),
                Field::Column(spc, "series_label"),
            ),
            visual(
                "controlChart",
                "lineChart",
                "Control chart: monthly value, centre line and process limits",
                (20, 130, 1240, 380),
                vec![
                    ("Category", vec![Field::Column("dim_month", "month_label")]),
                    (
                        "Y",
                        vec![
                            m(spc, "Monthly value"),
                            m(spc, "Centre line"),
                            m(spc, "Lower process limit"),
                            m(spc, "Upper process limit"),
                        ],
                    ),
                ],
            ),
            visual(
                "signalTable",
                "tableEx",
                "Months and the signals that fired",
                (20, 530, 1240, 170),
                vec![(
                    "Values",
                    vec![
                        Field::Column("dim_month", "month_label"),
                        m(spc, "Monthly value"),
                        m(spc, "Signals fired"),
                    ],
                )],
            ),
        ],
    }
}

fn drivers(measures: &[Measure]) -> Option<Page> {
    let shares: Vec<Field> = measures
        .iter()
        .filter(|x| x.table == "fact_drivers")
        .map(|x| Field::Measure(x.table, x.name.clone()))
        .collect();
    if shares.is_empty() {
        return None;
    }
    let mut values = vec![Field::Column("dim_indicator", "indicator_name")];
    values.extend(shares);
    Some(Page {
        name: "keyDrivers",
        display: "Key drivers",
        visuals: vec![visual(
            "driverTable",
            "tableEx",
            "What goes with each outcome: each theme's share of the variance explained (association, not cause)",
            (20, 20, 1240, 680),
            vec![("Values", values)],
        )],
    })
}

/// The report's pages, those whose tables the pack has.
pub fn pages(tables: &[TableData], measures: &[Measure]) -> Vec<Page> {
    let has = |name: &str| tables.iter().any(|t| t.def.name == name);
    let mut out = vec![headline(tables), by_group(), changes(), response_rates()];
    if has("fact_feedback_spc") {
        out.push(feedback());
    }
    out.extend(drivers(measures));
    out.retain(|p| {
        p.visuals.iter().all(|v| {
            v.roles.iter().flat_map(|(_, f)| f).all(|f| match f {
                Field::Column(t, _) => has(t),
                Field::Measure(t, name) => {
                    measures.iter().any(|x| x.table == *t && x.name == *name)
                }
            })
        })
    });
    out
}

/// The report's files under `definition/`: (path, JSON).
pub fn files(pages: &[Page]) -> Vec<(String, Value)> {
    let mut out = vec![
        (
            "version.json".to_string(),
            json!({ "$schema": format!("{SCHEMAS}/versionMetadata/1.0.0/schema.json"), "version": "2.0.0" }),
        ),
        (
            "report.json".to_string(),
            json!({
                "$schema": format!("{SCHEMAS}/report/3.0.0/schema.json"),
                "themeCollection": { "baseTheme": {
                    "name": "CY24SU10",
                    "reportVersionAtImport": { "visual": "2.4.0", "report": "3.0.0", "page": "2.0.0" },
                    "type": "SharedResources"
                } }
            }),
        ),
        (
            "pages/pages.json".to_string(),
            json!({
                "$schema": format!("{SCHEMAS}/pagesMetadata/1.0.0/schema.json"),
                "pageOrder": pages.iter().map(|p| p.name).collect::<Vec<_>>(),
                "activePageName": pages.first().map_or("", |p| p.name),
            }),
        ),
    ];
    for p in pages {
        out.push((
            format!("pages/{}/page.json", p.name),
            json!({
                "$schema": format!("{SCHEMAS}/{PAGE_SCHEMA}/schema.json"),
                "name": p.name,
                "displayName": p.display,
                "displayOption": "FitToPage",
                "height": 720,
                "width": 1280
            }),
        ));
        for (z, v) in p.visuals.iter().enumerate() {
            out.push((
                format!("pages/{}/visuals/{}/visual.json", p.name, v.name),
                v.json(z),
            ));
        }
    }
    out
}
