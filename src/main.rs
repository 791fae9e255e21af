//! The `culture-metrics` command: parses arguments, calls the library, prints errors and
//! exits with a documented code (0 ok, 1 data rejected, 2 usage/config error, 3 output error).

use clap::{Parser, Subcommand, ValueEnum};
use culture_metrics::config::{DelimiterChoice, EncodingChoice, LayoutChoice};
use culture_metrics::{Error, Options, exit};
use std::path::PathBuf;
use std::process::ExitCode;

const DEFAULT_CONFIG: &str = "sample-data/pipeline.toml";

#[derive(Parser)]
#[command(
    name = "culture-metrics",
    version,
    about = "Staff-survey exports and member-meeting feedback -> a published, disclosure-controlled evidence pack",
    after_help = "Typical first use with a new vendor export:\n  \
        culture-metrics inspect export.csv --schema schemas/staff-survey.toml   # see the file, get a starter mapping\n  \
        culture-metrics validate --config my/pipeline.toml                      # check every row\n  \
        culture-metrics run --config my/pipeline.toml                           # write the evidence pack\n\n\
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
        culture-metrics run                                   # the committed sample data\n  \
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
        /// Pipeline config (TOML).
        #[arg(long, short, default_value = DEFAULT_CONFIG)]
        config: PathBuf,
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
        culture-metrics validate\n  \
        culture-metrics validate --config council/pipeline.toml --rejects rejected-rows.csv"
    )]
    Validate {
        /// Pipeline config (TOML).
        #[arg(long, short, default_value = DEFAULT_CONFIG)]
        config: PathBuf,
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
    },
    /// Check a written evidence pack: no published figure on fewer than the threshold, no hidden
    /// figure recoverable by differencing. Reads only the pack's tables.
    #[command(
        after_help = "Exit code 0 when the pack passes, 1 when it fails, 2 when it cannot be read.\n\nExamples:\n  \
        culture-metrics audit                                     # the latest run of the sample config\n  \
        culture-metrics audit --config council/pipeline.toml      # the latest run of that config\n  \
        culture-metrics audit received-pack --threshold 10"
    )]
    Audit {
        /// The pack folder (the one holding `tables/`), or an output folder (its newest run);
        /// default: the newest run in the config's output folder (runs.csv).
        dir: Option<PathBuf>,
        /// Pipeline config whose latest run to audit when no folder is given.
        #[arg(long, short, default_value = DEFAULT_CONFIG)]
        config: PathBuf,
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
            }
            Ok(exit::OK)
        }
        Command::Validate { config, rejects } => {
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
        } => {
            let schema = match schema {
                Some(p) => Some(
                    culture_metrics::schema::Schema::load(&p)
                        .map_err(|e| Error::Usage(e.to_string()))?,
                ),
                None => None,
            };
            let text = culture_metrics::import::inspect::inspect(
                &file,
                encoding,
                delimiter,
                layout.into(),
                schema.as_ref(),
            )?;
            print!("{text}");
            Ok(exit::OK)
        }
        Command::Audit {
            dir,
            config,
            threshold,
        } => {
            let dir = match dir {
                // An output folder rather than a pack: its newest run.
                Some(d) if !d.join("tables").is_dir() => {
                    culture_metrics::report::latest_run(&d).unwrap_or(d)
                }
                Some(d) => d,
                None => culture_metrics::latest_pack(&config)?,
            };
            let report = culture_metrics::disclosure::audit::audit_with(
                &dir,
                threshold,
                culture_metrics::audit_thresholds(&config),
            )?;
            print!("{}", report.render(&dir));
            Ok(if report.passed() {
                exit::OK
            } else {
                exit::DATA
            })
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
