use super::*;

#[test]
fn a_yes_rate_must_say_which_way_is_good() {
    let body = |direction: &str| {
        format!(
            r#"[survey]
id = "s"
title = "S"
version = "1"
[[scales]]
id = "yn"
answers = [{{ code = 1, label = "Yes", group = "positive" }}, {{ code = 2, label = "No", group = "negative" }}]
[[questions]]
id = "E01"
text = "Have you had an appraisal?"
type = "yes-no"
scale = "yn"
[[indicators]]
id = "appraised"
label = "Had an appraisal"
method = "yes-rate"
items = ["E01"]
{direction}
"#
        )
    };
    let err = Schema::from_toml(Path::new("s.toml"), &body("")).unwrap_err();
    assert!(
        err.to_string()
            .contains("indicators (appraised): a yes-rate is good news or bad news"),
        "{err}"
    );
    let s = Schema::from_toml(
        Path::new("s.toml"),
        &body("direction = \"higher-is-better\""),
    )
    .unwrap();
    assert_eq!(s.indicators[0].direction, Direction::HigherIsBetter);
    assert_eq!(
        s.questions[0].direction,
        Direction::HigherIsBetter,
        "questions default"
    );
}

const MINI_BODY: &str = r#"
[[scales]]
id = "yesno"
answers = [
  { code = 1, label = "Yes", group = "positive" },
  { code = 2, label = "No", group = "negative" },
  { code = 3, label = "Prefer not to say", group = "excluded" },
]

[[questions]]
id = "S01"
text = "I am proud"
type = "likert"
scale = "agree5"

[[questions]]
id = "E01"
text = "Bullied?"
type = "yes-no"
scale = "yesno"
reverse_keyed = true

[[demographics]]
id = "directorate"
label = "Directorate"
categories = ["Resources", "Chief Executive's Office"]
aliases = { "CEO" = "Chief Executive's Office" }

[[indicators]]
id = "engagement"
label = "Engagement"
method = "index-0-100"
items = ["S01"]
"#;

fn mini_text() -> String {
    format!(
        "[survey]\nid = \"mini\"\ntitle = \"Mini\"\nversion = \"1\"\n{}\n{MINI_BODY}",
        super::testing::AGREE5
    )
}

fn mini() -> Schema {
    Schema::from_toml(Path::new("mini.toml"), &mini_text()).unwrap()
}

#[test]
fn labels_aliases_and_codes_map_to_codes() {
    let s = mini();
    let scale = &s.scales[0];
    assert_eq!(scale.code_of("Agree"), Some(4));
    assert_eq!(scale.code_of("  strongly   AGREE "), Some(5));
    assert_eq!(scale.code_of("Neither agree or disagree"), Some(3));
    assert_eq!(scale.code_of("Don\u{2019}t know"), Some(9));
    assert_eq!(scale.code_of("4"), Some(4));
    assert_eq!(scale.code_of("7"), None, "7 is not a code of the scale");
    assert_eq!(scale.code_of("Agree strongly"), None, "never guessed");
}

#[test]
fn reverse_keyed_questions_swap_positive_and_negative() {
    let s = mini();
    let e01 = &s.questions[1];
    assert_eq!(s.scored_group(e01, 1), Some(AnswerGroup::Negative));
    assert_eq!(s.scored_group(e01, 2), Some(AnswerGroup::Positive));
    assert_eq!(s.scored_group(e01, 3), Some(AnswerGroup::Excluded));
}

#[test]
fn demographic_aliases_and_case_map_to_categories() {
    let s = mini();
    let d = &s.demographics[0];
    assert_eq!(d.category_of("CEO"), Some(1));
    assert_eq!(d.category_of("Chief Executive\u{2019}s office"), Some(1));
    assert_eq!(d.category_of("Finance"), None);
}

#[test]
fn schema_typos_are_all_reported_at_once() {
    let bad = mini_text()
        .replace("reverse_keyed = true", "reverse_keyd = true")
        .replace("scale = \"agree5\"", "scale = \"agree7\"")
        .replace("items = [\"S01\"]", "items = [\"S99\"]")
        + "\n[extras]\nx = 1\n";
    let err = Schema::from_toml(Path::new("bad.toml"), &bad).unwrap_err();
    let text = err.to_string();
    assert_eq!(err.problems.len(), 4, "{text}");
    assert!(text.contains("unknown section or key `extras`"), "{text}");
    assert!(
        text.contains("questions[1] (E01): unknown field `reverse_keyd`"),
        "{text}"
    );
    assert!(
        text.contains("questions (S01): unknown scale `agree7`"),
        "{text}"
    );
    assert!(
        text.contains("indicators (engagement): unknown question `S99`"),
        "{text}"
    );
}

#[test]
fn normalise_label_folds_case_space_and_typography() {
    assert_eq!(normalise_label("  Don\u{2019}t   Know "), "don't know");
    assert_eq!(normalise_label("0 \u{2013} Not at all"), "0 - not at all");
}
