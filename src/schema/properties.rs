use super::*;
use proptest::prelude::*;

proptest! {
    /// Case and spacing never change which answer a label means.
    #[test]
    fn case_and_spacing_do_not_change_the_code(
        idx in 0usize..6,
        upper in proptest::collection::vec(any::<bool>(), 40),
        pad in 0usize..3,
    ) {
        let s = tests_schema();
        let scale = &s.scales[0];
        let a = &scale.answers[idx];
        let varied: String = a
            .label
            .chars()
            .zip(upper.iter().cycle())
            .map(|(c, &u)| if u { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
            .collect::<String>()
            .replace(' ', &" ".repeat(pad + 1));
        let padded = format!("{}{varied}{}", " ".repeat(pad), " ".repeat(pad));
        prop_assert_eq!(scale.code_of(&padded), Some(a.code));
    }
}

fn tests_schema() -> Schema {
    super::testing::schema(
        "[[questions]]\nid = \"Q\"\ntext = \"Q\"\ntype = \"likert\"\nscale = \"agree5\"\n",
    )
}
