use super::*;

#[test]
fn calibration_puts_the_positive_share_where_asked() {
    // P(latent > cut) for a person with the average location must equal p.
    let sd = (PERSON_SD * PERSON_SD + NOISE_SD * NOISE_SD).sqrt();
    let n = StatNormal::standard();
    for p in [0.33, 0.5, 0.86] {
        let mu = location_for(p);
        let got = 1.0 - n.cdf((CUTS[2] - mu) / sd);
        assert!((got - p).abs() < 1e-9, "{p} -> {got}");
    }
}

#[test]
fn relative_paths() {
    assert_eq!(
        relative_path(
            Path::new("/a/b/sample-data"),
            Path::new("/a/b/schemas/x.toml")
        ),
        PathBuf::from("../schemas/x.toml")
    );
}
