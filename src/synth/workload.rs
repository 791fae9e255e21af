//! A national-scale benchmark workload (`culture-metrics generate --workload 1000000`): two
//! waves of a plain-CSV staff survey with 60 five-point items (answers as codes 1–5, 3% blank)
//! and 8 demographic fields, with a schema of 8 indicators and a config that breaks results down
//! by every field plus two two-way crosses. Seeded: the same arguments give the same bytes.
//!
//! It is the shape of a Civil Service People Survey or NHS Staff Survey supply (a numeric
//! export of a large organisation), not a council's vendor export: the council sample data is
//! what `generate` writes without `--workload`.
//!
//! With `--organisations K` the export holds K organisations (an `organisation` column, as a
//! Civil Service or NHS-wide supply does): sizes from large to small, the last one with only
//! six respondents (so disclosure control withholds it), each with its own climate. The
//! questions are mapped to the Civil Service People Survey items of the same number and the
//! shipped CSPS medians are written beside the config, so each organisation is compared with
//! the Civil Service median and with the median of the organisations.

use crate::report::WriteError;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Items in the workload.
pub const ITEMS: usize = 60;

/// A demographic field: id, label, categories with their shares.
type Field = (&'static str, &'static str, &'static [(&'static str, f64)]);

/// The demographic fields.
const FIELDS: [Field; 8] = [
    (
        "directorate",
        "Directorate",
        &[
            ("Corporate", 0.08),
            ("Finance", 0.10),
            ("Operations", 0.30),
            ("Digital", 0.12),
            ("Policy", 0.15),
            ("Legal", 0.05),
            ("People", 0.07),
            ("Regions", 0.13),
        ],
    ),
    (
        "grade",
        "Grade",
        &[
            ("AA-AO", 0.30),
            ("EO", 0.25),
            ("HEO-SEO", 0.25),
            ("G6-G7", 0.15),
            ("SCS", 0.05),
        ],
    ),
    ("line_manager", "Line manager", &[("Yes", 0.3), ("No", 0.7)]),
    (
        "sex",
        "Sex",
        &[
            ("Female", 0.52),
            ("Male", 0.44),
            ("Prefer not to say", 0.04),
        ],
    ),
    (
        "age_band",
        "Age band",
        &[
            ("16-24", 0.06),
            ("25-34", 0.22),
            ("35-44", 0.25),
            ("45-54", 0.25),
            ("55-64", 0.18),
            ("65 and over", 0.02),
            ("Prefer not to say", 0.02),
        ],
    ),
    (
        "ethnicity",
        "Ethnicity",
        &[
            ("Asian or Asian British", 0.10),
            ("Black or Black British", 0.06),
            ("Mixed", 0.03),
            ("White", 0.74),
            ("Other ethnic group", 0.02),
            ("Prefer not to say", 0.05),
        ],
    ),
    (
        "disability",
        "Disability",
        &[("Yes", 0.13), ("No", 0.82), ("Prefer not to say", 0.05)],
    ),
    (
        "work_pattern",
        "Work pattern",
        &[
            ("Full-time", 0.72),
            ("Part-time", 0.18),
            ("Compressed hours", 0.07),
            ("Job share", 0.03),
        ],
    ),
];

/// The shipped Civil Service People Survey medians (written beside a multi-organisation config).
const CSPS_MEDIAN: &str = include_str!("../../schemas/benchmarks/csps-median.csv");

/// Respondents of the last, smallest organisation (below the anonymity threshold).
pub const SMALL_ORGANISATION: u32 = 6;

/// The name of organisation `k` (0-based).
pub fn organisation_name(k: usize) -> String {
    format!("Organisation {:02}", k + 1)
}

/// Share of answers left blank.
const BLANK: f64 = 0.03;
/// Share of respondents who leave a demographic question blank.
const NOT_STATED: f64 = 0.02;

fn schema_toml(organisations: usize) -> String {
    let mut s = String::from(
        "# Benchmark workload schema (culture-metrics generate --workload N).\n\n\
         [survey]\nid = \"workload\"\ntitle = \"National staff survey (benchmark)\"\nversion = \"1\"\n\n\
         [[scales]]\nid = \"agree5\"\nanswers = [\n  { code = 1, label = \"Strongly disagree\", group = \"negative\" },\n  \
         { code = 2, label = \"Disagree\", group = \"negative\" },\n  { code = 3, label = \"Neither agree nor disagree\", group = \"neutral\" },\n  \
         { code = 4, label = \"Agree\", group = \"positive\" },\n  { code = 5, label = \"Strongly agree\", group = \"positive\" },\n]\n",
    );
    for i in 1..=ITEMS {
        s.push_str(&format!(
            "\n[[questions]]\nid = \"B{i:02}\"\ntext = \"Benchmark statement {i}\"\ntype = \"likert\"\nscale = \"agree5\"\n"
        ));
        if organisations > 0 {
            s.push_str(&format!("benchmarks = [\"CSPS:B{i:02}\"]\n"));
        }
    }
    if organisations > 0 {
        let names: Vec<String> = (0..organisations)
            .map(|k| format!("\"{}\"", organisation_name(k)))
            .collect();
        s.push_str(&format!(
            "\n[[demographics]]\nid = \"organisation\"\nlabel = \"Organisation\"\ncategories = [{}]\n",
            names.join(", ")
        ));
    }
    for (id, label, cats) in FIELDS {
        let cats: Vec<String> = cats.iter().map(|(c, _)| format!("\"{c}\"")).collect();
        s.push_str(&format!(
            "\n[[demographics]]\nid = \"{id}\"\nlabel = \"{label}\"\ncategories = [{}]\n",
            cats.join(", ")
        ));
    }
    // Seven themes of eight items and an engagement index of five.
    for t in 0..7 {
        let items: Vec<String> = (1..=8).map(|k| format!("\"B{:02}\"", t * 8 + k)).collect();
        s.push_str(&format!(
            "\n[[indicators]]\nid = \"theme_{}\"\nlabel = \"Theme {}\"\nmethod = \"theme-pct-positive\"\nitems = [{}]\n",
            t + 1,
            t + 1,
            items.join(", ")
        ));
    }
    s.push_str(
        "\n[[indicators]]\nid = \"engagement\"\nlabel = \"Engagement index\"\nmethod = \"index-0-100\"\n\
         items = [\"B57\", \"B58\", \"B59\", \"B60\", \"B01\"]\nmin_items = 4\n",
    );
    s
}

fn config_toml(organisations: usize) -> String {
    let mut s = String::from(
        "# Benchmark workload config (culture-metrics generate --workload N).\n\
         schema = \"workload-schema.toml\"\noutput = \"out\"\nstore = \"out/store\"\n\
         crosses = [[\"directorate\", \"grade\"], [\"ethnicity\", \"grade\"]]\n",
    );
    if organisations > 0 {
        s.push_str(
            "\n[benchmarks]\nfiles = [\"csps-median.csv\"]\norganisation = \"organisation\"   # one export, several organisations\n",
        );
    }
    for year in [2025, 2026] {
        s.push_str(&format!(
            "\n[[waves]]\nid = \"{year}\"\nfieldwork_start = \"{year}-10-01\"\nfieldwork_end = \"{year}-10-31\"\n\
             file = \"wave-{year}.csv\"\nlayout = \"plain\"\nencoding = \"utf-8\"\ndelimiter = \",\"\nresponse_id = \"id\"\n\n[waves.columns]\n"
        ));
        if organisations > 0 {
            s.push_str("organisation = \"organisation\"\n");
        }
        for (id, _, _) in FIELDS {
            s.push_str(&format!("{id} = \"{id}\"\n"));
        }
        for i in 1..=ITEMS {
            s.push_str(&format!("B{i:02} = \"b{i:02}\"\n"));
        }
    }
    s
}

fn pick(rng: &mut ChaCha8Rng, cats: &[(&str, f64)]) -> usize {
    let mut u: f64 = rng.random();
    for (i, (_, w)) in cats.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    cats.len() - 1
}

/// Organisation of respondent `r`: the last organisation takes the first few respondents;
/// the rest are dealt with shares falling as 1/(k+1).
fn organisation_of(rng: &mut ChaCha8Rng, r: u32, organisations: usize) -> usize {
    if r < SMALL_ORGANISATION {
        return organisations - 1;
    }
    let big = organisations.saturating_sub(1).max(1);
    let total: f64 = (0..big).map(|k| 1.0 / (k + 1) as f64).sum();
    let mut u: f64 = rng.random::<f64>() * total;
    for k in 0..big {
        u -= 1.0 / (k + 1) as f64;
        if u < 0.0 {
            return k;
        }
    }
    big - 1
}

fn wave(
    path: &Path,
    respondents: u32,
    year: i32,
    seed: u64,
    organisations: usize,
) -> std::io::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ year as u64);
    let noise = Normal::new(0.0, 1.0).expect("valid");
    let item_level: Vec<f64> = (0..ITEMS)
        .map(|i| {
            0.9 * ((i as f64 * 0.37).sin())
                + if year == 2026 && i % 10 == 0 {
                    0.1
                } else {
                    0.0
                }
        })
        .collect();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut line = String::with_capacity(512);
    line.push_str("id");
    if organisations > 0 {
        line.push_str(",organisation");
    }
    for (id, _, _) in FIELDS {
        line.push(',');
        line.push_str(id);
    }
    for i in 1..=ITEMS {
        line.push_str(&format!(",b{i:02}"));
    }
    line.push('\n');
    out.write_all(line.as_bytes())?;
    for r in 0..respondents {
        line.clear();
        line.push_str(&format!("{year}-{r:07}"));
        let mut climate = 0.0;
        if organisations > 0 {
            let k = organisation_of(&mut rng, r, organisations);
            line.push(',');
            line.push_str(&organisation_name(k));
            // Organisations differ in climate, as Civil Service departments do.
            climate += 0.5 * ((k as f64 * 1.7).sin());
        }
        for (f, (_, _, cats)) in FIELDS.iter().enumerate() {
            line.push(',');
            if rng.random::<f64>() < NOT_STATED {
                continue;
            }
            let c = pick(&mut rng, cats);
            if f == 0 {
                climate += (c as f64 - 3.5) * 0.08;
            }
            line.push_str(cats[c].0);
        }
        let person: f64 = noise.sample(&mut rng) + climate;
        for level in &item_level {
            line.push(',');
            if rng.random::<f64>() < BLANK {
                continue;
            }
            let z = person * 0.8 + level + 0.7 * noise.sample(&mut rng);
            let code = match z {
                z if z < -1.4 => '1',
                z if z < -0.5 => '2',
                z if z < 0.2 => '3',
                z if z < 1.3 => '4',
                _ => '5',
            };
            line.push(code);
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}

/// Write the workload into `out`: schema, config and two waves of `respondents` each; with
/// `organisations` > 0, a multi-organisation export and the CSPS medians to compare with.
pub fn generate(
    out: &Path,
    respondents: u32,
    seed: u64,
    organisations: usize,
) -> Result<Vec<PathBuf>, WriteError> {
    let err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteError { path, source }
    };
    std::fs::create_dir_all(out).map_err(err(out))?;
    let mut written = Vec::new();
    let mut texts = vec![
        ("workload-schema.toml", schema_toml(organisations)),
        ("pipeline.toml", config_toml(organisations)),
    ];
    if organisations > 0 {
        texts.push(("csps-median.csv", CSPS_MEDIAN.to_string()));
    }
    for (name, text) in texts {
        let p = out.join(name);
        std::fs::write(&p, text).map_err(err(&p))?;
        written.push(p);
    }
    for year in [2025, 2026] {
        let p = out.join(format!("wave-{year}.csv"));
        wave(&p, respondents, year, seed, organisations).map_err(err(&p))?;
        written.push(p);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workload_is_a_valid_config_and_the_same_every_time() {
        let dir = tempfile::tempdir().unwrap();
        generate(dir.path(), 200, 7, 0).unwrap();
        let config = crate::config::Config::load(&dir.path().join("pipeline.toml")).unwrap();
        assert_eq!(config.schema.questions.len(), ITEMS);
        assert_eq!(config.schema.demographics.len(), 8);
        assert_eq!(config.crosses.len(), 2);
        let a = std::fs::read(dir.path().join("wave-2026.csv")).unwrap();
        let again = tempfile::tempdir().unwrap();
        generate(again.path(), 200, 7, 0).unwrap();
        assert_eq!(
            a,
            std::fs::read(again.path().join("wave-2026.csv")).unwrap()
        );
        let text = String::from_utf8(a).unwrap();
        assert_eq!(text.lines().count(), 201);
        let imported = crate::import::import_wave(&config.schema, &config.waves[1]).unwrap();
        assert_eq!(
            imported.accepted(),
            200,
            "every generated row is a valid response"
        );
    }
}
