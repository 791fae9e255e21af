//! Report: writing the evidence pack. The pack is built in a temporary folder beside its
//! destination and renamed into place only when complete, so a failed run never leaves a
//! half-written pack (and an earlier complete pack survives a failed re-run).

pub mod charts;
pub mod dictionary;
pub mod manifest;
pub mod markup;
pub mod model;
pub mod parquet;
pub mod powerbi;
pub mod registry;
pub mod render;
pub mod tables;
pub mod view;
pub mod workbook;
pub mod write;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {}", path.display(), crate::file_errors::io_words(source))]
pub struct WriteError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

fn werr(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError {
        path: path.to_path_buf(),
        source,
    }
}

/// An evidence pack being written.
pub struct Pack {
    dest: PathBuf,
    tmp: PathBuf,
    finished: bool,
    /// What has been written: path in the pack, SHA-256, size (for the manifest).
    written: std::cell::RefCell<Vec<(String, String, usize)>>,
}

/// SHA-256 of bytes, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Pack {
    /// Start a pack that will end up at `dest`.
    pub fn begin(dest: &Path) -> Result<Pack, WriteError> {
        let parent = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(werr(parent))?;
        let name = dest
            .file_name()
            .map_or_else(|| "pack".into(), |n| n.to_string_lossy().into_owned());
        let tmp = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(werr(&tmp))?;
        }
        fs::create_dir_all(&tmp).map_err(werr(&tmp))?;
        Ok(Pack {
            dest: dest.to_path_buf(),
            tmp,
            finished: false,
            written: Default::default(),
        })
    }

    /// Write a file at `rel` (e.g. `tables/dim_wave.csv`) inside the pack.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), WriteError> {
        let path = self.tmp.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(werr(dir))?;
        }
        let mut f = fs::File::create(&path).map_err(werr(&path))?;
        f.write_all(bytes).map_err(werr(&path))?;
        f.sync_all().map_err(werr(&path))?;
        self.written
            .borrow_mut()
            .push((rel.to_string(), sha256_hex(bytes), bytes.len()));
        Ok(())
    }

    /// Files written so far: (path in the pack, SHA-256, bytes), in writing order.
    pub fn written(&self) -> Vec<(String, String, usize)> {
        self.written.borrow().clone()
    }

    /// Move the complete pack into place, replacing an earlier one.
    pub fn finish(mut self) -> Result<PathBuf, WriteError> {
        replace_dir(&self.tmp, &self.dest, "pack")?;
        self.finished = true;
        Ok(self.dest.clone())
    }
}

/// Put the complete folder `ready` at `dest`, replacing whatever was there, so that at every
/// moment `dest` holds either the old folder or the new one, never none: on Linux the two are
/// swapped in one step (`renameat2` with `RENAME_EXCHANGE`) and the old one, now at `ready`,
/// removed; elsewhere the old one is moved aside first, and [`clean_stale`] puts it back if a
/// run is stopped between the two renames.
fn replace_dir(ready: &Path, dest: &Path, what: &str) -> Result<(), WriteError> {
    if !dest.exists() {
        return fs::rename(ready, dest).map_err(werr(dest));
    }
    crate::fault::point(&format!("{what}-before-swap"));
    if exchange(ready, dest).map_err(werr(dest))? {
        crate::fault::point(&format!("{what}-after-swap"));
        fs::remove_dir_all(ready).map_err(werr(ready))?;
    } else {
        let old = ready.with_extension("old");
        if old.exists() {
            fs::remove_dir_all(&old).map_err(werr(&old))?;
        }
        fs::rename(dest, &old).map_err(werr(dest))?;
        crate::fault::point(&format!("{what}-between-renames"));
        fs::rename(ready, dest).map_err(werr(dest))?;
        fs::remove_dir_all(&old).map_err(werr(&old))?;
    }
    Ok(())
}

/// Swap two paths in one step where the system can; `false` where it cannot (then the caller
/// renames twice).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::os::unix::ffi::OsStrExt;
    let c =
        |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: two valid NUL-terminated paths; renameat2 only reads them.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(true);
    }
    let err = std::io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(err),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// A run's hold on an output folder (`<output>/.culture-metrics.lock`, an advisory lock the
/// system releases when the process ends, however it ends): a second run on the same folder
/// waits for the first to finish instead of mixing its files in.
pub struct OutputLock {
    _file: fs::File,
}

impl OutputLock {
    pub const FILE: &'static str = ".culture-metrics.lock";

    /// Take the folder's lock, waiting (and saying so) while another run holds it; then clean
    /// what runs stopped half-way left behind.
    pub fn acquire(dir: &Path) -> Result<OutputLock, WriteError> {
        fs::create_dir_all(dir).map_err(werr(dir))?;
        let path = dir.join(Self::FILE);
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(werr(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                tracing::warn!(
                    "another culture-metrics run is writing to {}; waiting for it to finish",
                    dir.display()
                );
                file.lock().map_err(werr(&path))?;
            }
            Err(fs::TryLockError::Error(e)) => return Err(werr(&path)(e)),
        }
        clean_stale(dir)?;
        Ok(OutputLock { _file: file })
    }
}

/// Remove what stopped runs left in a folder (`.<name>.partial-<pid>` folders and files), and
/// put back a folder moved aside (`.<name>.partial-<pid>.old`) whose replacement never
/// arrived. Only under the folder's [`OutputLock`], so no running run's files are touched.
pub fn clean_stale(dir: &Path) -> Result<(), WriteError> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((target, _)) = name
            .strip_prefix('.')
            .and_then(|n| n.split_once(".partial-"))
        else {
            continue;
        };
        let path = entry.path();
        let dest = dir.join(target);
        if name.ends_with(".old") && !dest.exists() {
            fs::rename(&path, &dest).map_err(werr(&path))?;
        } else if path.is_dir() {
            fs::remove_dir_all(&path).map_err(werr(&path))?;
        } else {
            fs::remove_file(&path).map_err(werr(&path))?;
        }
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), WriteError> {
    fs::create_dir_all(to).map_err(werr(to))?;
    for entry in fs::read_dir(from).map_err(werr(from))? {
        let entry = entry.map_err(werr(from))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().map_err(werr(&src))?.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            fs::copy(&src, &dst).map_err(werr(&dst))?;
        }
    }
    Ok(())
}

/// The folder under an output folder that always holds the newest complete run: the one
/// place a Power BI data source points at.
pub const LATEST: &str = "latest";

/// Copy a finished run folder to `<output>/latest/`, replacing the previous one only once the
/// copy is complete (a run that fails before this leaves `latest/` as it was).
pub fn publish_latest(output: &Path, run: &Path) -> Result<PathBuf, WriteError> {
    let dest = output.join(LATEST);
    let tmp = output.join(format!(".{LATEST}.partial-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(werr(&tmp))?;
    }
    if let Err(e) = copy_dir(run, &tmp) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    replace_dir(&tmp, &dest, "latest")?;
    Ok(dest)
}

impl Drop for Pack {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// The index of runs in an output folder: one line per completed run, newest last.
pub const RUNS_FILE: &str = "runs.csv";

/// Add a completed run to `<output>/runs.csv` (written beside and renamed, so the index is
/// never half-written). Reruns of the same inputs replace their folder and add a line.
pub fn record_run(
    output: &Path,
    provenance: &manifest::Provenance,
    waves: &[crate::ids::WaveId],
    started: std::time::SystemTime,
) -> Result<(), WriteError> {
    let path = output.join(RUNS_FILE);
    let mut text = match fs::read_to_string(&path) {
        Ok(t) if !t.is_empty() => t,
        Ok(_) => String::new(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(werr(&path)(e)),
    };
    if text.is_empty() {
        text.push_str("run_id,started_utc,finished_utc,tool_version,waves,config,config_sha256\n");
    } else if !text.ends_with('\n') {
        text.push('\n');
    }
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let finished = manifest::unix(std::time::SystemTime::now());
    w.write_record([
        provenance.run_id.as_str(),
        &manifest::utc(manifest::unix(started)),
        &manifest::utc(finished),
        env!("CARGO_PKG_VERSION"),
        &tables::defuse(
            &waves
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        &tables::defuse(&provenance.config_path),
        &provenance.config_sha256,
    ])
    .map_err(|e| werr(&path)(std::io::Error::other(e)))?;
    let line = w
        .into_inner()
        .map_err(|e| werr(&path)(std::io::Error::other(e.to_string())))?;
    text.push_str(&String::from_utf8_lossy(&line));
    let tmp = output.join(format!(".{RUNS_FILE}.partial-{}", std::process::id()));
    fs::write(&tmp, text).map_err(werr(&tmp))?;
    crate::fault::point("runs-before-rename");
    fs::rename(&tmp, &path).map_err(werr(&path))
}

/// The newest run recorded in `<output>/runs.csv`, as its folder.
pub fn latest_run(output: &Path) -> Option<PathBuf> {
    let text = fs::read_to_string(output.join(RUNS_FILE)).ok()?;
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let last = r.records().flatten().last()?;
    Some(output.join(last.get(0)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_moved_aside_comes_back_and_partials_go() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir_all(d.join(".latest.partial-7.old/tables")).unwrap();
        fs::create_dir_all(d.join(".run1.partial-9/tables")).unwrap();
        fs::write(d.join(".runs.csv.partial-3"), "x").unwrap();
        fs::create_dir_all(d.join("run2")).unwrap();
        fs::create_dir_all(d.join(".run2.partial-4.old")).unwrap();
        clean_stale(d).unwrap();
        let mut left: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["latest", "run2"],
            "the old latest/ restored; the rest removed"
        );
        assert!(d.join("latest/tables").is_dir());
    }

    #[test]
    fn replacing_a_folder_swaps_old_for_new() {
        let dir = tempfile::tempdir().unwrap();
        let (ready, dest) = (dir.path().join(".p.partial-1"), dir.path().join("p"));
        fs::create_dir_all(&dest).unwrap();
        fs::write(dest.join("a"), "old").unwrap();
        fs::create_dir_all(&ready).unwrap();
        fs::write(ready.join("a"), "new").unwrap();
        replace_dir(&ready, &dest, "test").unwrap();
        assert_eq!(fs::read_to_string(dest.join("a")).unwrap(), "new");
        assert!(!ready.exists());
    }

    #[test]
    fn an_unfinished_pack_leaves_nothing_and_keeps_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("pack");
        let p = Pack::begin(&dest).unwrap();
        p.write("tables/a.csv", b"x\n").unwrap();
        p.finish().unwrap();
        assert_eq!(fs::read(dest.join("tables/a.csv")).unwrap(), b"x\n");

        let p = Pack::begin(&dest).unwrap();
        p.write("tables/a.csv", b"half").unwrap();
        drop(p); // a failure before finish()
        assert_eq!(fs::read(dest.join("tables/a.csv")).unwrap(), b"x\n");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only the finished pack remains");
    }
}
