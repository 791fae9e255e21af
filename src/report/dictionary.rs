//! `tables/README.md`: the data dictionary, the contract the Power BI dashboard reads. It is
//! written from the run's actual settings.

/// Settings the dictionary quotes.
pub struct DictionarySettings {
    pub threshold: u32,
    pub fpc: bool,
    pub baseline: String,
    /// Meeting feedback: its threshold and baseline months, when configured.
    pub meetings: Option<(u32, String)>,
}

pub fn data_dictionary(s: &DictionarySettings) -> String {
    let mut out = staff_dictionary(s);
    if let Some((k, baseline)) = &s.meetings {
        out.push_str(&meetings_dictionary(*k, baseline));
    }
    out
}

fn meetings_dictionary(k: u32, baseline: &str) -> String {
    format!(
        r#"
## member_feedback_monthly.csv

Feedback forms after committee meetings, by quarter. A form counts in the month of the meeting
it is about. One row per quarter × breakdown × group × measure. Breakdowns: `overall` (the
quarter, all committees), `committee` (the quarter), `month` (all committees), `committee ×
month`, `role`, `political_group`. Never by individual councillor.

Meeting feedback has its own disclosure threshold: no figure on fewer than **{k}** forms
(or valid answers); hidden cells are protected against subtraction from month, committee and
quarter totals exactly as in the staff tables.

| column | type | meaning |
|---|---|---|
| quarter | text | `YYYY-Qn` |
| breakdown, group | text | as above (month groups are `YYYY-MM`) |
| measure | text | `forms`, a question id (`C01`...) or an indicator id |
| kind | text | `forms`, `item` or `indicator` |
| n | integer | forms returned (`forms`), valid answers (`item`), forms with a score (`indicator`) |
| pct_positive | number | % agreeing (items), the indicator's % positive (indicators) |
| mean_0_100 | number | items: mean answer on 0 (strongly disagree) … 100 (strongly agree) |
| ci_low, ci_high | number | 95% interval for pct_positive |
| meetings_held | integer | meetings in the register for the group (register fact, always shown) |
| meetings_covered | integer | meetings with at least one accepted form |
| attendees | integer | members attending plus other speakers (register fact, always shown) |
| forms_per_attendee | number | uptake: forms / attendees |
| suppressed, suppression_reason | | as above |

## member_feedback_spc.csv

Statistical process control (NHS England "Making Data Count" XmR charts) for monthly series
of all committees together: `forms_per_attendee` and every meeting indicator. The centre line
and natural process limits (centre ± 2.66 × mean moving range) come from the baseline months
({baseline}). Signals: `outside_limits`; `shift` (7 or more points on one side of the centre);
`trend` (6 or more points each rising or each falling); `two_of_three_near_limit` (2 of 3
points beyond two-thirds of the way to a limit, same side). A month with no published value
breaks runs and moving ranges.

Caution: limits from three months are themselves uncertain. For a process that did not change,
in simulation (months of about 35 forms) about 6 in 10 series showed at least one signal over
18 months with a 3-month baseline, 4 in 10 with 6 months, 2 in 10 with 12. Treat a signal as a
prompt to look; once a year of data exists, consider a longer baseline (`baseline_months`).

| column | type | meaning |
|---|---|---|
| series | text | `forms_per_attendee` or an indicator id |
| month | text | `YYYY-MM`, from the launch |
| value | number | the month's value (uptake to 3 decimals, percentages to 1) |
| n | integer | forms behind the value |
| centre, lower_limit, upper_limit | number | baseline centre line and limits |
| in_baseline | true/false | the month is one of the baseline months |
| signals | text | rules that fired, `;`-separated |
| signal | true/false | any rule fired |
| note | text | why a value or the limits are missing |

## member_feedback_reconciliation.csv

As `import_reconciliation.csv`, for each feedback source (`paper`, `online`), with two more
reasons: `unknown_meeting` (the form names a meeting not in the register) and
`date_outside_register` (the date is unreadable, or not between the meeting's date and the
allowed number of days after it).
"#
    )
}

fn staff_dictionary(s: &DictionarySettings) -> String {
    let k = s.threshold;
    let baseline = &s.baseline;
    let fpc = if s.fpc {
        "applied where the group's HR headcount is known (`population` column); it assumes non-response is ignorable"
    } else {
        "switched off in this run's config"
    };
    format!(
        r#"# Data dictionary

Tables in this folder are UTF-8 CSV with one header row. Column names and meanings are stable
across runs and years. Rows are in a fixed order (wave, measure in schema order, breakdown,
group in schema order with `Not stated` last). Numbers are rounded once, when written, to one
decimal place; every sum, difference and interval is computed from unrounded values.
Each table is also written as Parquet (`<table>.parquet`) with typed columns for Power BI:
whole numbers as Int64, other numbers as Float64, the rest as text; `[c]` and empty cells are
nulls there (the `suppressed` column says why).

## Suppression

Outputs are published. No figure rests on fewer than **{k}** valid answers (respondents, for
indicators scored per respondent). Where a figure is suppressed its values are removed and
every value column shows `[c]` (confidential, as in UK official statistics);
`suppression_reason` says why:

| reason | meaning |
|---|---|
| `primary` | fewer than {k} valid answers in this cell |
| `secondary` | hidden so that another hidden cell cannot be recovered by subtraction (from the overall figure, a one-way total, or a row or column of a two-way cross), or because a component of this figure is hidden (a theme's item, the item behind a yes-rate or eNPS) |
| `small_organisation` | the wave has fewer than 30 respondents, so no breakdowns are published |

`culture-metrics audit <pack>` re-reads the tables and fails if any published figure rests on
fewer than {k} or any hidden one can be recovered by differencing.

## Groups and breakdowns

`breakdown` is `overall`, a demographic field (e.g. `directorate`), or a two-way cross
(`directorate × grade`). `group` is `All respondents`, a category, `Not stated` (question left
blank: kept as a group so groups add up to the total), or `category × category` for crosses.

## Uncertainty

Intervals are 95%. Proportions use the Wilson score interval; means (indices, scores) and
theme scores use a t interval on respondent-level scores; eNPS uses a normal interval for a
difference of proportions. The finite population correction √((N−n)/(N−1)) is {fpc}.
`mdd` is the minimum detectable difference: the smallest change from one wave to the next that
a two-sided 5% test would detect with 80% power for a group of this size
((z₀.₉₇₅ + z₀.₈) × √2 × standard error).

## items.csv

One row per wave × item × breakdown × group.

| column | type | meaning |
|---|---|---|
| wave | text | survey wave (year) |
| item | text | question id from the schema (e.g. `S19`) |
| breakdown | text | see above |
| group | text | see above |
| n | integer | valid answers: positive + neutral + negative ("Don't know"-type answers and blanks excluded) |
| n_positive | integer | Agree + Strongly agree; for reverse-keyed items the favourable answers (e.g. *No* to "Have you been bullied?"); for 0–10 items 9–10 |
| n_neutral | integer | Neither agree nor disagree (0–10 items: 7–8) |
| n_negative | integer | Disagree + Strongly disagree (0–10 items: 0–6) |
| pct_positive | number | 100 × n_positive / n |
| pct_neutral | number | 100 × n_neutral / n |
| pct_negative | number | 100 × n_negative / n |
| ci_low, ci_high | number | 95% Wilson interval for pct_positive |
| mdd | number | minimum detectable difference in pct_positive, percentage points |
| suppressed | true/false | whether the values were withheld |
| suppression_reason | text | empty, or a reason above |
| population | integer | HR headcount used for the finite population correction (empty: not known or not applied) |

## indicators.csv

One row per wave × indicator × breakdown × group.

| column | type | meaning |
|---|---|---|
| wave, breakdown, group | text | as above |
| indicator | text | indicator id from the schema |
| kind | text | what `value` is: `percent_positive`, `index_0_100`, `score_0_10`, `percent_yes`, `net_score` |
| method | text | `theme-pct-positive` (mean of the items' % positive, Civil Service theme score); `index-0-100` (answers scored 0/25/50/75/100, respondent mean over answered items when at least the schema's `min_items` are answered, then mean of respondents); `score-0-10` (the same on 0/2.5/5/7.5/10, NHS Staff Survey); `yes-rate` (% answering Yes: lower is better for bullying and discrimination); `enps` (% 9–10 minus % 0–6, −100..100) |
| n | integer | respondents with a score (themes: answering at least `min_items` of its items; yes-rate and eNPS: valid answers) |
| value | number | the indicator |
| ci_low, ci_high | number | 95% interval for value |
| pct_positive, pct_neutral, pct_negative | number | themes: mean of the items' percentages; eNPS: promoters, passives, detractors; otherwise empty |
| mdd | number | minimum detectable difference in value's units |
| suppressed, suppression_reason, population | | as in items.csv |

## response_rates.csv

One row per wave × group, for the breakdowns the HR headcount file describes.

| column | type | meaning |
|---|---|---|
| wave, breakdown, group | text | as above |
| responses | integer | accepted responses in the group |
| headcount | integer | staff in post (HR); empty for Not stated |
| response_rate | number | 100 × responses / headcount |
| below_60 | true/false | response rate under 60%: results for the group are more exposed to non-response bias |
| pct_of_respondents | number | the group's share of all responses in the wave |
| pct_of_workforce | number | the group's share of the headcount: compare with pct_of_respondents to see who is under-represented |
| suppressed, suppression_reason | | as above (headcount and pct_of_workforce are HR figures and stay) |

## deltas.csv

Year-on-year change. The latest wave is compared with the previous wave (`since_previous`) and
with the baseline wave {baseline} (`since_baseline`). One row per comparison × measure ×
breakdown × group.

| column | type | meaning |
|---|---|---|
| comparison | text | `since_previous` or `since_baseline` |
| wave_from, wave_to | text | the two waves |
| kind | text | `item` or `indicator` |
| measure | text | question or indicator id |
| breakdown, group | text | as above |
| n_from, n_to | integer | answers in each wave |
| value_from, value_to | number | % positive (items), or the indicator's value |
| delta | number | value_to − value_from, from unrounded values |
| test | text | `two_proportion_z` (pooled, for percentages and yes-rates), `welch_t` (themes on respondent-level shares, indices, scores), `net_score_z` (eNPS) |
| statistic | number | z or t |
| p_value | number | two-sided p-value |
| q_value | number | Benjamini–Hochberg adjusted p-value over every test in this table (one family) |
| effect_size | number | Cohen's h (proportions) or d (means, pooled SD) |
| effect_size_type | text | `cohens_h` or `cohens_d` |
| verdict | text | `improved` / `declined` (q < 0.05, in the favourable / unfavourable direction: for bullying and discrimination rates lower is better), `no significant change` (tested, q ≥ 0.05), `not tested` |
| reason | text | why a row is not tested: suppressed in a wave; too few answers (Civil Service minimums: 30 for a question, yes-rate or eNPS, 20 for a theme, 10 for an index or score); not asked in a wave; not comparable (a question whose wording or scale changed starts a new series: see the schema's crosswalk) |
| suppressed, suppression_reason | | set when either wave's figure is suppressed; no numbers are shown |

"Not tested" is not the same as "no significant change": it means the survey cannot say.
Tests use the finite population correction when it is on (see Uncertainty).

## trend.csv

Each indicator × group as a series over every wave: `indicator, breakdown, group, wave, n,
value, ci_low, ci_high`, the verdict of the change since the previous wave
(`verdict_since_previous`, for the latest wave), and the suppression columns.

## import_reconciliation.csv

Proves that every row of every export is accounted for: for each wave,
`rows_in = accepted + excluded + rejected`.

| column | type | meaning |
|---|---|---|
| wave | text | survey wave |
| file | text | export file name |
| outcome | text | `total`, `accepted`, `excluded` (set aside by a declared rule) or `rejected` (defective) |
| reason | text | `rows_in`, `accepted`, `preview_or_test`, `incomplete`, `ragged_row`, `missing_response_id`, `duplicate_response_id`, `unknown_answer`, `unknown_category` |
| rows | integer | number of data rows |

## disclosure_summary.csv

| column | type | meaning |
|---|---|---|
| table | text | `items`, `indicators` or `response_rates` (deltas and trend show only what these publish) |
| outcome | text | `published` or `suppressed_<reason>` |
| cells | integer | number of cells |
"#
    )
}
