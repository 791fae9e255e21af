//! Exit codes, documented in the README.

pub const OK: i32 = 0;
/// Data rejected: a file cannot be imported, or more rows were rejected than tolerated.
pub const DATA: i32 = 1;
/// Usage or config error: bad arguments, config or schema, a missing file, a wrong mapping.
pub const USAGE: i32 = 2;
/// The outputs could not be written (disk full, permissions).
pub const OUTPUT: i32 = 3;
