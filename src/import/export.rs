//! Opening a vendor export: decode, sniff the delimiter, recognise the layout, read the
//! header rows. Shared by `import` (which reads the rows) and `inspect` (which describes them).

use super::ImportError;
use super::decode::{Decoded, TextEncoding, decode};
use super::layout::{Column, Layout, columns, detect_layout, resolve_layout, sniff_delimiter};
use crate::config::{DelimiterChoice, EncodingChoice, LayoutChoice};
use std::path::{Path, PathBuf};

/// A decoded export with its header understood; the data rows are read on demand.
pub struct Export {
    pub file: PathBuf,
    pub decoded: Decoded,
    pub delimiter: u8,
    pub delimiter_forced: bool,
    /// What auto-detection would have chosen (to explain a wrongly forced delimiter).
    pub delimiter_sniffed: u8,
    pub layout: Layout,
    pub layout_detected: Layout,
    pub columns: Vec<Column>,
    /// Line on which the first data row starts (1-based).
    pub first_data_line: u64,
}

impl Export {
    /// Open an export: delimited text (with `encoding` and `delimiter`), or `sheet` of a
    /// spreadsheet (by name, or the only/first sheet with data).
    pub fn open(
        file: &Path,
        (encoding, delimiter, layout): (EncodingChoice, DelimiterChoice, LayoutChoice),
        sheet: Option<&str>,
    ) -> Result<Export, ImportError> {
        let decoded = read_text(file, encoding, sheet)?;
        if decoded.text.trim().is_empty() {
            return Err(ImportError::Empty {
                file: file.to_path_buf(),
            });
        }
        let is_sheet = matches!(
            decoded.encoding,
            TextEncoding::Sheet(_) | TextEncoding::Spss
        );
        // An SPSS file's header is its variable names and labels, whatever else it looks like.
        let layout = match (decoded.encoding, layout) {
            (TextEncoding::Spss, LayoutChoice::Auto) => LayoutChoice::Spss,
            _ => layout,
        };
        let delimiter = if is_sheet {
            DelimiterChoice::Byte(b',')
        } else {
            delimiter
        };
        let delimiter_sniffed = sniff_delimiter(&decoded.text, DelimiterChoice::Auto);
        let delim = sniff_delimiter(&decoded.text, delimiter);

        let (head, positions) = first_rows(file, &decoded.text, delim)?;
        let layout_detected = match decoded.encoding {
            TextEncoding::Spss => Layout::Spss,
            _ => detect_layout(&head[..head.len().min(3)]),
        };
        let layout = resolve_layout(layout, &head[..head.len().min(3)]);
        let n_header = layout.header_rows();
        if layout == Layout::Qualtrics && layout_detected != Layout::Qualtrics {
            return Err(ImportError::LayoutMismatch {
                file: file.to_path_buf(),
                expected: layout,
                detected: layout_detected,
            });
        }
        if head.len() <= n_header {
            return Err(ImportError::HeaderOnly {
                file: file.to_path_buf(),
                layout,
                rows: head.len(),
            });
        }
        let columns = columns(layout, &head[..n_header]);
        Ok(Export {
            file: file.to_path_buf(),
            decoded,
            delimiter: delim,
            delimiter_forced: matches!(delimiter, DelimiterChoice::Byte(_)) && !is_sheet,
            delimiter_sniffed,
            layout,
            layout_detected,
            columns,
            first_data_line: positions[n_header],
        })
    }

    /// A CSV reader positioned at the first data row.
    pub fn data_reader(&self) -> Result<csv::Reader<&[u8]>, ImportError> {
        let mut rdr = reader(&self.decoded.text, self.delimiter);
        let mut rec = csv::ByteRecord::new();
        for _ in 0..self.layout.header_rows() {
            rdr.read_byte_record(&mut rec)
                .map_err(|e| ImportError::Csv {
                    file: self.file.clone(),
                    line: e.position().map_or(0, |p| p.line()),
                    message: e.to_string(),
                })?;
        }
        Ok(rdr)
    }

    /// Columns whose key (or, failing that, text) matches `wanted`.
    pub fn find_columns(&self, wanted: &str) -> Vec<&Column> {
        let wanted = wanted.trim();
        let by_key: Vec<&Column> = self.columns.iter().filter(|c| c.key == wanted).collect();
        if !by_key.is_empty() {
            return by_key;
        }
        let by_text: Vec<&Column> = self.columns.iter().filter(|c| c.text == wanted).collect();
        if !by_text.is_empty() {
            return by_text;
        }
        let norm = crate::schema::normalise_label(wanted);
        self.columns
            .iter()
            .filter(|c| crate::schema::normalise_label(&c.key) == norm)
            .collect()
    }

    /// Up to three column keys that look like `wanted`, for "did you mean" hints.
    pub fn suggest(&self, wanted: &str) -> Vec<String> {
        let squash = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let exactish: Vec<String> = self
            .columns
            .iter()
            .filter(|c| !c.key.is_empty() && squash(&c.key) == squash(wanted))
            .map(|c| c.key.clone())
            .collect();
        if !exactish.is_empty() {
            return exactish;
        }
        let w = crate::schema::normalise_label(wanted);
        let mut scored: Vec<(usize, &str)> = self
            .columns
            .iter()
            .filter(|c| !c.key.is_empty())
            .map(|c| {
                let k = crate::schema::normalise_label(&c.key);
                let d = strsim::levenshtein(&w, &k);
                let d = if k.contains(&w) || w.contains(&k) {
                    d.min(2)
                } else {
                    d
                };
                (d, c.key.as_str())
            })
            .filter(|(d, k)| *d <= 3.max(k.len() / 4))
            .collect();
        scored.sort();
        scored.dedup_by(|a, b| a.1 == b.1);
        scored
            .into_iter()
            .take(3)
            .map(|(_, k)| k.to_string())
            .collect()
    }
}

/// The longest field the importer takes, in bytes. Survey comments are far shorter; a longer
/// field is a quote left open that swallowed the rows after it, or text that should not be
/// stored, and its row is rejected.
pub const MAX_FIELD_BYTES: usize = 10_000;

/// A record that ran on across the rows after it because a quote was left open (a stray `"`
/// in a comment): the file's physical lines that the record took, each a row of the file.
///
/// `span` is the record's raw text as it stands in the file. The record is a runaway when a
/// line after its first holds a whole row (at least as many delimiters as the header has
/// columns, less one): a comment written over several lines does not. Returns, for each
/// line that holds a row (the first always), its offset from the record's first line and
/// the value in the response-id column as far as it can be read (`""` when it cannot).
pub fn runaway_rows(
    span: &str,
    delimiter: u8,
    n_cols: usize,
    id_col: usize,
) -> Option<Vec<(u64, String)>> {
    if n_cols < 3 {
        return None;
    }
    // A record's span starts at the end of the previous record's line ending (CRLF files).
    let body = span
        .trim_start_matches(['\r', '\n'])
        .trim_end_matches(['\r', '\n']);
    let delim = char::from(delimiter);
    let looks_like_row = |l: &str| l.matches(delim).count() + 1 >= n_cols;
    let mut rows = Vec::new();
    for (k, line) in body.split('\n').enumerate() {
        if k == 0 || looks_like_row(line) {
            let id = line
                .trim_end_matches('\r')
                .split(delim)
                .nth(id_col)
                .map_or_else(String::new, |f| {
                    f.trim().trim_matches('"').trim().to_string()
                });
            rows.push((k as u64, id));
        }
    }
    (rows.len() > 1).then_some(rows)
}

/// The first four rows of the text (the header rows and the first data row), with the line
/// each starts on.
fn first_rows(
    file: &Path,
    text: &str,
    delim: u8,
) -> Result<(Vec<Vec<String>>, Vec<u64>), ImportError> {
    let mut rdr = reader(text, delim);
    let mut head: Vec<Vec<String>> = Vec::with_capacity(4);
    let mut positions = Vec::with_capacity(4);
    let mut rec = csv::StringRecord::new();
    let mut lines = LineCounter::new(text);
    for _ in 0..4 {
        match rdr.read_record(&mut rec) {
            Ok(true) => {
                positions.push(lines.line_of(&rec));
                head.push(rec.iter().map(str::to_string).collect());
            }
            Ok(false) => break,
            Err(e) => {
                return Err(ImportError::Csv {
                    file: file.to_path_buf(),
                    line: e.position().map_or(0, |p| p.line()),
                    message: e.to_string(),
                });
            }
        }
    }
    Ok((head, positions))
}

/// A file's text: a spreadsheet's sheet, or delimited text decoded; files that are neither
/// (a PDF, an archive...) are named for what they are.
pub fn read_text(
    file: &Path,
    encoding: EncodingChoice,
    sheet: Option<&str>,
) -> Result<Decoded, ImportError> {
    let bytes = std::fs::read(file).map_err(|source| ImportError::Read {
        file: file.to_path_buf(),
        source,
    })?;
    if super::spss::is_sav(&bytes) {
        let text = super::spss::read(bytes).map_err(|problem| ImportError::Workbook {
            file: file.to_path_buf(),
            problem,
        })?;
        return Ok(Decoded {
            text,
            encoding: TextEncoding::Spss,
            had_bom: false,
            how: "value labels read as answers".into(),
        });
    }
    if let Some(kind) = super::workbook::kind(file, &bytes) {
        let sheet =
            super::workbook::read(kind, bytes, sheet).map_err(|problem| ImportError::Workbook {
                file: file.to_path_buf(),
                problem,
            })?;
        return Ok(super::decode::from_sheet(sheet));
    }
    if let Some(what) = super::decode::not_data(&bytes) {
        return Err(ImportError::Unsupported {
            file: file.to_path_buf(),
            what,
        });
    }
    decode(bytes, encoding).map_err(|e| ImportError::Decode {
        file: file.to_path_buf(),
        error: e,
    })
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// Line numbers of records, counted from byte offsets. (The csv crate's own line counter is
/// one behind on CRLF files, because a record ends at `\r` and its `\n` is counted with the
/// next record; Excel and SurveyMonkey write CRLF.) Offsets must be asked in increasing order.
pub struct LineCounter<'a> {
    text: &'a [u8],
    pos: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    pub fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    /// The 1-based line on which the record starting at `byte` begins.
    pub fn line_of(&mut self, record: &csv::StringRecord) -> u64 {
        let mut at = record.position().map_or(0, |p| p.byte()) as usize;
        // Skip the rest of the previous terminator and any blank lines.
        while at < self.text.len() && matches!(self.text[at], b'\r' | b'\n') {
            at += 1;
        }
        let at = at.max(self.pos).min(self.text.len());
        self.line += self.text[self.pos..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.pos = at;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stray_quote_that_swallows_rows_is_found_with_each_row() {
        let span = "R1,A,\"It's \"\"fine, Agree\r\nR2,B,ok,Agree\r\nR3,A,\"x\",Agree\r\n";
        assert_eq!(
            runaway_rows(span, b',', 4, 0),
            Some(vec![(0, "R1".into()), (1, "R2".into()), (2, "R3".into())])
        );
    }

    #[test]
    fn a_comment_over_several_lines_is_not_a_runaway() {
        let span = "\nR1,A,\"First line,\nsecond line\nthird\",Agree\r\n";
        assert_eq!(runaway_rows(span, b',', 4, 0), None);
    }
}
