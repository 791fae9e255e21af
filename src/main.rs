//! The `culture-metrics` command: parses arguments, calls the library, prints errors and
//! exits with a documented code (0 ok, 1 data rejected, 2 usage/config error, 3 output error).

use clap::{Parser, Subcommand, ValueEnum};
use culture_metrics::config::{DelimiterChoice, EncodingChoice, LayoutChoice};
use culture_metrics::{Error, Options, exit};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "culture-metrics",
    version,
    about = "Staff-survey exports and member-meeting feedback -> a published, disclosure-controlled evidence pack",
    after_help = "First use with a vendor export:\n  \
        culture-metrics init my-survey --export export-2025.csv   # a project folder with a pipeline.toml\n  \
        cd my-survey\n  \
        culture-metrics validate                                  # check every row\n  \
        culture-metrics run                                       # write the evidence pack\n  \
        culture-metrics add-wave --export ../export-2026.csv      # next year's survey\n\n\
        Commands read pipeline.toml in the current folder unless --config names another.\n\
        Exit codes: 0 ok, 1 data rejected, 2 usage or config error, 3 outputs could not be written."
)]
struct Cli {
    /// No progress bars or summaries on stderr (errors are still printed).
    #[arg(short, long, global = true)]
    quiet: bool,
    /// More log detail on stderr (-v info, -vv debug).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LayoutArg {
    Auto,
    Qualtrics,
    QualtricsLegacy,
    Surveymonkey,
    Plain,
}

impl From<LayoutArg> for LayoutChoice {
    fn from(l: LayoutArg) -> Self {
        match l {
            LayoutArg::Auto => LayoutChoice::Auto,
            LayoutArg::Qualtrics => LayoutChoice::Qualtrics,
            LayoutArg::QualtricsLegacy => LayoutChoice::QualtricsLegacy,
            LayoutArg::Surveymonkey => LayoutChoice::Surveymonkey,
            LayoutArg::Plain => LayoutChoice::Plain,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole batch: import every wave, store it, compute and protect results, write the pack.
    #[command(after_help = "Examples:\n  \
        culture-metrics run                                   # pipeline.toml in this folder\n  \
        culture-metrics run --config sample-data/pipeline.toml   # the committed sample data\n  \
        culture-metrics run --config council/pipeline.toml\n  \
        culture-metrics run --config council/pipeline.toml --out /tmp/pack-check\n  \
        culture-metrics run --deep-dive officer_member_trust      # plus a focused report\n  \
        culture-metrics run --timings                         # where the time goes\n\n\
        Each run writes its pack to <output>/<run id>/ (output is set in the config), adds a line to \
        <output>/runs.csv, newest last, and then copies the pack to <output>/latest/, the fixed place for \
        the Power BI data source (a failed run leaves latest/ as it was). The run id is the latest wave and \
        a short hash of the config, schemas and inputs: rerunning unchanged inputs replaces that run's \
        folder, any change makes a new one.")]
    Run {
        /// Pipeline config (TOML); default: pipeline.toml in the current folder.
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Write the evidence pack to exactly this folder instead of a run folder under the
        /// config's `output` (runs.csv is not updated).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Import every wave again even if its export, schema and mapping are unchanged since
        /// the store recorded it.
        #[arg(long)]
        reimport: bool,
        /// Also write a focused report for this indicator (repeatable), e.g.
        /// `--deep-dive officer_member_trust`.
        #[arg(long, value_name = "INDICATOR")]
        deep_dive: Vec<String>,
        /// Print each stage's wall time and the peak memory on stderr (also in manifest.json).
        #[arg(long)]
        timings: bool,
    },
    /// Check every wave's export against the schema and mapping; print the reconciliation.
    #[command(
        after_help = "Exit code 0 when clean, 1 when more rows are rejected than the config's \
        tolerance.max_rejected_pct (or a file cannot be read), 2 for config mistakes.\n\nExamples:\n  \
        culture-metrics validate                              # pipeline.toml in this folder\n  \
        culture-metrics validate --config council/pipeline.toml --rejects rejected-rows.csv"
    )]
    Validate {
        /// Pipeline config (TOML); default: pipeline.toml in the current folder.
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Also write every excluded or rejected row (line, id, reason, column, value) to this CSV.
        /// For the analyst only: do not publish it.
        #[arg(long)]
        rejects: Option<PathBuf>,
    },
    /// Describe an unfamiliar export and print a starter mapping for the config.
    #[command(after_help = "Examples:\n  \
        culture-metrics inspect vendor-export.csv\n  \
        culture-metrics inspect vendor-export.csv --schema schemas/staff-survey.toml\n  \
        culture-metrics inspect excel-saved.csv --encoding windows-1252 --delimiter ';'")]
    Inspect {
        /// The export file (CSV or tab-separated text).
        file: PathBuf,
        /// Survey schema: lets inspect match columns to question ids by wording.
        #[arg(long)]
        schema: Option<PathBuf>,
        /// auto, utf-8, utf-16le, utf-16be or windows-1252.
        #[arg(long, default_value = "auto")]
        encoding: EncodingChoice,
        /// auto, ",", ";", "tab" or "|".
        #[arg(long, default_value = "auto")]
        delimiter: DelimiterChoice,
        /// Header layout; auto recognises Qualtrics, legacy Qualtrics and SurveyMonkey.
        #[arg(long, value_enum, default_value = "auto")]
        layout: LayoutArg,
        /// Also write the starter [[waves]] block to this file (never overwrites one).
        #[arg(long, value_name = "FILE")]
        write: Option<PathBuf>,
    },
    /// Start a project: a folder with a commented pipeline.toml for your first survey export.
    #[command(
        after_help = "Reads the export as `inspect` does, matches its columns to the schema's \
        questions by wording, and writes FOLDER/pipeline.toml (with a copy of the bundled staff-survey \
        schema unless --schema names another). Lines marked CHECK are guesses to check; the config \
        loads as written.\n\nExamples:\n  \
        culture-metrics init my-survey --export staff-survey-2025.csv\n  \
        culture-metrics init my-survey --export C:\\Users\\me\\Downloads\\export.csv --headcount hr-2025.csv\n  \
        culture-metrics init council --export export.csv --schema our-schema.toml --copy-schema"
    )]
    Init {
        /// The project folder to create (or an empty one).
        folder: PathBuf,
        /// The survey export (CSV or tab-separated text from the vendor).
        #[arg(long)]
        export: PathBuf,
        /// Survey schema; default: the bundled staff-survey schema, copied into the folder.
        #[arg(long)]
        schema: Option<PathBuf>,
        /// Copy --schema into the folder instead of pointing at it.
        #[arg(long, requires = "schema")]
        copy_schema: bool,
        /// HR headcount by group for this wave (response rates, finite population correction).
        #[arg(long)]
        headcount: Option<PathBuf>,
        /// The wave's id (default: the year of its responses).
        #[arg(long)]
        id: Option<String>,
    },
    /// Add next year's export to a project's config as a new wave.
    #[command(
        after_help = "Appends a [[waves]] block for the export, matched to the schema's questions \
        by wording, with guesses marked CHECK. The config is changed only if it still loads with the \
        new wave.\n\nExamples:\n  \
        culture-metrics add-wave --export staff-survey-2026.csv            # pipeline.toml in this folder\n  \
        culture-metrics add-wave --config my-survey/pipeline.toml --export export.csv --headcount hr-2026.csv"
    )]
    AddWave {
        /// Pipeline config; default: pipeline.toml in the current folder.
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// The new wave's survey export.
        #[arg(long)]
        export: PathBuf,
        /// HR headcount by group for this wave.
        #[arg(long)]
        headcount: Option<PathBuf>,
        /// The wave's id (default: the year of its responses).
        #[arg(long)]
        id: Option<String>,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = "Examples:\n  \
        culture-metrics completions bash > ~/.local/share/bash-completion/completions/culture-metrics\n  \
        culture-metrics completions zsh > ~/.zfunc/_culture-metrics\n  \
        culture-metrics completions powershell >> $PROFILE")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Check a written evidence pack: no published figure on fewer than the threshold, no hidden
    /// figure recoverable by differencing. Reads only the pack's tables.
    #[command(
        after_help = "Exit code 0 when the pack passes, 1 when it fails, 2 when it cannot be read.\n\nExamples:\n  \
        culture-metrics audit                                     # the latest run of pipeline.toml here\n  \
        culture-metrics audit --config council/pipeline.toml      # the latest run of that config\n  \
        culture-metrics audit received-pack --threshold 10"
    )]
    Audit {
        /// The pack folder (the one holding `tables/`), or an output folder (its newest run);
        /// default: the newest run in the config's output folder (runs.csv).
        dir: Option<PathBuf>,
        /// Pipeline config whose latest run to audit when no folder is given; default:
        /// pipeline.toml in the current folder.
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Threshold to check against (default: the config's anonymity_threshold; for a pack
        /// with no config at hand, the one the run recorded in disclosure.json).
        #[arg(long)]
        threshold: Option<u32>,
    },
    /// Generate a synthetic council's exports (seeded, deterministic): the committed sample
    /// data, or bigger inputs for benchmarks.
    #[command(after_help = "Examples:\n  \
        culture-metrics generate --out sample-data            # re-create the committed sample\n  \
        culture-metrics generate --out /tmp/big --staff 1000000\n  \
        culture-metrics generate --out /tmp/national --workload 1000000   # the benchmark workload\n  \
        culture-metrics generate --out /tmp/group --workload 20000 --organisations 12   # several organisations in one export")]
    Generate {
        /// Folder to write the exports, headcount files and pipeline.toml into.
        #[arg(long)]
        out: PathBuf,
        /// Staff in post (about half respond).
        #[arg(long, default_value_t = culture_metrics::synth::DEFAULT_STAFF)]
        staff: u32,
        /// Random seed: the same seed gives byte-identical files.
        #[arg(long, default_value_t = culture_metrics::synth::DEFAULT_SEED)]
        seed: u64,
        /// Instead of the council sample, write the national-scale benchmark workload: two
        /// plain-CSV waves of N respondents, 60 items, 8 demographic fields, schema and config.
        #[arg(long, value_name = "N", conflicts_with = "staff")]
        workload: Option<u32>,
        /// With --workload: one export holding this many organisations (an `organisation`
        /// column), compared with the Civil Service medians and with each other.
        #[arg(long, value_name = "K", requires = "workload", default_value_t = 0,
              value_parser = clap::value_parser!(u16).range(0..=99))]
        organisations: u16,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CULTURE_METRICS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level)),
        )
        .with_writer(std::io::stderr)
        .without_time()
        .init();
    let opts = Options { quiet: cli.quiet };
    match execute(cli.command, opts) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn execute(command: Command, opts: Options) -> Result<i32, Error> {
    match command {
        Command::Run {
            config,
            out,
            reimport,
            deep_dive,
            timings,
        } => {
            let config = culture_metrics::find_config(config.as_deref())?;
            let summary =
                culture_metrics::run_with(&config, out.as_deref(), opts, !reimport, &deep_dive)?;
            if timings {
                eprint!("{}", summary.timings.render());
            }
            if !opts.quiet {
                eprint!("{}", summary.report);
                if let Some(fb) = &summary.feedback {
                    eprint!("Member-meeting feedback\n{fb}");
                }
                eprintln!(
                    "Wrote the evidence pack to {} (run {}; {} item rows, {} indicator rows).\n\
                     Start with report.html; tables/README.md describes every table.",
                    summary.pack.display(),
                    summary.run_id,
                    summary.item_rows,
                    summary.indicator_rows
                );
                if let Some(latest) = &summary.latest {
                    eprintln!(
                        "Copied to {}: point Power BI at its tables/ folder once; every run replaces it.",
                        latest.display()
                    );
                }
                eprint!("{}", summary.headline);
            }
            Ok(exit::OK)
        }
        Command::Validate { config, rejects } => {
            let config = culture_metrics::find_config(config.as_deref())?;
            let imported = culture_metrics::validate(&config, opts)?;
            print!("{}", imported.report());
            if let Some(path) = rejects {
                imported.write_rejects(&path)?;
                println!("Row-by-row list written to {}", path.display());
            }
            let over = imported.over_tolerance();
            if over.is_empty() {
                println!("OK: every row is accounted for and rejections are within tolerance.");
                Ok(exit::OK)
            } else {
                println!(
                    "DATA REJECTED: wave(s) {} are over the tolerance of {}% rejected rows.",
                    over.join(", "),
                    imported.config.max_rejected_pct
                );
                Ok(exit::DATA)
            }
        }
        Command::Inspect {
            file,
            schema,
            encoding,
            delimiter,
            layout,
            write,
        } => {
            let schema = match schema {
                Some(p) => Some(
                    culture_metrics::schema::Schema::load(&p)
                        .map_err(|e| Error::Usage(e.to_string()))?,
                ),
                None => None,
            };
            let (text, proposal) = culture_metrics::import::inspect::inspect_with_proposal(
                &file,
                encoding,
                delimiter,
                layout.into(),
                schema.as_ref(),
            )?;
            print!("{text}");
            if let Some(out) = write {
                culture_metrics::project::write_wave_block(&out, &file, &proposal)?;
                println!("\nWrote the [[waves]] block to {}", out.display());
            }
            Ok(exit::OK)
        }
        Command::Audit {
            dir,
            config,
            threshold,
        } => {
            // The config, when there is one (given, or in this folder): the pack to audit when no
            // folder is named, and the thresholds.
            let config = culture_metrics::find_config(config.as_deref());
            let dir = match dir {
                // An output folder rather than a pack: its newest run.
                Some(d) if !d.join("tables").is_dir() => {
                    culture_metrics::latest_pack_in(&d).unwrap_or(d)
                }
                Some(d) => d,
                None => match config {
                    Ok(ref c) => culture_metrics::latest_pack(c)?,
                    Err(e) => return Err(e),
                },
            };
            let thresholds = config
                .ok()
                .and_then(|c| culture_metrics::audit_thresholds(&c));
            let report =
                culture_metrics::audit::audit_with(&dir, threshold, thresholds)?;
            print!("{}", report.render(&dir));
            Ok(if report.passed() {
                exit::OK
            } else {
                exit::DATA
            })
        }
        Command::Init {
            folder,
            export,
            schema,
            copy_schema,
            headcount,
            id,
        } => {
            let written = culture_metrics::project::init(&culture_metrics::project::InitRequest {
                folder: &folder,
                export: &export,
                schema: schema.as_deref(),
                copy_schema,
                headcount: headcount.as_deref(),
                id: id.as_deref(),
            })?;
            print!("{}", written.render("Wrote"));
            Ok(exit::OK)
        }
        Command::AddWave {
            config,
            export,
            headcount,
            id,
        } => {
            let config = culture_metrics::find_config(config.as_deref())?;
            let written =
                culture_metrics::project::add_wave(&culture_metrics::project::AddWaveRequest {
                    config: &config,
                    export: &export,
                    headcount: headcount.as_deref(),
                    id: id.as_deref(),
                })?;
            print!("{}", written.render("Added a wave to"));
            Ok(exit::OK)
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "culture-metrics",
                &mut std::io::stdout(),
            );
            Ok(exit::OK)
        }
        Command::Generate {
            out,
            staff,
            seed,
            workload,
            organisations,
        } => {
            let written = match workload {
                Some(n) => culture_metrics::synth::workload::generate(
                    &out,
                    n,
                    seed,
                    usize::from(organisations),
                ),
                None => culture_metrics::synth::generate(&out, staff, seed),
            }
            .map_err(Error::Output)?;
            if !opts.quiet {
                for f in written {
                    eprintln!("wrote {}", f.display());
                }
            }
            Ok(exit::OK)
        }
    }
}
