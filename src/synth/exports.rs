//! The generated exports as their vendors write them: Qualtrics 2025 (three header rows,
//! UTF-8) and SurveyMonkey 2026 (two header rows, `;`, Windows-1252), each with the defects
//! real exports have: partials, previews and tests, repeated rows, unknown answers.

use super::{COMMENT_THEMES, COMMENTS, Person};
use crate::schema::Schema;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// The 23 agreement items, in questionnaire order.
pub(super) const LIKERT_IDS: [&str; 23] = [
    "S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10", "S11", "S12", "S13",
    "S14", "S15", "S16", "S17", "S18", "S19", "S20", "S21", "S22", "S23",
];

/// In 2026 the merit item was reworded: a new series in the schema's crosswalk.
pub(super) const S10_2026: &str = "S10b";

/// The 2026 questionnaire's id for the j-th agreement item.
pub(super) fn likert_id_2026(j: usize) -> &'static str {
    if LIKERT_IDS[j] == "S10" {
        S10_2026
    } else {
        LIKERT_IDS[j]
    }
}

pub(super) fn question<'a>(schema: &'a Schema, id: &str) -> &'a crate::schema::Question {
    &schema.questions[schema
        .question(id)
        .expect("question in the committed schema")]
}

fn code_label(schema: &Schema, scale_id: &str, code: u8) -> String {
    let scale = schema
        .scales
        .iter()
        .find(|s| s.id == scale_id)
        .expect("scale in schema");
    scale.label_of(code).expect("code in scale").to_string()
}

fn random_id(rng: &mut ChaCha8Rng, prefix: &str, len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut s = String::from(prefix);
    for _ in 0..len {
        s.push(CHARS[rng.random_range(0..CHARS.len())] as char);
    }
    s
}

fn timestamp(rng: &mut ChaCha8Rng, year: u32, iso: bool) -> (String, String, u32) {
    let day = rng.random_range(6..=31u32);
    let secs = rng.random_range(7 * 3600..19 * 3600u32);
    let dur = rng.random_range(240..1800u32);
    let end = secs + dur;
    let fmt = |s: u32| {
        if iso {
            format!(
                "{year}-10-{day:02} {:02}:{:02}:{:02}",
                s / 3600,
                s / 60 % 60,
                s % 60
            )
        } else {
            format!(
                "10/{day:02}/{year} {:02}:{:02}:{:02}",
                s / 3600,
                s / 60 % 60,
                s % 60
            )
        }
    };
    (fmt(secs), fmt(end), dur)
}

/// Make a share of respondents partial: they stopped part-way, later answers blank.
fn truncate_partial(p: &mut Person, rng: &mut ChaCha8Rng) {
    p.progress = rng.random_range(0.1..0.5);
    let keep = (23.0 * p.progress) as usize;
    for a in p.likert.iter_mut().skip(keep) {
        *a = None;
    }
    p.e01 = None;
    p.e02 = None;
    p.n01 = None;
    p.comment = None;
}

/// Qualtrics' metadata columns: (tag, wording, import id).
const QUALTRICS_META: [(&str, &str, &str); 17] = [
    (
        "StartDate",
        "Start Date",
        r#"{"ImportId":"startDate","timeZone":"Europe/London"}"#,
    ),
    (
        "EndDate",
        "End Date",
        r#"{"ImportId":"endDate","timeZone":"Europe/London"}"#,
    ),
    ("Status", "Response Type", r#"{"ImportId":"status"}"#),
    ("IPAddress", "IP Address", r#"{"ImportId":"ipAddress"}"#),
    ("Progress", "Progress", r#"{"ImportId":"progress"}"#),
    (
        "Duration (in seconds)",
        "Duration (in seconds)",
        r#"{"ImportId":"duration"}"#,
    ),
    ("Finished", "Finished", r#"{"ImportId":"finished"}"#),
    (
        "RecordedDate",
        "Recorded Date",
        r#"{"ImportId":"recordedDate","timeZone":"Europe/London"}"#,
    ),
    ("ResponseId", "Response ID", r#"{"ImportId":"_recordId"}"#),
    (
        "RecipientLastName",
        "Recipient Last Name",
        r#"{"ImportId":"recipientLastName"}"#,
    ),
    (
        "RecipientFirstName",
        "Recipient First Name",
        r#"{"ImportId":"recipientFirstName"}"#,
    ),
    (
        "RecipientEmail",
        "Recipient Email",
        r#"{"ImportId":"recipientEmail"}"#,
    ),
    (
        "ExternalReference",
        "External Data Reference",
        r#"{"ImportId":"externalDataReference"}"#,
    ),
    (
        "LocationLatitude",
        "Location Latitude",
        r#"{"ImportId":"locationLatitude"}"#,
    ),
    (
        "LocationLongitude",
        "Location Longitude",
        r#"{"ImportId":"locationLongitude"}"#,
    ),
    (
        "DistributionChannel",
        "Distribution Channel",
        r#"{"ImportId":"distributionChannel"}"#,
    ),
    (
        "UserLanguage",
        "User Language",
        r#"{"ImportId":"userLanguage"}"#,
    ),
];

/// The 2025 export as Qualtrics writes it: three header rows, UTF-8 with a byte-order mark,
/// with partials, previews, tests and repeated rows.
pub(super) fn qualtrics_2025(
    schema: &Schema,
    rng: &mut ChaCha8Rng,
    people: &mut [Person],
) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for row in qualtrics_header(schema) {
        w.write_record(&row).expect("in memory");
    }
    // Defects: partials (about 3%), previews/tests, duplicates, the "or" variant of Neither.
    for p in people.iter_mut() {
        if rng.random_bool(0.03) {
            truncate_partial(p, rng);
        }
    }
    let mut defects = Defects::new(
        &[0, 7, 14, 21, 28],
        &[(100, 140), (450, 503), (800, 866), (1150, 1229)],
    );
    for (i, p) in people.iter().enumerate() {
        let r = qualtrics_row(schema, rng, p);
        w.write_record(&r).expect("in memory");
        // Previews and tests made by the survey team before launch, and rows the vendor
        // repeated when it merged two download batches.
        if let Some(k) = defects.test_copy(i) {
            let mut t = r.clone();
            t[2] = [
                "Survey Preview",
                "Survey Preview",
                "Survey Preview",
                "Survey Test",
                "Survey Test",
            ][k]
                .into();
            t[8] = random_id(rng, "R_", 15);
            w.write_record(&t).expect("in memory");
        }
        defects.remember(i, &r);
        for d in defects.due(i) {
            w.write_record(&d).expect("in memory");
        }
    }
    let mut out = vec![0xEF, 0xBB, 0xBF];
    out.extend(w.into_inner().expect("in memory"));
    out
}

/// Qualtrics' three header rows: tags, wordings, import ids.
fn qualtrics_header(schema: &Schema) -> [Vec<String>; 3] {
    let matrix = "To what extent do you agree or disagree with the following statements about working at the Council?";
    let mut tags: Vec<String> = QUALTRICS_META.iter().map(|m| m.0.to_string()).collect();
    let mut texts: Vec<String> = QUALTRICS_META.iter().map(|m| m.1.to_string()).collect();
    let mut ids: Vec<String> = QUALTRICS_META.iter().map(|m| m.2.to_string()).collect();
    for (i, id) in LIKERT_IDS.iter().enumerate() {
        tags.push(format!("Q1_{}", i + 1));
        texts.push(format!("{matrix} - {}", question(schema, id).text));
        ids.push(format!(r#"{{"ImportId":"QID1_{}"}}"#, i + 1));
    }
    let tail_qs: [(&str, &str, &str); 4] = [
        ("Q2", "E01", "QID2"),
        ("Q3", "E02", "QID3"),
        ("Q4", "N01", "QID4"),
        ("Q5", "T01", "QID5_TEXT"),
    ];
    for (tag, q, id) in tail_qs {
        tags.push(tag.into());
        texts.push(question(schema, q).text.clone());
        ids.push(format!(r#"{{"ImportId":"{id}"}}"#));
    }
    for (i, d) in schema.demographics.iter().enumerate() {
        tags.push(format!("Q{}", 6 + i));
        texts.push(d.text.clone().unwrap_or_else(|| d.label.clone()));
        ids.push(format!(r#"{{"ImportId":"QID{}"}}"#, 6 + i));
    }
    [tags, texts, ids]
}

/// One respondent's Qualtrics row.
fn qualtrics_row(schema: &Schema, rng: &mut ChaCha8Rng, p: &Person) -> Vec<String> {
    let (start, end, dur) = timestamp(rng, 2025, true);
    let finished = p.progress >= 1.0;
    let mut r: Vec<String> = vec![
        start,
        end.clone(),
        "IP Address".into(),
        format!("192.0.2.{}", rng.random_range(1..255)),
        ((p.progress * 100.0).round() as u32).to_string(),
        dur.to_string(),
        if finished { "True" } else { "False" }.into(),
        end,
        random_id(rng, "R_", 15),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        format!("51.5{:04}", rng.random_range(0..10000)),
        format!("-0.0{:04}", rng.random_range(0..10000)),
        "anonymous".into(),
        "EN-GB".into(),
    ];
    for a in p.likert {
        r.push(match a {
            None => String::new(),
            Some(3) if rng.random_bool(0.1) => "Neither agree or disagree".into(),
            Some(c) => code_label(schema, "agree5", c),
        });
    }
    r.extend(tail_answers(schema, p));
    r.push(p.comment.unwrap_or("").to_string());
    let demo = [
        p.directorate,
        p.grade,
        p.manager,
        p.sex,
        p.age,
        p.ethnicity,
        p.disability,
    ];
    for (d, &c) in schema.demographics.iter().zip(&demo) {
        // 1% leave each demographic blank ("Not stated").
        r.push(if rng.random_bool(0.01) {
            String::new()
        } else {
            d.categories[c].clone()
        });
    }
    r
}

/// The engagement, yes/no and recommendation answers as labels.
fn tail_answers(schema: &Schema, p: &Person) -> Vec<String> {
    [(p.e01, "yes_no"), (p.e02, "yes_no"), (p.n01, "nps11")]
        .into_iter()
        .map(|(a, scale)| {
            a.map_or_else(String::new, |c| match (scale, c) {
                ("nps11", 0) => "0 - Not at all likely".into(),
                ("nps11", 10) => "10 - Extremely likely".into(),
                _ => code_label(schema, scale, c),
            })
        })
        .collect()
}

/// The 2026 export, and the coded comments file a vendor would deliver with it (accepted
/// responses with a comment: response id → themes).
pub(super) fn surveymonkey_2026(
    schema: &Schema,
    rng: &mut ChaCha8Rng,
    people: &mut [Person],
) -> (Vec<u8>, Vec<u8>) {
    let mut coded = String::from("response_id,themes\n");
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in surveymonkey_header(schema) {
        w.write_record(&row).expect("in memory");
    }

    for p in people.iter_mut() {
        if rng.random_bool(0.025) {
            truncate_partial(p, rng);
        }
    }
    let mut defects = Defects::new(&[10, 15, 20], &[(200, 225), (800, 825), (1400, 1425)]);
    let mut next_id: u64 = 118_204_000_000 + rng.random_range(0..1_000_000u64);
    for (i, p) in people.iter().enumerate() {
        let stamps = timestamp(rng, 2026, false);
        next_id += rng.random_range(1..40u64);
        let r = surveymonkey_row(schema, rng, i, p, next_id, stamps);
        w.write_record(&r).expect("in memory");
        if let Some(c) = p.comment.filter(|_| !rejected(i)) {
            let k = COMMENTS
                .iter()
                .position(|x| *x == c)
                .expect("a known comment");
            coded.push_str(&format!("{},{}\n", r[0], COMMENT_THEMES[k]));
        }
        // Responses through the test collector, made while checking the survey link, and
        // repeated rows.
        if let Some(k) = defects.test_copy(i) {
            let mut t = r.clone();
            t[0] = (900_000_000_000 + k as u64).to_string();
            t[1] = "431220999".into();
            w.write_record(&t).expect("in memory");
        }
        defects.remember(i, &r);
        for d in defects.due(i) {
            w.write_record(&d).expect("in memory");
        }
    }
    let utf8 = String::from_utf8(w.into_inner().expect("in memory")).expect("utf-8");
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&utf8);
    assert!(!unmappable, "all generated text is in Windows-1252");
    (bytes.into_owned(), coded.into_bytes())
}

/// SurveyMonkey's two header rows: questions, then answer options.
fn surveymonkey_header(schema: &Schema) -> [Vec<String>; 2] {
    let meta = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
    ];
    let mut row1: Vec<String> = meta.iter().map(|s| s.to_string()).collect();
    let mut row2: Vec<String> = vec![String::new(); meta.len()];
    for d in &schema.demographics {
        row1.push(d.text.clone().unwrap_or_else(|| d.label.clone()));
        row2.push("Response".into());
    }
    let matrix = "To what extent do you agree or disagree with the following statements about working at the Council?";
    for i in 0..23 {
        row1.push(if i == 0 { matrix.into() } else { String::new() });
        // Excel's curly apostrophes in the wording (Windows-1252 0x92).
        row2.push(
            question(schema, likert_id_2026(i))
                .text
                .replace('\'', "\u{2019}"),
        );
    }
    for q in ["E01", "E02", "N01"] {
        row1.push(question(schema, q).text.clone());
        row2.push("Response".into());
    }
    row1.push(question(schema, "T01").text.clone());
    row2.push("Open-Ended Response".into());
    [row1, row2]
}

/// One respondent's SurveyMonkey row (`i`-th in the file, with response id `id`, started
/// and ended at `stamps`).
fn surveymonkey_row(
    schema: &Schema,
    rng: &mut ChaCha8Rng,
    i: usize,
    p: &Person,
    id: u64,
    (start, end, _): (String, String, u32),
) -> Vec<String> {
    let mut r = vec![
        id.to_string(),
        "431220187".into(),
        start,
        end,
        format!("198.51.100.{}", rng.random_range(1..255)),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ];
    let demo = [
        p.directorate,
        p.grade,
        p.manager,
        p.sex,
        p.age,
        p.ethnicity,
        p.disability,
    ];
    for (d, &c) in schema.demographics.iter().zip(&demo) {
        let label = &d.categories[c];
        r.push(if rng.random_bool(0.01) {
            String::new()
        } else if d.id == "directorate" || d.id == "grade" {
            // Excel's typography: curly apostrophe, en dash.
            label.replace('\'', "\u{2019}").replace("1-6", "1\u{2013}6")
        } else {
            label.clone()
        });
    }
    for (j, a) in p.likert.iter().enumerate() {
        r.push(match a {
            None => String::new(),
            // Two answers no schema knows: rejected and reported, never guessed.
            Some(_) if j == 0 && rejected(i) => "Agree strongly".into(),
            Some(5) if rng.random_bool(0.05) => "Strongly Agree".into(),
            Some(c) => code_label(schema, "agree5", *c),
        });
    }
    r.extend(tail_answers(schema, p));
    r.push(p.comment.unwrap_or("").replace('\'', "\u{2019}"));
    r
}

/// Rows of the 2026 export given an answer no schema knows (rejected at import).
pub(super) fn rejected(i: usize) -> bool {
    i == 211 || i == 1711
}

/// Defects written while streaming rows (constant memory at any size): test copies right
/// after some rows, and exact repeats of some rows further down the file.
struct Defects {
    tests: Vec<usize>,
    repeats: Vec<(usize, usize)>,
    pending: Vec<(usize, Vec<String>)>,
}

impl Defects {
    fn new(tests: &[usize], repeats: &[(usize, usize)]) -> Self {
        Defects {
            tests: tests.to_vec(),
            repeats: repeats.to_vec(),
            pending: Vec::new(),
        }
    }

    /// Which test copy (0-based) follows row `i`, if any.
    fn test_copy(&self, i: usize) -> Option<usize> {
        self.tests.iter().position(|&t| t == i)
    }

    fn remember(&mut self, i: usize, row: &[String]) {
        for &(src, at) in &self.repeats {
            if src == i {
                self.pending.push((at, row.to_vec()));
            }
        }
    }

    /// Repeats to write after row `i`.
    fn due(&mut self, i: usize) -> Vec<Vec<String>> {
        let (due, keep): (Vec<_>, Vec<_>) = self.pending.drain(..).partition(|(at, _)| *at == i);
        self.pending = keep;
        due.into_iter().map(|(_, r)| r).collect()
    }
}
