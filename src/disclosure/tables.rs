//! The protected tables every writer reads, and the protection of what is added to them
//! after the main pass: HR headcounts, key drivers and comment themes.

use super::*;

/// The protected tables of a run.
#[derive(Debug, Clone, Default)]
pub struct ProtectedTables {
    pub items: Vec<Protected<ItemStats>>,
    pub indicators: Vec<Protected<IndicatorStats>>,
    /// Respondents per group (for response rates).
    pub responses: Vec<Protected<()>>,
    /// Staff in post per group (HR's headcount, `n`), where the HR file describes the group:
    /// withheld with the group's responses and wherever else subtraction would tell one.
    pub headcounts: Vec<Protected<()>>,
    /// Comment themes: coded respondents and mentions per group.
    pub themes: Vec<Protected<crate::indicators::comments::ThemeStats>>,
    /// Key driver analyses (`measure` = the outcome indicator; `n` = respondents analysed).
    pub drivers: Vec<Protected<crate::drivers::Analysis>>,
    /// Every group the driver analysis looked at, and what became of it (so a group missing
    /// from the drivers says why).
    pub driver_groups: Vec<DriverGroup>,
    /// What protecting other figures cost, by table (`items`, `indicators`,
    /// `response_rates`, `headcounts`, `drivers`, `comment_themes`) and level.
    pub loss: BTreeMap<(&'static str, Level), Loss>,
}

/// What became of one group in one outcome's driver analysis. Carries no count but the
/// analysed n of a published analysis (already in the drivers table).
#[derive(Debug, Clone, PartialEq)]
pub struct DriverGroup {
    pub wave: WaveId,
    pub outcome: usize,
    pub breakdown: Breakdown,
    pub group: Group,
    pub status: DriverStatus,
}

/// Why a group's drivers are, or are not, published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverStatus {
    /// Analysed and published, on this many respondents.
    Analysed(u64),
    /// Withheld by disclosure control (the group's outcome figure or size is withheld, or
    /// showing it would let a withheld count be worked out).
    Withheld,
    /// Fewer respondents with the outcome and every driver than the analysis needs.
    TooFew,
    /// Enough respondents, but the regression could not be fitted (the themes' scores are
    /// too closely related, or do not vary).
    NotFitted,
}

impl DriverStatus {
    pub fn code(self) -> &'static str {
        match self {
            DriverStatus::Analysed(_) => "analysed",
            DriverStatus::Withheld => "withheld",
            DriverStatus::TooFew => "too_few_respondents",
            DriverStatus::NotFitted => "not_fitted",
        }
    }
}

impl ProtectedTables {
    /// Whether each group's respondent count is withheld, by (wave, breakdown, group).
    fn responses_withheld(&self) -> HashMap<(&str, Breakdown, Group), bool> {
        self.responses
            .iter()
            .map(|p| {
                (
                    (p.wave.as_str(), p.breakdown, p.group),
                    p.suppression.is_some(),
                )
            })
            .collect()
    }

    /// Protect the HR headcounts published beside the responses (response rates, weighting
    /// margins, population columns). A group's headcount is withheld with its responses (the
    /// rate would tell one from the other), and more are withheld, by the rules and the
    /// differencing attacker that protect the responses, until no withheld headcount can be
    /// worked out from the whole organisation's and the other groups'.
    pub fn protect_headcounts(
        &mut self,
        headcount: &dyn Fn(&WaveId, Breakdown, Group) -> Option<u64>,
        k: u32,
    ) {
        let cells: Vec<Cell<()>> = self
            .responses
            .iter()
            .filter_map(|p| {
                Some(Cell {
                    wave: p.wave.clone(),
                    measure: p.measure,
                    breakdown: p.breakdown,
                    group: p.group,
                    n: headcount(&p.wave, p.breakdown, p.group)?,
                    stats: (),
                })
            })
            .collect();
        let responses_hidden = self.responses_withheld();
        let forced = |c: &Cell<()>| {
            responses_hidden
                .get(&(c.wave.as_str(), c.breakdown, c.group))
                .copied()
                .unwrap_or(true)
        };
        let d = decide_all(
            &cells,
            k,
            &|_| false,
            &forced,
            &Counting {
                values: &|c: &Cell<()>| vec![c.n as f64],
                sizes: false,
                upper: &|_| None,
                attack: true,
                hide_last: None,
            },
        );
        tally(&mut self.loss, "headcounts", &cells, &d);
        self.headcounts = cells.into_iter().zip(d).map(|(c, d)| seal(c, d)).collect();
    }

    /// Whether each group's headcount is withheld, by (wave, breakdown, group); groups the HR
    /// file does not describe are absent.
    pub fn headcounts_withheld(&self) -> HashMap<(&str, Breakdown, Group), bool> {
        self.headcounts
            .iter()
            .map(|p| {
                (
                    (p.wave.as_str(), p.breakdown, p.group),
                    p.suppression.is_some(),
                )
            })
            .collect()
    }

    /// Protect key driver analyses. Each outcome's groups form lines like any breakdown, with
    /// the respondents analysed as the count: a group not analysed (too few respondents),
    /// whose outcome figure or respondent count is withheld, is hidden, and more groups are
    /// hidden until no withheld count can be recovered as "overall minus the rest".
    pub fn protect_drivers(
        &mut self,
        mut runs: Vec<crate::drivers::GroupRun>,
        k: u32,
        min_respondents: u64,
    ) {
        runs.sort_by(|a, b| {
            (a.wave.as_str(), a.outcome, a.breakdown, a.group).cmp(&(
                b.wave.as_str(),
                b.outcome,
                b.breakdown,
                b.group,
            ))
        });
        let outcome_hidden: HashMap<(&str, usize, Breakdown, Group), bool> =
            (self.indicators.iter())
                .map(|p| {
                    (
                        (p.wave.as_str(), p.measure, p.breakdown, p.group),
                        p.suppression.is_some(),
                    )
                })
                .collect();
        let count_hidden = self.responses_withheld();
        let cells: Vec<Cell<Option<crate::drivers::Analysis>>> = runs
            .into_iter()
            .map(|r| Cell {
                wave: r.wave,
                measure: r.outcome,
                breakdown: r.breakdown,
                group: r.group,
                n: r.used,
                stats: r.analysis,
            })
            .collect();
        // The group's outcome figure or its respondent count is withheld elsewhere.
        let hidden_size = |c: &Cell<Option<crate::drivers::Analysis>>| {
            outcome_hidden
                .get(&(c.wave.as_str(), c.measure, c.breakdown, c.group))
                .copied()
                .unwrap_or(true)
                || count_hidden
                    .get(&(c.wave.as_str(), c.breakdown, c.group))
                    .copied()
                    .unwrap_or(false)
        };
        let forced =
            |c: &Cell<Option<crate::drivers::Analysis>>| c.stats.is_none() || hidden_size(c);
        let d = decide_all(
            &cells,
            k,
            &|_| false,
            &forced,
            &Counting {
                values: &|c: &Cell<Option<crate::drivers::Analysis>>| vec![c.n as f64],
                sizes: true,
                upper: &|_| None,
                attack: true,
                hide_last: None,
            },
        );
        self.driver_groups = driver_groups(&cells, &d, &hidden_size, min_respondents);
        tally(&mut self.loss, "drivers", &cells, &d);

        self.drivers = analysed_rows(cells, d);
    }

    /// Protect comment-theme cells: the same rules, with the coded respondents as the count;
    /// a group whose respondent count is withheld shows no theme counts either.
    pub fn protect_themes(
        &mut self,
        cells: Vec<Cell<crate::indicators::comments::ThemeStats>>,
        respondents: &HashMap<WaveId, u64>,
        k: u32,
        min_for_breakdowns: u64,
    ) {
        let small_org = |w: &str| respondents.get(w).copied().unwrap_or(0) < min_for_breakdowns;
        let hidden_group = self.responses_withheld();
        let forced = |c: &Cell<crate::indicators::comments::ThemeStats>| {
            hidden_group
                .get(&(c.wave.as_str(), c.breakdown, c.group))
                .copied()
                .unwrap_or(false)
        };
        let d = decide_all(
            &cells,
            k,
            &small_org,
            &forced,
            &Counting {
                // Coded respondents who mentioned the theme, and who did not.
                values: &|c: &Cell<crate::indicators::comments::ThemeStats>| {
                    let m = c.stats.mentions.min(c.n);
                    vec![m as f64, (c.n - m) as f64]
                },
                sizes: true,
                upper: &|_| None,
                attack: true,
                hide_last: None,
            },
        );
        tally(&mut self.loss, "comment_themes", &cells, &d);
        self.themes
            .extend(cells.into_iter().zip(d).map(|(c, d)| seal(c, d)));
    }
}

/// What became of every group: withheld whenever disclosure control hid it, so a status
/// never says more about a withheld group than that it is withheld.
fn driver_groups(
    cells: &[Cell<Option<crate::drivers::Analysis>>],
    d: &[Option<Suppression>],
    hidden_size: &dyn Fn(&Cell<Option<crate::drivers::Analysis>>) -> bool,
    min_respondents: u64,
) -> Vec<DriverGroup> {
    cells
        .iter()
        .zip(d)
        .map(|(c, decision)| {
            let status = match (&c.stats, decision) {
                _ if hidden_size(c) => DriverStatus::Withheld,
                (Some(_), None) => DriverStatus::Analysed(c.n),
                (Some(_), Some(_)) => DriverStatus::Withheld,
                (None, _) if c.n < min_respondents => DriverStatus::TooFew,
                (None, _) => DriverStatus::NotFitted,
            };
            DriverGroup {
                wave: c.wave.clone(),
                outcome: c.measure,
                breakdown: c.breakdown,
                group: c.group,
                status,
            }
        })
        .collect()
}

/// The analysed groups' drivers, sealed with their decision; the other groups only took part
/// in the decision.
fn analysed_rows(
    cells: Vec<Cell<Option<crate::drivers::Analysis>>>,
    d: Vec<Option<Suppression>>,
) -> Vec<Protected<crate::drivers::Analysis>> {
    cells
        .into_iter()
        .zip(d)
        .filter_map(|(c, d)| {
            let p = seal(c, d);
            // Only analysed groups become rows; the others only took part in the decision.
            p.stats.as_ref()?.as_ref()?;
            Some(Protected {
                wave: p.wave,
                measure: p.measure,
                breakdown: p.breakdown,
                group: p.group,
                n: p.n,
                stats: p.stats.flatten(),
                suppression: p.suppression,
                sealed: Sealed,
            })
        })
        .collect()
}
