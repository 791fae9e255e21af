//! `culture-metrics inspect`: an unfamiliar export described, with a starter mapping.

use crate::config::{DelimiterChoice, EncodingChoice, LayoutChoice};
use crate::exit;
use crate::pipeline::Error;
use crate::{import, project, schema};
use clap::ValueEnum;
use std::path::PathBuf;

/// Describe an unfamiliar export and print a starter mapping for the config.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    culture-metrics inspect vendor-export.csv\n  \
    culture-metrics inspect vendor-export.csv --schema schemas/staff-survey.toml\n  \
    culture-metrics inspect excel-saved.csv --encoding windows-1252 --delimiter ';'\n  \
    culture-metrics inspect forms-export.xlsx --sheet 'Form1'\n  \
    culture-metrics inspect agency-data.sav --schema schemas/staff-survey.toml")]
pub struct Args {
    /// The export file: CSV or other delimited text, an Excel/OpenDocument workbook (.xlsx,
    /// .xlsm, .xls, .ods) or an SPSS data file (.sav, .zsav).
    pub file: PathBuf,
    /// For a workbook: the sheet to read (default: the only, else the first, sheet with data).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Survey schema: lets inspect match columns to question ids by wording.
    #[arg(long)]
    pub schema: Option<PathBuf>,
    /// auto, utf-8, utf-16le, utf-16be or windows-1252.
    #[arg(long, default_value = "auto")]
    pub encoding: EncodingChoice,
    /// auto, ",", ";", "tab" or "|".
    #[arg(long, default_value = "auto")]
    pub delimiter: DelimiterChoice,
    /// Header layout; auto recognises Qualtrics, legacy Qualtrics and SurveyMonkey.
    #[arg(long, value_enum, default_value = "auto")]
    pub layout: LayoutArg,
    /// Also write the starter [[waves]] block to this file (never overwrites one).
    #[arg(long, value_name = "FILE")]
    pub write: Option<PathBuf>,
}

/// The header layouts `--layout` accepts.
#[derive(Clone, Copy, ValueEnum)]
pub enum LayoutArg {
    Auto,
    Qualtrics,
    QualtricsLegacy,
    Surveymonkey,
    Plain,
    Spss,
}

impl From<LayoutArg> for LayoutChoice {
    fn from(l: LayoutArg) -> Self {
        match l {
            LayoutArg::Auto => LayoutChoice::Auto,
            LayoutArg::Qualtrics => LayoutChoice::Qualtrics,
            LayoutArg::QualtricsLegacy => LayoutChoice::QualtricsLegacy,
            LayoutArg::Surveymonkey => LayoutChoice::Surveymonkey,
            LayoutArg::Plain => LayoutChoice::Plain,
            LayoutArg::Spss => LayoutChoice::Spss,
        }
    }
}

pub fn run(args: Args) -> Result<i32, Error> {
    let schema = match args.schema {
        Some(p) => Some(schema::Schema::load(&p).map_err(|e| Error::Usage(e.to_string()))?),
        None => None,
    };
    let (text, proposal) = import::inspect::inspect_with_proposal(
        &args.file,
        (args.encoding, args.delimiter, args.layout.into()),
        args.sheet.as_deref(),
        schema.as_ref(),
    )?;
    print!("{text}");
    if let Some(out) = args.write {
        project::write_wave_block(&out, &args.file, &proposal)?;
        println!("\nWrote the [[waves]] block to {}", out.display());
    }
    Ok(exit::OK)
}
