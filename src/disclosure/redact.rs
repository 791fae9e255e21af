//! Redaction of free-text comments before any is quoted (the deep dive's opt-in, internal
//! quotes file): email addresses, phone numbers, staff numbers and the names on a supplied
//! list are replaced by a marker. Names match whole words in any case, longest first, so
//! "Ann" in "Annex" survives and "Mary Ann Smith" goes whole.

use regex::{Regex, RegexBuilder};

pub struct Redactor {
    email: Regex,
    phone: Regex,
    staff: Regex,
    names: Option<Regex>,
}

/// What a redaction replaced, for the file's note.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Redacted {
    pub emails: usize,
    pub phones: usize,
    pub staff_numbers: usize,
    pub names: usize,
}

impl Redactor {
    /// `names`: people's names to remove (first names, surnames or full names).
    pub fn new(names: &[String]) -> Redactor {
        let mut names: Vec<String> = names
            .iter()
            .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|n| !n.is_empty())
            .collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
        names.dedup();
        let names = (!names.is_empty()).then(|| {
            let alts: Vec<String> = names
                .iter()
                .map(|n| {
                    n.split(' ')
                        .map(regex::escape)
                        .collect::<Vec<_>>()
                        .join(r"\s+")
                })
                .collect();
            RegexBuilder::new(&format!(r"\b(?:{})\b", alts.join("|")))
                .case_insensitive(true)
                .build()
                .expect("escaped names make a valid pattern")
        });
        Redactor {
            // Anything@anything.tld, including obfuscations with spaces around the @.
            email: Regex::new(r"[\w.+'-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\.[\w-]+)+")
                .expect("valid"),
            // UK and international numbers: 7+ digits with spaces, dots, dashes or brackets.
            phone: Regex::new(r"(?:\+\s*\d[\d\s().-]{6,}\d)|(?:\(?\d[\d\s().-]{5,}\d)")
                .expect("valid"),
            // Staff or payroll numbers: letters then digits (EMP12345, E-123456).
            staff: Regex::new(r"\b[A-Za-z]{1,4}-?\d{4,}\b").expect("valid"),
            names,
        }
    }

    /// The text with every email, phone number, staff number and listed name replaced.
    pub fn redact(&self, text: &str) -> (String, Redacted) {
        let mut r = Redacted::default();
        let mut out = self
            .email
            .replace_all(text, |_: &regex::Captures| {
                r.emails += 1;
                "[email]"
            })
            .into_owned();
        out = self
            .staff
            .replace_all(&out, |_: &regex::Captures| {
                r.staff_numbers += 1;
                "[staff number]"
            })
            .into_owned();
        out = self
            .phone
            .replace_all(&out, |c: &regex::Captures| {
                // Fewer than 7 digits is a year or an amount, not a phone number.
                if c[0].chars().filter(char::is_ascii_digit).count() >= 7 {
                    r.phones += 1;
                    "[phone]".to_string()
                } else {
                    c[0].to_string()
                }
            })
            .into_owned();
        if let Some(names) = &self.names {
            out = names
                .replace_all(&out, |_: &regex::Captures| {
                    r.names += 1;
                    "[name]"
                })
                .into_owned();
        }
        (out, r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn names() -> Vec<String> {
        vec![
            "Ann".into(),
            "Mary Ann Smith".into(),
            "O'Neill".into(),
            "Cllr Patel".into(),
        ]
    }

    #[test]
    fn examples() {
        let r = Redactor::new(&names());
        let (t, n) = r.redact(
            "Ask Mary Ann Smith (mary.smith@council.gov.uk, 020 7946 0958) or Cllr  Patel; \
             my number is EMP12345. The Annex from 2025 says £1500.",
        );
        assert_eq!(
            t,
            "Ask [name] ([email], [phone]) or [name]; my number is [staff number]. The Annex from 2025 says £1500."
        );
        assert_eq!(
            n,
            Redacted {
                emails: 1,
                phones: 1,
                staff_numbers: 1,
                names: 2
            }
        );
        let (t, _) = r.redact("Call +44 (0)7700 900123 or ann at home, o'neill too");
        assert_eq!(t, "Call [phone] or [name] at home, [name] too");
    }

    /// An independent check of what must never survive.
    fn leaks(text: &str, names: &[String]) -> Option<String> {
        if text.contains('@') {
            return Some("an @".into());
        }
        let mut run = 0;
        for c in text.chars() {
            if c.is_ascii_digit() {
                run += 1;
                if run >= 7 {
                    return Some("7 digits in a row".into());
                }
            } else if !matches!(c, ' ' | '-' | '.' | '(' | ')') {
                run = 0;
            }
        }
        let lower = text.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !(c.is_alphanumeric() || c == '\''))
            .collect();
        for n in names {
            let n = n.to_lowercase();
            let parts: Vec<&str> = n.split_whitespace().collect();
            if words.windows(parts.len()).any(|w| w == parts.as_slice()) {
                return Some(format!("the name {n}"));
            }
        }
        None
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z]{1,8}",
            "[a-z]{1,6}(\\.[a-z]{1,6})?@[a-z]{1,6}\\.(gov\\.uk|com|org)",
            "0[0-9]{3} [0-9]{3} [0-9]{4}",
            "07[0-9]{3}[ -]?[0-9]{6}",
            "\\+44 \\(0\\)[0-9]{2} [0-9]{4} [0-9]{4}",
            "[0-9]{7,11}",
            Just("Ann".to_string()),
            Just("ANN".to_string()),
            Just("Mary Ann Smith".to_string()),
            Just("o'neill".to_string()),
            Just("Cllr Patel".to_string()),
            "[.,;:!?()]",
        ]
    }

    static REDACTOR: std::sync::LazyLock<Redactor> =
        std::sync::LazyLock::new(|| Redactor::new(&names()));

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn a_redacted_comment_never_holds_an_email_phone_number_or_listed_name(
            pieces in proptest::collection::vec(piece(), 1..20),
            seps in proptest::collection::vec(prop_oneof![Just(" "), Just(", "), Just("\n"), Just(" - ")], 20),
        ) {
            let text: String = pieces
                .iter()
                .zip(&seps)
                .map(|(p, s)| format!("{p}{s}"))
                .collect();
            let names = names();
            let (out, _) = REDACTOR.redact(&text);
            prop_assert!(leaks(&out, &names).is_none(), "{:?} -> {:?}: {:?}", text, out, leaks(&out, &names));
        }
    }
}
