//! `tables/README.md`: the data dictionary, the contract the Power BI dashboard reads. The
//! table and column sections and the relationships are generated from the registry; the prose
//! around them quotes the run's own settings.

use super::registry::{Format, Role, Table};
use std::fmt::Write as _;

/// Meeting feedback's part of the methodology: its threshold, its baseline months and the
/// pack's control-chart false-alarm rate with its number of charts.
pub struct MeetingsSettings {
    pub threshold: u32,
    pub baseline: String,
    pub pack_false_alarm: Option<(f64, usize)>,
}

/// Settings the dictionary quotes.
pub struct DictionarySettings {
    pub threshold: u32,
    pub fpc: bool,
    pub baseline: String,
    /// Meeting feedback: its threshold, baseline months and the pack's false-alarm rate (and
    /// its number of charts), when configured.
    pub meetings: Option<MeetingsSettings>,
    /// The margins results are weighted to (`directorate and grade`), when `[weighting]` is on.
    pub weighted_by: Option<String>,
    /// Post-stratified to cells with this minimum (`None`: raked, or not weighted).
    pub weighting_cells: Option<u64>,
    /// Key drivers: smallest group analysed and bootstrap draws.
    pub drivers: (u64, usize),
}

/// The dictionary: what the files are, then the methods and a glossary of their technical
/// names, then how the tables relate and every table's columns.
pub fn data_dictionary(s: &DictionarySettings, tables: &[&Table]) -> String {
    let mut out = introduction(tables);
    out.push_str(&staff_methods(s));
    out.push_str(&weighting_methods(
        s.weighted_by.as_deref(),
        s.weighting_cells,
    ));
    out.push_str(&insight_methods(s));
    if let Some(m) = &s.meetings {
        out.push_str(&meetings_methods(
            m.threshold,
            &m.baseline,
            m.pack_false_alarm,
        ));
    }
    out.push_str(GLOSSARY);
    out.push_str(&relationships(tables));
    out.push_str("\n## Tables\n");
    for t in tables {
        out.push_str(&table_section(t));
    }
    out
}

fn introduction(tables: &[&Table]) -> String {
    let names = |prefix: &[&str]| {
        tables
            .iter()
            .filter(|t| prefix.iter().any(|p| t.name.starts_with(p)))
            .map(|t| format!("`{}`", t.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        r#"# Data dictionary

The tables in this folder are a star schema for Power BI and other tools. **Dimensions**
({dims}) describe waves, questions, indicators, groups, months, quarters, committees and imported
files, with labels and a `sort_order` column for each (use Power BI's *Sort by column*).
**Facts** ({facts}) hold one grain each (stated below) and point at dimensions by key.
`run_info` says which run wrote the tables.

Each table is written twice, with the same columns in the same order:

- `<table>.parquet`: typed as declared below (Int64, Float64, Boolean, Date32, UTF-8 text),
  numbers rounded as each column says (the same figures as the CSV), withheld and missing
  values as nulls. The types never change between runs:
  a first-year pack, a multi-year pack and a pack where a column is entirely suppressed have
  the same schema. Power BI: Int64 is *Whole number*, Float64 *Decimal number*, Boolean
  *True/False*, Date32 *Date*, text *Text*.
- `<table>.csv`: UTF-8 with a byte-order mark (Excel opens it correctly), one header row,
  numbers rounded once as each column says, dates as `YYYY-MM-DD`, flags as `true`/`false`.
  A number, flag or date column is empty where a figure is withheld (the row's `suppressed`
  says so; `headcount_withheld` for a headcount withheld on its own) or not asked (`not_asked`),
  so Power BI, Excel, pandas and DuckDB read it as numbers; a text column shows `[c]` or `[x]`
  there. Text a spreadsheet would run as a formula starts with an apostrophe.

`schema.json` describes every table for software: name, grain, primary key, columns (name,
Arrow type, unit, meaning, in file order) and foreign keys. Keys are stable: the same wave,
question, indicator or group has the same key in every run, so a model built once keeps
refreshing. Rows are in a fixed order, and every sum, difference and interval is computed from
unrounded values.
"#,
        dims = names(&["dim_", "bridge_"]),
        facts = names(&["fact_"]),
    )
}

/// The methods' technical names beside the words the report and deep dives use for them.
const GLOSSARY: &str = r#"
## Glossary

The report and the deep dives say what each method does in a reader's words; the methods above
and the tables' columns use the technical names.

| Technical name | In the report's words | What it is |
|---|---|---|
| Benjamini-Hochberg adjustment, q-value | "larger than chance would explain, allowing for the number of comparisons" | Controls the expected share of false discoveries among the changes called real within a family of comparisons; `q_value` is each change's adjusted p-value, and a change is called improved or declined when it is below 0.05. |
| Benjamini-Yekutieli adjusted interval | "the interval beside a tested change is widened to allow for the number of comparisons" | A confidence interval at the level the family's threshold implies, so it leaves out zero exactly when the change is called real. |
| p-value | "could be chance" | The chance of a change at least this large if nothing had changed. |
| Wilson score interval | "95% interval" of a percentage | The interval for a proportion that stays inside 0 to 100 and behaves well near the ends. |
| Newcombe's hybrid score interval | "95% interval" of a change in a percentage | The interval for a difference of two proportions, built from each wave's Wilson interval. |
| Two-proportion z test | "larger than chance would explain" (percentages) | The test of a change in a percentage between two waves. |
| Welch's t test and interval | "larger than chance would explain" (scores) | The test and interval for a change in a mean when the two waves' spreads differ. |
| Minimum detectable difference (MDD) | "a change needs to be about ... to be called a real change" | The smallest change a two-sided test would detect with 80% power: at 5% (`mdd_unadjusted`), or at the family's threshold (`mdd_at_family_threshold`), which the report quotes. |
| Finite population correction | "narrowed because a large share of the group's staff answered" | Narrows an interval by the share of a known population that answered; off unless the config switches it on. |
| Kish's effective sample size | "unequal weights count as fewer respondents" | n / (1 + CV² of the weights): the number of unweighted respondents that would give the same precision. |
| Raking (iterative proportional fitting), post-stratification | "weighted to the HR headcount" | Two ways of weighting respondents so that groups count for their share of staff. |
| R² | "what the themes together explain of how the outcome varies" | The share of the outcome's variance a regression on the themes explains. |
| Shapley decomposition (LMG) of R² | "each theme's share of what is explained, shared out fairly between themes that overlap" | Each theme's average gain in R² over every order in which the themes can enter the regression. |
| Bootstrap | "resampling the respondents" | Re-running the analysis on many samples drawn with replacement from the respondents to see how much the results vary. |
| p-chart, Laney p′-chart | "a chart of a proportion" | A control chart for a monthly percentage, with limits for each month's number of forms (Laney's when months vary more than chance would explain). |
| Person-level mean chart | "a chart of the mean of respondents' scores" | A control chart for a theme's monthly mean score, its limits from the spread of respondents' scores. |
| Primary and secondary suppression | "withheld: too few answers, or to protect another figure" | Withholding a figure on fewer answers than the threshold, and others so that it cannot be worked out by subtraction. |
"#;

/// A Mermaid diagram of every foreign key, and the same as a list.
fn relationships(tables: &[&Table]) -> String {
    let mut s = String::from(
        "\n## Relationships\n\nEach arrow is a one-to-many relationship from a dimension's key to the \
         column that references it (single direction in Power BI). Where a fact references the \
         same dimension twice (`wave_from`, `wave_to`), make one relationship active. References \
         that start from a dimension or `run_info` (`dim_question.replaces_question_id`, \
         `dim_question.primary_indicator_id`, `dim_wave.fieldwork_month`, ...) say how the \
         dimensions relate; in Power BI, relate dimensions to facts and use these as lookups, so \
         every filter has one path.\n\n```mermaid\nerDiagram\n",
    );
    let mut list = String::new();
    for t in tables {
        for f in t.foreign_keys {
            let _ = writeln!(s, "    {} ||--o{{ {} : \"{}\"", f.table, t.name, f.column);
            let _ = writeln!(
                list,
                "- `{}.{}` → `{}.{}`",
                t.name, f.column, f.table, f.references
            );
        }
    }
    s.push_str("```\n\n");
    s.push_str(&list);
    s
}

fn staff_methods(s: &DictionarySettings) -> String {
    let k = s.threshold;
    let baseline = &s.baseline;
    let fpc = if s.fpc {
        "switched on in this run's config: it is applied to the levels' intervals where the group's HR \
         headcount is known (`population`, `fpc_assumed`), and those intervals assume that those who \
         answered are a random sample of the group's staff"
    } else {
        "off (the default). A staff survey is a census with non-response: those who answered chose to, \
         so they are not a random sample of staff, and the correction would narrow the whole \
         organisation's interval by about a quarter at a 50% response rate and only for groups HR \
         gives a headcount for"
    };
    [
        suppression_section(k),
        groups_section(),
        uncertainty_section(fpc),
        change_section(baseline),
    ]
    .concat()
}

/// The methods' `Suppression` section.
fn suppression_section(k: u32) -> String {
    format!(
        r#"
## Suppression

Outputs are published. No staff-survey figure rests on fewer than **{k}** valid answers
(respondents, for indicators scored per respondent). Where a row's figures are withheld, every
count and value column is empty in CSV (null in Parquet; `[c]` in the workbook), `suppressed` is true and
`suppression_reason` says why:

| reason | meaning |
|---|---|
| `primary` | fewer than {k} valid answers in this cell |
| `secondary` | hidden so that no withheld count (of the cell's size, or of its positive, neutral or negative answers) can be worked out from the published figures: by subtraction from the organisation's figure, a one-way total, or a row or column of a two-way breakdown, or by a linear program over all of them together; or because a component of this figure is hidden (a theme's question, the question behind a yes-rate or eNPS); or because everyone in a group smaller than the attribute rule's size (`[attribute_disclosure]`, 30 by default) answered alike, which would tell each member's answer |
| `cross_dropped` | a two-way cross (such as directorate × grade) is withheld whole for this measure and wave: hiding some of its cells could not protect the rest, and a cross never costs a one-way group its figures. Says nothing about any cell's size |
| `small_organisation` | the wave has fewer than 30 respondents, or the whole organisation's figure is itself withheld, so no breakdowns are published |
| `confidential` | withheld for either of the first two reasons, without saying which. Member feedback always: committees give a handful of forms a month, so "fewer than the threshold" would bound a hidden month so tightly that its committee's quarter gives it away. The staff survey only where every group of a breakdown is withheld and the reasons together would give a group's size away (three groups each "at least 10" in a total of 30) |

Secondary suppression follows a hierarchy of what readers need. The whole organisation and
the one-way groups are decided first, as if no cross were published, so their figures are the
same whatever crosses a pack has (two packs with different crosses give nothing away when read
together): a one-way group is withheld only for its own size or so that another one-way group
cannot be worked out from the total (or, rarely, where the one-way figures alone would give a
cell of a cross away: that family is then protected as a whole). Each cross then pays for its own protection with its own
cells, or is withheld whole (`cross_dropped`); where the config merges some categories of one
of its fields (`collapse`, a merged group labelled with its members joined by ` + `), a merged
cell adds up to its members' one-way groups, and is protected knowing that. Within each stage the cells to withhold are
chosen at least cost: the fewest figures the line rules need, found by an integer program
(each withheld cell costs one figure plus its share of the respondents), then more wherever
the linear-programming attacker can still work a withheld count out, then every withheld cell
published again that neither the rules nor the attacker need. `fact_disclosure_summary`
counts what each table withholds at each level and the respondents behind its secondary cells.

A group's HR headcount is withheld with its responses; meetings in the register stay
published. Run `culture-metrics audit <pack>`: it re-reads these tables and fails if any
published figure rests on fewer than the threshold or any hidden one can be recovered by
differencing (including the linear program, over the staff survey's tables and member
feedback's quarters and months), checks that every file has the columns and types declared
here, and that the workbook, the report pages, the changes, benchmarks and key drivers and
the control charts show nothing these tables withhold.
"#
    )
}

/// The methods' `Groups` section.
fn groups_section() -> String {
    r#"
## Groups

`dim_group` lists every group of staff with results: the whole organisation (`overall`, level
`organisation`), each category of each breakdown (level `one-way`; `Not stated` is those who
left the question blank, kept so groups add up to the total), and each pair of categories of
each two-way breakdown (level `two-way`, with each side in its own columns so a slicer can
filter either). Each group belongs to exactly one breakdown: filter `breakdown_id` (or `level`)
before adding counts across groups.
"#
    .to_string()
}

/// The methods' `Uncertainty` section.
fn uncertainty_section(fpc: &str) -> String {
    format!(
        r#"
## Uncertainty

Intervals are 95%. Proportions use the Wilson score interval; means (indices, scores) and
theme scores use a t interval on respondent-level scores; eNPS uses a normal interval for a
difference of proportions. The finite population correction √((N−n)/(N−1)) is {fpc}. It never enters a change between
waves: two waves are two different workforces.
`mdd` is the minimum detectable difference: the smallest change from one wave to the next that
a two-sided 5% test would detect with 80% power for a group of this size
((z₀.₉₇₅ + z₀.₈) × √2 × standard error). It is unadjusted: a verdict needs the stricter
threshold of its family (below), so what a verdict can detect is larger; the change tables give
both (`mdd_unadjusted`, `mdd_at_family_threshold`). 0-10 scores are published to two decimals,
everything else to one (`dim_indicator.decimals`).
"#
    )
}

/// The methods' `Change between waves` section.
fn change_section(baseline: &str) -> String {
    format!(
        r#"
## Change between waves

The latest wave is compared with the previous wave (`since_previous`) and with the baseline
wave {baseline} (`since_baseline`) in `fact_item_changes` and `fact_indicator_changes`; when the
previous wave is the baseline, the one comparison is one row with both roles
(`since_previous_and_baseline`, and both flags true). The
Benjamini–Hochberg false discovery rate is controlled within families fixed before the data are
seen, for each pair of waves (`family`): `headline`, the indicators for the whole organisation;
`items`, every question for the whole organisation; and `breakdown:<id>`, every question and
indicator of one breakdown. A change is `improved` or `declined` only when its q-value within
its family is below 0.05; `family_threshold` is the p-value that took. Adding a breakdown adds
a family and leaves the headline's q-values as they were. Each test belongs to one family: a
question that is a yes-rate indicator's only item (bullying, discrimination) is the same test
as the indicator, so it is tested once, in the indicator's family, and its row in
`fact_item_changes` shows that family, q-value and verdict.

Every change has a 95% interval (`delta_ci_low`, `delta_ci_high`): Newcombe's hybrid score
interval for a difference of percentages, Welch's t interval for a difference of means, a normal
interval for eNPS (never with the finite population correction). It is not adjusted for the
number of comparisons, so on its own it can exclude zero where the family gives no verdict.
Beside it, every tested change has the interval at its family's threshold
(`adjusted_ci_low`, `adjusted_ci_high`): level 1 − `family_threshold`, built from the test
itself (the change ± the test's critical value at that threshold × the standard error the test
used). For the changes declared it is Benjamini and Yekutieli's (2005) false-coverage-rate
adjusted interval; it excludes zero exactly when a verdict is declared, so an interval clear of
zero never sits beside "no significant change". The report shows this interval. A change
resting on fewer than
30 answers in either wave is published with its interval but marked low reliability
(`low_reliability`, `[u]` in the report) and given no verdict. "Not tested" is not the same as
"no significant change": it means the survey cannot say. A question whose wording or scale
changed starts a new series (`dim_question.series_id`) and is never compared with the old one.

An indicator exists in a wave only when the wave asked enough of its questions (the schema's
`min_coverage`, by default all of them; a question and the one it replaces count once). Where it
was not asked, its rows in `fact_indicator_results` show `[x]` (not available) in every figure,
never `[c]`, and its changes are "not asked in" that wave. A change is tested only between waves
that asked the same questions ("not comparable: different questions", naming them, otherwise).
Intervals of theme percentages and eNPS that run past the end of the scale are cut there and say
so (`ci_clipped`).
"#
    )
}

fn weighting_methods(by: Option<&str>, cells: Option<u64>) -> String {
    match (by, cells) {
        (Some(by), Some(min_cell)) => format!(
            r#"
## Non-response weighting

Results are weighted to each wave's HR headcount by {by} together: post-stratification to
the HR file's joint table, so each cell (e.g. one grade in one directorate) counts for its
staff in post. A respondent's weight is the cell's staff divided by its respondents, and the
weights reproduce every cell's headcount. A cell with fewer than {min_cell} respondents (or no
staff) is pooled with its neighbours: within the same categories of every margin but the last
(a directorate), consecutive categories of the last margin (grades, in the schema's order) are
pooled until the pool has {min_cell} respondents; a short pool at the end joins the one before,
and a directorate with fewer than {min_cell} respondents in all is one pool. Pooled cells
reproduce their pool's total. Respondents who left a margin's question blank cannot be placed
in a cell and take the average weight. `fact_weighting_summary` gives the method, the cells
and how many were pooled. Percentages, scores, intervals and tests use the weights; intervals
and tests replace n with Kish's effective sample size n / (1 + CV² of the weights)
(`design_effect` = 1 + CV²). The counts (`n`, `n_positive`, ...) are always the unweighted
responses, and every disclosure decision is made on them. Weights per person are kept in the
store and never published. Weighting corrects only for who answered by {by}: it assumes that,
within each cell, staff who did not answer think like those who did.
"#
        ),
        (Some(by), None) => format!(
            r#"
## Non-response weighting

Results are weighted to each wave's HR headcount by {by}: respondents are raked (iterative
proportional fitting) until every category's weighted share of those who stated it matches its
share of the workforce to within 1e-9. A respondent who left a margin's question blank sits
out that margin's step. Percentages, scores, intervals and tests use the weights; intervals and
tests replace n with Kish's effective sample size n / (1 + CV² of the weights)
(`design_effect` = 1 + CV²). The counts (`n`, `n_positive`, ...) are always the unweighted
responses, and every disclosure decision is made on them. `weighted` says which rows are
weighted; `fact_weighting_margins` compares respondents with the workforce on each margin
before and after weighting, and `fact_weighting_summary` describes the weights. Weights per
person are kept in the store and never published. Weighting corrects only for who answered by
{by}, each margin separately: raking matches the workforce on each margin, not on their
combinations, so it assumes that staff who did not answer think like those who did with the
same category on each margin. `method = "cells"` weights to the joint table instead.
"#
        ),
        (None, _) => r#"
## Non-response

Results are not weighted (`weighted` is false): every response counts once, so groups with
higher response rates count for more, and the intervals assume that staff who did not answer
think like those who did. `[weighting]` in the config rakes results to the HR headcount.
"#
        .to_string(),
    }
}

fn insight_methods(s: &DictionarySettings) -> String {
    let (min, draws) = s.drivers;
    let k = s.threshold;
    format!(
        r#"
## Key drivers

For each outcome (`fact_drivers.outcome_indicator_id`), each respondent's outcome score is
regressed on their scores on the other themes (a theme score is the mean of the respondent's
answered questions scored 0, 25, 50, 75, 100, needing the indicator's minimum number of answered
questions; yes/no questions and eNPS are not drivers). R² is shared out among the themes by
the Shapley decomposition (LMG: each theme's gain in R², averaged over every order in which the
themes can enter), exact over every subset; the shares add up to 100. The 95% interval is the
2.5th and 97.5th percentile of {draws} bootstrap resamples of respondents (seeded, so the same
every run; groups of more than 5,000 are resampled in 500 random blocks). Respondents missing
the outcome or any driver are left out and counted (`excluded`). Only the whole organisation
and groups with at least {min} analysed respondents are shown, and only where the group's
outcome figure is published; `fact_driver_groups` lists every group the analysis looked at and
what became of it (`analysed`, `withheld`, `too_few_respondents`, `not_fitted`). A driver's rank
(1 = largest share) is given only where the bootstrap separates it: `rank_low` and `rank_high`
are the ranks it takes in the middle 95% of resamples, and `rank` is empty unless they agree. The
quadrant (importance above or below the average share, score above or below the drivers'
median) is named only when at least 90% of resamples put the driver there (`quadrant_support`),
otherwise `unclear`; when the drivers together explain less than 10% of the outcome (R² under
0.10) or fewer than three themes were asked, no driver is ranked or placed (`not_labelled`). A
driver's share is **association, not cause**: themes that move with the outcome, not proof that
acting on them will move it. Unweighted.

## Benchmarks

`fact_item_benchmarks` and `fact_indicator_benchmarks` compare the latest wave with published
values (source, year and wording in `benchmark_label`; the Civil Service People Survey median is
the median of its organisations' scores, rounded to whole percent at source) using the latest
benchmark year not after the wave's fieldwork. `difference` is the council's figure minus the
benchmark; `outside_interval` is TRUE when the benchmark lies outside the council figure's 95%
interval. A median is one organisation's score among many, and organisations differ by far more
than the council's interval, so `standing` says `better` or `worse` (by the direction that is
good news) only when the difference is at least the practical margin (`margin`, 2 points by
default, as Civil Service People Survey reporting) **and** the median is outside the interval;
otherwise `similar`. Where the benchmark file gives every organisation's score (the CSPS 2019
all-organisation table), `percentile` places the council among them (the share of organisations
scoring below it plus half of those level with it, the council's figure rounded to whole
percent as theirs are) and `quartile_band` says `lowest_quarter` (under 25), `middle_half` or
`highest_quarter` (over 75: a high performer where higher is better). In a multi-organisation export each organisation is also compared with
the median of the organisations' published figures (`median_of_organisations`, the way the
Civil Service median is made); an organisation whose figure is withheld keeps the benchmark
but shows `[c]` for its own figure and difference, and takes no part in the median.

## Comment themes

Free-text comments are coded to themes by the survey vendor or an analyst (one comment can
have several). `fact_comment_themes` counts, per group, the respondents whose comment was coded
(`n`) and those coded to each theme (`mentions`). Groups with fewer than {k} coded comments are
withheld, with secondary suppression so no withheld count can be recovered from the others, and
a group whose respondent count is withheld shows no theme counts either. The comments
themselves are never published.
"#
    )
}

fn meetings_methods(k: u32, baseline: &str, pack: Option<(f64, usize)>) -> String {
    let pack = match pack {
        Some((rate, charts)) => format!(
            "\n\nThat is per chart. This pack has {charts} charts, and the chance that at least one of \
             them signals somewhere over the months shown, with nothing having changed, is about \
             **{:.0}%** (simulated: {} seeded runs of every chart at its own centre, spread and \
             monthly sizes, charts independent; the real series share forms, so somewhat less). A \
             signal in one of several charts is therefore expected now and then.",
            100.0 * rate,
            crate::meetings::spc::PACK_SIMULATIONS
        ),
        None => String::new(),
    };
    format!(
        r#"
## Meeting feedback

Feedback forms after committee meetings. A form counts in the month of the meeting it is about.
Results are published by month (all committees, and each committee) and by quarter (all forms,
each committee, each role, each political group), never by individual councillor, in separate
tables for each grain. Meeting feedback has its own threshold: no figure on fewer than **{k}**
forms (or valid answers). Within a quarter, committee × month cells add up to committee and
month totals, which add up to the quarter; hidden cells are protected against subtraction
across the month and quarter tables together.

`fact_feedback_spc` holds statistical process control charts (NHS England "Making Data Count")
for monthly series of all committees together, each on the chart that fits it. One question's
% positive, and forms per attendee, are proportions on a **p-chart**: centre p̄ (all calibration
months pooled), limits p̄ ± 3√(p̄(1−p̄)/n) for the month's own n, so they step from month to month.
When the calibration months vary more than that allows (the dispersion statistic
X² = Σ(pᵢ − p̄)²/σᵢ² above the 95th percentile of χ² on months − 1 degrees of freedom), the chart
is Laney's **p′-chart** (`chart` = `laney_p_chart`): limits p̄ ± 3σᵢσ_z, with σ_z the mean moving
range of the months' z-scores over 1.128. A theme of several questions is plotted as the **mean
of respondents' scores** (each respondent's share of positive answers; this can differ a little
from the theme's published value, the mean of its questions' % positive): one person's answers
are correlated, so the limits are c̄ ± 3s/√n with s the pooled spread of respondents' scores.
Limits are clipped to the scale. They come from the first 12 months with data (`in_calibration`);
until 12 exist they are **provisional** (recomputed as months arrive, and only a point outside
them counts), then **frozen** (`limits_frozen`) and four rules apply: a point outside the
limits, 7 in a row on one side of the centre, 6 rising or falling, 2 of 3 beyond two-thirds of
the way to a limit. A step change the analyst declares (`step_change`, with its reason) starts
new limits. A month with no published value breaks runs. The programme's baseline months
({baseline}, `in_baseline`) are the first months of the calibration: the limits describe the
process as it was when the programme started, and need 12 months, so the baseline is part of
them rather than left out.

False signals: on a process that did not change, with months like the council's (about 70%
positive, 17–59 forms), these charts signal at least once in about 15% of 18-month series
(simulated: 14% for one question, 16% for a theme of two, 15% for uptake; 17% even with the
true rate known). Treat a signal as a prompt to look, not a finding. They are also slow at this
size: a real 10-point rise from month 10 is caught by month 18 in about 58% of single-question
series, 77% of two-question themes and 92% of uptake series, and even with the true rate
known the four rules reach only about 82% at 17–59 forms a month. That is the charts' power,
and it is accepted: control charts are for surprises. Whether a declared action (a new
protocol, training) made a difference is a different question, answered far more strongly by
comparing the months before and after its date.{pack}
"#
    )
}

fn rounding(f: Format) -> &'static str {
    match f {
        Format::D1 => " Rounded to 1 decimal place.",
        Format::D2 => " Rounded to 2 decimal places.",
        Format::D3 => " Rounded to 3 decimal places.",
        Format::PValue => " Rounded to 6 decimal places, or 3 significant figures below 0.0001.",
        Format::Plain => "",
        Format::Unit => {
            " Rounded as the row's unit needs (dim_indicator.decimals): 2 decimal places for 0-10 scores, 1 otherwise."
        }
    }
}

fn table_section(t: &Table) -> String {
    let mut s = format!("\n### {}\n\n{}. {}\n\n", t.name, t.title, t.grain);
    let _ = writeln!(
        s,
        "Primary key: {}.",
        t.primary_key
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !t.foreign_keys.is_empty() {
        let _ = writeln!(
            s,
            "References: {}.",
            t.foreign_keys
                .iter()
                .map(|f| format!("`{}` → `{}.{}`", f.column, f.table, f.references))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    s.push_str("\n| column | type | unit | meaning |\n|---|---|---|---|\n");
    for c in t.columns {
        let withheld = match c.role {
            Role::Count | Role::Value if c.ty == crate::report::registry::ArrowType::Utf8 => {
                " `[c]` where withheld."
            }
            Role::Count | Role::Value => " Empty where withheld.",
            _ => "",
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {}{}{} |",
            c.name,
            c.ty.name(),
            c.unit,
            c.description.replace('|', "\\|"),
            rounding(c.format),
            withheld
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::registry;

    #[test]
    fn every_table_and_column_is_documented() {
        let tables = registry();
        let md = data_dictionary(
            &DictionarySettings {
                threshold: 10,
                fpc: true,
                baseline: "2025".into(),
                meetings: Some(MeetingsSettings {
                    threshold: 5,
                    baseline: "2025-01, 2025-02, 2025-03".into(),
                    pack_false_alarm: Some((0.6, 6)),
                }),
                weighted_by: Some("directorate and grade".into()),
                weighting_cells: None,
                drivers: (100, 200),
            },
            &tables,
        );
        for t in &tables {
            assert!(md.contains(&format!("\n### {}\n", t.name)), "{}", t.name);
            for c in t.columns {
                assert!(
                    md.contains(&format!("| {} | {} |", c.name, c.ty.name())),
                    "{}.{}",
                    t.name,
                    c.name
                );
            }
        }
        assert!(md.contains("    dim_wave ||--o{ fact_item_results : \"wave_id\""));
        assert!(md.contains("no figure on fewer than **5**"));
    }
}
