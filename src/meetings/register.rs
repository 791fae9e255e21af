//! The meeting register: every committee meeting with its date and attendance, kept by
//! democratic services. Uptake (forms per attendee) and the date checks rest on it.
//!
//! Columns (header names exact): `meeting_id, committee, date (YYYY-MM-DD),
//! members_attending, other_speakers`.

use chrono::NaiveDate;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub id: String,
    pub committee: String,
    pub date: NaiveDate,
    pub members_attending: u32,
    pub other_speakers: u32,
}

impl Meeting {
    /// Everyone who could give feedback: members attending and other speakers.
    pub fn attendees(&self) -> u32 {
        self.members_attending + self.other_speakers
    }
}

#[derive(Debug, Clone)]
pub struct Register {
    pub meetings: Vec<Meeting>,
    by_id: HashMap<String, usize>,
}

#[derive(Debug, thiserror::Error)]
#[error("{}: {} problem(s) in the meeting register:\n{}", file.display(), problems.len(), problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
pub struct RegisterError {
    pub file: PathBuf,
    pub problems: Vec<String>,
}

const COLUMNS: [&str; 5] = [
    "meeting_id",
    "committee",
    "date",
    "members_attending",
    "other_speakers",
];

impl Register {
    pub fn get(&self, id: &str) -> Option<&Meeting> {
        self.by_id.get(id.trim()).map(|&i| &self.meetings[i])
    }

    /// Committees in alphabetical order (stable across runs).
    pub fn committees(&self) -> Vec<String> {
        let mut c: Vec<String> = self.meetings.iter().map(|m| m.committee.clone()).collect();
        c.sort();
        c.dedup();
        c
    }

    pub fn load(file: &Path) -> Result<Register, RegisterError> {
        let err = |problems: Vec<String>| RegisterError {
            file: file.to_path_buf(),
            problems,
        };
        let table = crate::import::reference::read(file).map_err(err)?;
        let header = &table.header;
        let mut problems = Vec::new();
        let mut at = [0usize; 5];
        for (k, name) in COLUMNS.iter().enumerate() {
            match header.iter().position(|h| h == name) {
                Some(i) => at[k] = i,
                None => problems.push(format!(
                    "line 1: no `{name}` column; the header must be {}",
                    COLUMNS.join(", ")
                )),
            }
        }
        if !problems.is_empty() {
            return Err(err(problems));
        }
        let mut meetings = Vec::new();
        let mut by_id = HashMap::new();
        problems.extend(table.problems);
        for (line, rec) in &table.rows {
            let line = *line;
            let col = |k: usize| rec[at[k]].trim();
            let letter = |k: usize| crate::import::layout::column_letter(at[k]);
            let date = NaiveDate::parse_from_str(col(2), "%Y-%m-%d");
            let count = |k: usize| col(k).parse::<u32>();
            if col(0).is_empty() {
                problems.push(format!(
                    "line {line}, column {}: empty meeting_id",
                    letter(0)
                ));
                continue;
            }
            if date.is_err() {
                problems.push(format!(
                    "line {line}, column {}: date `{}` is not YYYY-MM-DD",
                    letter(2),
                    col(2)
                ));
            }
            for k in [3, 4] {
                if count(k).is_err() {
                    problems.push(format!(
                        "line {line}, column {}: `{}` is not a whole number",
                        letter(k),
                        col(k)
                    ));
                }
            }
            if let (Ok(date), Ok(members), Ok(others)) = (date, count(3), count(4)) {
                if let Some(first) = by_id.insert(col(0).to_string(), meetings.len()) {
                    problems.push(format!(
                        "line {line}: meeting `{}` is listed twice (first as meeting {})",
                        col(0),
                        first + 1
                    ));
                }
                meetings.push(Meeting {
                    id: col(0).to_string(),
                    committee: col(1).to_string(),
                    date,
                    members_attending: members,
                    other_speakers: others,
                });
            }
        }
        if meetings.is_empty() && problems.is_empty() {
            problems.push("no meetings after the header".into());
        }
        if problems.is_empty() {
            Ok(Register { meetings, by_id })
        } else {
            Err(err(problems))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_and_reports_every_problem() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.csv");
        std::fs::write(
            &p,
            "meeting_id,committee,date,members_attending,other_speakers\n\
             CAB-1,Cabinet,2025-01-14,9,2\n\
             PLAN-1,Planning,2025-01-20,7,4\n",
        )
        .unwrap();
        let r = Register::load(&p).unwrap();
        assert_eq!(r.get("CAB-1").unwrap().attendees(), 11);
        assert_eq!(r.committees(), ["Cabinet", "Planning"]);

        std::fs::write(
            &p,
            "meeting_id,committee,date,members_attending,other_speakers\n\
             CAB-1,Cabinet,14/01/2025,9,2\n\
             CAB-2,Cabinet,2025-02-11,nine,2\n\
             CAB-2,Cabinet,2025-02-12,9,2\n",
        )
        .unwrap();
        let e = Register::load(&p).unwrap_err();
        assert_eq!(e.problems.len(), 2, "{e}");
        assert!(e.problems[0].contains("line 2, column C: date `14/01/2025` is not YYYY-MM-DD"));
        assert!(e.problems[1].contains("line 3, column D: `nine` is not a whole number"));
    }
}
