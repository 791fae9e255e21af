//! The layout's rules, read from the code itself (`docs/architecture.md` explains them):
//! every module imports only from its own layer or the layers below, no two files import
//! each other through any chain (no circles), nothing is reached through the crate root,
//! no function in `src/` runs past 80 lines and no file past 800.
//!
//! The reading is textual and deliberately simple: comments, strings and `#[cfg(test)]` items
//! are blanked, then every `crate::`/`super::` path (in `use` trees and in code) is resolved to
//! the file that declares its longest module prefix.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom up. A module may import from its own layer and every layer below.
const LAYERS: &[&[&str]] = &[
    &[
        "ids",
        "calendar",
        "stats",
        "file_errors",
        "fault",
        "timings",
        "exit",
    ],
    &["schema"],
    &["config"],
    &["responses"],
    &["import"],
    &["store"],
    &["indicators", "weighting", "drivers"],
    &["disclosure"],
    &["compare", "meetings"],
    &["report"],
    &["audit"],
    &["pipeline", "project", "synth"],
    &["cmd"],
];

const MAX_FUNCTION_LINES: usize = 80;
const MAX_FILE_LINES: usize = 800;

fn layer_of(module: &[String]) -> Option<usize> {
    let top = module.first()?;
    LAYERS.iter().position(|l| l.contains(&top.as_str()))
}

struct SourceFile {
    path: PathBuf,
    /// Module path from the crate root (`[]` for lib.rs).
    module: Vec<String>,
    /// The text with comments, string contents and test-only items blanked.
    code: String,
    raw: String,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn source_files() -> Vec<SourceFile> {
    let mut out = Vec::new();
    let mut stack = vec![src_dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src_dir()).unwrap();
                if rel == Path::new("main.rs") {
                    continue;
                }
                let mut module: Vec<String> = rel
                    .with_extension("")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if module.last().is_some_and(|l| l == "mod" || l == "lib") {
                    module.pop();
                }
                let raw = std::fs::read_to_string(&path).unwrap();
                let code = without_tests(&blank_comments_and_strings(&raw));
                out.push(SourceFile {
                    path: rel.to_path_buf(),
                    module,
                    code,
                    raw,
                });
            }
        }
    }
    // Files holding only unit tests (`#[cfg(test)] mod tests;`) are tests, not layout.
    let test_modules: BTreeSet<Vec<String>> = out
        .iter()
        .flat_map(|f| {
            let code = blank_comments_and_strings(&f.raw);
            let mut found = Vec::new();
            let mut rest = code.as_str();
            while let Some(at) = rest.find("#[cfg(test)]") {
                rest = &rest[at + "#[cfg(test)]".len()..];
                let item = rest.trim_start();
                if let Some(name) = item.strip_prefix("mod ") {
                    let name = name.split([';', ' ', '{']).next().unwrap_or("");
                    if item
                        .trim_start_matches("mod ")
                        .trim_start_matches(name)
                        .trim_start()
                        .starts_with(';')
                    {
                        let mut m = f.module.clone();
                        m.push(name.to_string());
                        found.push(m);
                    }
                }
            }
            found
        })
        .collect();
    out.retain(|f| !test_modules.iter().any(|t| f.module.starts_with(t)));
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Comments and the insides of string and char literals replaced by spaces (newlines kept, so
/// line numbers survive).
fn blank_comments_and_strings(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('#') || next == Some('"')) && !ident_char(&b, i) {
            // raw string r#"..."#
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            out.push('"');
            for _ in i + 1..=j {
                out.push(' ');
            }
            out.pop();
            i = j + 1;
            loop {
                if i >= b.len() {
                    break;
                }
                if b[i] == '"' && (0..hashes).all(|h| b.get(i + 1 + h) == Some(&'#')) {
                    out.push('"');
                    for _ in 0..hashes {
                        out.push(' ');
                    }
                    i += 1 + hashes;
                    break;
                }
                out.push(blank(b[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push('"');
            i += 1;
        } else if c == '\'' {
            // a char literal ('x', '\n', '\u{..}') or a lifetime ('a)
            let close = if next == Some('\\') {
                (i + 3..b.len().min(i + 12)).find(|&k| b[k] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match close {
                Some(k) => {
                    out.push('\'');
                    for _ in i + 1..k {
                        out.push(' ');
                    }
                    out.push('\'');
                    i = k + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_char(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

/// Every item under `#[cfg(test)]` blanked: unit tests may reach anywhere.
fn without_tests(code: &str) -> String {
    let mut out: Vec<char> = code.chars().collect();
    let len = out.len();
    let needle: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut i = 0;
    while i + needle.len() <= out.len() {
        if out[i..i + needle.len()] == needle[..] {
            let start = i;
            let mut j = i + needle.len();
            while j < out.len() && out[j] != '{' && out[j] != ';' {
                j += 1;
            }
            if j < out.len() && out[j] == '{' {
                let mut depth = 0;
                while j < out.len() {
                    if out[j] == '{' {
                        depth += 1;
                    } else if out[j] == '}' {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    j += 1;
                }
            }
            for c in out.iter_mut().take((j + 1).min(len)).skip(start) {
                if *c != '\n' {
                    *c = ' ';
                }
            }
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out.into_iter().collect()
}

/// Every path the code names from `crate::`, `super::` or `self::`, as module-path segments
/// from the crate root, with the line it is on.
fn paths_named(file: &SourceFile) -> Vec<(Vec<String>, usize)> {
    let mut out = Vec::new();
    let code = &file.code;
    let chars: Vec<char> = code.chars().collect();
    let line_at = |pos: usize| chars[..pos].iter().filter(|&&c| c == '\n').count() + 1;
    let mut i = 0;
    while i < chars.len() {
        // `use` trees, expanded
        if starts_word(&chars, i, "use") {
            let end = (i..chars.len())
                .find(|&k| chars[k] == ';')
                .unwrap_or(chars.len());
            let text: String = chars[i + 3..end].iter().collect();
            for p in expand_use_tree(&text) {
                if let Some(abs) = absolute(&file.module, &p, is_mod_file(&file.path)) {
                    out.push((abs, line_at(i)));
                }
            }
            i = end;
            continue;
        }
        for root in ["crate", "super", "self"] {
            if starts_word(&chars, i, root)
                && chars.get(i + root.len()) == Some(&':')
                && chars.get(i + root.len() + 1) == Some(&':')
            {
                let mut k = i;
                while k < chars.len()
                    && (chars[k].is_alphanumeric() || chars[k] == '_' || chars[k] == ':')
                {
                    k += 1;
                }
                let text: String = chars[i..k].iter().collect();
                let segs: Vec<String> = text
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                if let Some(abs) = absolute(&file.module, &segs, is_mod_file(&file.path)) {
                    out.push((abs, line_at(i)));
                }
                i = k;
                break;
            }
        }
        i += 1;
    }
    out
}

fn is_mod_file(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == "mod.rs" || n == "lib.rs")
}

fn starts_word(chars: &[char], i: usize, word: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    chars.len() >= i + w.len()
        && chars[i..i + w.len()] == w[..]
        && (i == 0
            || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_' || chars[i - 1] == ':'))
        && chars
            .get(i + w.len())
            .is_none_or(|c| !(c.is_alphanumeric() || *c == '_'))
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand_use_tree(text: &str) -> Vec<Vec<String>> {
    fn walk(prefix: &[String], text: &str, out: &mut Vec<Vec<String>>) {
        let text = text.trim();
        if let Some(open) = text.find('{') {
            let head: Vec<String> = text[..open]
                .split("::")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            let inner = &text[open + 1..text.rfind('}').unwrap_or(text.len())];
            let mut p = prefix.to_vec();
            p.extend(head);
            let mut depth = 0;
            let mut start = 0;
            for (k, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        walk(&p, &inner[start..k], out);
                        start = k + 1;
                    }
                    _ => {}
                }
            }
            walk(&p, &inner[start..], out);
        } else {
            let body = text.split(" as ").next().unwrap_or("").trim();
            if body.is_empty() {
                return;
            }
            let mut p = prefix.to_vec();
            p.extend(
                body.split("::")
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty()),
            );
            out.push(p);
        }
    }
    let mut out = Vec::new();
    walk(&[], text.trim_start_matches("pub(crate)").trim(), &mut out);
    out
}

/// A path as segments from the crate root, or None for paths outside the crate.
fn absolute(module: &[String], path: &[String], mod_file: bool) -> Option<Vec<String>> {
    let first = path.first()?;
    let mut base: Vec<String> = match first.as_str() {
        "crate" => Vec::new(),
        "self" => module.to_vec(),
        "super" => {
            let mut m = module.to_vec();
            m.pop();
            m
        }
        _ => return None,
    };
    let _ = mod_file;
    let mut rest = &path[1..];
    while rest.first().is_some_and(|s| s == "super") {
        base.pop();
        rest = &rest[1..];
    }
    base.extend(rest.iter().filter(|s| *s != "self").cloned());
    Some(base)
}

struct Graph {
    files: Vec<SourceFile>,
    /// file index → (file index, line, what was named)
    edges: BTreeMap<usize, BTreeSet<(usize, usize, String)>>,
}

fn graph() -> Graph {
    let files = source_files();
    let by_module: BTreeMap<Vec<String>, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.module.clone(), i))
        .collect();
    let mut edges: BTreeMap<usize, BTreeSet<(usize, usize, String)>> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        for (path, line) in paths_named(f) {
            let target = (0..=path.len())
                .rev()
                .find_map(|n| by_module.get(&path[..n]).copied());
            if let Some(t) = target
                && t != i
                // a parent declaring or re-exporting its own child is not a dependency
                && !(files[t].module.starts_with(&f.module) && files[t].module.len() > f.module.len())
            {
                edges
                    .entry(i)
                    .or_default()
                    .insert((t, line, path.join("::")));
            }
        }
    }
    Graph { files, edges }
}

#[test]
fn modules_import_only_from_their_own_layer_or_below() {
    let g = graph();
    let mut problems = Vec::new();
    for f in &g.files {
        if !f.module.is_empty() && layer_of(&f.module).is_none() {
            problems.push(format!(
                "{}: module `{}` is in no layer: add it to LAYERS here and to docs/architecture.md",
                f.path.display(),
                f.module[0]
            ));
        }
    }
    for (&from, targets) in &g.edges {
        let src = &g.files[from];
        for (to, line, named) in targets {
            let dst = &g.files[*to];
            if dst.module.is_empty() {
                problems.push(format!(
                    "src/{}:{line}: `{named}` is reached through the crate root (lib.rs); import it from its own module",
                    src.path.display()
                ));
                continue;
            }
            if let (Some(a), Some(b)) = (layer_of(&src.module), layer_of(&dst.module))
                && b > a
            {
                problems.push(format!(
                    "src/{}:{line}: `{}` (layer {a}) imports `{named}` from `{}` (layer {b}), a higher layer",
                    src.path.display(),
                    src.module[0],
                    dst.module[0]
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} import(s) run up the layers:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn no_import_circles_between_files() {
    let g = graph();
    let circles = Tarjan::circles(&g);
    let described: Vec<String> = circles
        .iter()
        .map(|comp| {
            let set: BTreeSet<usize> = comp.iter().copied().collect();
            let mut lines = vec![format!("a circle of {} files:", comp.len())];
            for &a in &set {
                for (b, line, named) in g.edges.get(&a).into_iter().flatten() {
                    if set.contains(b) {
                        lines.push(format!(
                            "  src/{}:{line} -> src/{} (`{named}`)",
                            g.files[a].path.display(),
                            g.files[*b].path.display()
                        ));
                    }
                }
            }
            lines.join("\n")
        })
        .collect();
    assert!(
        circles.is_empty(),
        "{} import circle(s):\n{}",
        circles.len(),
        described.join("\n")
    );
}

/// Tarjan's strongly connected components: every set of files that reach each other.
struct Tarjan<'g> {
    g: &'g Graph,
    index: Vec<usize>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    next: usize,
    circles: Vec<Vec<usize>>,
}

impl<'g> Tarjan<'g> {
    fn circles(g: &'g Graph) -> Vec<Vec<usize>> {
        let n = g.files.len();
        let mut t = Tarjan {
            g,
            index: vec![usize::MAX; n],
            low: vec![0; n],
            on_stack: vec![false; n],
            stack: Vec::new(),
            next: 0,
            circles: Vec::new(),
        };
        for v in 0..n {
            if t.index[v] == usize::MAX {
                t.visit(v);
            }
        }
        t.circles
    }

    fn visit(&mut self, v: usize) {
        self.index[v] = self.next;
        self.low[v] = self.next;
        self.next += 1;
        self.stack.push(v);
        self.on_stack[v] = true;
        let g = self.g;
        for &(w, _, _) in g.edges.get(&v).into_iter().flatten() {
            if self.index[w] == usize::MAX {
                self.visit(w);
                self.low[v] = self.low[v].min(self.low[w]);
            } else if self.on_stack[w] {
                self.low[v] = self.low[v].min(self.index[w]);
            }
        }
        if self.low[v] == self.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = self.stack.pop().expect("v is on the stack");
                self.on_stack[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                self.circles.push(comp);
            }
        }
    }
}

/// Functions longer than the limit, as (file, line, name, lines). A function runs from its `fn`
/// line to the line of its closing brace.
fn long_functions() -> Vec<(PathBuf, usize, String, usize)> {
    let mut out = Vec::new();
    for f in source_files() {
        let lines: Vec<&str> = f.code.lines().collect();
        let mut l = 0;
        while l < lines.len() {
            let t = lines[l].trim_start();
            let is_fn = t.starts_with("fn ")
                || t.starts_with("pub fn ")
                || t.starts_with("pub(crate) fn ")
                || t.starts_with("pub(super) fn ")
                || t.starts_with("const fn ")
                || t.starts_with("pub const fn ");
            if !is_fn {
                l += 1;
                continue;
            }
            let name = t
                .split("fn ")
                .nth(1)
                .unwrap_or("")
                .split(['(', '<'])
                .next()
                .unwrap_or("")
                .to_string();
            // find the body's opening brace (or a `;` for a declaration without body)
            let mut depth = 0i32;
            let mut opened = false;
            let mut end = l;
            'outer: for (k, line) in lines.iter().enumerate().skip(l) {
                for c in line.chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' => {
                            depth -= 1;
                            if opened && depth == 0 {
                                end = k;
                                break 'outer;
                            }
                        }
                        ';' if !opened => {
                            end = k;
                            break 'outer;
                        }
                        _ => {}
                    }
                }
            }
            let len = end - l + 1;
            if len > MAX_FUNCTION_LINES {
                out.push((f.path.clone(), l + 1, name, len));
            }
            l += 1;
        }
    }
    out
}

#[test]
fn no_function_over_80_lines() {
    let long = long_functions();
    let listed: Vec<String> = long
        .iter()
        .map(|(p, l, n, len)| format!("src/{}:{l} `{n}`: {len} lines", p.display()))
        .collect();
    assert!(
        long.is_empty(),
        "{} function(s) over {MAX_FUNCTION_LINES} lines; split them into named steps:\n{}",
        long.len(),
        listed.join("\n")
    );
}

#[test]
fn no_file_over_800_lines() {
    let long: Vec<String> = source_files()
        .iter()
        .filter(|f| f.raw.lines().count() > MAX_FILE_LINES)
        .map(|f| format!("src/{}: {} lines", f.path.display(), f.raw.lines().count()))
        .collect();
    assert!(
        long.is_empty(),
        "{} file(s) over {MAX_FILE_LINES} lines; split them by what they hold:\n{}",
        long.len(),
        long.join("\n")
    );
}

#[test]
fn the_architecture_page_names_every_layer() {
    let page =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md"))
            .expect("docs/architecture.md");
    let missing: Vec<&str> = LAYERS
        .iter()
        .flat_map(|l| l.iter())
        .copied()
        .filter(|m| !page.contains(&format!("`{m}")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/architecture.md does not place: {}",
        missing.join(", ")
    );
}

#[test]
fn the_checker_reads_use_trees_and_blanks_comments() {
    let tree = expand_use_tree(" crate::{a::{B, c::D}, e as F}");
    assert_eq!(
        tree,
        vec![
            vec!["crate", "a", "B"],
            vec!["crate", "a", "c", "D"],
            vec!["crate", "e"]
        ]
        .into_iter()
        .map(|v| v.into_iter().map(String::from).collect::<Vec<_>>())
        .collect::<Vec<_>>()
    );
    let blank = blank_comments_and_strings("let x = \"crate::a\"; // crate::b\nuse crate::c;");
    assert!(!blank.contains("crate::a") && !blank.contains("crate::b"));
    assert!(blank.contains("use crate::c;"));
    let t = without_tests("fn a() {}\n#[cfg(test)]\nmod tests { use crate::x; }\nfn b() {}");
    assert!(!t.contains("crate::x") && t.contains("fn b()"));
}
