//! The Power BI project in the pack (`powerbi/`): its TMDL read by a strict reader written from
//! Microsoft's TMDL overview (not by the code that writes it), every table, column, type and
//! relationship checked against `tables/schema.json`, and every JSON file validated against
//! Microsoft's published JSON schemas (copies in `tests/fixtures/powerbi-schemas/`, with their
//! source).

use crate::common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One TMDL object: its type, name, default value (after `=`), properties, children and
/// description.
#[derive(Debug, Default, Clone)]
struct Object {
    kind: String,
    name: String,
    value: Option<String>,
    props: BTreeMap<String, String>,
    children: Vec<Object>,
    description: Vec<String>,
}

/// Object types and, per type, the properties this project may write (anything else is a
/// typo Desktop would reject or drop).
const OBJECTS: &[(&str, &[&str])] = &[
    ("database", &["compatibilityLevel"]),
    (
        "model",
        &[
            "culture",
            "defaultPowerBIDataSourceVersion",
            "discourageImplicitMeasures",
            "sourceQueryCulture",
        ],
    ),
    ("table", &["lineageTag", "isHidden"]),
    (
        "column",
        &[
            "dataType",
            "formatString",
            "isHidden",
            "lineageTag",
            "summarizeBy",
            "sourceColumn",
            "sortByColumn",
            "displayFolder",
        ],
    ),
    (
        "measure",
        &["formatString", "lineageTag", "displayFolder", "isHidden"],
    ),
    ("partition", &["mode", "source"]),
    ("relationship", &["isActive", "fromColumn", "toColumn"]),
    ("expression", &["lineageTag"]),
    ("annotation", &[]),
    ("ref", &[]),
];

/// A TMDL name: bare, or in single quotes with a quote doubled; a bare name holds none of
/// `. = : '` or whitespace.
fn read_name(s: &str) -> Result<(String, &str), String> {
    if let Some(rest) = s.strip_prefix('\'') {
        let mut out = String::new();
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().is_some_and(|(_, n)| *n == '\'') {
                    chars.next();
                    out.push('\'');
                } else {
                    return Ok((out, &rest[i + 1..]));
                }
            } else {
                out.push(c);
            }
        }
        Err(format!("unclosed quote in {s}"))
    } else {
        let end = s.find([' ', '=', '.', ':', '\t']).unwrap_or(s.len());
        if end == 0 {
            return Err(format!("no name in `{s}`"));
        }
        Ok((s[..end].to_string(), &s[end..]))
    }
}

fn tabs(line: &str) -> Result<usize, String> {
    let n = line.chars().take_while(|c| *c == '\t').count();
    if line[n..].starts_with(' ') {
        return Err(format!("indented with spaces: `{line}`"));
    }
    Ok(n)
}

/// Read a TMDL document strictly: tab indentation one level per nesting, declarations
/// `type name [= value]`, properties `name: value` or a bare flag, descriptions `///` right
/// above a declaration, and multi-line expressions two levels below their declaration.
fn parse(text: &str) -> Result<Vec<Object>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    parse_level(&lines, &mut i, 0)
}

fn parse_level(lines: &[&str], i: &mut usize, depth: usize) -> Result<Vec<Object>, String> {
    let mut out: Vec<Object> = Vec::new();
    let mut description = Vec::new();
    while *i < lines.len() {
        let line = lines[*i];
        if line.trim().is_empty() {
            *i += 1;
            continue;
        }
        let level = tabs(line).map_err(|e| format!("line {}: {e}", *i + 1))?;
        if level < depth {
            break;
        }
        if level > depth {
            return Err(format!("line {}: indented too far: `{line}`", *i + 1));
        }
        let body = &line[level..];
        if let Some(d) = body.strip_prefix("///") {
            description.push(d.trim().to_string());
            *i += 1;
            continue;
        }
        let (kind, rest) = body.split_once(' ').unwrap_or((body, ""));
        let kind = if kind == "ref" {
            let (k, r) = rest.split_once(' ').ok_or("ref without a type")?;
            *i += 1;
            let (name, tail) = read_name(r)?;
            if !tail.trim().is_empty() {
                return Err(format!("line {}: text after a ref: `{line}`", *i));
            }
            out.push(Object {
                kind: format!("ref {k}"),
                name,
                ..Object::default()
            });
            continue;
        } else {
            kind
        };
        let known = OBJECTS.iter().find(|(k, _)| *k == kind);
        let Some((_, allowed)) = known else {
            // A property of the enclosing object: handled by the caller.
            if !description.is_empty() {
                return Err(format!("line {}: a description above a property", *i + 1));
            }
            break;
        };
        let (name, tail) = if kind == "database" || (kind == "model" && rest.is_empty()) {
            (String::new(), rest)
        } else {
            read_name(rest).map_err(|e| format!("line {}: {e}", *i + 1))?
        };
        let tail = tail.trim();
        let mut obj = Object {
            kind: kind.to_string(),
            name,
            description: std::mem::take(&mut description),
            ..Object::default()
        };
        *i += 1;
        if let Some(v) = tail.strip_prefix('=') {
            let v = v.trim();
            obj.value = Some(if v.is_empty() {
                expression(lines, i, depth + 2)?
            } else {
                v.to_string()
            });
        } else if !tail.is_empty() {
            return Err(format!("line {}: unexpected `{tail}`", *i));
        }
        properties(lines, i, depth + 1, allowed, &mut obj)?;
        out.push(obj);
    }
    Ok(out)
}

/// The lines of a multi-line expression: every one at least `depth` tabs in.
fn expression(lines: &[&str], i: &mut usize, depth: usize) -> Result<String, String> {
    let mut body = Vec::new();
    while *i < lines.len() {
        let line = lines[*i];
        let level = line.chars().take_while(|c| *c == '\t').count();
        if !line.trim().is_empty() && level < depth {
            break;
        }
        body.push(line);
        *i += 1;
    }
    while body.last().is_some_and(|l| l.trim().is_empty()) {
        body.pop();
    }
    if body.is_empty() {
        return Err(format!("line {}: an empty expression", *i));
    }
    // The outer indentation (at least `depth` tabs) is not part of the expression.
    let outer = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.chars().take_while(|c| *c == '\t').count())
        .min()
        .unwrap_or(depth);
    Ok(body
        .iter()
        .map(|l| l.get(outer..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// An object's properties and children, one level below it.
fn properties(
    lines: &[&str],
    i: &mut usize,
    depth: usize,
    allowed: &[&str],
    obj: &mut Object,
) -> Result<(), String> {
    loop {
        obj.children.extend(parse_level(lines, i, depth)?);
        let Some(line) = lines.get(*i) else {
            return Ok(());
        };
        if tabs(line)? < depth {
            return Ok(());
        }
        let body = line.trim_start_matches('\t');
        let (key, value) = match body.split_once(':') {
            Some((k, v)) if !k.contains(' ') => (k.to_string(), v.trim().to_string()),
            _ if !body.contains(' ') => (body.to_string(), "true".to_string()),
            _ => {
                if let Some((k, v)) = body.split_once(" =") {
                    // An expression property (`source =`).
                    *i += 1;
                    let v = if v.trim().is_empty() {
                        expression(lines, i, depth + 1)?
                    } else {
                        v.trim().to_string()
                    };
                    insert(obj, allowed, k, v, *i)?;
                    continue;
                }
                return Err(format!("line {}: not a property: `{line}`", *i + 1));
            }
        };
        *i += 1;
        insert(obj, allowed, &key, value, *i)?;
    }
}

fn insert(
    obj: &mut Object,
    allowed: &[&str],
    key: &str,
    value: String,
    line: usize,
) -> Result<(), String> {
    if !allowed.contains(&key) {
        return Err(format!(
            "line {line}: `{key}` is not a property of a {}",
            obj.kind
        ));
    }
    if obj.props.insert(key.to_string(), value).is_some() {
        return Err(format!("line {line}: `{key}` set twice"));
    }
    Ok(())
}

/// `table.column` with either part quoted.
fn column_ref(s: &str) -> (String, String) {
    let (t, rest) = read_name(s).unwrap();
    let (c, tail) = read_name(rest.strip_prefix('.').unwrap()).unwrap();
    assert!(tail.is_empty(), "{s}");
    (t, c)
}

fn read_model(dir: &Path) -> (Vec<Object>, BTreeMap<String, Object>) {
    let read = |rel: &str| {
        let path = dir.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        parse(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()))
    };
    let mut top = Vec::new();
    for f in [
        "database.tmdl",
        "model.tmdl",
        "expressions.tmdl",
        "relationships.tmdl",
    ] {
        top.extend(read(f));
    }
    let mut tables = BTreeMap::new();
    for e in std::fs::read_dir(dir.join("tables")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        let objs = read(&format!("tables/{name}"));
        assert_eq!(objs.len(), 1, "{name}: one table per file");
        let t = objs[0].clone();
        assert_eq!(t.kind, "table");
        assert_eq!(format!("{}.tmdl", t.name), name);
        tables.insert(t.name.clone(), t);
    }
    (top, tables)
}

#[test]
fn the_dax_check_finds_unknown_names_and_unbalanced_brackets() {
    let mut t = Object {
        kind: "table".into(),
        name: "f".into(),
        ..Object::default()
    };
    t.children.push(Object {
        kind: "column".into(),
        name: "value".into(),
        ..Object::default()
    });
    let tables = BTreeMap::from([("f".to_string(), t)]);
    let measures = BTreeSet::from(["Value"]);
    assert!(dax_problems("SUM(f[value]) + [Value] & \"(\"\"[x]\"", &tables, &measures).is_empty());
    assert_eq!(
        dax_problems("SUM(f[valu])", &tables, &measures),
        ["f[valu] is not in the model"]
    );
    assert_eq!(
        dax_problems("[Valu]", &tables, &measures),
        ["[Valu] is not a measure"]
    );
    assert_eq!(
        dax_problems("SUM(f[value]", &tables, &measures),
        ["brackets do not balance (1)"]
    );
}

#[test]
fn the_tmdl_reader_rejects_what_desktop_would() {
    for bad in [
        "table t\n  column c\n",                         // spaces, not tabs
        "table t\n\tcolumn c\n\t\tdatatype string\n",    // a property without a colon
        "table t\n\tcolumn c\n\t\tcolour: red\n",        // not a column property
        "table t\n\tcolumn c\n\t\t\tdataType: string\n", // indented too far
        "table 'unclosed\n",
        "table t\n\tcolumn c\n\t\tdataType: string\n\t\tdataType: int64\n",
    ] {
        assert!(parse(bad).is_err(), "accepted: {bad:?}");
    }
    let ok = parse(
        "/// A table\ntable 'My table'\n\tlineageTag: x\n\n\tcolumn 'it''s'\n\t\tdataType: int64\n\t\tisHidden\n\n\tpartition p = m\n\t\tmode: import\n\t\tsource =\n\t\t\t\tlet\n\t\t\t\t    S = 1\n\t\t\t\tin\n\t\t\t\t    S\n",
    )
    .unwrap();
    assert_eq!(ok[0].name, "My table");
    assert_eq!(ok[0].description, ["A table"]);
    assert_eq!(ok[0].children[0].name, "it's");
    assert_eq!(ok[0].children[0].props["isHidden"], "true");
    assert_eq!(
        ok[0].children[1].props["source"],
        "let\n    S = 1\nin\n    S"
    );
}

/// What is wrong with a DAX expression: unbalanced brackets or quotes, a `table[column]` that
/// is not a column (or measure) of that table, a `[name]` that is no measure.
fn dax_problems(
    dax: &str,
    tables: &BTreeMap<String, Object>,
    measures: &BTreeSet<&str>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut depth = 0i32;
    let mut chars = dax.chars().peekable();
    let mut word = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                // A string: "" is an escaped quote.
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                        }
                        Some('"') => break,
                        Some(_) => {}
                        None => {
                            problems.push("an unclosed string".into());
                            break;
                        }
                    }
                }
                word.clear();
            }
            '(' => {
                depth += 1;
                word.clear();
            }
            ')' => {
                depth -= 1;
                word.clear();
                if depth < 0 {
                    problems.push("a `)` with no `(`".into());
                }
            }
            '[' => {
                let name: String = chars.by_ref().take_while(|c| *c != ']').collect();
                let table = word.trim_start_matches('\'').trim_end_matches('\'');
                if table.is_empty() {
                    if !measures.contains(name.as_str()) {
                        problems.push(format!("[{name}] is not a measure"));
                    }
                } else {
                    let found = tables.get(table).is_some_and(|t| {
                        t.children
                            .iter()
                            .any(|o| (o.kind == "column" || o.kind == "measure") && o.name == name)
                    });
                    if !found {
                        problems.push(format!("{table}[{name}] is not in the model"));
                    }
                }
                word.clear();
            }
            c if c.is_alphanumeric() || c == '_' || c == '\'' => word.push(c),
            _ => word.clear(),
        }
    }
    if depth != 0 {
        problems.push(format!("brackets do not balance ({depth})"));
    }
    problems
}

/// The Power BI type of each `schema.json` type.
fn tmdl_type(arrow: &str) -> &'static str {
    match arrow {
        "Int64" => "int64",
        "Float64" => "double",
        "Boolean" => "boolean",
        "Date32" => "dateTime",
        "Utf8" => "string",
        other => panic!("unknown type {other}"),
    }
}

#[test]
fn the_power_bi_model_is_the_published_tables() {
    let s = Sandbox::sample();
    s.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG, "--out", "p"], 0);
    let model_dir = s.path("p/powerbi/culture-metrics.SemanticModel/definition");
    let (top, tables) = read_model(&model_dir);
    let schema: serde_json::Value = serde_json::from_str(&s.read("p/tables/schema.json")).unwrap();
    let published = schema["tables"].as_array().unwrap();
    // Every table, in the registry's order in model.tmdl, with its columns and types.
    let refs: Vec<&str> = top
        .iter()
        .filter(|o| o.kind == "ref table")
        .map(|o| o.name.as_str())
        .collect();
    let names: Vec<&str> = published
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(refs, names);
    assert_eq!(
        tables.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        names.iter().copied().collect()
    );
    for t in published {
        let name = t["name"].as_str().unwrap();
        let model = &tables[name];
        let columns: Vec<(String, String)> = model
            .children
            .iter()
            .filter(|c| c.kind == "column")
            .map(|c| (c.name.clone(), c.props["dataType"].clone()))
            .collect();
        let declared: Vec<(String, String)> = t["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_string(),
                    tmdl_type(c["type"].as_str().unwrap()).to_string(),
                )
            })
            .collect();
        assert_eq!(columns, declared, "{name}");
        for c in model.children.iter().filter(|c| c.kind == "column") {
            assert_eq!(c.props["sourceColumn"], c.name, "{name}.{}", c.name);
            assert!(
                !c.description.is_empty(),
                "{name}.{} has no description",
                c.name
            );
            if let Some(by) = c.props.get("sortByColumn") {
                assert!(
                    columns.iter().any(|(n, _)| n == by),
                    "{name}.{}: sorts by {by}",
                    c.name
                );
            }
        }
        // Its one partition reads its Parquet file from the folder parameter.
        let parts: Vec<&Object> = model
            .children
            .iter()
            .filter(|c| c.kind == "partition")
            .collect();
        assert_eq!(parts.len(), 1, "{name}");
        assert_eq!(parts[0].value.as_deref(), Some("m"));
        assert!(
            parts[0].props["source"].contains(&format!(
                "Parquet.Document(File.Contents(Folder & \"{name}.parquet\"))"
            )),
            "{name}: {}",
            parts[0].props["source"]
        );
        assert!(s.path(&format!("p/tables/{name}.parquet")).is_file());
    }
    // Relationships: every foreign key but a table's reference to itself, between columns
    // that exist with the same type.
    type Link<'a> = (&'a Object, (String, String), (String, String));
    let rels: Vec<Link> = top
        .iter()
        .filter(|o| o.kind == "relationship")
        .map(|o| {
            (
                o,
                column_ref(&o.props["fromColumn"]),
                column_ref(&o.props["toColumn"]),
            )
        })
        .collect();
    let mut keys: BTreeSet<((String, String), (String, String))> = BTreeSet::new();
    for t in published {
        let name = t["name"].as_str().unwrap();
        for fk in t["foreign_keys"].as_array().unwrap() {
            let to = fk["references"]["table"].as_str().unwrap();
            if to != name {
                keys.insert((
                    (name.into(), fk["columns"][0].as_str().unwrap().into()),
                    (
                        to.into(),
                        fk["references"]["columns"][0].as_str().unwrap().into(),
                    ),
                ));
            }
        }
    }
    let modelled: BTreeSet<_> = rels
        .iter()
        .map(|(_, f, t)| (f.clone(), t.clone()))
        .collect();
    assert_eq!(modelled, keys);
    let ty = |(t, c): &(String, String)| {
        tables[t]
            .children
            .iter()
            .find(|o| o.kind == "column" && &o.name == c)
            .unwrap_or_else(|| panic!("{t}.{c} is not a column"))
            .props["dataType"]
            .clone()
    };
    for (_, f, t) in &rels {
        assert_eq!(ty(f), ty(t), "{f:?} → {t:?}");
    }
    // One active filter path between any two tables: count paths along active ones.
    let active: Vec<(&str, &str)> = rels
        .iter()
        .filter(|(o, _, _)| o.props.get("isActive").is_none_or(|v| v != "false"))
        .map(|(_, f, t)| (t.0.as_str(), f.0.as_str()))
        .collect();
    fn paths(from: &str, to: &str, edges: &[(&str, &str)]) -> usize {
        if from == to {
            return 1;
        }
        edges
            .iter()
            .filter(|(a, _)| *a == from)
            .map(|(_, b)| paths(b, to, edges))
            .sum()
    }
    for a in &names {
        for b in &names {
            if a != b {
                assert!(
                    paths(a, b, &active) <= 1,
                    "two active paths from {a} to {b}"
                );
            }
        }
    }
    let inactive: BTreeSet<String> = rels
        .iter()
        .filter(|(o, _, _)| o.props.get("isActive").is_some_and(|v| v == "false"))
        .map(|(_, f, _)| format!("{}.{}", f.0, f.1))
        .collect();
    assert!(
        inactive.contains("fact_item_changes.wave_from"),
        "{inactive:?}"
    );
    assert!(
        !inactive.contains("fact_item_changes.wave_to"),
        "{inactive:?}"
    );
    // Every measure's DAX is balanced and names only columns and measures of the model.
    let measures: BTreeSet<&str> = tables
        .values()
        .flat_map(|t| {
            t.children
                .iter()
                .filter(|c| c.kind == "measure")
                .map(|c| c.name.as_str())
        })
        .collect();
    assert!(measures.len() >= 20, "{measures:?}");
    // DAX names are case-insensitive: no measure may share a name with a column.
    for t in tables.values() {
        for c in t.children.iter().filter(|c| c.kind == "column") {
            assert!(
                !measures.iter().any(|m| m.eq_ignore_ascii_case(&c.name)),
                "measure named like the column {}[{}]",
                t.name,
                c.name
            );
        }
    }
    for t in tables.values() {
        for m in t.children.iter().filter(|c| c.kind == "measure") {
            let dax = m.value.as_deref().unwrap();
            let problems = dax_problems(dax, &tables, &measures);
            assert!(
                problems.is_empty(),
                "{}[{}]: {problems:?}\n{dax}",
                t.name,
                m.name
            );
        }
    }
    // The folder parameter names the pack's tables folder.
    let folder = top
        .iter()
        .find(|o| o.kind == "expression" && o.name == "Folder")
        .unwrap();
    let tables_dir = std::path::absolute(s.path("p/tables")).unwrap();
    assert!(
        folder
            .value
            .as_deref()
            .unwrap()
            .starts_with(&format!("\"{}", tables_dir.display())),
        "{:?}",
        folder.value
    );
}

/// Run the schema check script on a project folder: (passed, what it printed).
fn schema_check(s: &Sandbox, project: &str) -> (bool, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("python3")
        .arg(root.join("tests/cli/pbip_schemas.py"))
        .arg(root.join("tests/fixtures/powerbi-schemas"))
        .arg(s.path(project))
        .output()
        .expect("python3 runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn every_project_file_passes_its_published_schema_and_binds_to_the_model() {
    let s = Sandbox::sample();
    s.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG, "--out", "p"], 0);
    let (ok, said) = schema_check(&s, "p/powerbi");
    assert!(ok, "{said}");
    assert!(
        said.contains("30 file(s) checked, 0 failed") || said.contains(" 0 failed"),
        "{said}"
    );
    // The check can fail: a page without its display option, a visual placed at "left".
    copy_tree(&s.path("p/powerbi"), &s.path("bad"));
    let page = s.path("bad/culture-metrics.Report/definition/pages/headline/page.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&page).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("displayOption");
    std::fs::write(&page, v.to_string()).unwrap();
    let (ok, said) = schema_check(&s, "bad");
    assert!(
        !ok && said.contains("'displayOption' is a required property"),
        "{said}"
    );

    // Every field a visual shows is a column or measure of the model, of that kind.
    let (_, tables) = read_model(&s.path("p/powerbi/culture-metrics.SemanticModel/definition"));
    let report = s.path("p/powerbi/culture-metrics.Report/definition");
    let pages: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("pages/pages.json")).unwrap())
            .unwrap();
    let order: Vec<String> = pages["pageOrder"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    assert!(order.len() >= 6, "{order:?}");
    let mut bound = 0;
    for page in &order {
        let p: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(report.join(format!("pages/{page}/page.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(p["name"], page.as_str());
        let visuals = report.join(format!("pages/{page}/visuals"));
        for e in std::fs::read_dir(&visuals).unwrap() {
            let v: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(e.unwrap().path().join("visual.json")).unwrap(),
            )
            .unwrap();
            for (_, role) in v["visual"]["query"]["queryState"].as_object().unwrap() {
                for proj in role["projections"].as_array().unwrap() {
                    let (kind, f) = proj["field"].as_object().unwrap().iter().next().unwrap();
                    let table = f["Expression"]["SourceRef"]["Entity"].as_str().unwrap();
                    let name = f["Property"].as_str().unwrap();
                    let want = if kind == "Measure" {
                        "measure"
                    } else {
                        "column"
                    };
                    let found = tables.get(table).is_some_and(|t| {
                        t.children.iter().any(|c| c.kind == want && c.name == name)
                    });
                    assert!(found, "{page}: {kind} {table}[{name}] is not in the model");
                    bound += 1;
                }
            }
        }
    }
    assert!(bound >= 40, "{bound} bindings");
    // Readers see labels: no visual shows a key column.
    let keys: BTreeSet<String> = tables
        .values()
        .flat_map(|t| {
            t.children
                .iter()
                .filter(|c| c.kind == "column" && c.props.contains_key("isHidden"))
                .map(move |c| format!("{}[{}]", t.name, c.name))
        })
        .collect();
    for page in &order {
        for e in std::fs::read_dir(report.join(format!("pages/{page}/visuals"))).unwrap() {
            let text = std::fs::read_to_string(e.unwrap().path().join("visual.json")).unwrap();
            for k in &keys {
                let (t, c) = k.trim_end_matches(']').split_once('[').unwrap();
                assert!(
                    !text.contains(&format!("\"queryRef\": \"{t}.{c}\"")),
                    "{page} shows the hidden column {k}"
                );
            }
        }
    }
}
