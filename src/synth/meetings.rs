//! Synthetic member-meeting feedback: 18 months of committee meetings from the launch in
//! January 2025, a meeting register, keyed paper forms and an online-form export.
//!
//! Designed in: uptake dips in the August recess, in December and before the 2026 elections;
//! a real improvement in fair speaking time from October 2025 (the new chairing protocol,
//! [`SPEAKING_TIME_CHANGE`]); every other item is stable. Defects: a form naming a meeting
//! that is not in the register, a paper form keyed with the wrong date, a double-keyed paper
//! form, and an online form completed two months after its meeting.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use statrs::distribution::{ContinuousCDF, Normal as StatNormal};

/// Month from which fair speaking time improves, and by how many points of % positive.
pub const SPEAKING_TIME_FROM: &str = "2025-10";
pub const SPEAKING_TIME_CHANGE: f64 = 22.0;

const COMMITTEES: [(&str, &str, u32, u32); 8] = [
    // (name, code, members, usual other speakers)
    ("Full Council", "FC", 45, 4),
    ("Cabinet", "CAB", 10, 2),
    ("Overview and Scrutiny Committee", "OSC", 9, 3),
    ("Strategic Development Committee", "SDC", 8, 5),
    ("Development Committee", "DEV", 7, 5),
    ("Licensing Committee", "LIC", 8, 3),
    ("Audit Committee", "AUD", 7, 1),
    ("Health and Wellbeing Board", "HWB", 12, 2),
];

const ITEMS: [(&str, f64); 6] = [
    ("C01", 0.55),
    ("C02", 0.45),
    ("C03", 0.50),
    ("C04", 0.62),
    ("C05", 0.58),
    ("C06", 0.48),
];

const LABELS: [&str; 5] = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
];

const GROUPS: [(&str, f64); 6] = [
    ("Labour", 0.55),
    ("Conservative", 0.15),
    ("Independent", 0.10),
    ("Green", 0.08),
    ("Liberal Democrat", 0.07),
    ("Prefer not to say", 0.05),
];

const COMMENTS: [&str; 6] = [
    "The chair kept to time and let everyone in.",
    "Too many late papers; members had no time to read them.",
    "Public speakers were cut off early.",
    "Officers' advice was clear, thank you.",
    "Some personal remarks across the chamber, again.",
    "Better than last month.",
];

const CUTS: [f64; 4] = [-1.3, -0.5, 0.2, 1.4];

fn uptake(month: &str) -> f64 {
    match month {
        "2025-01" => 0.30, // launch month
        "2025-08" => 0.15, // recess
        "2025-12" => 0.18,
        "2026-04" => 0.20, // pre-election period
        _ => 0.42,
    }
}

struct Meeting {
    id: String,
    committee: &'static str,
    date: chrono::NaiveDate,
    members: u32,
    others: u32,
}

/// The generated files: (name, bytes).
pub fn files(seed: u64) -> Vec<(&'static str, Vec<u8>)> {
    use chrono::Datelike;
    // One realisation from the seed, not chosen among seeds: whatever false signals its stable
    // series show are what the pack should show (about 15% of stable 18-month series signal
    // at least once on these charts; see `meetings::spc`).
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6d65_6574_696e_6773);
    let normal = Normal::new(0.0, 1.0).expect("valid");
    let meetings = meetings(&mut rng);
    let register = register(&meetings);
    let mut forms = Forms::new();
    for m in &meetings {
        let month = format!("{:04}-{:02}", m.date.year(), m.date.month());
        for person in 0..(m.members + m.others) {
            if !rng.random_bool(uptake(&month)) {
                continue;
            }
            let form = form(&mut rng, &normal, m, person, &month);
            if rng.random_bool(0.6) {
                forms.paper(m, &form);
            } else {
                forms.online(&mut rng, m, &form);
            }
        }
    }
    let mut online_bytes = vec![0xEF, 0xBB, 0xBF]; // Excel's "CSV UTF-8"
    online_bytes.extend(forms.online.into_inner().expect("in memory"));
    vec![
        ("meeting-register.csv", register),
        (
            "member-feedback-paper.csv",
            forms.paper.into_inner().expect("in memory"),
        ),
        ("member-feedback-online.csv", online_bytes),
    ]
}

/// Eighteen months of committee meetings (none in the August recess, full council every
/// other month), in date order.
fn meetings(rng: &mut ChaCha8Rng) -> Vec<Meeting> {
    let mut meetings = Vec::new();
    for k in 0..18u32 {
        let (y, m) = (2025 + (k / 12) as i32, k % 12 + 1);
        for &(name, code, members, others) in &COMMITTEES {
            let recess = m == 8 && code != "LIC";
            let council_month = code != "FC" || m % 2 == 1;
            if recess || !council_month {
                continue;
            }
            let day = rng.random_range(5..=26u32);
            let date = chrono::NaiveDate::from_ymd_opt(y, m, day).expect("valid date");
            meetings.push(Meeting {
                id: format!("{code}-{}", date.format("%Y-%m-%d")),
                committee: name,
                date,
                members: members - rng.random_range(0..=members.min(10) / 4),
                others: rng.random_range(0..=others),
            });
        }
    }
    meetings.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));

    meetings
}

/// The meeting register's CSV.
fn register(meetings: &[Meeting]) -> Vec<u8> {
    let mut register = csv::Writer::from_writer(Vec::new());
    register
        .write_record([
            "meeting_id",
            "committee",
            "date",
            "members_attending",
            "other_speakers",
        ])
        .expect("in memory");
    for m in meetings {
        register
            .write_record([
                m.id.as_str(),
                m.committee,
                &m.date.format("%Y-%m-%d").to_string(),
                &m.members.to_string(),
                &m.others.to_string(),
            ])
            .expect("in memory");
    }

    register.into_inner().expect("in memory")
}

/// One feedback form as its respondent filled it in.
struct Form {
    role: &'static str,
    group: &'static str,
    codes: Vec<Option<u8>>,
    comment: &'static str,
}

/// A form from person `person` of meeting `m`: role, political group, answers (correlated
/// within the form), and now and then a comment.
fn form(rng: &mut ChaCha8Rng, normal: &Normal<f64>, m: &Meeting, person: u32, month: &str) -> Form {
    let sd = (0.9f64 * 0.9 + 0.8 * 0.8).sqrt();
    let location = |p: f64| CUTS[2] + sd * StatNormal::standard().inverse_cdf(p);
    let member = person < m.members;
    let role = if !member {
        "Public speaker"
    } else if matches!(
        m.committee,
        "Overview and Scrutiny Committee" | "Health and Wellbeing Board"
    ) && rng.random_bool(0.2)
    {
        "Co-opted member"
    } else {
        "Councillor"
    };
    let group = if role == "Councillor" && rng.random_bool(0.75) {
        let mut u = rng.random::<f64>();
        GROUPS
            .iter()
            .find(|(_, p)| {
                u -= p;
                u < 0.0
            })
            .map_or("Labour", |g| g.0)
    } else {
        ""
    };
    let z = 0.9 * normal.sample(&mut *rng);
    let codes: Vec<Option<u8>> = ITEMS
        .iter()
        .map(|(id, p)| {
            let mut p = *p;
            if matches!(*id, "C01" | "C02") && month >= SPEAKING_TIME_FROM {
                p += SPEAKING_TIME_CHANGE / 100.0;
            }
            if rng.random_bool(0.03) {
                return None;
            }
            let y = location(p) + z + 0.8 * normal.sample(&mut *rng);
            Some(1 + CUTS.iter().filter(|&&c| y > c).count() as u8)
        })
        .collect();
    let comment = if rng.random_bool(0.06) {
        COMMENTS[rng.random_range(0..COMMENTS.len())]
    } else {
        ""
    };
    Form {
        role,
        group,
        codes,
        comment,
    }
}

/// The paper forms (keyed by the committee team) and the online form's export.
struct Forms {
    paper: csv::Writer<Vec<u8>>,
    online: csv::Writer<Vec<u8>>,
    paper_n: u32,
    online_n: u32,
}

impl Forms {
    fn new() -> Forms {
        let mut paper = csv::Writer::from_writer(Vec::new());
        paper
            .write_record([
                "form_id",
                "meeting_id",
                "meeting_date",
                "role",
                "political_group",
                "q1",
                "q2",
                "q3",
                "q4",
                "q5",
                "q6",
                "comments",
            ])
            .expect("in memory");
        let mut online = csv::Writer::from_writer(Vec::new());
        online
            .write_record([
                "ID",
                "Start time",
                "Completion time",
                "Email",
                "Name",
                "Meeting reference",
                "What was your role at the meeting?",
                "Your political group (optional)",
                "The chair gave all members a fair opportunity to speak",
                "Speaking time was shared fairly between political groups",
                "Members treated each other with courtesy and respect",
                "Members treated officers with courtesy and respect",
                "Officers' advice at this meeting was impartial and helpful",
                "I felt able to disagree without being personally attacked",
                "Anything else about how this meeting was conducted?",
            ])
            .expect("in memory");
        Forms {
            paper,
            online,
            paper_n: 0,
            online_n: 0,
        }
    }

    /// A keyed paper form, with the defects keying brings: a meeting that does not exist, a
    /// mis-keyed date, a double-keyed form.
    fn paper(&mut self, m: &Meeting, form: &Form) {
        let Form {
            role,
            group,
            codes,
            comment,
        } = form;
        self.paper_n += 1;
        let paper_n = self.paper_n;
        let paper = &mut self.paper;
        let mut row = vec![
            format!("P-{paper_n:05}"),
            m.id.clone(),
            m.date.format("%Y-%m-%d").to_string(),
            role.to_string(),
            group.to_string(),
        ];
        row.extend(
            codes
                .iter()
                .map(|c| c.map_or_else(String::new, |c| c.to_string())),
        );
        row.push(comment.to_string());
        // Defects: a meeting that does not exist, a mis-keyed date, a double-keyed form.
        match paper_n {
            40 => row[1] = "CAB-2025-13-01".into(),
            77 => {
                row[2] = (m.date - chrono::Duration::days(7))
                    .format("%Y-%m-%d")
                    .to_string()
            }
            _ => {}
        }
        paper.write_record(&row).expect("in memory");
        if paper_n == 120 {
            paper.write_record(&row).expect("in memory");
        }
    }

    /// An online form, exported as Microsoft Forms does (US dates, labels as answers).
    fn online(&mut self, rng: &mut ChaCha8Rng, m: &Meeting, form: &Form) {
        use chrono::Datelike;
        let Form {
            role,
            group,
            codes,
            comment,
        } = form;
        self.online_n += 1;
        let online_n = self.online_n;
        let online = &mut self.online;
        let mut days = rng.random_range(0..=10i64);
        if online_n == 55 {
            days = 61; // completed long after the meeting
        }
        let done = m.date + chrono::Duration::days(days);
        let secs = rng.random_range(8 * 3600..22 * 3600u32);
        let stamp = |s: u32| {
            format!(
                "{}/{}/{} {}:{:02}:{:02}",
                done.month(),
                done.day(),
                done.year(),
                s / 3600,
                s / 60 % 60,
                s % 60
            )
        };
        let mut row = vec![
            online_n.to_string(),
            stamp(secs - 240),
            stamp(secs),
            "anonymous".to_string(),
            String::new(),
            m.id.clone(),
            role.to_string(),
            group.to_string(),
        ];
        row.extend(codes.iter().map(|c| match c {
            None => String::new(),
            Some(3) if rng.random_bool(0.1) => "Neither agree or disagree".to_string(),
            Some(c) => LABELS[*c as usize - 1].to_string(),
        }));
        row.push(comment.to_string());
        online.write_record(&row).expect("in memory");
    }
}

/// The `[meetings]` section of the generated pipeline.toml.
pub const PIPELINE_SECTION: &str = r#"
# ---- Member-meeting feedback (questionnaires after committee meetings)
[meetings]
schema = "{meetings_schema}"
register = "meeting-register.csv"   # meeting_id, committee, date, members_attending, other_speakers
threshold = 5                      # meeting feedback has its own, smaller disclosure threshold
launch = "2025-01"                 # the baseline is the first 3 full months from here; control
                                   # limits come from the first 12 months with data
baseline_months = 3
max_days_after = 28                # online forms must be completed within 28 days of the meeting

# A change to how meetings are run: the control charts of these series get new limits from
# this month (leave `series` out to restart every chart).
[[meetings.step_changes]]
month = "2025-10"
reason = "New chairing protocol: speaking time shared between groups"
series = ["fair_speaking_time"]

[[meetings.sources]]
id = "paper"
channel = "Paper"
file = "member-feedback-paper.csv"  # paper forms keyed into a spreadsheet, answers keyed 1-5
response_id = "form_id"
meeting = "meeting_id"
date = "meeting_date"
date_format = "%Y-%m-%d"

[meetings.sources.columns]
role = "role"
political_group = "political_group"
C01 = "q1"
C02 = "q2"
C03 = "q3"
C04 = "q4"
C05 = "q5"
C06 = "q6"
C07 = "comments"

[[meetings.sources]]
id = "online"
channel = "Online"
file = "member-feedback-online.csv" # Microsoft Forms export saved as CSV UTF-8
response_id = "ID"
meeting = "Meeting reference"
date = "Completion time"
date_format = "%m/%d/%Y %H:%M:%S"

[meetings.sources.columns]
role = "What was your role at the meeting?"
political_group = "Your political group (optional)"
C01 = "The chair gave all members a fair opportunity to speak"
C02 = "Speaking time was shared fairly between political groups"
C03 = "Members treated each other with courtesy and respect"
C04 = "Members treated officers with courtesy and respect"
C05 = "Officers' advice at this meeting was impartial and helpful"
C06 = "I felt able to disagree without being personally attacked"
C07 = "Anything else about how this meeting was conducted?"
"#;
