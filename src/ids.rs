//! Small typed ids shared by every stage.

/// A survey wave's id, as the config names it (e.g. `2025`). Waves are ordered by their
/// fieldwork dates (the order of `Config::waves`), never by comparing ids. In meeting-feedback
/// results the same slot holds the quarter a figure belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct WaveId(String);

impl WaveId {
    pub fn new(id: impl Into<String>) -> WaveId {
        WaveId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for WaveId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::borrow::Borrow<str> for WaveId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for WaveId {
    fn from(s: &str) -> WaveId {
        WaveId(s.to_string())
    }
}

impl PartialEq<str> for WaveId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<String> for WaveId {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<&str> for WaveId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}
