//! The Power BI project in every pack (`powerbi/`): a PBIP that Power BI Desktop opens with its
//! whole definition and no data. The analyst sets the `Folder` parameter once (the pack's
//! `tables/` folder, normally `latest/tables/`) and refreshes.
//!
//! - `culture-metrics.pbip`: the shortcut Desktop opens;
//! - `culture-metrics.SemanticModel/`: `definition.pbism` and the model in TMDL ([`tmdl`]),
//!   generated from the table registry, so a new table or column reaches the model unedited;
//! - `culture-metrics.Report/`: `definition.pbir` (the model by relative path) and the report
//!   in PBIR JSON.
//!
//! Formats: Microsoft's TMDL documentation and the JSON schemas in `microsoft/json-schemas`
//! (`fabric/pbip`, `fabric/item/semanticModel`, `fabric/item/report`); the tests validate
//! every JSON file against copies of those schemas.

pub mod measures;
pub mod pages;
pub mod tmdl;

use crate::report::registry::{Table, TableData};
use serde_json::json;
use std::collections::BTreeSet;

/// The project's name: `<NAME>.pbip`, `<NAME>.SemanticModel`, `<NAME>.Report`.
pub const PROJECT: &str = "culture-metrics";

const SCHEMAS: &str = "https://developer.microsoft.com/json-schemas/fabric";

fn json_bytes(v: &serde_json::Value) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).expect("serialisable");
    s.push('\n');
    s.into_bytes()
}

/// Every file of the project: (path in the pack, bytes). `folder` is the path Power Query
/// reads the tables from until the analyst sets another.
pub fn project_files(tables: &[TableData], folder: &str) -> Vec<(String, Vec<u8>)> {
    let defs: Vec<&Table> = tables.iter().map(|t| t.def).collect();
    let model_dir = format!("powerbi/{PROJECT}.SemanticModel");
    let report_dir = format!("powerbi/{PROJECT}.Report");
    let mut files = vec![
        (
            format!("powerbi/{PROJECT}.pbip"),
            json_bytes(&json!({
                "$schema": format!("{SCHEMAS}/pbip/pbipProperties/1.0.0/schema.json"),
                "version": "1.0",
                "artifacts": [{ "report": { "path": format!("{PROJECT}.Report") } }],
                "settings": { "enableAutoRecovery": true }
            })),
        ),
        (
            format!("{model_dir}/definition.pbism"),
            json_bytes(&json!({
                "$schema": format!("{SCHEMAS}/item/semanticModel/definitionProperties/1.0.0/schema.json"),
                "version": "4.2",
                "settings": {}
            })),
        ),
        (
            format!("{model_dir}/definition/database.tmdl"),
            b"database\n\tcompatibilityLevel: 1567\n".to_vec(),
        ),
        (
            format!("{model_dir}/definition/model.tmdl"),
            tmdl::model(&defs).into_bytes(),
        ),
        (
            format!("{model_dir}/definition/expressions.tmdl"),
            tmdl::expressions(folder).into_bytes(),
        ),
    ];
    let rels = tmdl::relationships(&defs);
    let keys = tmdl::related_keys(&rels);
    files.push((
        format!("{model_dir}/definition/relationships.tmdl"),
        tmdl::relationships_file(&rels).into_bytes(),
    ));
    let none = BTreeSet::new();
    let measures = measures::measures(tables);
    for t in tables {
        let own: Vec<&measures::Measure> =
            measures.iter().filter(|m| m.table == t.def.name).collect();
        files.push((
            format!("{model_dir}/definition/tables/{}.tmdl", t.def.name),
            tmdl::table(t, keys.get(t.def.name).unwrap_or(&none), &own).into_bytes(),
        ));
    }
    for (rel, v) in pages::files(&pages::pages(tables, &measures)) {
        files.push((format!("{report_dir}/definition/{rel}"), json_bytes(&v)));
    }
    files.push((
        format!("{report_dir}/definition.pbir"),
        json_bytes(&json!({
            "$schema": format!("{SCHEMAS}/item/report/definitionProperties/2.0.0/schema.json"),
            "version": "4.0",
            "datasetReference": { "byPath": { "path": format!("../{PROJECT}.SemanticModel") } }
        })),
    ));
    files
}
