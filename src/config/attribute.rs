//! `[attribute_disclosure]`: what happens to a small group's figure when every member gave
//! the same kind of answer (0% or 100% positive or negative), which would tell each member's
//! answer. ONS guidance on disclosure control for tables treats such "group disclosure" in
//! small cells as a disclosure whether or not the count itself is small: the default is to
//! withhold the cell (shown as `[c]`, secondary, with the protection that follows); `mark`
//! publishes it flagged (`all_alike` in the item table), for a circulation that may see it.

use serde::Deserialize;

/// What to do with a unanimous small group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributeRule {
    /// Withhold the cell (default).
    Suppress,
    /// Publish it, flagged as a group whose members' answers can be read off.
    Mark,
    /// Publish it (for internal packs whose readers may see every answer).
    Off,
}

/// `[attribute_disclosure]`, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeDisclosure {
    pub rule: AttributeRule,
    /// Groups smaller than this are checked (default 30: below it a unanimous answer is not
    /// unusual enough to be chance, and the pack already marks changes on fewer than 30
    /// answers as low reliability).
    pub below: u64,
}

pub const DEFAULT_BELOW: u64 = 30;

impl Default for AttributeDisclosure {
    fn default() -> Self {
        AttributeDisclosure {
            rule: AttributeRule::Suppress,
            below: DEFAULT_BELOW,
        }
    }
}

impl AttributeDisclosure {
    /// The group size below which unanimous cells are withheld; `None` unless suppressing.
    pub fn below(&self) -> Option<u64> {
        (self.rule == AttributeRule::Suppress).then_some(self.below)
    }

    /// The group size below which unanimous cells are published flagged; `None` unless
    /// marking.
    pub fn marked_below(&self) -> Option<u64> {
        (self.rule == AttributeRule::Mark).then_some(self.below)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAttribute {
    #[serde(default)]
    rule: Option<AttributeRule>,
    #[serde(default)]
    below: Option<u64>,
}

/// Check `[attribute_disclosure]` against the anonymity threshold.
pub(super) fn build(
    raw: Option<RawAttribute>,
    threshold: u32,
    c: &mut super::Collector,
) -> AttributeDisclosure {
    let Some(raw) = raw else {
        return AttributeDisclosure::default();
    };
    let below = raw.below.unwrap_or(DEFAULT_BELOW);
    if below <= u64::from(threshold) {
        c.push(
            "attribute_disclosure.below",
            format!(
                "{below} is not above the anonymity threshold ({threshold}), so it would check no published group; \
                 use a larger size (default {DEFAULT_BELOW}) or rule = \"off\""
            ),
        );
    }
    AttributeDisclosure {
        rule: raw.rule.unwrap_or(AttributeRule::Suppress),
        below,
    }
}
