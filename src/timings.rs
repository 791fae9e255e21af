//! Where a run's time goes: each stage's wall time, and the process's peak memory, for
//! `run --timings` and the manifest.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Time per stage, in the order the stages first ran. A stage run several times (once per
/// wave) is added up under its name: where waves run in parallel, that is the time spent in
/// the stage, which can exceed the wall time it took.
#[derive(Debug, Default)]
pub struct Timings {
    stages: Mutex<Vec<(String, Duration)>>,
}

impl Timings {
    /// Run `f` as the stage `name`.
    pub fn time<T>(&self, name: &str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.add(name, start.elapsed());
        out
    }

    pub fn add(&self, name: &str, d: Duration) {
        let mut stages = self.stages.lock().unwrap_or_else(|e| e.into_inner());
        match stages.iter_mut().find(|(n, _)| n == name) {
            Some((_, total)) => *total += d,
            None => stages.push((name.to_string(), d)),
        }
    }

    /// (stage, seconds), in order.
    pub fn stages(&self) -> Vec<(String, f64)> {
        self.stages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(n, d)| (n.clone(), d.as_secs_f64()))
            .collect()
    }

    /// The stages as a table for the terminal, with the peak memory.
    pub fn render(&self) -> String {
        let stages = self.stages();
        let total: f64 = stages.iter().map(|s| s.1).sum();
        let mut s = String::from(
            "Stage timings (seconds in each stage; stages that run in parallel, such as waves\n\
             imported side by side, add up to more than the wall time):\n",
        );
        for (name, secs) in &stages {
            s.push_str(&format!("  {name:<28} {secs:>8.3}\n"));
        }
        s.push_str(&format!("  {:<28} {total:>8.3}\n", "sum of the stages"));
        if let Some(peak) = peak_memory_bytes() {
            s.push_str(&format!(
                "  {:<28} {:>8.1} MiB\n",
                "peak memory",
                peak as f64 / 1048576.0
            ));
        }
        s
    }
}

/// The process's peak resident memory so far (Linux: `VmHWM` in `/proc/self/status`); `None`
/// where the system does not say.
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_add_up_under_their_names_in_order() {
        let t = Timings::default();
        t.add("import", Duration::from_millis(30));
        t.add("compute", Duration::from_millis(20));
        t.add("import", Duration::from_millis(10));
        let s = t.stages();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].0, "import");
        assert!((s[0].1 - 0.040).abs() < 1e-9);
        assert_eq!(t.time("write", || 7), 7);
        assert!(t.render().contains("write"));
        if cfg!(target_os = "linux") {
            assert!(peak_memory_bytes().unwrap() > 0);
        }
    }
}
