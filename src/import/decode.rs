//! Bytes → text. Vendors and Excel round-trips deliver UTF-8 (with or without a BOM),
//! UTF-16 (Excel's "Unicode text") and Windows-1252. Decoding is strict: an undecodable byte
//! stops the import with its line and column, never a silent replacement character.

use crate::config::EncodingChoice;
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Windows1252,
    /// Not text: a spreadsheet's sheet, written out as UTF-8 comma-separated text.
    Sheet(super::workbook::Kind),
    /// Not text: an SPSS data file, written out the same way.
    Spss,
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Windows1252 => "windows-1252",
            TextEncoding::Sheet(super::workbook::Kind::Xlsx) => "xlsx",
            TextEncoding::Sheet(super::workbook::Kind::Xls) => "xls",
            TextEncoding::Sheet(super::workbook::Kind::Ods) => "ods",
            TextEncoding::Spss => "sav",
        })
    }
}

/// What was decoded and how it was recognised (reported to the analyst).
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    pub encoding: TextEncoding,
    pub had_bom: bool,
    /// How the encoding was chosen, in words ("byte-order mark", "forced in config", ...), or
    /// for a spreadsheet which sheet was read.
    pub how: String,
}

/// A spreadsheet's sheet as the importer reads text.
pub fn from_sheet(sheet: super::workbook::Sheet) -> Decoded {
    let mut how = format!("sheet \"{}\"", sheet.name);
    if let Some(first) = &sheet.first_formula {
        how.push_str(&format!(
            "; {} formula cell(s) read as their last computed values (first {first})",
            sheet.formulas
        ));
    }
    Decoded {
        text: sheet.text,
        encoding: TextEncoding::Sheet(sheet.kind),
        had_bom: false,
        how,
    }
}

/// What a file that is neither text nor a spreadsheet is, from its first bytes: a PDF, an
/// archive, a JSON document, an SPSS or Stata file...
pub fn not_data(bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(8)];
    let text_start = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace() && **b != 0xEF && **b != 0xBB && **b != 0xBF);
    if head.starts_with(b"%PDF") {
        Some("the file is a PDF document")
    } else if head.starts_with(b"PK\x03\x04") {
        Some(
            "the file is a zip archive that holds no spreadsheet (unzip it and import the file inside)",
        )
    } else if head.starts_with(&[0x1F, 0x8B])
        || head.starts_with(b"7z\xBC\xAF")
        || head.starts_with(b"Rar!")
    {
        Some("the file is a compressed archive (unpack it and import the file inside)")
    } else if head.starts_with(b"\x89PNG") || head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("the file is an image")
    } else if head.starts_with(b"$FL2") || head.starts_with(b"$FL3") {
        Some(
            "the file is an SPSS data file (.sav), which this version does not read (in SPSS: File → Export → CSV, with value labels)",
        )
    } else if matches!(text_start, Some(b'{')) {
        Some("the file is a JSON document")
    } else if head.starts_with(b"<?xml")
        || head.starts_with(b"<html")
        || head.starts_with(b"<!DOCTYPE")
    {
        Some("the file is an XML or HTML document")
    } else {
        None
    }
}

/// Why bytes could not be turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub line: usize,
    pub column: usize,
    pub encoding: TextEncoding,
    pub detail: String,
    pub hint: String,
}

fn bom(bytes: &[u8]) -> Option<(TextEncoding, usize)> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        Some((TextEncoding::Utf8, 3))
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        Some((TextEncoding::Utf16Le, 2))
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        Some((TextEncoding::Utf16Be, 2))
    } else {
        None
    }
}

/// UTF-16 without a BOM shows as many NUL bytes, all at odd (LE) or even (BE) offsets.
fn looks_like_bomless_utf16(bytes: &[u8]) -> Option<TextEncoding> {
    let head = &bytes[..bytes.len().min(4096)];
    if head.len() < 4 {
        return None;
    }
    let even = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let half = head.len() / 2;
    if odd * 10 > half * 6 && even * 10 < half {
        Some(TextEncoding::Utf16Le)
    } else if even * 10 > half * 6 && odd * 10 < half {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// Line and column (1-based, in characters) of byte offset `at` in text that is valid up to it.
fn position(valid_prefix: &str) -> (usize, usize) {
    let line = valid_prefix.matches('\n').count() + 1;
    let col = valid_prefix
        .rsplit('\n')
        .next()
        .map_or(0, |l| l.chars().count())
        + 1;
    (line, col)
}

fn encoding_rs_of(e: TextEncoding) -> &'static Encoding {
    match e {
        TextEncoding::Utf8 => encoding_rs::UTF_8,
        TextEncoding::Utf16Le => UTF_16LE,
        TextEncoding::Utf16Be => UTF_16BE,
        TextEncoding::Windows1252 | TextEncoding::Sheet(_) | TextEncoding::Spss => WINDOWS_1252,
    }
}

fn decode_utf8(bytes: Vec<u8>, start: usize) -> Result<String, DecodeError> {
    let mut bytes = bytes;
    if start > 0 {
        bytes.drain(..start);
    }
    String::from_utf8(bytes).map_err(|e| {
        let err = e.utf8_error();
        let bytes = e.as_bytes();
        let at = err.valid_up_to();
        let prefix = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        let (line, column) = position(prefix);
        let bad: Vec<String> = bytes[at..bytes.len().min(at + err.error_len().unwrap_or(1))]
            .iter()
            .map(|b| format!("0x{b:02X}"))
            .collect();
        DecodeError {
            line,
            column,
            encoding: TextEncoding::Utf8,
            detail: format!("byte {} is not valid UTF-8", bad.join(" ")),
            hint: "if the file was saved from Excel as plain \"CSV\", set encoding = \"windows-1252\" \
                   for this wave; if it is meant to be UTF-8, the file is damaged: ask the vendor to re-export it"
                .into(),
        }
    })
}

fn decode_utf16(bytes: &[u8], start: usize, enc: TextEncoding) -> Result<String, DecodeError> {
    let body = &bytes[start..];
    let encoding = encoding_rs_of(enc);
    if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(body)
        && body.len().is_multiple_of(2)
    {
        return Ok(text.into_owned());
    }
    // Find where it went wrong by decoding with replacement characters.
    let (lossy, _) = encoding.decode_without_bom_handling(body);
    let at = lossy.find('\u{FFFD}').unwrap_or(lossy.len());
    let (line, column) = position(&lossy[..at]);
    Err(DecodeError {
        line,
        column,
        encoding: enc,
        detail: if body.len() % 2 == 1 {
            "the file has an odd number of bytes, so it is not complete UTF-16".into()
        } else {
            "an unpaired UTF-16 surrogate".into()
        },
        hint: "the file looks truncated or damaged: ask for a fresh export, or re-save it from Excel as \"CSV UTF-8\"".into(),
    })
}

/// A file that is not valid UTF-8 but holds UTF-8 characters (multi-byte sequences) after
/// its first invalid byte: the error names both places.
fn mixed_encodings(bytes: &[u8]) -> Option<DecodeError> {
    let mut offset = 0;
    let mut first_bad: Option<usize> = None;
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        if first_bad.is_some()
            && let Some((i, c)) = valid.char_indices().find(|(_, c)| !c.is_ascii())
        {
            let bad = first_bad.unwrap_or(0);
            let lossy = String::from_utf8_lossy(&bytes[..bad]);
            let (line, column) = position(&lossy);
            let good = String::from_utf8_lossy(&bytes[..offset + i]);
            let (good_line, good_column) = position(&good);
            return Some(DecodeError {
                line,
                column,
                encoding: TextEncoding::Utf8,
                detail: format!(
                    "byte 0x{:02X} is not UTF-8, but line {good_line}, column {good_column} holds the UTF-8 character {c:?}: \
                     the file mixes two encodings, so reading it as either would garble part of it",
                    bytes[bad]
                ),
                hint: "re-save the whole file as \"CSV UTF-8\" in Excel, or ask the vendor for a fresh export; \
                       set encoding = \"windows-1252\" or \"utf-8\" for this wave only if you have checked the text"
                    .into(),
            });
        }
        offset += valid.len();
        if !chunk.invalid().is_empty() && first_bad.is_none() {
            first_bad = Some(offset);
        }
        offset += chunk.invalid().len();
    }
    None
}

/// Decode a whole file. `choice` is the wave's `encoding` setting.
pub fn decode(bytes: Vec<u8>, choice: EncodingChoice) -> Result<Decoded, DecodeError> {
    let detected_bom = bom(&bytes);
    let forced = match choice {
        EncodingChoice::Auto => None,
        EncodingChoice::Utf8 => Some(TextEncoding::Utf8),
        EncodingChoice::Utf16Le => Some(TextEncoding::Utf16Le),
        EncodingChoice::Utf16Be => Some(TextEncoding::Utf16Be),
        EncodingChoice::Windows1252 => Some(TextEncoding::Windows1252),
    };
    if let (Some(f), Some((b, _))) = (forced, detected_bom)
        && f != b
    {
        return Err(DecodeError {
            line: 1,
            column: 1,
            encoding: f,
            detail: format!(
                "the file starts with a {b} byte-order mark but encoding = \"{f}\" is set"
            ),
            hint: format!("set encoding = \"{b}\" (or \"auto\") for this wave"),
        });
    }
    let (encoding, start, how) = match (forced, detected_bom) {
        (_, Some((b, len))) => (b, len, "byte-order mark"),
        (Some(f), None) => (f, 0, "set in config"),
        (None, None) => {
            if let Some(e) = looks_like_bomless_utf16(&bytes) {
                (e, 0, "detected: UTF-16 without byte-order mark")
            } else {
                match std::str::from_utf8(&bytes) {
                    Ok(_) => (TextEncoding::Utf8, 0, "detected: valid UTF-8"),
                    Err(e) => {
                        // Valid multi-byte UTF-8 before the bad byte means a damaged UTF-8
                        // file, not a Windows-1252 one: say so rather than decode garbage.
                        let prefix = &bytes[..e.valid_up_to()];
                        if prefix.iter().any(|&b| b >= 0x80) {
                            return decode_utf8(bytes, 0).map(|_| unreachable!());
                        }
                        // UTF-8 characters after it mean a mixed file (a UTF-8 export edited
                        // in a Windows-1252 tool): reading it either way garbles part of it.
                        if let Some(err) = mixed_encodings(&bytes) {
                            return Err(err);
                        }
                        (
                            TextEncoding::Windows1252,
                            0,
                            "detected: not valid UTF-8, read as Windows-1252",
                        )
                    }
                }
            }
        }
    };
    let text = match encoding {
        TextEncoding::Utf8 => decode_utf8(bytes, start)?,
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => decode_utf16(&bytes, start, encoding)?,
        TextEncoding::Sheet(_) | TextEncoding::Spss => String::new(), // never chosen from bytes
        TextEncoding::Windows1252 => {
            // Every byte has a meaning in Windows-1252 as encoding_rs implements it (WHATWG).
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(&bytes[start..]);
            text.into_owned()
        }
    };
    Ok(Decoded {
        text,
        encoding,
        had_bom: detected_bom.is_some(),
        how: how.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_byte_before_utf8_text_is_an_error_not_mojibake() {
        // 0x92 (Windows-1252 apostrophe) on line 2, then "é" as UTF-8 on line 3.
        let bytes = b"id,comment\n1,don\x92t\n2,caf\xC3\xA9\n".to_vec();
        let e = decode(bytes, EncodingChoice::Auto).unwrap_err();
        assert_eq!((e.line, e.column), (2, 6));
        assert!(
            e.detail.contains("line 3, column 6") && e.detail.contains("mixes two encodings"),
            "{}",
            e.detail
        );
        // Plain Windows-1252 is still read as such, and forcing it is honoured.
        let plain = b"id,comment\n1,don\x92t\n2,caf\xE9\n".to_vec();
        assert_eq!(
            decode(plain, EncodingChoice::Auto).unwrap().text,
            "id,comment\n1,don\u{2019}t\n2,caf\u{e9}\n"
        );
        let forced = b"1,don\x92t caf\xC3\xA9".to_vec();
        assert!(decode(forced, EncodingChoice::Windows1252).is_ok());
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let d = decode(b"\xEF\xBB\xBFa,b\n".to_vec(), EncodingChoice::Auto).unwrap();
        assert_eq!(d.text, "a,b\n");
        assert_eq!(d.encoding, TextEncoding::Utf8);
        assert!(d.had_bom);
    }

    #[test]
    fn utf16le_and_be_with_bom() {
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in "Don\u{2019}t know\n".encode_utf16() {
            le.extend(u.to_le_bytes());
            be.extend(u.to_be_bytes());
        }
        assert_eq!(
            decode(le, EncodingChoice::Auto).unwrap().text,
            "Don\u{2019}t know\n"
        );
        assert_eq!(
            decode(be, EncodingChoice::Auto).unwrap().text,
            "Don\u{2019}t know\n"
        );
    }

    #[test]
    fn windows_1252_is_detected_when_not_utf8() {
        // 0x92 is the curly apostrophe in Windows-1252.
        let d = decode(
            b"Chief Executive\x92s Office\n".to_vec(),
            EncodingChoice::Auto,
        )
        .unwrap();
        assert_eq!(d.text, "Chief Executive\u{2019}s Office\n");
        assert_eq!(d.encoding, TextEncoding::Windows1252);
    }

    #[test]
    fn damaged_utf8_is_an_error_with_position_not_mojibake() {
        let mut bytes = "a,b\nCaf\u{e9},x\nbad ".as_bytes().to_vec();
        bytes.extend(b"\x92 byte\n");
        let err = decode(bytes, EncodingChoice::Auto).unwrap_err();
        assert_eq!((err.line, err.column), (3, 5));
        assert!(err.detail.contains("0x92"), "{err:?}");
    }

    #[test]
    fn forced_utf8_on_windows_1252_bytes_fails_with_a_hint() {
        let err = decode(b"x\n\x92\n".to_vec(), EncodingChoice::Utf8).unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(err.hint.contains("windows-1252"));
    }

    #[test]
    fn bom_that_contradicts_forced_encoding_is_an_error() {
        let err = decode(b"\xFF\xFEa\x00".to_vec(), EncodingChoice::Utf8).unwrap_err();
        assert!(err.detail.contains("utf-16le byte-order mark"), "{err:?}");
    }

    #[test]
    fn bomless_utf16_is_recognised() {
        let mut le = Vec::new();
        for u in "ID,Q1\n1,Agree\n".encode_utf16() {
            le.extend(u.to_le_bytes());
        }
        let d = decode(le, EncodingChoice::Auto).unwrap();
        assert_eq!(d.text, "ID,Q1\n1,Agree\n");
        assert_eq!(d.encoding, TextEncoding::Utf16Le);
    }
}
