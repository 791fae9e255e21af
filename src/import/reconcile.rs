//! Reasons a row can end with, and the reconciliation that proves
//! rows in = accepted + excluded + rejected, per wave and per reason.

use super::WaveImport;
use super::layout::delimiter_name;
use std::fmt::Write as _;

/// What happened to a row. The order is the order of the checks.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Accepted,
    /// Excluded by rule: the vendor marked it as a preview or test.
    PreviewOrTest,
    /// Excluded by rule: not finished, or too few questions answered.
    Incomplete,
    /// Rejected: the row has a different number of fields from the header.
    RaggedRow,
    /// Rejected: a quote left open ran the row on into the rows after it; each row it took
    /// is rejected with its own line.
    UnterminatedQuote,
    /// Rejected: a field longer than the importer takes (never stored).
    OverlongField,
    /// Rejected: no response id.
    MissingResponseId,
    /// Rejected: a response id already seen (the first copy is kept).
    DuplicateResponseId,
    /// Rejected: an answer that is not a label, alias or code of the question's scale.
    UnknownAnswer,
    /// Rejected: a demographic value that is not a category (or alias) in the schema.
    UnknownCategory,
    /// Rejected (meeting feedback): the form names a meeting that is not in the register.
    UnknownMeeting,
    /// Rejected (meeting feedback): the form's date is missing, unreadable, or does not fit
    /// the meeting's date in the register.
    DateOutsideRegister,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    Excluded,
    Rejected,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Excluded => "excluded",
            Outcome::Rejected => "rejected",
        }
    }
}

impl Reason {
    pub const ALL: [Reason; 12] = [
        Reason::Accepted,
        Reason::PreviewOrTest,
        Reason::Incomplete,
        Reason::RaggedRow,
        Reason::UnterminatedQuote,
        Reason::OverlongField,
        Reason::MissingResponseId,
        Reason::DuplicateResponseId,
        Reason::UnknownAnswer,
        Reason::UnknownCategory,
        Reason::UnknownMeeting,
        Reason::DateOutsideRegister,
    ];

    /// Stable code used in tables.
    pub fn code(self) -> &'static str {
        match self {
            Reason::Accepted => "accepted",
            Reason::PreviewOrTest => "preview_or_test",
            Reason::Incomplete => "incomplete",
            Reason::RaggedRow => "ragged_row",
            Reason::UnterminatedQuote => "unterminated_quote",
            Reason::OverlongField => "overlong_field",
            Reason::MissingResponseId => "missing_response_id",
            Reason::DuplicateResponseId => "duplicate_response_id",
            Reason::UnknownAnswer => "unknown_answer",
            Reason::UnknownCategory => "unknown_category",
            Reason::UnknownMeeting => "unknown_meeting",
            Reason::DateOutsideRegister => "date_outside_register",
        }
    }

    pub fn outcome(self) -> Outcome {
        match self {
            Reason::Accepted => Outcome::Accepted,
            Reason::PreviewOrTest | Reason::Incomplete => Outcome::Excluded,
            _ => Outcome::Rejected,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Reason::Accepted => "accepted",
            Reason::PreviewOrTest => "preview or test response (filters.test_column)",
            Reason::Incomplete => "incomplete response (filters.finished_column / min_answered)",
            Reason::RaggedRow => "ragged row: field count differs from the header",
            Reason::UnterminatedQuote => "a quote left open ran into the rows after it",
            Reason::OverlongField => "a field longer than 10,000 characters (not stored)",
            Reason::MissingResponseId => "no response id",
            Reason::DuplicateResponseId => "duplicate response id (first copy kept)",
            Reason::UnknownAnswer => "answer not in the question's scale",
            Reason::UnknownCategory => "demographic value not in the schema",
            Reason::UnknownMeeting => "meeting not in the meeting register",
            Reason::DateOutsideRegister => "date does not fit the meeting in the register",
        }
    }
}

/// What the imports of a reconciliation are: survey waves, or member-feedback sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imports {
    SurveyWaves,
    FeedbackSources,
}

/// The reconciliation as the analyst reads it in the terminal.
pub fn render_text(imports: &[WaveImport], max_rejected_pct: f64, kind: Imports) -> String {
    let mut s = String::new();
    for w in imports {
        let _ = match kind {
            Imports::SurveyWaves => writeln!(s, "Wave {}: {}", w.wave, w.file.display()),
            Imports::FeedbackSources => {
                writeln!(s, "Feedback forms ({}): {}", w.wave, w.file.display())
            }
        };
        if w.archived {
            let _ = writeln!(
                s,
                "  export archived (not found at that path): the store's copy of this wave is used, \
                 as imported earlier (fingerprint {})",
                &w.fingerprint[..w.fingerprint.len().min(12)]
            );
        } else if w.from_store {
            let _ = writeln!(
                s,
                "  unchanged since it was imported into the store (fingerprint {}); not imported again",
                &w.fingerprint[..w.fingerprint.len().min(12)]
            );
        }
        // A workbook's cells and an SPSS file's variables have no delimiter.
        let cells = ["xls", "ods", "sav"]
            .iter()
            .any(|k| w.encoding.starts_with(k));
        let _ = writeln!(
            s,
            "  layout {}; encoding {}{}",
            w.layout.config_name(),
            w.encoding,
            if cells {
                String::new()
            } else {
                format!("; delimiter {}", delimiter_name(w.delimiter))
            }
        );
        if !w.personal_data_dropped.is_empty() {
            let _ = writeln!(
                s,
                "  personal-data columns dropped (never read): {}",
                w.personal_data_dropped.join(", ")
            );
        }
        for warn in &w.warnings {
            let _ = writeln!(s, "  warning: {warn}");
        }
        row_accounting(&mut s, w);
        let pct = w.rejected_pct();
        let _ = writeln!(
            s,
            "  rejected as defective: {pct:.2}% of rows (tolerance {max_rejected_pct}%){}",
            if pct > max_rejected_pct {
                " -- OVER TOLERANCE"
            } else {
                ""
            }
        );
        let _ = writeln!(s);
    }
    s
}

/// Rows in the file, what became of them by reason, the check that they add up, and the
/// values not in the schema.
fn row_accounting(s: &mut String, w: &WaveImport) {
    let _ = writeln!(s, "  {:<9} {:<62} {:>8}", "", "rows in file", w.rows_in);
    for r in Reason::ALL {
        let n = w.counts.get(&r).copied().unwrap_or(0);
        if n > 0 || r == Reason::Accepted {
            let what = if r == Reason::Accepted {
                ""
            } else {
                r.describe()
            };
            let _ = writeln!(s, "  {:<9} {what:<62} {n:>8}", r.outcome().as_str());
        }
    }
    let total: usize = w.counts.values().sum();
    let check = if total == w.rows_in { "ok" } else { "MISMATCH" };
    let _ = writeln!(
        s,
        "  {:<9} {:<62} {:>8}  ({check})",
        "", "accepted + excluded + rejected", total
    );
    if !w.unknown_values.is_empty() {
        let _ = writeln!(s, "  values not in the schema (never guessed):");
        for u in &w.unknown_values {
            let _ = writeln!(
                s,
                "    column {} [{}]: {:?} x{} (first on line {})",
                u.column, u.id, u.value, u.count, u.first_line
            );
        }
        let _ = writeln!(
            s,
            "    How to fix: if a value means an existing answer, add it to that answer's `aliases` \
             (or the demographic's `aliases`) in the schema; otherwise ask the vendor."
        );
    }
}
