//! Setting up a project without writing TOML by hand: `init` (a folder with a commented
//! `pipeline.toml` for a first export), `add-wave` (next year's export into that config) and
//! `inspect --write` (a `[[waves]]` block to a file). Each reads the export as `inspect` does,
//! matches columns to the schema's questions by wording, marks every guess `CHECK`, and then
//! loads the config it wrote, so what it hands over validates on that export.

mod categories;
mod feedback;

use crate::config::Config;
use crate::import::inspect::{WaveProposal, propose_wave, toml_comment};
use crate::pipeline::Error;
use crate::report::WriteError;
use crate::schema::Schema;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The staff-survey schema that ships with the program (`schemas/staff-survey.toml`).
pub const BUNDLED_SCHEMA: &str = include_str!("../../schemas/staff-survey.toml");
/// The Civil Service People Survey medians the bundled schema maps its questions to.
pub const BUNDLED_BENCHMARKS: &str = include_str!("../../schemas/benchmarks/csps-median.csv");
/// The file name `init` gives the bundled schema's copy, and the benchmarks' copy.
pub const BUNDLED_SCHEMA_FILE: &str = "staff-survey.toml";
pub const BUNDLED_BENCHMARKS_FILE: &str = "benchmarks/csps-median.csv";
/// Each organisation's Civil Service People Survey 2019 scores: the spread the council's
/// percentile is taken among.
pub const BUNDLED_ORGANISATIONS: &str =
    include_str!("../../schemas/benchmarks/csps-2019-organisations.csv");
pub const BUNDLED_ORGANISATIONS_FILE: &str = "benchmarks/csps-2019-organisations.csv";
/// The config a project folder holds, found there when `--config` is not given.
pub use crate::config::files::CONFIG_FILE;

/// What `init` was asked to do.
pub struct InitRequest<'a> {
    pub folder: &'a Path,
    pub export: &'a Path,
    /// The survey schema; `None` = the bundled staff-survey schema (copied into the folder).
    pub schema: Option<&'a Path>,
    /// Copy `schema` into the folder instead of pointing at it.
    pub copy_schema: bool,
    pub headcount: Option<&'a Path>,
    /// The wave's id, when not the year of its responses.
    pub id: Option<&'a str>,
    /// The days the survey was open, when the analyst knows them (`--fieldwork`).
    pub fieldwork: Option<Fieldwork>,
    /// Member-feedback files (paper sheets, online-form downloads) and the meeting register.
    pub feedback: &'a [&'a Path],
    pub register: Option<&'a Path>,
}

/// The first and last day a survey was open.
pub type Fieldwork = (chrono::NaiveDate, chrono::NaiveDate);

/// `--fieldwork 2026-10-05..2026-10-30`: the days the survey was open.
pub fn parse_fieldwork(s: &str) -> Result<Fieldwork, String> {
    let day = |d: &str| {
        chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
            .map_err(|_| format!("`{}` is not a date: write it as YYYY-MM-DD", d.trim()))
    };
    let Some((a, b)) = s.split_once("..") else {
        return Err(format!(
            "`{s}` is not two days: write the first and last day the survey was open, e.g. 2026-10-05..2026-10-30"
        ));
    };
    let (a, b) = (day(a)?, day(b)?);
    if b < a {
        return Err(format!("the survey closed ({b}) before it opened ({a})"));
    }
    Ok((a, b))
}

/// When every response date reads both as day/month and as month/day, the days the survey was
/// open cannot be guessed: the analyst says them with `--fieldwork`, before anything is written.
fn fieldwork_needed(proposal: &WaveProposal, export: &Path, command: &str) -> Result<(), Error> {
    use crate::import::inspect::DateDoubt;
    match (&proposal.date_doubt, proposal.fieldwork) {
        (
            Some(DateDoubt::DayOrMonth {
                example,
                month_first,
                day_first,
            }),
            None,
        ) => Err(usage(format!(
            "every response date in {} (e.g. {example}) reads both as day/month ({} to {}) and as \
             month/day ({} to {}), so the days the survey was open cannot be told from them. Nothing was written.\n  \
             How to fix: say when the survey was open: `{command} --fieldwork {}..{}` (with your own dates).",
            export.display(),
            day_first.0,
            day_first.1,
            month_first.0,
            month_first.1,
            day_first.0,
            day_first.1,
        ))),
        _ => Ok(()),
    }
}

/// What a set-up command wrote, for the terminal.
pub struct Written {
    pub config: PathBuf,
    pub files: Vec<PathBuf>,
    pub wave: String,
    pub proposal: WaveProposal,
    /// What the export says of the schema's categories, one line per demographic (written
    /// into the schema copy by `init`; advice for `add-wave` and a schema not copied).
    pub categories: Vec<String>,
    /// What was found in the member-feedback files, one line each.
    pub feedback: Vec<String>,
    /// Guesses marked CHECK in the feedback section.
    pub feedback_guesses: usize,
}

impl Written {
    /// The summary printed after `init` / `add-wave`: what was matched, what to check, what next.
    pub fn render(&self, verb: &str) -> String {
        let mut s = String::new();
        let p = &self.proposal;
        let _ = writeln!(s, "{verb} {}", self.config.display());
        for f in &self.files {
            let _ = writeln!(s, "Wrote {}", f.display());
        }
        let by_wording = p
            .columns
            .iter()
            .filter(|c| matches!(c.id, Some((_, crate::import::inspect::Matched::ByWording))))
            .count();
        // Exact wording matches are listed as such; only guesses are marked CHECK.
        let guesses = p.render("", None, None).matches("# CHECK").count() + self.feedback_guesses;
        let unmatched = p.columns.iter().filter(|c| c.id.is_none()).count();
        let _ = writeln!(
            s,
            "Wave {}: {} rows; {} columns matched to questions or demographics, {} not matched \
             (listed in the config), {} personal-data column(s) never imported.",
            self.wave,
            p.rows,
            p.matched(),
            unmatched,
            p.personal.len()
        );
        if !p.unmatched_ids.is_empty() {
            let _ = writeln!(
                s,
                "Questions or demographics of the schema with no column in this export: {}",
                p.unmatched_ids.join(", ")
            );
        }
        if !self.categories.is_empty() {
            let _ = writeln!(s, "\nYour export's answers and the schema's categories:");
            for line in &self.categories {
                let _ = writeln!(s, "  - {line}");
            }
        }
        if !self.feedback.is_empty() {
            let _ = writeln!(s, "\nMember feedback:");
            for line in &self.feedback {
                let _ = writeln!(s, "  - {line}");
            }
        }
        let _ = writeln!(
            s,
            "\nNext:\n  1. Open {} and read the {guesses} line(s) marked CHECK: guesses to confirm \
             or correct ({by_wording} columns matched by their exact wording are listed without \
             CHECK).\n  \
             2. culture-metrics validate --config {}\n  \
             3. culture-metrics run --config {}",
            self.config.display(),
            self.config.display(),
            self.config.display()
        );
        s
    }
}

fn usage(message: String) -> Error {
    Error::Usage(message)
}

fn write_file(path: &Path, text: &str) -> Result<(), Error> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| WriteError {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    // Written whole, then renamed: a config is never left half-written.
    let tmp = path.with_extension("toml.part");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|source| {
            let _ = std::fs::remove_file(&tmp);
            Error::Output(WriteError {
                path: path.to_path_buf(),
                source,
            })
        })
}

/// `to` as a path from the folder `from`, with forward slashes (which Windows reads too), or
/// absolute when there is no relative way (another drive).
pub fn relative(from: &Path, to: &Path) -> String {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (from, to) = (abs(from), abs(to));
    let rel = pathdiff::diff_paths(&to, &from).unwrap_or(to);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if rel.is_absolute() {
        rel.to_string_lossy().into_owned()
    } else {
        parts.join("/")
    }
}

fn must_exist(what: &str, path: &Path) -> Result<(), Error> {
    if path.is_file() {
        Ok(())
    } else {
        Err(usage(crate::file_errors::not_found(what, path)))
    }
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// What init checks before reading the export: no config to overwrite, every file there, and
/// the member-feedback section when asked for (the register with the forms).
fn init_inputs(req: &InitRequest, config_path: &Path) -> Result<Option<feedback::Section>, Error> {
    if config_path.exists() {
        return Err(usage(format!(
            "{} already exists, so init would overwrite it.\n  How to fix: add this export as a new wave with \
             `culture-metrics add-wave --config {} --export {}`, or choose a new folder for init.",
            config_path.display(),
            config_path.display(),
            req.export.display()
        )));
    }
    must_exist("export", req.export)?;
    if let Some(h) = req.headcount {
        must_exist("headcount file", h)?;
    }
    match (req.feedback, req.register) {
        ([], _) => Ok(None),
        (files, Some(register)) => Ok(Some(feedback::new_section(req.folder, files, register)?)),
        (_, None) => Err(usage(
            "--feedback needs the meeting register too: add --register <file>".into(),
        )),
    }
}

/// init's lines on the council's categories: written into the schema copy, or advice.
fn learned_lines(
    learned: &[categories::Learned],
    answers: &[categories::AnswerAlias],
    copied: bool,
) -> Vec<String> {
    categories::summary(learned)
        .into_iter()
        .chain(categories::answers_summary(answers, true))
        .map(|l| {
            if copied {
                format!("{l} (in the schema copy, marked CHECK)")
            } else {
                format!("{l}: not written, since the schema is not copied; edit it, or init again with --copy-schema")
            }
        })
        .collect()
}

/// `culture-metrics init`: a project folder with a `pipeline.toml` for the export.
pub fn init(req: &InitRequest) -> Result<Written, Error> {
    let config_path = req.folder.join(CONFIG_FILE);
    let section = init_inputs(req, &config_path)?;
    let (schema, schema_ref, benchmarks_ref) = init_schema(req)?;
    let mut proposal = propose_wave(req.export, &schema)?;
    proposal.fieldwork = req.fieldwork;
    fieldwork_needed(
        &proposal,
        req.export,
        &format!(
            "culture-metrics init {} --export {} ...",
            req.folder.display(),
            req.export.display()
        ),
    )?;
    let wave = req
        .id
        .map(str::to_string)
        .or_else(|| proposal.year())
        .unwrap_or_else(|| "YYYY".into());
    let block = proposal.render(
        &relative(req.folder, req.export),
        req.headcount.map(|h| relative(req.folder, h)).as_deref(),
        req.id,
    );
    let mut text = config_text(
        &req.folder.file_name().map_or_else(
            || "this project".into(),
            |f| f.to_string_lossy().into_owned(),
        ),
        &schema_ref,
        benchmarks_ref,
        &wave,
        &block,
    );
    let mut files = Vec::new();
    if let Some(section) = &section {
        text.push_str(&section.text);
        if let Some(schema_text) = &section.schema_text {
            let path = req.folder.join(feedback::BUNDLED_FEEDBACK_SCHEMA_FILE);
            write_file(&path, schema_text)?;
            files.push(path);
        }
    }

    // The schema (and benchmarks) first, with the council's categories, then the config
    // that names them.
    let learned = categories::learn(&schema, &proposal);
    let answers = categories::learn_answers(&schema, &proposal);
    files.splice(
        0..0,
        write_schema_files(req, &schema_ref, (&learned, &answers))?,
    );
    write_file(&config_path, &text)?;
    let copied = req.schema.is_none() || req.copy_schema;
    let written = Written {
        config: config_path.clone(),
        files,
        wave,
        proposal,
        categories: learned_lines(&learned, &answers, copied),
        feedback_guesses: section
            .as_ref()
            .map_or(0, |f| f.text.matches("# CHECK").count()),
        feedback: section.map(|f| f.summary).unwrap_or_default(),
    };
    // What init hands over must load; if a guess could not be made (no response dates, say),
    // the config stays for the analyst to finish and the problems are listed.
    match Config::load(&config_path) {
        Ok(_) => Ok(written),
        Err(e) => Err(usage(format!(
            "{}\n{e}\n  How to fix: edit the lines named above in {}, then run `culture-metrics validate --config {}`.",
            written.render("Wrote").trim_end(),
            config_path.display(),
            config_path.display()
        ))),
    }
}

/// The schema init uses (the bundled one, or the one given), how the config names it, and
/// whether the bundled benchmarks go with it.
fn init_schema(req: &InitRequest) -> Result<(Schema, String, bool), Error> {
    Ok(match req.schema {
        None => {
            let path = req.folder.join(BUNDLED_SCHEMA_FILE);
            let schema = Schema::from_toml(&path, BUNDLED_SCHEMA)
                .map_err(|p| usage(format!("the bundled schema does not load: {p}")))?;
            (schema, BUNDLED_SCHEMA_FILE.to_string(), true)
        }
        Some(path) => {
            must_exist("schema", path)?;
            let schema =
                Schema::load(path).map_err(|p| usage(format!("the schema is not valid.\n{p}")))?;
            let reference = if req.copy_schema {
                path.file_name().map_or_else(
                    || "schema.toml".into(),
                    |f| f.to_string_lossy().into_owned(),
                )
            } else {
                relative(req.folder, path)
            };
            (schema, reference, false)
        }
    })
}

/// The bundled schema and benchmark files, or a copy of the given schema when asked.
fn write_schema_files(
    req: &InitRequest,
    schema_ref: &str,
    (learned, answers): (&[categories::Learned], &[categories::AnswerAlias]),
) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    let learn = |text: &str| {
        categories::apply(text, learned)
            .and_then(|t| categories::apply_answers(&t, answers))
            .map_err(usage)
    };
    if req.schema.is_none() {
        let path = req.folder.join(BUNDLED_SCHEMA_FILE);
        write_file(&path, &learn(BUNDLED_SCHEMA)?)?;
        files.push(path);
        let path = req.folder.join(BUNDLED_BENCHMARKS_FILE);
        write_file(&path, BUNDLED_BENCHMARKS)?;
        files.push(path);
        let path = req.folder.join(BUNDLED_ORGANISATIONS_FILE);
        write_file(&path, BUNDLED_ORGANISATIONS)?;
        files.push(path);
    } else if let (true, Some(src)) = (req.copy_schema, req.schema) {
        let path = req.folder.join(schema_ref);
        let text = std::fs::read_to_string(src)
            .map_err(|e| usage(crate::file_errors::cannot_read("schema", src, &e)))?;
        write_file(&path, &learn(&text)?)?;
        files.push(path);
    }
    Ok(files)
}

/// The whole `pipeline.toml` init writes around the first wave's block.
fn config_text(project: &str, schema_ref: &str, bundled: bool, wave: &str, block: &str) -> String {
    let project = toml_comment(project);
    let wave = toml_comment(wave);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Pipeline config for {project}, written by `culture-metrics init`.\n\
         # Lines marked CHECK are guesses read from the export: check each one, then run\n\
         #   culture-metrics validate --config {CONFIG_FILE}\n\
         # Paths are relative to this file; Windows paths (C:\\Users\\...) work too.\n\
         # Every setting is described in culture-metrics' schemas/README.md (\"Pipeline config\").\n"
    );
    let schema_note = if bundled {
        "the questions, answer scales and indicators (a copy of the bundled staff-survey schema)"
    } else {
        "the questions, answer scales and indicators"
    };
    let _ = writeln!(s, "schema = {}  # {schema_note}", toml_string(schema_ref));
    let _ = writeln!(
        s,
        "output = \"out\"                 # evidence packs: out/<run id>/, the newest copied to out/latest/\n\
         store = \"out/store\"            # accepted responses, one file per wave. Keep it: once a wave is\n\
         \x20                              # stored, its raw export (the file with personal data) can be archived\n\
         anonymity_threshold = 10       # no published figure on fewer valid answers than this\n\
         # baseline = \"{wave}\"           # the wave later ones are compared with (default: the earliest)\n\
         # crosses = [[\"directorate\", \"grade\"]]    # two-way breakdowns, each protected against its totals\n\
         # deep_dives = [\"officer_member_trust\"]   # focused reports for the board's deep dives\n\
         \n\
         [tolerance]\n\
         max_rejected_pct = 1.0         # validate and run stop if more than 1% of a wave's rows are defective\n\
         \n\
         [publication]                  # what the report's cover and the workbook say about the release\n\
         # organisation = \"London Borough of ...\"\n\
         status = \"Management information: not official statistics\"\n\
         # contact = \"team name, email address\"\n\
         # published = \"YYYY-MM-DD\""
    );
    if bundled {
        let _ = writeln!(
            s,
            "\n[benchmarks]                   # published results to compare with\n\
             files = [\"{BUNDLED_BENCHMARKS_FILE}\", \"{BUNDLED_ORGANISATIONS_FILE}\"]   # Civil Service People Survey medians (the schema maps questions to them) and each organisation's 2019 scores (percentiles)"
        );
    }
    let _ = writeln!(
        s,
        "\n# ---- Wave {wave}: add next year's with\n\
         #   culture-metrics add-wave --config {CONFIG_FILE} --export <next year's export>"
    );
    s.push_str(block);
    s
}

/// What `add-wave` was asked to do.
pub struct AddWaveRequest<'a> {
    pub config: &'a Path,
    pub export: &'a Path,
    pub headcount: Option<&'a Path>,
    pub id: Option<&'a str>,
    pub fieldwork: Option<Fieldwork>,
}

/// `culture-metrics add-wave`: the export's `[[waves]]` block appended to the config. The
/// config is replaced only if it still loads with the new wave.
pub fn add_wave(req: &AddWaveRequest) -> Result<Written, Error> {
    let config = Config::load(req.config)?;
    must_exist("export", req.export)?;
    if let Some(h) = req.headcount {
        must_exist("headcount file", h)?;
    }
    let mut proposal = propose_wave(req.export, &config.schema)?;
    proposal.fieldwork = req.fieldwork;
    fieldwork_needed(
        &proposal,
        req.export,
        &format!(
            "culture-metrics add-wave --export {} ...",
            req.export.display()
        ),
    )?;
    let Some(wave) = req.id.map(str::to_string).or_else(|| proposal.year()) else {
        return Err(usage(format!(
            "{} has no response dates to tell its survey year.\n  How to fix: name the wave: `--id 2027`.",
            req.export.display()
        )));
    };
    if let Some(w) = config.waves.iter().find(|w| w.id == wave) {
        return Err(usage(format!(
            "the config already has a wave {wave} (export {}).\n  How to fix: if this export replaces it, edit that wave's `file`; \
             if it is another wave, name it with `--id`, e.g. `--id {wave}-pulse`.",
            w.file.display()
        )));
    }
    let folder = req.config.parent().unwrap_or(Path::new(""));
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let block = proposal.render(
        &relative(folder, req.export),
        req.headcount.map(|h| relative(folder, h)).as_deref(),
        req.id,
    );
    let heading = format!(
        "\n# ---- Wave {}: added by `culture-metrics add-wave`; check the lines marked CHECK\n",
        toml_comment(&wave)
    );
    append_if_it_loads(req.config, folder, &(heading + &block), "the new wave")?;
    let mut categories = categories::against_schema(&categories::learn(&config.schema, &proposal));
    categories.extend(categories::answers_summary(
        &categories::learn_answers(&config.schema, &proposal),
        false,
    ));
    Ok(Written {
        config: req.config.to_path_buf(),
        files: Vec::new(),
        wave,
        proposal,
        categories,
        feedback: Vec::new(),
        feedback_guesses: 0,
    })
}

/// Append `addition` to the config if the config still loads with it (tried beside the old
/// one, in the same folder, so its paths read the same); otherwise leave it as it was.
fn append_if_it_loads(
    config: &Path,
    folder: &Path,
    addition: &str,
    what: &str,
) -> Result<(), Error> {
    let old = std::fs::read_to_string(config).map_err(|e| {
        usage(crate::file_errors::cannot_read(
            "pipeline config",
            config,
            &e,
        ))
    })?;
    let mut text = old;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(addition);
    let trial = folder.join(".pipeline.add-wave.toml");
    write_file(&trial, &text)?;
    let loaded = Config::load(&trial);
    let _ = std::fs::remove_file(&trial);
    if let Err(e) = loaded {
        let shown = e
            .to_string()
            .replace(&trial.display().to_string(), &config.display().to_string());
        return Err(usage(format!(
            "{} was left as it was: with {what} it would not load.\n{shown}\n\nThe proposed block:\n{}",
            config.display(),
            addition.trim_start_matches('\n')
        )));
    }
    write_file(config, &text)
}

/// What `add-feedback` was asked to do.
pub struct AddFeedbackRequest<'a> {
    pub config: &'a Path,
    pub feedback: &'a [&'a Path],
    /// The meeting register, when the config has no `[meetings]` section yet.
    pub register: Option<&'a Path>,
}

/// What `add-feedback` wrote, for the terminal.
pub struct FeedbackWritten {
    pub config: PathBuf,
    pub files: Vec<PathBuf>,
    pub lines: Vec<String>,
    pub guesses: usize,
}

impl FeedbackWritten {
    pub fn render(&self) -> String {
        let mut s = format!("Added member feedback to {}\n", self.config.display());
        for f in &self.files {
            let _ = writeln!(s, "Wrote {}", f.display());
        }
        for line in &self.lines {
            let _ = writeln!(s, "  - {line}");
        }
        let c = self.config.display();
        let _ = writeln!(
            s,
            "\nNext:\n  1. Open {c} and read the {} line(s) marked CHECK: guesses to confirm or correct.\n  \
             2. culture-metrics validate --config {c}\n  \
             3. culture-metrics run --config {c}",
            self.guesses
        );
        s
    }
}

/// `culture-metrics add-feedback`: feedback files as `[[meetings.sources]]`, with the
/// `[meetings]` section (and a copy of the bundled feedback schema) when the config has none.
/// The config is replaced only if it still loads.
pub fn add_feedback(req: &AddFeedbackRequest) -> Result<FeedbackWritten, Error> {
    let config = Config::load(req.config)?;
    let folder = match req.config.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut files = Vec::new();
    let section = match (&config.meetings, req.register) {
        (Some(m), None) => feedback::more_sources(folder, req.feedback, m)?,
        (Some(m), Some(_)) => {
            return Err(usage(format!(
                "{} already names a meeting register ({}).\n  How to fix: leave out --register, or edit `register` in [meetings] to use another.",
                req.config.display(),
                m.register.display()
            )));
        }
        (None, Some(register)) => {
            let section = feedback::new_section(folder, req.feedback, register)?;
            let path = folder.join(feedback::BUNDLED_FEEDBACK_SCHEMA_FILE);
            if path.exists() {
                return Err(usage(format!(
                    "{} already exists and add-feedback would write the feedback schema there.\n  How to fix: move it aside, then run add-feedback again.",
                    path.display()
                )));
            }
            if let Some(text) = &section.schema_text {
                write_file(&path, text)?;
                files.push(path);
            }
            section
        }
        (None, None) => {
            return Err(usage(format!(
                "{} has no [meetings] section yet, so the meeting register is needed too.\n  How to fix: add --register <file> (columns meeting_id, committee, date, members_attending, other_speakers).",
                req.config.display()
            )));
        }
    };
    if let Err(e) = append_if_it_loads(req.config, folder, &section.text, "the feedback") {
        for f in &files {
            let _ = std::fs::remove_file(f);
        }
        return Err(e);
    }
    Ok(FeedbackWritten {
        config: req.config.to_path_buf(),
        files,
        guesses: section.text.matches("# CHECK").count(),
        lines: section.summary,
    })
}

/// `inspect --write FILE`: the proposed `[[waves]]` block, its paths relative to FILE's folder.
pub fn write_wave_block(out: &Path, export: &Path, proposal: &WaveProposal) -> Result<(), Error> {
    if out.exists() {
        return Err(usage(format!(
            "{} already exists; inspect --write never overwrites a file.\n  How to fix: choose a new file name, \
             or add the wave to a config with `culture-metrics add-wave --config {} --export {}`.",
            out.display(),
            out.display(),
            export.display()
        )));
    }
    let folder = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let text = format!(
        "# A [[waves]] block proposed by `culture-metrics inspect` for {}: paste it into the\n\
         # pipeline config (paths below are relative to this file's folder) and check every line\n\
         # marked CHECK.\n{}",
        toml_comment(&export.display().to_string()),
        proposal.render(&relative(folder, export), None, None)
    );
    write_file(out, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_use_forward_slashes_and_climb_out_of_the_folder() {
        assert_eq!(
            relative(Path::new("/a/project"), Path::new("/a/exports/x.csv")),
            "../exports/x.csv"
        );
        assert_eq!(
            relative(Path::new("/a/project"), Path::new("/a/project/in/x.csv")),
            "in/x.csv"
        );
    }

    #[test]
    fn the_bundled_schema_loads() {
        Schema::from_toml(Path::new(BUNDLED_SCHEMA_FILE), BUNDLED_SCHEMA).unwrap();
    }
}
