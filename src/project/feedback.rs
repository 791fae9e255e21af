//! Member feedback at set-up: `init --feedback FILE... --register FILE` and `add-feedback`
//! propose the `[meetings]` section as `init` proposes a wave: each form's columns matched to
//! the bundled feedback schema by wording (numbered columns of a keyed sheet by position), the
//! meeting column found by its values in the register, the date column and its format chosen
//! by how many forms it dates on or after their meeting, every guess marked CHECK.

use super::{Error, relative, toml_string, usage};
use crate::import::inspect::{
    DATE_FORMATS, MICROSOFT_FORMS, Matched, ProposedColumn, WaveProposal, propose_wave,
    toml_comment,
};
use crate::meetings::register::Register;
use crate::schema::{QuestionType, Schema, normalise_label};
use chrono::NaiveDate;
use std::fmt::Write as _;
use std::path::Path;

/// The member-feedback schema that ships with the program (`schemas/member-feedback.toml`).
pub const BUNDLED_FEEDBACK_SCHEMA: &str = include_str!("../../schemas/member-feedback.toml");
/// The file name of its copy in a project folder.
pub const BUNDLED_FEEDBACK_SCHEMA_FILE: &str = "member-feedback.toml";
/// Days after its meeting a form may be completed, unless the config says otherwise.
const MAX_DAYS_AFTER: i64 = 28;

/// The column naming each form's meeting: how many of its values the register has.
#[derive(Debug, Clone)]
pub struct MeetingColumn {
    pub key: String,
    pub in_register: usize,
    pub filled: usize,
}

/// The column dating each form, the format that reads it, and how many forms it dates on or
/// up to `MAX_DAYS_AFTER` days after their meeting.
#[derive(Debug, Clone)]
pub struct DateColumn {
    pub key: String,
    pub format: String,
    pub within: usize,
    pub dated: usize,
    /// Another format reading every date differently, with as many forms within (day/month).
    pub doubt: Option<String>,
    pub first: Option<NaiveDate>,
}

/// One feedback source proposed from its file.
#[derive(Debug, Clone)]
pub struct SourceProposal {
    pub id: String,
    pub channel: String,
    /// Why the channel is a guess, when it is one.
    pub channel_guess: Option<String>,
    pub wave: WaveProposal,
    pub meeting: Option<MeetingColumn>,
    pub date: Option<DateColumn>,
}

/// Read a feedback file and propose its `[[meetings.sources]]` block.
pub fn propose_source(
    file: &Path,
    schema: &Schema,
    register: &Register,
    taken_ids: &[String],
) -> Result<SourceProposal, Error> {
    let mut wave = propose_wave(file, schema)?;
    let table = crate::import::reference::read(file).map_err(|problems| {
        usage(format!(
            "{} could not be read as a table of forms:\n{}",
            file.display(),
            problems
                .iter()
                .map(|p| format!("  - {p}"))
                .collect::<Vec<_>>()
                .join("\n")
        ))
    })?;
    let meeting = meeting_column(&table, register);
    let date = date_column(&table, register, meeting.as_ref().map(|m| m.key.as_str()));
    let used: Vec<&str> = [
        meeting.as_ref().map(|m| &m.key),
        date.as_ref().map(|d| &d.key),
        wave.response_id.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .collect();
    wave.columns.retain(|c| !used.contains(&c.key.as_str()));
    by_position(&mut wave, schema);
    wave.unmatched_ids.retain(|id| id != "channel");
    let forms = table
        .header
        .iter()
        .zip(MICROSOFT_FORMS)
        .filter(|(h, k)| h.eq_ignore_ascii_case(k))
        .count()
        == MICROSOFT_FORMS.len();
    let (channel, channel_guess) = channel(schema, &wave, forms);
    let mut id = channel.to_lowercase().replace(' ', "-");
    let mut n = 2;
    while taken_ids.contains(&id) {
        id = format!("{}-{n}", channel.to_lowercase().replace(' ', "-"));
        n += 1;
    }
    Ok(SourceProposal {
        id,
        channel,
        channel_guess,
        wave,
        meeting,
        date,
    })
}

/// The column most of whose values are meetings in the register (at least half).
fn meeting_column(
    table: &crate::import::reference::ReferenceTable,
    register: &Register,
) -> Option<MeetingColumn> {
    (0..table.header.len())
        .map(|i| {
            let (mut filled, mut in_register) = (0, 0);
            for (_, r) in &table.rows {
                let v = r.get(i).unwrap_or("").trim();
                if !v.is_empty() {
                    filled += 1;
                    in_register += usize::from(register.get(v).is_some());
                }
            }
            MeetingColumn {
                key: table.header[i].clone(),
                in_register,
                filled,
            }
        })
        .filter(|m| m.in_register > 0 && m.in_register * 2 >= m.filled)
        .max_by_key(|m| m.in_register)
}

/// How a column's name says it dates the form: completion first, then any date, then a start.
fn date_rank(key: &str) -> u8 {
    let k = normalise_label(key);
    if k.contains("complet") || k.contains("submit") {
        3
    } else if k.contains("date") {
        2
    } else if k.contains("time") || k.contains("start") {
        1
    } else {
        0
    }
}

fn read_date(v: &str, format: &str) -> Option<NaiveDate> {
    chrono::NaiveDateTime::parse_from_str(v, format)
        .map(|dt| dt.date())
        .or_else(|_| NaiveDate::parse_from_str(v, format))
        .ok()
}

/// The date column and format: of the columns every value of which one format reads, the one
/// whose name says most; of its formats, the one dating most forms on or after their meeting.
fn date_column(
    table: &crate::import::reference::ReferenceTable,
    register: &Register,
    meeting: Option<&str>,
) -> Option<DateColumn> {
    let meeting_at = meeting.and_then(|m| table.header.iter().position(|h| h == m));
    let mut best: Option<(u8, DateColumn)> = None;
    for (i, key) in table.header.iter().enumerate() {
        if Some(i) == meeting_at {
            continue;
        }
        let values: Vec<(&str, Option<&str>)> = table
            .rows
            .iter()
            .map(|(_, r)| {
                (
                    r.get(i).unwrap_or("").trim(),
                    meeting_at.and_then(|m| r.get(m)),
                )
            })
            .filter(|(v, _)| !v.is_empty())
            .collect();
        if values.is_empty() {
            continue;
        }
        let mut readings: Vec<(usize, &str, Vec<NaiveDate>)> = Vec::new();
        for f in DATE_FORMATS {
            let dates: Option<Vec<NaiveDate>> =
                values.iter().map(|(v, _)| read_date(v, f)).collect();
            let Some(dates) = dates else { continue };
            if readings.iter().any(|(_, _, d)| *d == dates) {
                continue;
            }
            let within = dates
                .iter()
                .zip(&values)
                .filter(|(d, (_, m))| {
                    m.and_then(|m| register.get(m)).is_some_and(|mt| {
                        **d >= mt.date && (**d - mt.date).num_days() <= MAX_DAYS_AFTER
                    })
                })
                .count();
            readings.push((within, f, dates));
        }
        let Some(top) = readings.iter().map(|r| r.0).max() else {
            continue;
        };
        let mut tops = readings.iter().filter(|r| r.0 == top);
        let (within, format, dates) = tops.next()?;
        let doubt = tops.next().map(|(_, f, _)| (*f).to_string());
        let column = DateColumn {
            key: key.clone(),
            format: (*format).to_string(),
            within: *within,
            dated: dates.len(),
            doubt,
            first: dates.iter().min().copied(),
        };
        let rank = date_rank(key);
        if best
            .as_ref()
            .is_none_or(|(r, b)| (rank, column.within) > (*r, b.within))
        {
            best = Some((rank, column));
        }
    }
    best.map(|(_, c)| c)
}

/// `q1`, `Q 2`, `question_3`: the number, for a keyed sheet's columns.
fn question_number(key: &str) -> Option<u32> {
    let k = normalise_label(key);
    let rest = k
        .strip_prefix("question")
        .or_else(|| k.strip_prefix('q'))?
        .trim_start_matches([' ', '_', '.', '-']);
    rest.parse().ok()
}

/// A keyed sheet's numbered columns (`q1`…`q6`) taken as the schema's unmatched scored
/// questions in order when there are as many; a comments column as its one free-text
/// question. Each is a guess, marked CHECK.
fn by_position(wave: &mut WaveProposal, schema: &Schema) {
    let unmatched = |free: bool| -> Vec<&crate::schema::Question> {
        schema
            .questions
            .iter()
            .filter(|q| (q.kind == QuestionType::FreeText) == free)
            .filter(|q| wave.unmatched_ids.contains(&q.id))
            .collect()
    };
    let scored = unmatched(false);
    let mut numbered: Vec<(u32, usize)> = wave
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.id.is_none())
        .filter_map(|(i, c)| question_number(&c.key).map(|n| (n, i)))
        .collect();
    numbered.sort_unstable();
    let mut guessed: Vec<(usize, String, String)> = Vec::new();
    if !numbered.is_empty()
        && numbered.len() == scored.len()
        && numbered.windows(2).all(|w| w[0].0 < w[1].0)
    {
        for ((n, i), q) in numbered.iter().zip(&scored) {
            let why = format!("question {n} of the form taken as \"{}\"", q.text);
            guessed.push((*i, q.id.clone(), why));
        }
    }
    let free = unmatched(true);
    let comments: Vec<usize> = wave
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.id.is_none() && normalise_label(&c.key).contains("comment"))
        .map(|(i, _)| i)
        .collect();
    if let ([q], [i]) = (free.as_slice(), comments.as_slice()) {
        let why = format!("the comments column taken as \"{}\"", q.text);
        guessed.push((*i, q.id.clone(), why));
    }
    for (i, id, why) in guessed {
        wave.unmatched_ids.retain(|u| *u != id);
        wave.columns[i].id = Some((id, Matched::Guessed(why)));
    }
}

/// Online for a Microsoft Forms download; Paper (a guess) when the answers are keyed as
/// numbers; otherwise Online, a guess.
fn channel(schema: &Schema, wave: &WaveProposal, forms: bool) -> (String, Option<String>) {
    let categories: Vec<String> = schema
        .demographic("channel")
        .map(|d| schema.demographics[d].categories.clone())
        .unwrap_or_default();
    let pick = |want: &str| {
        categories
            .iter()
            .find(|c| c.eq_ignore_ascii_case(want))
            .or(categories.first())
            .cloned()
            .unwrap_or_else(|| want.to_string())
    };
    let keyed = |c: &ProposedColumn| {
        c.id.as_ref()
            .and_then(|(id, _)| schema.question(id))
            .is_some_and(|q| schema.questions[q].kind != QuestionType::FreeText)
            && c.values
                .as_ref()
                .is_some_and(|v| !v.is_empty() && v.iter().all(|x| x.trim().parse::<u32>().is_ok()))
    };
    if forms {
        (pick("Online"), None)
    } else if wave.columns.iter().any(keyed) {
        (
            pick("Paper"),
            Some("answers keyed as numbers, as paper forms are".into()),
        )
    } else {
        (
            pick("Online"),
            Some(format!(
                "how these forms were filled in: {}",
                categories.join(" or ")
            )),
        )
    }
}

impl SourceProposal {
    /// The `[[meetings.sources]]` block, `file` relative to the config.
    pub fn render(&self, file: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "[[meetings.sources]]");
        let _ = writeln!(s, "id = {}", toml_string(&self.id));
        match &self.channel_guess {
            Some(why) => {
                let _ = writeln!(
                    s,
                    "channel = {}  # CHECK: {}",
                    toml_string(&self.channel),
                    toml_comment(why)
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "channel = {}  # a Microsoft Forms download",
                    toml_string(&self.channel)
                );
            }
        }
        self.wave.render_file(&mut s, file);
        self.wave.render_response_id(&mut s);
        self.render_meeting_and_date(&mut s);
        if self.wave.test.is_some() || self.wave.finished.is_some() {
            let _ = writeln!(s);
            let mut filters = String::new();
            self.wave.render_filters(&mut filters, "meetings.sources");
            // A form answering one question is still feedback: no minimum of answers.
            for line in filters.lines().filter(|l| !l.contains("min_answered")) {
                let _ = writeln!(s, "{line}");
            }
        }
        let _ = writeln!(s);
        self.wave.render_columns(&mut s, "meetings.sources");
        s
    }

    fn render_meeting_and_date(&self, s: &mut String) {
        match &self.meeting {
            Some(m) => {
                let _ = writeln!(
                    s,
                    "meeting = {}  # {} of {} forms name a meeting in the register{}",
                    toml_string(&m.key),
                    m.in_register,
                    m.filled,
                    if m.in_register < m.filled {
                        "; CHECK the others"
                    } else {
                        ""
                    }
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "meeting = \"\"  # CHECK: no column holds the register's meeting ids; name the column with each form's meeting"
                );
            }
        }
        match &self.date {
            Some(d) => {
                let doubt = d.doubt.as_ref().map_or(String::new(), |other| {
                    format!(
                        "; CHECK: the dates read as {other} too, dating as many forms after their meeting"
                    )
                });
                let _ = writeln!(s, "date = {}", toml_string(&d.key));
                let _ = writeln!(
                    s,
                    "date_format = {}  # {} of {} forms dated on or up to {MAX_DAYS_AFTER} days after their meeting{doubt}",
                    toml_string(&d.format),
                    d.within,
                    d.dated
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "date = \"\"  # CHECK: no column reads as dates; name the column with the day each form was filled in"
                );
                let _ = writeln!(
                    s,
                    "date_format = \"%Y-%m-%d\"  # CHECK: how it writes dates"
                );
            }
        }
    }

    /// One line for the terminal.
    pub fn summary(&self) -> String {
        let matched = self.wave.matched();
        let guessed = self
            .wave
            .columns
            .iter()
            .filter(|c| matches!(c.id, Some((_, Matched::Guessed(_)))))
            .count();
        format!(
            "feedback source {} ({}): {} forms; {matched} columns matched to questions or groups{}{}",
            self.id,
            self.channel,
            self.wave.rows,
            if guessed > 0 {
                format!(" ({guessed} by position, marked CHECK)")
            } else {
                String::new()
            },
            if self.wave.unmatched_ids.is_empty() {
                String::new()
            } else {
                format!("; no column for {}", self.wave.unmatched_ids.join(", "))
            }
        )
    }
}

/// The `[meetings]` section's head: the schema, the register and the settings, with the month
/// the first forms came in as the launch.
pub fn render_head(
    schema_ref: &str,
    register_ref: &str,
    register: &Register,
    sources: &[SourceProposal],
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# ---- Member-meeting feedback: questionnaires after committee meetings. Add another\n\
         #   form with: culture-metrics add-feedback --feedback <file>\n[meetings]"
    );
    let _ = writeln!(
        s,
        "schema = {}  # the feedback form's questions and indicators",
        toml_string(schema_ref)
    );
    let span = register.meetings.iter().map(|m| m.date).fold(
        None,
        |acc: Option<(NaiveDate, NaiveDate)>, d| {
            Some(acc.map_or((d, d), |(a, b)| (a.min(d), b.max(d))))
        },
    );
    let _ = writeln!(
        s,
        "register = {}  # every committee meeting: {} meetings{}",
        toml_string(register_ref),
        register.meetings.len(),
        span.map_or(String::new(), |(a, b)| format!(", {a} to {b}"))
    );
    let _ = writeln!(
        s,
        "threshold = 5                  # no published figure on fewer forms than this (committees are small)"
    );
    match sources.iter().filter_map(|p| p.date.as_ref()?.first).min() {
        Some(first) => {
            let _ = writeln!(
                s,
                "launch = \"{}\"             # CHECK: the month of the first form; the baseline is the first full months from here",
                first.format("%Y-%m")
            );
        }
        None => {
            let _ = writeln!(
                s,
                "# launch = \"YYYY-MM\"          # the month feedback started (default: the first month with forms)"
            );
        }
    }
    let _ = writeln!(
        s,
        "baseline_months = 3            # months in the baseline\n\
         max_days_after = {MAX_DAYS_AFTER}            # forms completed later than this after their meeting are rejected"
    );
    s
}

/// The sources' blocks, each after a blank line, their files relative to `folder`.
pub fn render_sources(folder: &Path, files: &[&Path], sources: &[SourceProposal]) -> String {
    let mut s = String::new();
    for (file, p) in files.iter().zip(sources) {
        let _ = writeln!(s);
        s.push_str(&p.render(&relative(folder, file)));
    }
    s
}

/// The register, loaded, or its problems as a usage error (nothing written).
pub fn load_register(path: &Path) -> Result<Register, Error> {
    super::must_exist("meeting register", path)?;
    Register::load(path).map_err(|e| {
        usage(format!(
            "{e}\n  How to fix: the register needs one row per meeting with the columns meeting_id, \
             committee, date (YYYY-MM-DD), members_attending, other_speakers."
        ))
    })
}

/// Every source proposed, with ids unique among them and `taken`.
pub fn propose_sources(
    files: &[&Path],
    schema: &Schema,
    register: &Register,
    mut taken: Vec<String>,
) -> Result<Vec<SourceProposal>, Error> {
    let mut out = Vec::new();
    for f in files {
        super::must_exist("feedback file", f)?;
        let p = propose_source(f, schema, register, &taken)?;
        taken.push(p.id.clone());
        out.push(p);
    }
    Ok(out)
}

/// The sources' columns joined for learning categories: each matched demographic's values
/// from every source.
pub fn joined(sources: &[SourceProposal]) -> Option<WaveProposal> {
    let mut all = sources.first()?.wave.clone();
    for p in &sources[1..] {
        for c in &p.wave.columns {
            let Some((id, _)) = &c.id else { continue };
            match all
                .columns
                .iter_mut()
                .find(|a| a.id.as_ref().is_some_and(|(a, _)| a == id))
            {
                Some(a) => {
                    if let (Some(have), Some(more)) = (&mut a.values, &c.values) {
                        for v in more {
                            if !have.contains(v) {
                                have.push(v.clone());
                            }
                        }
                    } else {
                        a.values = None;
                    }
                }
                None => all.columns.push(c.clone()),
            }
        }
    }
    Some(all)
}

/// The `[meetings]` section (or its new sources) a set-up command writes, what it says on the
/// terminal, and the feedback schema with the council's categories (when one is written).
pub struct Section {
    pub text: String,
    pub summary: Vec<String>,
    pub schema_text: Option<String>,
}

/// The whole `[meetings]` section for a project at `folder`: the bundled feedback schema
/// (copied as `BUNDLED_FEEDBACK_SCHEMA_FILE`, learning the forms' categories), the register
/// and every feedback file.
pub fn new_section(folder: &Path, files: &[&Path], register_path: &Path) -> Result<Section, Error> {
    let register = load_register(register_path)?;
    let schema = Schema::from_toml(
        &folder.join(BUNDLED_FEEDBACK_SCHEMA_FILE),
        BUNDLED_FEEDBACK_SCHEMA,
    )
    .map_err(|p| usage(format!("the bundled feedback schema does not load: {p}")))?;
    let sources = propose_sources(files, &schema, &register, Vec::new())?;
    let (learned, answers) = joined(&sources).map_or_else(Default::default, |all| {
        (
            super::categories::learn(&schema, &all),
            super::categories::learn_answers(&schema, &all),
        )
    });
    let schema_text = super::categories::apply(BUNDLED_FEEDBACK_SCHEMA, &learned)
        .and_then(|t| super::categories::apply_answers(&t, &answers))
        .map_err(usage)?;
    let mut text = String::from("\n");
    text.push_str(&render_head(
        BUNDLED_FEEDBACK_SCHEMA_FILE,
        &relative(folder, register_path),
        &register,
        &sources,
    ));
    text.push_str(&render_sources(folder, files, &sources));
    let summary = sources
        .iter()
        .map(SourceProposal::summary)
        .chain(
            super::categories::summary(&learned)
                .into_iter()
                .chain(super::categories::answers_summary(&answers, true))
                .map(|l| format!("{l} (in {BUNDLED_FEEDBACK_SCHEMA_FILE}, marked CHECK)")),
        )
        .collect();
    Ok(Section {
        text,
        summary,
        schema_text: Some(schema_text),
    })
}

/// New sources for a config that has a `[meetings]` section: its schema and register, ids
/// not yet used, and what the forms say of the schema's categories.
pub fn more_sources(
    folder: &Path,
    files: &[&Path],
    meetings: &crate::config::MeetingsConfig,
) -> Result<Section, Error> {
    let register = load_register(&meetings.register)?;
    let taken = meetings.sources.iter().map(|s| s.wave.id.clone()).collect();
    let sources = propose_sources(files, &meetings.schema, &register, taken)?;
    let mut text = String::from(
        "\n# ---- Feedback added by `culture-metrics add-feedback`; check the lines marked CHECK\n",
    );
    text.push_str(render_sources(folder, files, &sources).trim_start_matches('\n'));
    let learned = joined(&sources)
        .map(|all| super::categories::learn(&meetings.schema, &all))
        .unwrap_or_default();
    let summary = sources
        .iter()
        .map(SourceProposal::summary)
        .chain(super::categories::against_schema(&learned))
        .collect();
    Ok(Section {
        text,
        summary,
        schema_text: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_columns_read_their_number() {
        assert_eq!(question_number("q1"), Some(1));
        assert_eq!(question_number("Q 12"), Some(12));
        assert_eq!(question_number("question_3"), Some(3));
        assert_eq!(question_number("quality"), None);
        assert_eq!(question_number("comments"), None);
    }

    #[test]
    fn a_completion_time_dates_a_form_before_its_start() {
        assert!(date_rank("Completion time") > date_rank("Start time"));
        assert!(date_rank("meeting_date") > date_rank("Start time"));
        assert_eq!(date_rank("role"), 0);
    }

    fn table(header: &[&str], rows: &[&[&str]]) -> crate::import::reference::ReferenceTable {
        crate::import::reference::ReferenceTable {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| (i as u64 + 2, csv::StringRecord::from(r.to_vec())))
                .collect(),
            problems: Vec::new(),
        }
    }

    fn register() -> (tempfile::TempDir, Register) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("register.csv");
        std::fs::write(
            &path,
            "meeting_id,committee,date,members_attending,other_speakers\n\
             FC-1,Full Council,2025-03-05,40,0\n\
             AUD-1,Audit,2025-04-07,6,1\n",
        )
        .unwrap();
        let register = Register::load(&path).unwrap();
        (dir, register)
    }

    #[test]
    fn dates_that_read_both_ways_are_read_the_way_that_fits_the_meetings() {
        // 05/03/2025 is 5 March (the meeting's day) or 3 May (two months on): day first.
        let (_dir, register) = register();
        let t = table(
            &["ID", "Meeting", "Submitted"],
            &[&["1", "FC-1", "05/03/2025"], &["2", "AUD-1", "08/04/2025"]],
        );
        let m = meeting_column(&t, &register).unwrap();
        assert_eq!((m.key.as_str(), m.in_register, m.filled), ("Meeting", 2, 2));
        let d = date_column(&t, &register, Some("Meeting")).unwrap();
        assert_eq!(d.key, "Submitted");
        assert_eq!(d.format, "%d/%m/%Y");
        assert_eq!((d.within, d.dated, d.doubt), (2, 2, None));
        // Read month first, the same text is 2 forms on days no meeting fits: still a doubt
        // when the register cannot tell (no meeting column).
        let d = date_column(&t, &register, None).unwrap();
        assert_eq!(d.within, 0);
        assert_eq!(d.doubt.as_deref(), Some("%d/%m/%Y"));
    }

    #[test]
    fn a_keyed_sheets_numbered_columns_are_the_questions_in_order() {
        let schema = Schema::from_toml(
            Path::new(BUNDLED_FEEDBACK_SCHEMA_FILE),
            BUNDLED_FEEDBACK_SCHEMA,
        )
        .unwrap();
        let column = |key: &str| ProposedColumn {
            id: None,
            key: key.into(),
            text: key.into(),
            values: None,
        };
        let mut wave = WaveProposal {
            rows: 0,
            span: None,
            date_doubt: None,
            sheet: None,
            layout: "plain",
            encoding: "utf-8".into(),
            delimiter: b',',
            response_id: None,
            test: None,
            finished: None,
            min_answered: None,
            columns: ["Q6", "Q1", "Q2", "Q3", "Q4", "Q5", "Comments"]
                .iter()
                .map(|k| column(k))
                .collect(),
            personal: Vec::new(),
            unmatched_ids: ["C01", "C02", "C03", "C04", "C05", "C06", "C07"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            fieldwork: None,
        };
        by_position(&mut wave, &schema);
        let ids: Vec<&str> = wave
            .columns
            .iter()
            .map(|c| c.id.as_ref().map_or("", |(id, _)| id.as_str()))
            .collect();
        assert_eq!(ids, ["C06", "C01", "C02", "C03", "C04", "C05", "C07"]);
        assert!(wave.unmatched_ids.is_empty());
        // Five numbered columns for six questions: no guess.
        wave.columns.iter_mut().for_each(|c| c.id = None);
        wave.columns.remove(0);
        wave.unmatched_ids = vec![
            "C01".into(),
            "C02".into(),
            "C03".into(),
            "C04".into(),
            "C05".into(),
            "C06".into(),
        ];
        by_position(&mut wave, &schema);
        assert!(wave.columns.iter().all(|c| c.id.is_none()));
    }

    #[test]
    fn the_bundled_feedback_schema_loads() {
        Schema::from_toml(
            Path::new(BUNDLED_FEEDBACK_SCHEMA_FILE),
            BUNDLED_FEEDBACK_SCHEMA,
        )
        .unwrap();
    }
}
