//! End-to-end throughput on a big synthetic council, made by the seeded generator.
//!
//! ```sh
//! cargo bench --bench pipeline                   # 200,000 staff (~100k responses per wave)
//! cargo bench --bench pipeline -- --staff 2000000 # ~1 million responses per wave
//! ```
//!
//! Prints the time of each stage (generate, validate, run) and responses per second. Plain
//! `harness = false` timing: the stages take seconds, so one run each is telling enough.

use std::time::Instant;

fn main() {
    let mut staff: u32 = 200_000;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--staff" {
            staff = args.next().and_then(|v| v.parse().ok()).expect("--staff N");
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    // The generated pipeline.toml points at the schema relative to the working directory.
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).expect("repo root");

    let t = Instant::now();
    culture_metrics::synth::generate(&data, staff, culture_metrics::synth::DEFAULT_SEED)
        .expect("generate");
    let gen_s = t.elapsed().as_secs_f64();
    let bytes: u64 = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();

    let config = data.join("pipeline.toml");
    let opts = culture_metrics::Options { quiet: true };
    let t = Instant::now();
    let imported = culture_metrics::validate(&config, opts).expect("validate");
    let validate_s = t.elapsed().as_secs_f64();
    let rows: usize = imported.waves.iter().map(|w| w.rows_in).sum();
    let accepted: usize = imported.waves.iter().map(|w| w.accepted()).sum();

    let t = Instant::now();
    let summary = culture_metrics::run(&config, Some(&dir.path().join("pack")), opts).expect("run");
    let run_s = t.elapsed().as_secs_f64();

    println!("staff per wave        {staff}");
    println!(
        "input                 {:.1} MiB in 2 waves",
        bytes as f64 / 1048576.0
    );
    println!("rows / accepted       {rows} / {accepted}");
    println!("generate              {gen_s:.2} s");
    println!(
        "validate (import)     {validate_s:.2} s  ({:.0} rows/s)",
        rows as f64 / validate_s
    );
    println!(
        "run (import+store+items+disclosure+write) {run_s:.2} s  ({:.0} rows/s), {} item rows",
        rows as f64 / run_s,
        summary.item_rows
    );
}
