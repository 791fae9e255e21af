//! Report: writing the evidence pack. The pack is built in a temporary folder beside its
//! destination and renamed into place only when complete, so a failed run never leaves a
//! half-written pack (and an earlier complete pack survives a failed re-run).

pub mod charts;
pub mod dictionary;
pub mod html;
pub mod manifest;
pub mod parquet;
pub mod tables;
pub mod workbook;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
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

    /// Write a file at `rel` (e.g. `tables/items.csv`) inside the pack.
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
        if self.dest.exists() {
            let old = self.tmp.with_extension("old");
            if old.exists() {
                // Left by a run that was killed between the two renames below.
                fs::remove_dir_all(&old).map_err(werr(&old))?;
            }
            fs::rename(&self.dest, &old).map_err(werr(&self.dest))?;
            fs::rename(&self.tmp, &self.dest).map_err(werr(&self.dest))?;
            fs::remove_dir_all(&old).map_err(werr(&old))?;
        } else {
            fs::rename(&self.tmp, &self.dest).map_err(werr(&self.dest))?;
        }
        self.finished = true;
        Ok(self.dest.clone())
    }
}

impl Drop for Pack {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
