//! A seeded, deterministic synthetic council: the committed sample data, and bigger inputs for
//! benchmarks (`culture-metrics generate --staff 2000000`).
//!
//! It writes what a real analyst receives: the 2025 baseline as a Qualtrics export (3 header
//! rows, UTF-8 with BOM, personal-data columns, choice text), the 2026 wave as a SurveyMonkey
//! export saved from Excel (2 header rows, Windows-1252, `;`, CRLF), an HR headcount file per
//! wave, and a `pipeline.toml` that maps them. Realistic defects are built in: previews and
//! test responses, partial responses, duplicated response ids, label variants handled by
//! declared aliases, and a couple of answers no schema knows.
//!
//! Answers come from an ordinal latent-variable model: a person factor plus item, directorate
//! and ethnicity effects, cut into the 5-point scale, with each item's level calibrated to the
//! item bank's realistic levels. Between 2025 and 2026 some items move for real
//! ([`DESIGNED_CHANGES`]); the rest differ only by sampling noise.

mod exports;
use exports::{LIKERT_IDS, likert_id_2026, qualtrics_2025, question, surveymonkey_2026};
pub mod meetings;
pub mod workload;

use crate::report::WriteError;
use crate::schema::Schema;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use statrs::distribution::{ContinuousCDF, Normal as StatNormal};
use std::path::{Path, PathBuf};

pub const DEFAULT_STAFF: u32 = 5800;
pub const DEFAULT_SEED: u64 = 2025;

/// The schema the generator writes data for (the committed one).
pub const SCHEMA_TOML: &str = include_str!("../../schemas/staff-survey.toml");

/// Item-bank levels: % positive in 2025 for the 5-point items.
const BASE_PCT_POSITIVE: [(&str, f64); 23] = [
    ("S01", 0.58),
    ("S02", 0.50),
    ("S03", 0.47),
    ("S04", 0.52),
    ("S05", 0.55),
    ("S06", 0.81),
    ("S07", 0.52),
    ("S08", 0.76),
    ("S09", 0.80),
    ("S10", 0.47),
    ("S11", 0.56),
    ("S12", 0.64),
    ("S13", 0.58),
    ("S14", 0.61),
    ("S15", 0.82),
    ("S16", 0.86),
    ("S17", 0.38),
    ("S18", 0.33),
    ("S19", 0.38),
    ("S20", 0.46),
    ("S21", 0.60),
    ("S22", 0.74),
    ("S23", 0.55),
];

/// Real changes between the 2025 baseline and 2026, in percentage points of % positive.
/// Everything not listed is unchanged apart from sampling noise.
pub const DESIGNED_CHANGES: [(&str, f64); 5] = [
    ("S19", 9.0),  // officer-member trust improves
    ("S20", 7.0),  // impartial advice without fear improves
    ("S07", 8.0),  // members' courtesy to officers improves
    ("S18", -6.0), // change management declines
    ("S23", -7.0), // workload declines
];

struct Directorate {
    name: &'static str,
    /// Share of staff (the small team has a fixed headcount instead).
    share: f64,
    fixed: Option<u32>,
    response_rate: f64,
    /// Shift on the latent scale for the trust and member-respect items.
    trust_effect: f64,
    /// Shift on every item (general climate).
    climate: f64,
}

const DIRECTORATES: [Directorate; 8] = [
    Directorate {
        name: "Chief Executive's Office",
        share: 0.03,
        fixed: None,
        response_rate: 0.64,
        trust_effect: 0.15,
        climate: 0.10,
    },
    Directorate {
        name: "Mayor's Office",
        share: 0.0,
        fixed: Some(14),
        response_rate: 0.45,
        trust_effect: 0.0,
        climate: 0.0,
    },
    Directorate {
        name: "Resources",
        share: 0.14,
        fixed: None,
        response_rate: 0.60,
        trust_effect: 0.05,
        climate: 0.05,
    },
    Directorate {
        name: "Children's Services",
        share: 0.24,
        fixed: None,
        response_rate: 0.47,
        trust_effect: 0.0,
        climate: -0.05,
    },
    Directorate {
        name: "Health, Adults and Community",
        share: 0.22,
        fixed: None,
        response_rate: 0.42,
        trust_effect: 0.05,
        climate: 0.0,
    },
    Directorate {
        name: "Housing and Regeneration",
        share: 0.15,
        fixed: None,
        response_rate: 0.41,
        trust_effect: -0.60,
        climate: -0.10,
    },
    Directorate {
        name: "Communities",
        share: 0.09,
        fixed: None,
        response_rate: 0.56,
        trust_effect: 0.10,
        climate: 0.05,
    },
    Directorate {
        name: "Place",
        share: 0.13,
        fixed: None,
        response_rate: 0.52,
        trust_effect: -0.05,
        climate: 0.0,
    },
];

const GRADES: [(&str, f64); 5] = [
    ("Scale 1-6", 0.30),
    ("SO1-SO2", 0.25),
    ("PO1-PO4", 0.28),
    ("PO5-PO8", 0.12),
    ("Senior management", 0.05),
];

const SEX: [(&str, f64); 3] = [
    ("Female", 0.62),
    ("Male", 0.35),
    ("Prefer not to say", 0.03),
];
const AGE: [(&str, f64); 7] = [
    ("16-24", 0.05),
    ("25-34", 0.20),
    ("35-44", 0.25),
    ("45-54", 0.25),
    ("55-64", 0.19),
    ("65 and over", 0.03),
    ("Prefer not to say", 0.03),
];
const ETHNICITY: [(&str, f64); 6] = [
    ("Asian or Asian British", 0.22),
    ("Black, Black British, Caribbean or African", 0.24),
    ("Mixed or multiple ethnic groups", 0.05),
    ("White", 0.40),
    ("Other ethnic group", 0.03),
    ("Prefer not to say", 0.06),
];
const DISABILITY: [(&str, f64); 3] = [("Yes", 0.09), ("No", 0.84), ("Prefer not to say", 0.07)];
const MANAGER: [(&str, f64); 2] = [("Yes", 0.22), ("No", 0.78)];

const COMMENTS: [&str; 12] = [
    "More joint briefings between officers and members before committee.",
    "Members should respect officers' professional advice, even when they don't like it.",
    "Clear protocol on member-officer relations, and it must be enforced.",
    "Stop the public criticism of named officers at meetings.",
    "Less shouting in the chamber. Officers are people too.",
    "Regular informal sessions so we get to know each other.\nNot just when something has gone wrong.",
    "Honesty about what went wrong in the past, and \"no blame\" learning.",
    "Training for new councillors on the role of officers; refreshers for the rest.",
    "Consistency: the same rules for everyone, whatever their party.",
    "Senior leaders need to model the behaviour they ask of us.",
    "Faster responses to members' enquiries would build their trust in us.",
    "Nothing - relations in my area are good.",
];

/// The themes each of [`COMMENTS`] is coded to (ids of the schema's `[[comment_themes]]`).
const COMMENT_THEMES: [&str; 12] = [
    "joint_working",
    "member_conduct",
    "protocol",
    "member_conduct; protocol",
    "member_conduct",
    "joint_working",
    "leadership_culture",
    "training",
    "protocol",
    "leadership_culture",
    "responsiveness",
    "no_change",
];

/// Latent scale: 5-point answers are cuts of `mu + person + effects + noise`.
const CUTS: [f64; 4] = [-1.3, -0.5, 0.2, 1.4];
const PERSON_SD: f64 = 0.9;
const NOISE_SD: f64 = 0.8;

fn pick<'a>(rng: &mut ChaCha8Rng, dist: &[(&'a str, f64)]) -> (usize, &'a str) {
    let total: f64 = dist.iter().map(|d| d.1).sum();
    let mut u = rng.random::<f64>() * total;
    for (i, (name, p)) in dist.iter().enumerate() {
        if u < *p {
            return (i, name);
        }
        u -= p;
    }
    (dist.len() - 1, dist[dist.len() - 1].0)
}

/// Location that gives `p` positive answers (above the last-but-one cut) on the latent scale.
fn location_for(p: f64) -> f64 {
    let sd = (PERSON_SD * PERSON_SD + NOISE_SD * NOISE_SD).sqrt();
    let z = StatNormal::standard().inverse_cdf(p);
    CUTS[2] + sd * z
}

/// One synthetic respondent's answers, as scale codes (None = skipped) and demographics.
struct Person {
    directorate: usize,
    grade: usize,
    sex: usize,
    age: usize,
    ethnicity: usize,
    disability: usize,
    manager: usize,
    likert: [Option<u8>; 23],
    e01: Option<u8>,
    e02: Option<u8>,
    n01: Option<u8>,
    comment: Option<&'static str>,
    /// Fraction of the questionnaire completed (1.0 = finished).
    progress: f64,
}

/// One member of staff. Opinions persist from year to year: the person factor and each
/// item's personal deviation are drawn once, so between waves only designed changes, staff
/// turnover and who happens to respond move the results (the finite-population view the
/// tests with FPC take).
struct Staff {
    directorate: u8,
    grade: u8,
    sex: u8,
    age: u8,
    ethnicity: u8,
    disability: u8,
    manager: u8,
    z: f32,
    e: [f32; 23],
    /// Uniform draws deciding yes/no answers (yes when below the rate).
    u_bullied: f32,
    u_discriminated: f32,
    e_nps: f32,
}

fn staff_member(rng: &mut ChaCha8Rng, directorate: usize, grade: usize) -> Staff {
    let std_normal = Normal::new(0.0, 1.0).expect("valid");
    let (sex, _) = pick(rng, &SEX);
    let (age, _) = pick(rng, &AGE);
    let (ethnicity, _) = pick(rng, &ETHNICITY);
    let (disability, _) = pick(rng, &DISABILITY);
    let manager = if grade >= 3 || rng.random_bool(0.12) {
        pick(rng, &[("Yes", 0.8), ("No", 0.2)]).0
    } else {
        pick(rng, &MANAGER).0
    };
    let z = PERSON_SD * std_normal.sample(rng);
    let mut e = [0f32; 23];
    for x in e.iter_mut() {
        *x = (NOISE_SD * std_normal.sample(rng)) as f32;
    }
    Staff {
        directorate: directorate as u8,
        grade: grade as u8,
        sex: sex as u8,
        age: age as u8,
        ethnicity: ethnicity as u8,
        disability: disability as u8,
        manager: manager as u8,
        z: z as f32,
        e,
        u_bullied: rng.random::<f32>(),
        u_discriminated: rng.random::<f32>(),
        e_nps: std_normal.sample(rng) as f32,
    }
}

/// Everyone in post, by directorate and grade.
fn population(rng: &mut ChaCha8Rng, hc: &[[u32; 5]]) -> Vec<Staff> {
    let mut staff = Vec::new();
    for (d, row) in hc.iter().enumerate() {
        for (g, &n) in row.iter().enumerate() {
            for _ in 0..n {
                staff.push(staff_member(rng, d, g));
            }
        }
    }
    staff
}

/// A year later: 8% of posts have a new holder.
const TURNOVER: f64 = 0.08;

/// The 23 agreement answers: the item's base rate, moved by the wave's designed change, the
/// directorate's climate, trust and merit effects, grade, and the person's own leaning.
fn agreement(rng: &mut ChaCha8Rng, s: &Staff, wave_2026: bool) -> [Option<u8>; 23] {
    let d = &DIRECTORATES[s.directorate as usize];
    let eth_name = ETHNICITY[s.ethnicity as usize].0;
    let z = f64::from(s.z);
    let mut likert = [None; 23];
    for (i, (id, p)) in BASE_PCT_POSITIVE.iter().enumerate() {
        let mut p = *p;
        if wave_2026 && let Some((_, delta)) = DESIGNED_CHANGES.iter().find(|(c, _)| c == id) {
            p += delta / 100.0;
        }
        let mut mu = location_for(p) + d.climate;
        if matches!(*id, "S07" | "S19" | "S20") {
            mu += d.trust_effect;
        }
        if *id == "S10" {
            // ~15-point gap in perceived merit between White and minority ethnic staff.
            mu += match eth_name {
                "White" => 0.25,
                "Prefer not to say" => 0.0,
                _ => -0.22,
            };
        }
        if s.grade == 4 {
            mu += 0.3; // senior managers are more positive
        }
        let dont_know = if matches!(*id, "S10" | "S14" | "S20") {
            0.04
        } else {
            0.01
        };
        likert[i] = if rng.random_bool(0.015) {
            None
        } else if rng.random_bool(dont_know) {
            Some(9)
        } else {
            let y = mu + z + f64::from(s.e[i]);
            Some(1 + CUTS.iter().filter(|&&c| y > c).count() as u8)
        };
    }
    likert
}

/// One wave's answers from a member of staff (skips and "Don't know" vary by wave).
fn answers(rng: &mut ChaCha8Rng, s: &Staff, wave_2026: bool) -> Person {
    let d = &DIRECTORATES[s.directorate as usize];
    let z = f64::from(s.z);
    let likert = agreement(rng, s, wave_2026);
    let yes_no = |rng: &mut ChaCha8Rng, u: f32, p_yes: f64| -> Option<u8> {
        if rng.random_bool(0.01) {
            None
        } else if rng.random_bool(0.03) {
            Some(3)
        } else if f64::from(u) < p_yes {
            Some(1)
        } else {
            Some(2)
        }
    };
    let bully = if d.name == "Housing and Regeneration" {
        0.16
    } else {
        0.11
    };
    let e01 = yes_no(rng, s.u_bullied, bully);
    let e02 = yes_no(rng, s.u_discriminated, 0.09);
    let n01 = if rng.random_bool(0.02) {
        None
    } else {
        let x = 6.2 + 2.2 * (z / PERSON_SD * 0.7 + 0.714 * f64::from(s.e_nps)) + d.climate;
        Some(x.round().clamp(0.0, 10.0) as u8)
    };
    let comment = rng
        .random_bool(0.15)
        .then(|| COMMENTS[rng.random_range(0..COMMENTS.len())]);
    Person {
        directorate: s.directorate as usize,
        grade: s.grade as usize,
        sex: s.sex as usize,
        age: s.age as usize,
        ethnicity: s.ethnicity as usize,
        disability: s.disability as usize,
        manager: s.manager as usize,
        likert,
        e01,
        e02,
        n01,
        comment,
        progress: 1.0,
    }
}

/// Headcount per directorate × grade.
fn headcounts(rng: &mut ChaCha8Rng, staff: u32) -> Vec<[u32; 5]> {
    DIRECTORATES
        .iter()
        .map(|d| {
            let total = match d.fixed {
                Some(n) => n as f64,
                None => staff as f64 * d.share * (0.97 + 0.06 * rng.random::<f64>()),
            };
            let mut row = [0u32; 5];
            for (g, (_, share)) in GRADES.iter().enumerate() {
                row[g] = (total * share).round() as u32;
            }
            if d.fixed.is_some() {
                // A small political office: mostly senior and officer grades.
                row = [2, 3, 5, 3, 1];
            }
            row
        })
        .collect()
}

/// Who responds this wave, with their answers, in export order.
fn respondents(rng: &mut ChaCha8Rng, staff: &[Staff], wave_2026: bool) -> Vec<Person> {
    let mut people = Vec::new();
    for s in staff {
        let g = s.grade as usize;
        let rr = (DIRECTORATES[s.directorate as usize].response_rate
            + if g >= 3 { 0.10 } else { 0.0 })
        .min(0.95);
        if rng.random_bool(rr) {
            people.push(answers(rng, s, wave_2026));
        }
    }
    // Interleave directorates, as a real export ordered by completion time would be.
    for i in (1..people.len()).rev() {
        let j = rng.random_range(0..=i);
        people.swap(i, j);
    }
    people
}

fn headcount_csv(hc: &[[u32; 5]]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["directorate", "grade", "headcount"])
        .expect("in memory");
    for (d, row) in hc.iter().enumerate() {
        for (g, n) in row.iter().enumerate() {
            w.write_record([DIRECTORATES[d].name, GRADES[g].0, &n.to_string()])
                .expect("in memory");
        }
    }
    w.into_inner().expect("in memory")
}

const PIPELINE_TOML: &str = r#"# Pipeline config for the synthetic council made by `culture-metrics generate`.
# Paths are relative to this file. Format: schemas/README.md ("Pipeline config").

schema = "{schema}"
output = "out"                 # evidence packs: out/<run id>/, listed in out/runs.csv
store = "out/store"            # accepted responses as Parquet, one file per wave
anonymity_threshold = 10       # no published figure on fewer valid answers than this
# breakdowns = ["directorate", "grade"]   # default: every demographic field in the schema
crosses = [["directorate", "grade"], ["ethnicity", "grade"]]
# finite_population_correction = true   # off: it would treat respondents as a random sample of staff
deep_dives = ["officer_member_trust"]  # focused reports for the board's thematic deep dives
baseline = "2025"              # the wave every later one is compared with (default: the earliest)

[unit_reports]                 # a short report for each directorate: unit-reports/<directorate>.html
breakdown = "directorate"

[tolerance]
max_rejected_pct = 1.0         # validate/run fail if more than 1% of a wave's rows are defective

[publication]                  # what the workbook's cover and the report say about the release
organisation = "London Borough of Examplefield (synthetic sample)"
status = "Management information: not official statistics"
contact = "Culture Change programme team, culture.change@examplefield.gov.uk"
published = "2026-12-01"

[benchmarks]                   # published results to compare with: schemas/benchmarks/README.md
files = ["{benchmarks}", "{organisations}"]   # Civil Service People Survey medians (the schema maps questions to them) and each organisation's 2019 scores (percentiles)

# ---- 2025 baseline: Qualtrics, 3 header rows, UTF-8 with BOM
[[waves]]
id = "2025"
fieldwork_start = "2025-10-06"   # the days the survey was open: waves are ordered by these
fieldwork_end = "2025-10-31"
file = "staff-survey-2025-qualtrics.csv"
layout = "qualtrics"
encoding = "auto"
delimiter = "auto"
headcount = "hr-headcount-2025.csv"
response_id = "ResponseId"

[waves.filters]
test_column = "Status"
test_values = ["Survey Preview", "Survey Test", "Spam", "1", "2", "8"]
finished_column = "Finished"
finished_values = ["True", "1"]

[waves.columns]
directorate = "Q6"
grade = "Q7"
line_manager = "Q8"
sex = "Q9"
age_band = "Q10"
ethnicity = "Q11"
disability = "Q12"
S01 = "Q1_1"
S02 = "Q1_2"
S03 = "Q1_3"
S04 = "Q1_4"
S05 = "Q1_5"
S06 = "Q1_6"
S07 = "Q1_7"
S08 = "Q1_8"
S09 = "Q1_9"
S10 = "Q1_10"
S11 = "Q1_11"
S12 = "Q1_12"
S13 = "Q1_13"
S14 = "Q1_14"
S15 = "Q1_15"
S16 = "Q1_16"
S17 = "Q1_17"
S18 = "Q1_18"
S19 = "Q1_19"
S20 = "Q1_20"
S21 = "Q1_21"
S22 = "Q1_22"
S23 = "Q1_23"
E01 = "Q2"
E02 = "Q3"
N01 = "Q4"
T01 = "Q5"

# ---- 2026: the vendor changed to SurveyMonkey; the file was re-saved from Excel
# (Windows-1252, semicolons). Column keys are "question" or "question - row label".
[[waves]]
id = "2026"
fieldwork_start = "2026-10-06"
fieldwork_end = "2026-10-31"
file = "staff-survey-2026-surveymonkey.csv"
layout = "surveymonkey"
encoding = "auto"
delimiter = "auto"
headcount = "hr-headcount-2026.csv"
comment_codes = "staff-survey-2026-comment-codes.csv"   # T01 comments coded to the schema's themes
response_id = "Respondent ID"

[waves.filters]
test_column = "Collector ID"
test_values = ["431220999"]    # the "Test link" collector
min_answered = 12              # SurveyMonkey has no Finished flag: fewer answers = partial

[waves.columns]
{surveymonkey_columns}"#;

fn relative_path(from_dir: &Path, to: &Path) -> PathBuf {
    let from = std::path::absolute(from_dir).unwrap_or_else(|_| from_dir.to_path_buf());
    let to = std::path::absolute(to).unwrap_or_else(|_| to.to_path_buf());
    let f: Vec<_> = from.components().collect();
    let t: Vec<_> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    out
}

/// The generated pipeline.toml: paths relative to `out`, the 2026 export's column mapping
/// (SurveyMonkey's wording), and the member-feedback section.
fn pipeline_toml(schema: &Schema, out: &Path) -> String {
    let matrix = "To what extent do you agree or disagree with the following statements about working at the Council?";
    let mut sm = String::new();
    for d in &schema.demographics {
        sm.push_str(&format!(
            "{} = \"{}\"\n",
            d.id,
            d.text.as_deref().unwrap_or(&d.label)
        ));
    }
    for j in 0..LIKERT_IDS.len() {
        let q = question(schema, likert_id_2026(j));
        sm.push_str(&format!(
            "{} = \"{matrix} - {}\"\n",
            q.id,
            q.text.replace('\'', "\u{2019}")
        ));
    }
    for id in ["E01", "E02", "N01", "T01"] {
        let q = question(schema, id);
        sm.push_str(&format!("{} = \"{}\"\n", q.id, q.text));
    }
    let schema_rel = relative_path(out, Path::new("schemas/staff-survey.toml"));
    let meetings_rel = relative_path(out, Path::new("schemas/member-feedback.toml"));
    PIPELINE_TOML
        .replace("{schema}", &schema_rel.to_string_lossy().replace('\\', "/"))
        .replace(
            "{benchmarks}",
            &relative_path(out, Path::new("schemas/benchmarks/csps-median.csv"))
                .to_string_lossy()
                .replace('\\', "/"),
        )
        .replace(
            "{organisations}",
            &relative_path(
                out,
                Path::new("schemas/benchmarks/csps-2019-organisations.csv"),
            )
            .to_string_lossy()
            .replace('\\', "/"),
        )
        .replace("{surveymonkey_columns}", &sm)
        + &meetings::PIPELINE_SECTION.replace(
            "{meetings_schema}",
            &meetings_rel.to_string_lossy().replace('\\', "/"),
        )
}

/// Write the synthetic council into `out`. Returns the files written.
pub fn generate(out: &Path, staff: u32, seed: u64) -> Result<Vec<PathBuf>, WriteError> {
    let schema = Schema::from_toml(Path::new("schemas/staff-survey.toml"), SCHEMA_TOML)
        .expect("the committed schema is valid");
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteError { path, source }
    };
    std::fs::create_dir_all(out).map_err(io(out))?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);

    // The same posts in both years; some have a new holder by 2026.
    let hc25 = headcounts(&mut rng, staff);
    let hc26 = hc25.clone();
    let mut staff_in_post = population(&mut rng, &hc25);
    let mut people25 = respondents(&mut rng, &staff_in_post, false);
    for s in staff_in_post.iter_mut() {
        if rng.random_bool(TURNOVER) {
            *s = staff_member(&mut rng, s.directorate as usize, s.grade as usize);
        }
    }
    let mut people26 = respondents(&mut rng, &staff_in_post, true);

    let export25 = qualtrics_2025(&schema, &mut rng, &mut people25);
    let (export26, codes26) = surveymonkey_2026(&schema, &mut rng, &mut people26);
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("staff-survey-2025-qualtrics.csv", export25),
        ("staff-survey-2026-surveymonkey.csv", export26),
        ("staff-survey-2026-comment-codes.csv", codes26),
        ("hr-headcount-2025.csv", headcount_csv(&hc25)),
        ("hr-headcount-2026.csv", headcount_csv(&hc26)),
    ];
    let mut files = files;
    files.extend(meetings::files(seed));
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = out.join(name);
        std::fs::write(&path, bytes).map_err(io(&path))?;
        written.push(path);
    }

    let toml = pipeline_toml(&schema, out);
    let path = out.join("pipeline.toml");
    std::fs::write(&path, toml).map_err(io(&path))?;
    written.push(path);
    Ok(written)
}

#[cfg(test)]
mod tests;
