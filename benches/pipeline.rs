//! National-scale benchmark: the whole evidence pack from the seeded workload
//! (`culture-metrics generate --workload N`: two plain-CSV waves of N respondents, 60 items,
//! 8 demographic fields, every field as a breakdown plus two crosses), against the floor —
//! polars reading the same two CSVs and nothing else — measured in the same run.
//!
//! ```sh
//! pip install polars duckdb                  # the floor and the optional comparison
//! cargo bench --bench pipeline               # 100k, 300k and 1M respondents per wave
//! cargo bench --bench pipeline -- 1000000    # one size
//! ```
//!
//! Each command is run as its own process, three times (the median is printed), with its
//! wall time and peak resident memory (from `wait4`). Prints a Markdown table for
//! `benches/README.md`. DuckDB doing the same counting is timed when Python's `duckdb` is
//! installed.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const RUNS: usize = 3;

/// Wall seconds and peak memory (MiB) of one run of a command.
fn measure(cmd: &mut Command) -> (f64, f64) {
    let start = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, once; `child` is never waited for again.
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed().as_secs_f64();
    assert_eq!(got, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed"
    );
    std::mem::forget(child);
    (wall, usage.ru_maxrss as f64 / 1024.0)
}

/// The median wall time and the largest peak memory of `RUNS` runs.
fn median(mut make: impl FnMut() -> Command) -> (f64, f64) {
    let mut runs: Vec<(f64, f64)> = (0..RUNS).map(|_| measure(&mut make())).collect();
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let peak = runs.iter().map(|r| r.1).fold(0.0, f64::max);
    (runs[RUNS / 2].0, peak)
}

fn python_has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_culture-metrics");
    let benches = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches");
    let sizes: Vec<u32> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![100_000, 300_000, 1_000_000]
    } else {
        sizes
    };
    assert!(
        python_has("polars"),
        "the floor needs Python's polars: pip install polars"
    );
    let duckdb = python_has("duckdb");
    println!(
        "| respondents per wave | floor: polars reads the CSVs | DuckDB, same counting | cold `run --reimport` | warm `run` | `validate` | cold / floor | warm / floor | peak memory cold / warm / floor |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for n in sizes {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        let status = Command::new(bin)
            .args(["-q", "generate", "--workload", &n.to_string(), "--out"])
            .arg(d)
            .status()
            .expect("generate");
        assert!(status.success());
        let config = d.join("pipeline.toml");
        let run = |extra: &[&str]| {
            let mut c = Command::new(bin);
            c.arg("-q")
                .arg("run")
                .arg("--config")
                .arg(&config)
                .args(extra);
            c
        };
        let floor = median(|| {
            let mut c = Command::new("python3");
            c.arg(benches.join("floor.py")).arg(d);
            c
        });
        let cold = median(|| run(&["--reimport"]));
        let warm = median(|| run(&[]));
        let validate = median(|| {
            let mut c = Command::new(bin);
            c.args(["-q", "validate", "--config"]).arg(&config);
            c
        });
        let duck = if duckdb {
            let mut c = Command::new("python3");
            c.arg(benches.join("duckdb_same_work.py")).arg(d);
            format!("{:.2} s", measure(&mut c).0)
        } else {
            "not installed".into()
        };
        println!(
            "| {n} | {:.2} s | {duck} | {:.2} s | {:.2} s | {:.2} s | {:.2}× | {:.2}× | {:.0} / {:.0} / {:.0} MiB |",
            floor.0,
            cold.0,
            warm.0,
            validate.0,
            cold.0 / floor.0,
            warm.0 / floor.0,
            cold.1,
            warm.1,
            floor.1
        );
    }
}
