//! Delimiter sniffing and vendor header layouts.
//!
//! Each vendor spreads its header over a different number of rows. This module turns those
//! rows into one list of columns, each with a *key* (what a mapping names) and the question
//! *text* (what `inspect` shows and uses to suggest mappings).

use crate::config::{DelimiterChoice, LayoutChoice};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    Qualtrics,
    QualtricsLegacy,
    SurveyMonkey,
    Plain,
    /// An SPSS data file read as text: variable names, then variable labels.
    Spss,
}

impl Layout {
    pub fn header_rows(self) -> usize {
        match self {
            Layout::Qualtrics => 3,
            Layout::QualtricsLegacy | Layout::SurveyMonkey | Layout::Spss => 2,
            Layout::Plain => 1,
        }
    }

    /// The name used in config files (`layout = "..."`).
    pub fn config_name(self) -> &'static str {
        match self {
            Layout::Qualtrics => "qualtrics",
            Layout::QualtricsLegacy => "qualtrics-legacy",
            Layout::SurveyMonkey => "surveymonkey",
            Layout::Plain => "plain",
            Layout::Spss => "spss",
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layout::Qualtrics => "Qualtrics (3 header rows: export tags, question text, ImportId)",
            Layout::QualtricsLegacy => "Qualtrics legacy (2 header rows: V1..V10/Q tags, labels)",
            Layout::SurveyMonkey => "SurveyMonkey (2 header rows: question, sub-label)",
            Layout::Plain => "plain (1 header row of column names)",
            Layout::Spss => "SPSS data file (variable names, variable labels)",
        })
    }
}

/// One column of an export, as the header describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// 0-based position in the row.
    pub index: usize,
    /// What a mapping names: the export tag (Qualtrics), the question plus sub-label
    /// (SurveyMonkey), or the header (plain CSV).
    pub key: String,
    /// Question wording, where the layout has it (else the key).
    pub text: String,
}

/// Spreadsheet-style column letter (0 → A, 26 → AA), as analysts see it in Excel.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut s = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        s.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

pub fn delimiter_name(d: u8) -> &'static str {
    match d {
        b',' => "comma (,)",
        b';' => "semicolon (;)",
        b'\t' => "tab",
        b'|' => "pipe (|)",
        _ => "other",
    }
}

/// Choose the delimiter: the one that splits the first rows into the same number (> 1) of
/// fields, preferring more fields. Quoted fields (with embedded newlines) are respected
/// because the rows are read by the CSV parser itself.
pub fn sniff_delimiter(text: &str, choice: DelimiterChoice) -> u8 {
    if let DelimiterChoice::Byte(b) = choice {
        return b;
    }
    let sample = &text[..floor_char_boundary(text, 256 * 1024)];
    let mut best: Option<(usize, usize, u8)> = None; // (consistent rows, fields, delimiter)
    for &d in b",;\t|" {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(d)
            .has_headers(false)
            .flexible(true)
            .from_reader(sample.as_bytes());
        let counts: Vec<usize> = rdr
            .records()
            .take(30)
            .filter_map(Result::ok)
            .map(|r| r.len())
            .collect();
        // The last sampled record may be cut off by the sample boundary.
        let counts = if counts.len() > 1 && sample.len() < text.len() {
            &counts[..counts.len() - 1]
        } else {
            &counts[..]
        };
        let Some(&first) = counts.first() else {
            continue;
        };
        if first < 2 {
            continue;
        }
        let consistent = counts.iter().take_while(|&&c| c == first).count();
        let cand = (consistent, first, d);
        if best.is_none_or(|b| (cand.0, cand.1) > (b.0, b.1)) {
            best = Some(cand);
        }
    }
    best.map_or(b',', |b| b.2)
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn is_import_id(cell: &str) -> bool {
    cell.trim_start().starts_with("{\"ImportId\"")
}

fn is_v_tag(cell: &str) -> bool {
    cell.strip_prefix('V')
        .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()))
}

const SURVEYMONKEY_ROW1: &[&str] = &["Respondent ID", "Collector ID"];
const SURVEYMONKEY_ROW2: &[&str] = &["Response", "Open-Ended Response"];

/// Recognise the layout from the first rows (at most 3).
pub fn detect_layout(rows: &[Vec<String>]) -> Layout {
    let row = |i: usize| rows.get(i).map(Vec::as_slice).unwrap_or(&[]);
    if row(2).iter().filter(|c| is_import_id(c)).count() * 2 > row(2).len().max(1) {
        return Layout::Qualtrics;
    }
    if row(0).first().is_some_and(|c| c == "V1")
        && row(0).iter().filter(|c| is_v_tag(c)).count() >= 2
        && row(1).iter().any(|c| c == "ResponseID")
    {
        return Layout::QualtricsLegacy;
    }
    if row(0)
        .iter()
        .any(|c| SURVEYMONKEY_ROW1.contains(&c.as_str()))
        && row(1)
            .iter()
            .any(|c| SURVEYMONKEY_ROW2.contains(&c.as_str()))
    {
        return Layout::SurveyMonkey;
    }
    Layout::Plain
}

pub fn resolve_layout(choice: LayoutChoice, rows: &[Vec<String>]) -> Layout {
    match choice {
        LayoutChoice::Auto => detect_layout(rows),
        LayoutChoice::Qualtrics => Layout::Qualtrics,
        LayoutChoice::QualtricsLegacy => Layout::QualtricsLegacy,
        LayoutChoice::Surveymonkey => Layout::SurveyMonkey,
        LayoutChoice::Plain => Layout::Plain,
        LayoutChoice::Spss => Layout::Spss,
    }
}

/// Build the column list from the header rows of a known layout.
pub fn columns(layout: Layout, rows: &[Vec<String>]) -> Vec<Column> {
    let row0 = &rows[0];
    let cell = |r: usize, i: usize| -> &str {
        rows.get(r)
            .and_then(|row| row.get(i))
            .map_or("", |s| s.as_str())
    };
    let mut out = Vec::with_capacity(row0.len());
    let mut block_question = String::new();
    for i in 0..row0.len() {
        let (key, text) = match layout {
            Layout::Plain => (cell(0, i).trim().to_string(), cell(0, i).trim().to_string()),
            Layout::Qualtrics => (cell(0, i).trim().to_string(), cell(1, i).trim().to_string()),
            Layout::Spss => {
                let name = cell(0, i).trim();
                let label = cell(1, i).trim();
                (
                    name.to_string(),
                    if label.is_empty() { name } else { label }.to_string(),
                )
            }
            Layout::QualtricsLegacy => {
                // V1..V10 are generic metadata tags: the label row names them.
                let tag = cell(0, i).trim();
                let label = cell(1, i).trim();
                if is_v_tag(tag) {
                    (label.to_string(), label.to_string())
                } else {
                    (tag.to_string(), label.to_string())
                }
            }
            Layout::SurveyMonkey => {
                let q = cell(0, i).trim();
                if !q.is_empty() {
                    block_question = q.to_string();
                }
                let sub = cell(1, i).trim();
                let key = if sub.is_empty() || SURVEYMONKEY_ROW2.contains(&sub) {
                    block_question.clone()
                } else {
                    format!("{block_question} - {sub}")
                };
                (key.clone(), key)
            }
        };
        out.push(Column {
            index: i,
            key,
            text,
        });
    }
    out
}

/// Export columns that hold personal data. They are never read into the store, and the import
/// report lists them as dropped. Matched on the key and the text, case- and space-insensitive.
pub fn is_personal_data(col: &Column) -> bool {
    const NAMES: &[&str] = &[
        "ipaddress",
        "ip address",
        "ip-adresse",
        "recipientlastname",
        "recipientfirstname",
        "recipientemail",
        "recipient last name",
        "recipient first name",
        "recipient email",
        "location latitude",
        "location longitude",
        "location accuracy",
        "email",
        "email address",
        "emailaddress",
        "e-mail",
        "name",
        "first name",
        "last name",
        "full name",
        "externalreference",
        "externaldatareference",
        "external data reference",
        "locationlatitude",
        "locationlongitude",
        "locationaccuracy",
        "latitude",
        "longitude",
        "custom data 1",
        "custom data",
    ];
    [&col.key, &col.text].iter().any(|s| {
        let n = crate::schema::normalise_label(s);
        NAMES.contains(&n.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, d: u8) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .delimiter(d)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes())
            .records()
            .take(3)
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn letters_like_excel() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn sniffs_semicolon_even_with_commas_inside_fields() {
        let t =
            "ID;Directorate;Q1\n1;Health, Adults and Community;Agree\n2;Place;\"Yes; really\"\n";
        assert_eq!(sniff_delimiter(t, DelimiterChoice::Auto), b';');
        let t = "ID\tQ1\n1\tAgree, mostly\n";
        assert_eq!(sniff_delimiter(t, DelimiterChoice::Auto), b'\t');
        let t = "ID,Q1\n1,\"multi\nline\"\n2,x\n";
        assert_eq!(sniff_delimiter(t, DelimiterChoice::Auto), b',');
    }

    #[test]
    fn forced_delimiter_wins() {
        assert_eq!(sniff_delimiter("a;b\n", DelimiterChoice::Byte(b',')), b',');
    }

    #[test]
    fn surveymonkey_keys_join_block_question_and_sub_label() {
        let t = "Respondent ID,Which directorate?,How far do you agree?,,\n,Response,I am proud,I am valued,Open-Ended Response\n1,Place,Agree,Disagree,x\n";
        let r = rows(t, b',');
        assert_eq!(detect_layout(&r), Layout::SurveyMonkey);
        let cols = columns(Layout::SurveyMonkey, &r[..2]);
        let keys: Vec<_> = cols.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "Respondent ID",
                "Which directorate?",
                "How far do you agree? - I am proud",
                "How far do you agree? - I am valued",
                "How far do you agree?"
            ]
        );
    }

    #[test]
    fn legacy_qualtrics_metadata_keys_come_from_the_label_row() {
        let t = "V1,V2,V10,Q1,\nResponseID,ResponseSet,Finished,A question,\nR_1,Default,1,2,\n";
        let r = rows(t, b',');
        assert_eq!(detect_layout(&r), Layout::QualtricsLegacy);
        let cols = columns(Layout::QualtricsLegacy, &r[..2]);
        assert_eq!(cols[0].key, "ResponseID");
        assert_eq!(cols[3].key, "Q1");
        assert_eq!(cols[3].text, "A question");
        assert_eq!(cols[4].key, "");
    }

    #[test]
    fn personal_data_columns_are_recognised() {
        let c = |k: &str| Column {
            index: 0,
            key: k.into(),
            text: k.into(),
        };
        for k in [
            "IPAddress",
            "IP Address",
            "RecipientEmail",
            "LocationLatitude",
            "Email Address",
            "First Name",
        ] {
            assert!(is_personal_data(&c(k)), "{k}");
        }
        for k in ["ResponseId", "Q5_1", "Status", "Directorate"] {
            assert!(!is_personal_data(&c(k)), "{k}");
        }
    }
}
