use super::*;

#[test]
fn pairs_latest_with_previous_and_baseline() {
    let w = |v: &[&str]| v.iter().map(|&s| WaveId::from(s)).collect::<Vec<_>>();
    let base = WaveId::from("2025");
    let p = pairs(&w(&["2025", "2026", "2027"]), &base);
    assert_eq!(p.len(), 2);
    assert_eq!(
        (p[0].comparison, p[0].from.as_str(), p[0].to.as_str()),
        (Comparison::SincePrevious, "2026", "2027")
    );
    assert_eq!(
        (p[1].comparison, p[1].from.as_str(), p[1].to.as_str()),
        (Comparison::SinceBaseline, "2025", "2027")
    );
    // Two waves: previous and baseline are the same pair, tested once with both roles.
    let two = pairs(&w(&["2025", "2026"]), &base);
    assert_eq!(two.len(), 2);
    let one = distinct(&two);
    assert_eq!(one.len(), 1);
    assert_eq!(
        one[0].0,
        Roles {
            previous: true,
            baseline: true
        }
    );
    assert_eq!(one[0].0.code(), "since_previous_and_baseline");
    assert!(pairs(&w(&["2025"]), &base).is_empty());
}
