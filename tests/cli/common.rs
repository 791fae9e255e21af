//! Helpers shared by the integration tests: each test gets its own folder, and runs the real
//! binary in it (so paths in messages are short and stable).

#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A sandbox holding a copy of the committed sample project (`schemas/`, `sample-data/`).
    pub fn sample() -> Sandbox {
        let s = Sandbox::new();
        s.copy_dir("schemas", "schemas")
            .copy_dir("sample-data", "sample-data");
        s
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Self {
        let p = self.path(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(p, contents).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Copy a folder of the repository (e.g. `tests/fixtures/qualtrics`) into the sandbox.
    /// Subfolders come too (`schemas/benchmarks`), but never a run's `out/` folder.
    pub fn copy_dir(&self, from_repo: &str, to: &str) -> &Self {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(from_repo);
        for entry in std::fs::read_dir(&src).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            let name = entry.file_name();
            if kind.is_file() {
                let dest = self.path(to).join(&name);
                std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
                std::fs::copy(entry.path(), dest).unwrap();
            } else if kind.is_dir() && name != "out" {
                let name = name.to_string_lossy();
                self.copy_dir(&format!("{from_repo}/{name}"), &format!("{to}/{name}"));
            }
        }
        self
    }

    /// `run` on the committed sample (copied into the sandbox), quietly; it must succeed.
    pub fn run_sample(&self) {
        self.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG], 0);
    }

    /// `audit` (with the sample config) of a copy of the sample's `latest/` pack, made in the
    /// folder `copy` and changed by `tamper`: whether it passed, and its report.
    pub fn audit_tampered_copy(&self, copy: &str, tamper: impl FnOnce(&Path)) -> (bool, String) {
        let copy = self.path(copy);
        copy_tree(&self.path("sample-data/out/latest"), &copy);
        tamper(&copy);
        let out = self
            .cmd(&["audit", "--config", SAMPLE_CONFIG])
            .arg(&copy)
            .output()
            .unwrap();
        (out.status.success(), stdout(&out))
    }

    /// Run the binary with `args` in the sandbox, check it exited with `code` (the message
    /// shows what it printed), and return its output.
    pub fn expect_exit(&self, args: &[&str], code: i32) -> std::process::Output {
        let out = self.cmd(args).output().expect("the binary runs");
        assert_eq!(
            out.status.code(),
            Some(code),
            "`culture-metrics {}` exited {:?}, expected {code}\n--- stdout\n{}\n--- stderr\n{}",
            args.join(" "),
            out.status.code(),
            stdout(&out),
            stderr(&out)
        );
        out
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("culture-metrics").unwrap();
        c.current_dir(self.dir.path()).args(args);
        c
    }

    /// The newest evidence pack under an output folder (the last run in its `runs.csv`),
    /// relative to the sandbox.
    pub fn pack(&self, output: &str) -> String {
        let runs = self.read(&format!("{output}/runs.csv"));
        let last = runs.lines().last().expect("a run is recorded");
        let id = last.split(',').next().unwrap();
        assert!(!id.is_empty() && id != "run_id", "{runs}");
        format!("{output}/{id}")
    }

    /// Read a file of the newest evidence pack under an output folder.
    pub fn read_pack(&self, output: &str, rel: &str) -> String {
        self.read(&format!("{}/{rel}", self.pack(output)))
    }

    /// A table of the newest pack under an output folder, without its byte-order mark.
    pub fn read_table(&self, output: &str, name: &str) -> String {
        self.read_csv(&format!("{}/tables/{name}.csv", self.pack(output)))
    }

    /// A CSV table by path, without its byte-order mark (every table starts with one, so
    /// Excel reads it as UTF-8).
    pub fn read_csv(&self, rel: &str) -> String {
        let text = self.read(rel);
        match text.strip_prefix('\u{feff}') {
            Some(t) => t.to_string(),
            None => panic!("{rel} does not start with a UTF-8 byte-order mark"),
        }
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A small schema for hand-checked and bad-input tests.
pub const MINI_SCHEMA: &str = r#"
[survey]
id = "mini"
title = "Mini"
version = "1"

[[scales]]
id = "agree5"
answers = [
  { code = 1, label = "Strongly disagree", group = "negative" },
  { code = 2, label = "Disagree", group = "negative" },
  { code = 3, label = "Neither agree nor disagree", group = "neutral", aliases = ["Neither agree or disagree"] },
  { code = 4, label = "Agree", group = "positive" },
  { code = 5, label = "Strongly agree", group = "positive" },
  { code = 9, label = "Don't know", group = "excluded" },
]

[[scales]]
id = "yes_no"
answers = [
  { code = 1, label = "Yes", group = "positive" },
  { code = 2, label = "No", group = "negative" },
  { code = 3, label = "Prefer not to say", group = "excluded" },
]

[[questions]]
id = "Q1"
text = "I am proud to work here"
type = "likert"
scale = "agree5"

[[questions]]
id = "Q2"
text = "Members treat officers with respect"
type = "likert"
scale = "agree5"

[[questions]]
id = "Q3"
text = "Have you been bullied at work?"
type = "yes-no"
scale = "yes_no"
reverse_keyed = true

[[questions]]
id = "T1"
text = "Any comments?"
type = "free-text"

[[demographics]]
id = "dir"
label = "Directorate"
categories = ["A dir", "B dir", "C dir"]
"#;

/// A pipeline config for one plain-CSV wave of the mini schema.
pub fn mini_config(file: &str, extra_wave_lines: &str, tolerance: f64) -> String {
    format!(
        r#"schema = "schema.toml"
output = "out"
store = "out/store"
breakdowns = ["dir"]

[tolerance]
max_rejected_pct = {tolerance}

[[waves]]
id = "2025"
fieldwork_start = "2025-10-01"
fieldwork_end = "2025-10-31"
file = "{file}"
response_id = "id"
{extra_wave_lines}

[waves.columns]
dir = "dir"
Q1 = "q1"
Q2 = "q2"
Q3 = "q3"
T1 = "comment"
"#
    )
}

/// 32 respondents, hand-counted (see `run::items_match_hand_calculation`):
/// - A dir, 20 people: q1 = SA×4, A×6, N×4, D×3, SD×1, DK×1, blank×1; q2 = Agree×20;
///   q3 = Yes×2, No×18
/// - B dir, 9 people: q1 = Agree×9; q2 = Disagree×9; q3 = No×9
/// - directorate blank, 3 people: q1 = SD×3; q2 = Neither×3; q3 = Yes, No, Prefer not to say
pub fn mini_csv() -> String {
    let mut rows = vec!["id,dir,q1,q2,q3,comment".to_string()];
    let a_q1 = [
        "Strongly agree",
        "Strongly agree",
        "Strongly agree",
        "Strongly agree",
        "Agree",
        "Agree",
        "Agree",
        "Agree",
        "Agree",
        "Agree",
        "Neither agree nor disagree",
        "Neither agree or disagree",
        "neither agree nor disagree",
        "Neither agree nor disagree",
        "Disagree",
        "Disagree",
        "Disagree",
        "Strongly disagree",
        "Don't know",
        "",
    ];
    for (i, q1) in a_q1.iter().enumerate() {
        let q3 = if i < 2 { "Yes" } else { "No" };
        let comment = if i == 0 {
            "\"Two lines,\nwith a comma\""
        } else {
            ""
        };
        rows.push(format!("A{i},A dir,{q1},Agree,{q3},{comment}"));
    }
    for i in 0..9 {
        rows.push(format!("B{i},B dir,Agree,Disagree,No,"));
    }
    for (i, q3) in ["Yes", "No", "Prefer not to say"].iter().enumerate() {
        rows.push(format!(
            "N{i},,Strongly disagree,Neither agree nor disagree,{q3},"
        ));
    }
    rows.join("\n") + "\n"
}

/// A sandbox holding the mini schema, `data.csv` and `pipeline.toml`.
pub fn mini_sandbox(data: impl AsRef<[u8]>, extra_wave_lines: &str, tolerance: f64) -> Sandbox {
    let s = Sandbox::new();
    s.write("schema.toml", MINI_SCHEMA)
        .write("data.csv", data)
        .write(
            "pipeline.toml",
            mini_config("data.csv", extra_wave_lines, tolerance),
        );
    s
}

/// Collapse runs of spaces, so assertions do not depend on column alignment.
pub fn squash(s: &str) -> String {
    s.split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether Python can import these modules (for tests that read outputs back as an analyst's
/// tools do). On CI they must be there: `.ci/run` installs them.
pub fn python_has(modules: &str) -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "Python's {modules} is not installed: .ci/run installs it"
        );
        eprintln!("skipped: install Python's {modules} to run this test");
    }
    ok
}

/// Run `python3` with `args` (in `dir`, if given), failing the test with Python's error output
/// unless it succeeds; returns what it printed.
pub fn python<S: AsRef<std::ffi::OsStr>>(
    args: impl IntoIterator<Item = S>,
    dir: Option<&Path>,
) -> Vec<u8> {
    let mut cmd = std::process::Command::new("python3");
    cmd.args(args);
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// How many tables a pack publishes: one per declaration in the registry.
pub fn published_tables() -> usize {
    culture_metrics::report::model::registry().len()
}

/// Weight the sandbox's sample config to its HR headcount by directorate alone (`[weighting]`
/// raking), so the weighting tables have rows.
pub fn rake_sample_by_directorate(s: &Sandbox) {
    let cfg = s.read("sample-data/pipeline.toml");
    let at = cfg.find("[[waves]]").unwrap();
    s.write(
        "sample-data/pipeline.toml",
        format!(
            "{}[weighting]\nmethod = \"rake\"\nmargins = [\"directorate\"]\n\n{}",
            &cfg[..at],
            &cfg[at..]
        ),
    );
}

/// The committed sample's config, as the tests' sandboxes copy it.
pub const SAMPLE_CONFIG: &str = "sample-data/pipeline.toml";

/// A CSV table's rows as maps from column name to text (byte-order mark or not).
pub type Rows = Vec<std::collections::HashMap<String, String>>;

pub fn rows(text: &str) -> Rows {
    let mut rdr = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    rdr.records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// A cell of such a row as a number (the test fails naming the column and row otherwise).
pub fn num(r: &std::collections::HashMap<String, String>, col: &str) -> f64 {
    r[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col} = {:?} in {r:?}", r[col]))
}

/// Copy a folder (e.g. a pack) with everything in it.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}
