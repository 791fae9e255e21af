use super::*;
use crate::config::{DelimiterChoice, EncodingChoice, Filters, LayoutChoice};
use proptest::prelude::*;

const BODY: &str = r#"
[[questions]]
id = "Q1"
text = "Q1"
type = "likert"
scale = "agree5"
[[questions]]
id = "Q2"
text = "Q2"
type = "likert"
scale = "agree5"
[[demographics]]
id = "dir"
label = "Directorate"
categories = ["A", "B"]
"#;

/// What a generated row should end as.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Valid,
    Ragged,
    Preview,
    Unfinished,
    MissingId,
    Duplicate,
    UnknownAnswer,
    UnknownCategory,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        6 => Just(Kind::Valid),
        1 => Just(Kind::Ragged),
        1 => Just(Kind::Preview),
        1 => Just(Kind::Unfinished),
        1 => Just(Kind::MissingId),
        1 => Just(Kind::Duplicate),
        1 => Just(Kind::UnknownAnswer),
        1 => Just(Kind::UnknownCategory),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Every input row ends as accepted or with exactly the reason its defect calls for.
    #[test]
    fn every_row_is_accounted_for(kinds in proptest::collection::vec(kind(), 1..80), quote in any::<bool>()) {
        let schema = crate::schema::testing::schema(BODY);
        let mut text = String::from("id,status,finished,dir,q1,q2\n");
        let mut expected: BTreeMap<Reason, usize> = BTreeMap::new();
        let mut valid_ids: Vec<String> = Vec::new();
        for (i, k) in kinds.iter().enumerate() {
            let id = format!("R{i}");
            let q1 = if quote { "\"Agree\"" } else { "Agree" };
            let (line, reason) = match k {
                Kind::Valid => (format!("{id},ok,1,A,{q1},Disagree"), Reason::Accepted),
                Kind::Ragged => (format!("{id},ok,1,A,Agree"), Reason::RaggedRow),
                Kind::Preview => (format!("{id},preview,1,A,Agree,Agree"), Reason::PreviewOrTest),
                Kind::Unfinished => (format!("{id},ok,0,A,Agree,"), Reason::Incomplete),
                Kind::MissingId => (",ok,1,B,Agree,Agree".to_string(), Reason::MissingResponseId),
                Kind::Duplicate => match valid_ids.first() {
                    Some(first) => (format!("{first},ok,1,B,Agree,Agree"), Reason::DuplicateResponseId),
                    None => (format!("{id},ok,1,A,Agree,Agree"), Reason::Accepted),
                },
                Kind::UnknownAnswer => (format!("{id},ok,1,A,Agree strongly,Agree"), Reason::UnknownAnswer),
                Kind::UnknownCategory => (format!("{id},ok,1,Z,Agree,Agree"), Reason::UnknownCategory),
            };
            if matches!(reason, Reason::Accepted | Reason::UnknownAnswer | Reason::UnknownCategory) {
                // These ids are registered as seen, so later duplicates of them are caught.
                valid_ids.push(id);
            }
            text.push_str(&line);
            text.push('\n');
            *expected.entry(reason).or_default() += 1;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.csv");
        std::fs::write(&file, &text).unwrap();
        let wave = Wave {
            fieldwork: None,
            id: "w".into(),
            file,
            layout: LayoutChoice::Plain,
            encoding: EncodingChoice::Auto,
            delimiter: DelimiterChoice::Auto,
            sheet: None,
            headcount: None,
            comment_codes: None,
            response_id: "id".into(),
            filters: Filters {
                test_column: Some("status".into()),
                test_values: vec!["preview".into()],
                finished_column: Some("finished".into()),
                finished_values: vec!["1".into()],
                min_answered: None,
            },
            columns: vec![("dir".into(), "dir".into()), ("Q1".into(), "q1".into()), ("Q2".into(), "q2".into())],
            keep: Vec::new(),
        };
        let got = import_wave(&schema, &wave).unwrap();
        prop_assert_eq!(got.rows_in, kinds.len());
        prop_assert_eq!(got.counts.values().sum::<usize>(), got.rows_in);
        prop_assert_eq!(got.accepted(), expected.get(&Reason::Accepted).copied().unwrap_or(0));
        expected.entry(Reason::Accepted).or_insert(0);
        prop_assert_eq!(&got.counts, &expected);
        prop_assert_eq!(got.rows.len(), got.rows_in - got.accepted(), "one row-level entry per set-aside row");
    }
}

/// A wave over `file` with the plain mini mapping (no filters).
fn plain_wave(file: std::path::PathBuf) -> Wave {
    Wave {
        fieldwork: None,
        id: "w".into(),
        file,
        layout: LayoutChoice::Auto,
        encoding: EncodingChoice::Auto,
        delimiter: DelimiterChoice::Auto,
        sheet: None,
        headcount: None,
        comment_codes: None,
        response_id: "id".into(),
        filters: Filters::default(),
        columns: vec![
            ("dir".into(), "dir".into()),
            ("Q1".into(), "q1".into()),
            ("Q2".into(), "q2".into()),
        ],
        keep: Vec::new(),
    }
}

/// Import `bytes` as an export: an error is fine, a panic or a lost row is not.
fn import_bytes(bytes: &[u8]) -> Result<WaveImport, ImportError> {
    let schema = crate::schema::testing::schema(BODY);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.csv");
    std::fs::write(&file, bytes).unwrap();
    import_wave(&schema, &plain_wave(file))
}

/// One damage done to a valid export: bytes inserted, deleted or replaced, with the
/// characters that break CSVs most (quotes, delimiters, line ends, NUL, a Windows-1252
/// byte, a UTF-8 character, a BOM).
fn damage() -> impl Strategy<Value = (usize, u8, Vec<u8>)> {
    let nasty = prop_oneof![
        Just(b"\"".to_vec()),
        Just(b",".to_vec()),
        Just(b";".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(vec![0u8]),
        Just(vec![0x92u8]),
        Just("é".as_bytes().to_vec()),
        Just(vec![0xEF, 0xBB, 0xBF]),
        Just(b"=HYPERLINK(\"x\")".to_vec()),
        proptest::collection::vec(any::<u8>(), 1..6),
    ];
    (any::<usize>(), 0u8..3, nasty)
}

proptest! {
    // Bounded: a few seconds in CI (the corpus below keeps what earlier runs found).
    #![proptest_config(ProptestConfig::with_cases(200))]
    /// The importer's fuzz target: damaged exports never panic, and every row the file
    /// holds is accounted for (accepted, excluded or rejected with a reason).
    #[test]
    fn damaged_exports_never_panic_and_lose_no_row(
        rows in 1usize..30,
        damages in proptest::collection::vec(damage(), 1..6),
    ) {
        let mut bytes = b"id,dir,q1,q2,comment\n".to_vec();
        for i in 0..rows {
            bytes.extend_from_slice(format!("R{i},A,Agree,Disagree,\"fine, thanks\"\n").as_bytes());
        }
        for (at, op, insert) in damages {
            let at = at % (bytes.len() + 1);
            match op {
                0 => {
                    bytes.splice(at..at, insert);
                }
                1 => {
                    let end = (at + insert.len()).min(bytes.len());
                    bytes.drain(at..end);
                }
                _ => {
                    let end = (at + insert.len()).min(bytes.len());
                    bytes.splice(at..end, insert);
                }
            }
        }
        if let Ok(got) = import_bytes(&bytes) {
            prop_assert_eq!(got.counts.values().sum::<usize>(), got.rows_in);
            prop_assert_eq!(got.rows.len(), got.rows_in - got.accepted());
        }
    }
}

/// The committed corpus (`tests/fuzz-corpus/`): inputs that broke earlier versions or
/// that the fuzz target should always meet.
#[test]
fn fuzz_corpus_never_panics_and_loses_no_row() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        if let Ok(got) = import_bytes(&bytes) {
            assert_eq!(
                got.counts.values().sum::<usize>(),
                got.rows_in,
                "{}",
                path.display()
            );
        }
        seen += 1;
    }
    assert!(seen >= 8, "the corpus is there: {seen} files");
}
