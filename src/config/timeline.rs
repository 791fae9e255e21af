//! Waves in time: each survey wave declares when it was in the field, waves are ordered by those
//! dates whatever their order in the config, and ids and dates that cannot be right are config
//! errors that name the wave's line.

use crate::ids::WaveId;
use crate::schema::toml_load::Collector;
use chrono::{Datelike, NaiveDate};

/// When a wave's survey was open, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fieldwork {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// Today's date where the day is furthest on (UTC+14), so a date checked against it is never
/// "in the future" merely because of the time zone the run is in.
pub fn today() -> NaiveDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let secs = i64::try_from(secs).unwrap_or(i64::MAX / 2) + 14 * 3600;
    chrono::DateTime::from_timestamp(secs, 0).map_or(NaiveDate::MAX, |t| t.date_naive())
}

/// A TOML date (`2025-10-01`) or a string holding one (`"2025-10-01"`).
pub fn date_value(v: &toml::Value) -> Result<NaiveDate, String> {
    let from_str = |s: &str| {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
            format!("`{s}` is not a date: write it as YYYY-MM-DD, e.g. \"2025-10-01\"")
        })
    };
    match v {
        toml::Value::String(s) => from_str(s),
        toml::Value::Datetime(dt) => match (dt.date, dt.time) {
            (Some(d), None) => NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
                .ok_or_else(|| format!("`{dt}` is not a date in the calendar")),
            _ => Err(format!(
                "`{dt}` has a time of day; give the date only, e.g. \"2025-10-01\""
            )),
        },
        other => Err(format!(
            "{other} is not a date: write it as YYYY-MM-DD, e.g. \"2025-10-01\""
        )),
    }
}

/// The four-digit years (1900–2199) written in a wave id.
fn years_in(id: &str) -> Vec<i32> {
    let b = id.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i - start == 4
            && let Ok(y) = id[start..i].parse::<i32>()
            && (1900..2200).contains(&y)
        {
            out.push(y);
        }
        if i == start {
            i += 1;
        }
    }
    out
}

/// Problems with a wave id, given its fieldwork when known.
pub fn id_problem(id: &str, fieldwork: Option<Fieldwork>) -> Option<String> {
    let well_formed = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !well_formed {
        return Some(format!(
            "wave id `{id}` must use only letters, digits, `-` or `_`, e.g. `2025` or `2025-pulse`"
        ));
    }
    let years = years_in(id);
    if years.is_empty() {
        return Some(format!(
            "wave id `{id}` does not name the survey year: use the year, e.g. `2025` (or `2025-pulse` for a second survey that year)"
        ));
    }
    match fieldwork {
        Some(f) if !years.contains(&f.start.year()) && !years.contains(&f.end.year()) => {
            Some(format!(
                "wave id `{id}` names {} but its fieldwork is {} to {}; correct the id or the dates",
                years
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" and "),
                f.start,
                f.end
            ))
        }
        _ => None,
    }
}

/// One wave as the timeline checks see it.
pub struct Entry {
    /// Where it is in the config, for messages: `waves (2025, line 12)`.
    pub location: String,
    pub id: WaveId,
    pub line: Option<usize>,
    pub fieldwork: Option<Fieldwork>,
}

fn at(line: Option<usize>) -> String {
    line.map_or_else(String::new, |l| format!(" at line {l}"))
}

/// Duplicate ids and overlapping fieldwork, every one reported.
pub fn check(entries: &[Entry], c: &mut Collector) {
    for (i, e) in entries.iter().enumerate() {
        if let Some(first) = entries[..i].iter().find(|x| x.id == e.id) {
            c.push(
                &e.location,
                format!(
                    "wave id `{}` is already used by the wave{}; give each wave its own id",
                    e.id,
                    at(first.line)
                ),
            );
        }
    }
    let mut dated: Vec<(&Entry, Fieldwork)> = entries
        .iter()
        .filter_map(|e| e.fieldwork.map(|f| (e, f)))
        .collect();
    dated.sort_by_key(|(_, f)| (f.start, f.end));
    for pair in dated.windows(2) {
        let ((a, fa), (b, fb)) = (pair[0], pair[1]);
        if fb.start <= fa.end {
            c.push(
                &b.location,
                format!(
                    "fieldwork {} to {} overlaps wave {}{} ({} to {}); two waves cannot be in the field at once, so check the dates",
                    fb.start,
                    fb.end,
                    a.id,
                    at(a.line),
                    fa.start,
                    fa.end
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn fw(a: &str, b: &str) -> Option<Fieldwork> {
        Some(Fieldwork {
            start: d(a),
            end: d(b),
        })
    }

    #[test]
    fn dates_as_toml_dates_or_strings() {
        let v: toml::Table = "a = 2025-10-01\nb = \"2025-10-31\"\nc = \"01/10/2025\"\nd = 2025-10-01T09:00:00\ne = 5"
            .parse()
            .unwrap();
        assert_eq!(date_value(&v["a"]), Ok(d("2025-10-01")));
        assert_eq!(date_value(&v["b"]), Ok(d("2025-10-31")));
        assert!(date_value(&v["c"]).unwrap_err().contains("YYYY-MM-DD"));
        assert!(date_value(&v["d"]).unwrap_err().contains("time of day"));
        assert!(date_value(&v["e"]).unwrap_err().contains("not a date"));
    }

    #[test]
    fn wave_ids_name_their_year() {
        assert_eq!(id_problem("2025", fw("2025-10-01", "2025-10-31")), None);
        assert_eq!(id_problem("2025-pulse", None), None);
        assert_eq!(
            id_problem("wave_2026", fw("2025-12-01", "2026-01-15")),
            None
        );
        assert!(
            id_problem("YYYY", None)
                .unwrap()
                .contains("does not name the survey year")
        );
        assert!(id_problem("20251", None).unwrap().contains("does not name"));
        assert!(
            id_problem("Oct 2025", None)
                .unwrap()
                .contains("only letters")
        );
        assert!(
            id_problem("2024", fw("2025-10-01", "2025-10-31"))
                .unwrap()
                .contains("names 2024 but its fieldwork is 2025-10-01 to 2025-10-31")
        );
    }

    #[test]
    fn duplicates_and_overlaps_are_all_reported_with_lines() {
        let e = |id: &str, line, f| Entry {
            location: format!("waves ({id}, line {line})"),
            id: WaveId::from(id),
            line: Some(line),
            fieldwork: f,
        };
        let entries = [
            e("2026", 30, fw("2026-10-01", "2026-10-31")),
            e("2025", 10, fw("2025-10-01", "2025-10-31")),
            e("2025", 50, fw("2025-10-20", "2025-11-10")),
        ];
        let mut c = Collector::default();
        check(&entries, &mut c);
        let got: Vec<String> = c.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "waves (2025, line 50): wave id `2025` is already used by the wave at line 10; give each wave its own id",
                "waves (2025, line 50): fieldwork 2025-10-20 to 2025-11-10 overlaps wave 2025 at line 10 (2025-10-01 to 2025-10-31); two waves cannot be in the field at once, so check the dates",
            ]
        );
    }
}
