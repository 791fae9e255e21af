//! File problems in an analyst's words: which file, which folder it was looked for in, and
//! what to do, never an operating-system error code.

use std::path::Path;

/// The folder a path is looked for in, as an absolute path the analyst can open.
pub fn folder_of(path: &Path) -> String {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let abs = std::path::absolute(&folder).unwrap_or(folder);
    // `a/./b` reads as `a/b`.
    let cleaned: std::path::PathBuf = abs
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    cleaned.display().to_string()
}

fn name_of(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Files in the folder whose names are close to the missing one (a typo, another year).
fn similar_names(path: &Path) -> Vec<String> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let wanted = name_of(path).to_lowercase();
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut names: Vec<(f64, String)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .map(|n| {
            (
                strsim::normalized_levenshtein(&wanted, &n.to_lowercase()),
                n,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .collect();
    names.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    names.into_iter().take(3).map(|(_, n)| n).collect()
}

/// "The export `x.csv` is not in the folder /a/b", with similar names found there.
pub fn not_found(what: &str, path: &Path) -> String {
    let folder = folder_of(path);
    let mut s = if Path::new(&folder).is_dir() {
        format!(
            "the {what} `{}` is not in the folder {folder}",
            name_of(path)
        )
    } else {
        format!(
            "the {what} `{}` cannot be found: the folder {folder} does not exist",
            name_of(path)
        )
    };
    let similar = similar_names(path);
    if !similar.is_empty() {
        s.push_str(&format!(
            " (files there with a similar name: {})",
            similar.join(", ")
        ));
    }
    s
}

/// What went wrong reading or writing a file, without the operating system's error code.
pub fn io_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "there is no such file".into(),
        K::PermissionDenied => {
            "permission denied (the file may be open in another program, or you may not have access to it)"
                .into()
        }
        K::IsADirectory => "it is a folder, not a file".into(),
        K::NotADirectory => "part of the path is a file, not a folder".into(),
        K::StorageFull => "the disk is full".into(),
        K::ReadOnlyFilesystem => "the disk is read-only".into(),
        K::InvalidData => "it is not a text file".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

/// "Cannot read the schema `x.toml` in the folder /a/b: permission denied ..."; a missing
/// file is described with `not_found`.
pub fn cannot_read(what: &str, path: &Path, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        return not_found(what, path);
    }
    format!(
        "cannot read the {what} `{}` in the folder {}: {}",
        name_of(path),
        folder_of(path),
        io_words(e)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_names_the_folder_and_similar_files_and_no_error_code() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("staff-survey-2025.csv"), "x").unwrap();
        let msg = not_found("export", &dir.path().join("staff-survey-2O25.csv"));
        assert!(msg.starts_with("the export `staff-survey-2O25.csv` is not in the folder /"));
        assert!(msg.contains("similar name: staff-survey-2025.csv"), "{msg}");
        let e = std::fs::read(dir.path().join("nope")).unwrap_err();
        assert!(!cannot_read("schema", &dir.path().join("nope"), &e).contains("os error"));
        let e = std::fs::read(dir.path()).unwrap_err();
        assert_eq!(io_words(&e), "it is a folder, not a file");
    }
}
