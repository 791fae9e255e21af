//! Comment themes: in each group, how many respondents had their comment coded, and how many
//! of them were coded to each theme. The cells go through disclosure control like any other
//! figure (the coded respondents are the count compared with the threshold).

use super::{Breakdown, Cell, Group};
use crate::ids::WaveId;
use crate::responses::{NOT_STATED, Responses};
use crate::schema::Schema;
use std::collections::BTreeSet;

/// One theme in one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThemeStats {
    /// Coded respondents in the group who mentioned the theme.
    pub mentions: u64,
}

impl ThemeStats {
    /// Share of the group's coded respondents, in percent.
    pub fn pct(&self, coded: u64) -> Option<f64> {
        (coded > 0).then(|| 100.0 * self.mentions as f64 / coded as f64)
    }
}

/// Theme cells of one wave: `coded` gives each coded respondent's row in `r` and themes.
/// Cells come grouped by theme (overall first, then each one-way breakdown's groups with
/// coded respondents), the order disclosure control expects.
pub fn count(
    schema: &Schema,
    wave: &WaveId,
    r: &Responses,
    coded: &[(usize, &BTreeSet<usize>)],
    breakdowns: &[Breakdown],
) -> Vec<Cell<ThemeStats>> {
    let themes = schema.comment_themes.len();
    // (breakdown, group) → [coded respondents, mentions per theme]
    let mut groups: Vec<(Breakdown, Group, u64, Vec<u64>)> =
        vec![(Breakdown::Overall, Group::All, 0, vec![0; themes])];
    let mut slot_of: Vec<(usize, Vec<Option<usize>>)> = Vec::new();
    for &b in breakdowns {
        let Breakdown::Field(d) = b else { continue };
        if r.fields[d].is_none() {
            continue;
        }
        let cats = schema.demographics[d].categories.len();
        slot_of.push((d, vec![None; cats + 1]));
    }
    fn add(g: &mut (Breakdown, Group, u64, Vec<u64>), set: &BTreeSet<usize>) {
        g.2 += 1;
        for &t in set {
            g.3[t] += 1;
        }
    }
    for &(row, set) in coded {
        add(&mut groups[0], set);
        for (d, slots) in slot_of.iter_mut() {
            let col = r.fields[*d].as_deref().expect("checked");
            let c = col[row];
            let cats = slots.len() - 1;
            let k = if c == NOT_STATED { cats } else { c as usize };
            let g = match slots[k] {
                Some(g) => g,
                None => {
                    let cat = (k < cats).then_some(k as u32);
                    groups.push((Breakdown::Field(*d), Group::One(cat), 0, vec![0; themes]));
                    slots[k] = Some(groups.len() - 1);
                    groups.len() - 1
                }
            };
            add(&mut groups[g], set);
        }
    }
    // A stable order: overall, then each breakdown's groups in category order.
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&g| (groups[g].0, groups[g].1));
    let mut out = Vec::with_capacity(themes * groups.len());
    for t in 0..themes {
        for &g in &order {
            let (b, grp, n, m) = &groups[g];
            out.push(Cell {
                wave: wave.clone(),
                measure: t,
                breakdown: *b,
                group: *grp,
                n: *n,
                stats: ThemeStats { mentions: m[t] },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_count_coded_respondents_and_mentions() {
        let schema = crate::schema::testing::schema(
            r#"
[[questions]]
id = "T01"
text = "What would help?"
type = "free-text"
[[demographics]]
id = "dir"
label = "Directorate"
categories = ["X", "Y"]
[[comment_themes]]
id = "a"
label = "A"
[[comment_themes]]
id = "b"
label = "B"
"#,
        );
        let mut r = Responses::new(&schema, 4);
        r.fields[0] = Some(vec![0, 1, 1, NOT_STATED]);
        let ab = BTreeSet::from([0, 1]);
        let a = BTreeSet::from([0]);
        let none = BTreeSet::new();
        let coded = [(0, &ab), (1, &a), (2, &none), (3, &a)];
        let cells = count(
            &schema,
            &WaveId::new("2026"),
            &r,
            &coded,
            &[Breakdown::Field(0)],
        );
        let get = |t: usize, g: Group| {
            cells
                .iter()
                .find(|c| c.measure == t && c.group == g)
                .map(|c| (c.n, c.stats.mentions))
        };
        assert_eq!(get(0, Group::All), Some((4, 3)));
        assert_eq!(get(1, Group::All), Some((4, 1)));
        assert_eq!(get(0, Group::One(Some(1))), Some((2, 1)));
        assert_eq!(get(1, Group::One(Some(0))), Some((1, 1)));
        assert_eq!(get(0, Group::One(None)), Some((1, 1)));
        assert_eq!(
            cells.len(),
            2 * 4,
            "overall, X, Y, Not stated for each theme"
        );
        assert_eq!(ThemeStats { mentions: 1 }.pct(4), Some(25.0));
    }
}
