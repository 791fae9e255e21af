//! Reading an export's rows: each mapped column located (and personal-data columns refused),
//! then one pass over the records, each ending accepted (its cells mapped to codes) or set
//! aside with a reason. No allocation per cell on the accepted path.

use super::export::{self, Export};
use super::layout::{column_letter, delimiter_name, is_personal_data};
use super::{Comment, ImportError, Reason, RowOutcome, UnknownValue, WaveData};
use crate::config::{Filters, Wave};
use crate::responses::{NOT_STATED, Responses};
use crate::schema::{QuestionType, Scale, Schema};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

enum Target {
    Demographic(usize),
    Scored(usize),
    FreeText,
}

struct Mapped {
    id: String,
    index: usize,
    label: String,
    target: Target,
}

impl fmt::Debug for Mapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} <- {}", self.id, self.label)
    }
}

/// What each distinct value of one column maps to, learned as the rows are read: a column holds a
/// handful of distinct labels, so the schema's lookup runs once per distinct value instead of
/// once per cell. Columns with many distinct values (past [`ValueCache::MAX`]) fall back to
/// the lookup for the rest.
struct ValueCache<T> {
    /// One-byte values (answer codes keyed as digits), by their byte: looked up directly.
    bytes: [Option<Option<T>>; 128],
    /// (the value packed into a word when it is at most 7 bytes long, the value, its meaning)
    entries: Vec<(u64, Box<str>, Option<T>)>,
}

/// A value of up to 8 bytes as one word (its length in the top byte keeps `"1"` and `"1\0"`
/// apart); `None` for longer values.
fn pack(value: &str) -> Option<u64> {
    let b = value.as_bytes();
    (b.len() <= 7).then(|| {
        let mut w = (b.len() as u64) << 56;
        for (i, &x) in b.iter().enumerate() {
            w |= u64::from(x) << (8 * i);
        }
        w
    })
}

impl<T: Copy> ValueCache<T> {
    const MAX: usize = 64;

    fn new() -> Self {
        ValueCache {
            bytes: [None; 128],
            entries: Vec::new(),
        }
    }

    fn get(&mut self, value: &str, lookup: impl FnOnce(&str) -> Option<T>) -> Option<T> {
        if let &[b] = value.as_bytes()
            && b < 128
        {
            return *self.bytes[b as usize].get_or_insert_with(|| lookup(value));
        }
        let packed = pack(value);
        let hit = match packed {
            Some(w) => self.entries.iter().find(|(k, _, _)| *k == w),
            None => self
                .entries
                .iter()
                .find(|(k, v, _)| *k == u64::MAX && **v == *value),
        };
        if let Some((_, _, found)) = hit {
            return *found;
        }
        let found = lookup(value);
        if self.entries.len() < Self::MAX {
            self.entries
                .push((packed.unwrap_or(u64::MAX), value.into(), found));
        }
        found
    }
}

/// Accepted rows' codes, gathered row by row and handed to the columns a block at a time: one
/// write stream per column per block instead of a scattered write per cell.
struct RowBlock {
    demographics: Vec<u32>,
    answers: Vec<u8>,
    rows: usize,
}

impl RowBlock {
    const ROWS: usize = 2048;

    fn new(fields: usize, questions: usize) -> RowBlock {
        RowBlock {
            demographics: Vec::with_capacity(Self::ROWS * fields),
            answers: Vec::with_capacity(Self::ROWS * questions),
            rows: 0,
        }
    }

    fn push(&mut self, demographics: &[u32], answers: &[u8], data: &mut WaveData) {
        self.demographics.extend_from_slice(demographics);
        self.answers.extend_from_slice(answers);
        self.rows += 1;
        if self.rows == Self::ROWS {
            self.flush(data);
        }
    }

    fn flush(&mut self, data: &mut WaveData) {
        let (nd, nq) = (data.demographics.len(), data.questions.len());
        for (i, (_, col)) in data.demographics.iter_mut().enumerate() {
            col.extend(self.demographics.iter().skip(i).step_by(nd));
        }
        for (i, (_, col)) in data.questions.iter_mut().enumerate() {
            col.extend(self.answers.iter().skip(i).step_by(nq));
        }
        self.demographics.clear();
        self.answers.clear();
        self.rows = 0;
    }
}

/// `str::trim`, without decoding characters when the value neither starts nor ends with a
/// space or a non-ASCII character (nearly every cell).
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&a), Some(&b)) if a > b' ' && a < 0x80 && b > b' ' && b < 0x80 => s,
        _ => s.trim(),
    }
}

/// The response ids seen so far, with the line of each first copy: one text buffer for all of
/// them (no allocation per row) and a hash index over it.
struct SeenIds {
    text: String,
    /// (start in `text`, length, line, next entry with the same hash or `u32::MAX`)
    entries: Vec<(u32, u32, u64, u32)>,
    heads: HashMap<u64, u32, foldhash::fast::FixedState>,
    hasher: foldhash::fast::FixedState,
}

impl SeenIds {
    fn with_capacity(rows: usize) -> SeenIds {
        SeenIds {
            text: String::with_capacity(rows * 16),
            entries: Vec::with_capacity(rows),
            heads: HashMap::with_capacity_and_hasher(rows, Default::default()),
            hasher: Default::default(),
        }
    }

    fn hash(&self, id: &str) -> u64 {
        std::hash::BuildHasher::hash_one(&self.hasher, id)
    }

    /// The line of the first row with this id.
    fn get(&self, id: &str) -> Option<u64> {
        let mut at = *self.heads.get(&self.hash(id))?;
        while at != u32::MAX {
            let (start, len, line, next) = self.entries[at as usize];
            if &self.text[start as usize..(start + len) as usize] == id {
                return Some(line);
            }
            at = next;
        }
        None
    }

    /// Remember `id` (not seen before) as first seen on `line`.
    fn insert(&mut self, id: &str, line: u64) {
        let h = self.hash(id);
        let next = self.heads.get(&h).copied().unwrap_or(u32::MAX);
        self.heads.insert(h, self.entries.len() as u32);
        self.entries
            .push((self.text.len() as u32, id.len() as u32, line, next));
        self.text.push_str(id);
    }
}

fn describe_column(export: &Export, index: usize) -> String {
    format!("{} ({:?})", column_letter(index), export.columns[index].key)
}

/// Find the column for one setting; errors are collected so all are reported together.
fn locate(
    export: &Export,
    wave: &Wave,
    id: &str,
    key: &str,
    missing: &mut Vec<(String, String, Vec<String>)>,
) -> Result<Option<usize>, ImportError> {
    let found = export.find_columns(key);
    match found.len() {
        0 => {
            missing.push((id.to_string(), key.to_string(), export.suggest(key)));
            Ok(None)
        }
        1 => Ok(Some(found[0].index)),
        _ => Err(ImportError::DuplicateColumn {
            file: export.file.clone(),
            wave: wave.id.clone(),
            id: id.to_string(),
            key: key.to_string(),
            columns: found.iter().map(|c| column_letter(c.index)).collect(),
        }),
    }
}

/// Mapped columns the export lacks: (id, column key, similar keys).
type Missing = Vec<(String, String, Vec<String>)>;

/// Where everything the wave maps is in the export.
pub(super) struct Plan<'s> {
    rid: usize,
    test_col: Option<usize>,
    fin_col: Option<usize>,
    mapped: Vec<Mapped>,
    kept_cols: Vec<usize>,
    n_cols: usize,
    n_scored: usize,
    /// Per mapped scored column: its scale, and each scale code's answer slot.
    scales: Vec<Option<(&'s Scale, [u8; 256])>>,
}

impl<'s> Plan<'s> {
    /// Locate every mapped column; a personal-data column or a missing column stops the
    /// import (every missing column named at once).
    pub(super) fn new(
        schema: &'s Schema,
        wave: &Wave,
        export: &Export,
    ) -> Result<Plan<'s>, ImportError> {
        let mut missing = Vec::new();
        let rid = locate(export, wave, "response_id", &wave.response_id, &mut missing)?;
        if let Some(r) = rid
            && is_personal_data(&export.columns[r])
        {
            return Err(ImportError::PersonalResponseId {
                file: export.file.clone(),
                wave: wave.id.clone(),
                key: wave.response_id.clone(),
            });
        }
        let f = &wave.filters;
        let test_col = match &f.test_column {
            Some(k) => locate(export, wave, "filters.test_column", k, &mut missing)?,
            None => None,
        };
        let fin_col = match &f.finished_column {
            Some(k) => locate(export, wave, "filters.finished_column", k, &mut missing)?,
            None => None,
        };
        let mapped = mapped_columns(schema, wave, export, &mut missing)?;
        let mut kept_cols = Vec::new();
        for (name, key) in &wave.keep {
            if let Some(index) = locate(export, wave, name, key, &mut missing)? {
                kept_cols.push(index);
            }
        }
        if !missing.is_empty() {
            return Err(unknown_columns(export, wave, missing));
        }
        let scales = mapped
            .iter()
            .map(|m| match m.target {
                Target::Scored(q) => Some((
                    schema
                        .scale_of(&schema.questions[q])
                        .expect("scored questions have scales"),
                    Responses::slots(schema, q),
                )),
                _ => None,
            })
            .collect();
        Ok(Plan {
            rid: rid.expect("located"),
            test_col,
            fin_col,
            n_cols: export.columns.len(),
            n_scored: mapped
                .iter()
                .filter(|m| matches!(m.target, Target::Scored(_)))
                .count(),
            mapped,
            kept_cols,
            scales,
        })
    }

    /// The wave's columns of codes, empty, each with room for every line of the file.
    fn empty_data(&self, wave: &Wave, lines_in_file: usize) -> WaveData {
        let mut data = WaveData {
            demographics: (self.mapped.iter())
                .filter_map(|m| match m.target {
                    Target::Demographic(d) => Some((d, Vec::with_capacity(lines_in_file))),
                    _ => None,
                })
                .collect(),
            questions: (self.mapped.iter())
                .filter_map(|m| match m.target {
                    Target::Scored(q) => Some((q, Vec::with_capacity(lines_in_file))),
                    _ => None,
                })
                .collect(),
            kept: wave
                .keep
                .iter()
                .map(|(n, _)| (n.clone(), Vec::new()))
                .collect(),
            ..WaveData::default()
        };
        data.response_id.reserve(lines_in_file);
        data.line.reserve(lines_in_file);
        data
    }
}

/// Each mapped column's place and what it holds; personal-data columns refused.
fn mapped_columns(
    schema: &Schema,
    wave: &Wave,
    export: &Export,
    missing: &mut Missing,
) -> Result<Vec<Mapped>, ImportError> {
    let mut mapped = Vec::new();
    for (id, key) in &wave.columns {
        let Some(index) = locate(export, wave, id, key, missing)? else {
            continue;
        };
        if is_personal_data(&export.columns[index]) {
            return Err(ImportError::PersonalData {
                file: export.file.clone(),
                wave: wave.id.clone(),
                id: id.clone(),
                key: key.clone(),
            });
        }
        let target = if let Some(d) = schema.demographic(id) {
            Target::Demographic(d)
        } else {
            let q = schema
                .question(id)
                .expect("config checked ids against schema");
            if schema.questions[q].kind == QuestionType::FreeText {
                Target::FreeText
            } else {
                Target::Scored(q)
            }
        };
        mapped.push(Mapped {
            id: id.clone(),
            index,
            label: describe_column(export, index),
            target,
        });
    }
    Ok(mapped)
}

/// Columns the mapping names that the export lacks, with a hint when a forced delimiter is
/// the likely cause.
fn unknown_columns(export: &Export, wave: &Wave, missing: Missing) -> ImportError {
    let hint = (export.delimiter_forced && export.delimiter != export.delimiter_sniffed).then(|| {
        format!(
            "delimiter is set to {} but the file looks {}-separated: the whole row may have been read as {} column(s). Set delimiter = \"auto\".",
            delimiter_name(export.delimiter),
            delimiter_name(export.delimiter_sniffed),
            export.columns.len()
        )
    });
    ImportError::UnknownColumns {
        file: export.file.clone(),
        wave: wave.id.clone(),
        missing,
        hint,
    }
}

/// What became of the rows: counts by reason, each row set aside, unknown values, rows in.
#[derive(Default)]
pub(super) struct Tally {
    pub(super) counts: BTreeMap<Reason, usize>,
    pub(super) rows: Vec<RowOutcome>,
    /// (column index, value) → (rows, first line)
    unknown: BTreeMap<(usize, String), (usize, u64)>,
    pub(super) rows_in: usize,
}

/// Why a row is set aside: reason, column, value, detail.
type SetAside = (Reason, Option<String>, Option<String>, String);

impl Tally {
    fn set_aside(&mut self, line: u64, id: &str, (reason, column, value, detail): SetAside) {
        *self.counts.entry(reason).or_default() += 1;
        self.rows.push(RowOutcome {
            line,
            response_id: id.to_string(),
            reason,
            column,
            value,
            detail,
        });
    }

    fn unknown_value(&mut self, index: usize, value: &str, line: u64) {
        let e = self
            .unknown
            .entry((index, value.to_string()))
            .or_insert((0, line));
        e.0 += 1;
    }

    /// Every unknown answer or category, by column, with how often and where first.
    pub(super) fn unknown_values(&mut self, plan: &Plan, export: &Export) -> Vec<UnknownValue> {
        std::mem::take(&mut self.unknown)
            .into_iter()
            .map(|((index, value), (count, first_line))| UnknownValue {
                id: (plan.mapped.iter())
                    .find(|m| m.index == index)
                    .map_or_else(String::new, |m| m.id.clone()),
                column: describe_column(export, index),
                value,
                count,
                first_line,
            })
            .collect()
    }
}

/// One row's cells as codes, in scratch buffers reused from row to row.
struct Cells {
    demo: Vec<u32>,
    answers: Vec<u8>,
    /// (mapped index, field index) of free-text answers.
    texts: Vec<(usize, usize)>,
    answered: usize,
    first_unknown_answer: Option<(usize, String)>,
    first_unknown_category: Option<(usize, String)>,
}

/// The lookups that turn a cell's text into its code, remembered per column.
struct Lookups {
    categories: Vec<ValueCache<usize>>,
    answers: Vec<ValueCache<u8>>,
}

/// Read every record of the export: the accepted rows' codes, and what became of each row.
pub(super) fn read(
    schema: &Schema,
    wave: &Wave,
    export: &Export,
    plan: &Plan,
) -> Result<(WaveData, Tally), ImportError> {
    // Every line is at most one row: size the columns once instead of growing them.
    let lines_in_file = memchr::memchr_iter(b'\n', export.decoded.text.as_bytes()).count() + 1;
    let mut data = plan.empty_data(wave, lines_in_file);
    let mut tally = Tally::default();
    let mut seen = SeenIds::with_capacity(lines_in_file);
    let mut lookups = Lookups {
        categories: plan.mapped.iter().map(|_| ValueCache::new()).collect(),
        answers: plan.mapped.iter().map(|_| ValueCache::new()).collect(),
    };
    let mut cells = Cells {
        demo: vec![NOT_STATED; data.demographics.len()],
        answers: vec![0; data.questions.len()],
        texts: Vec::new(),
        answered: 0,
        first_unknown_answer: None,
        first_unknown_category: None,
    };
    let mut block = RowBlock::new(cells.demo.len(), cells.answers.len());
    let mut rdr = export.data_reader()?;
    let mut lines = export::LineCounter::new(&export.decoded.text);
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(ImportError::Csv {
                    file: export.file.clone(),
                    line: e.position().map_or(0, |p| p.line()),
                    message: e.to_string(),
                });
            }
        }
        tally.rows_in += 1;
        let line = lines.line_of(&rec);
        if runaway(export, plan, &rec, rdr.position().byte(), line, &mut tally) {
            continue;
        }
        let id = if rec.len() == plan.n_cols {
            rec[plan.rid].trim()
        } else {
            rec.get(plan.rid).unwrap_or("").trim()
        };
        if let Err(why) = screen(export, &wave.filters, plan, &rec, id, &seen) {
            tally.set_aside(line, id, why);
            continue;
        }
        map_cells(
            schema,
            plan,
            &rec,
            line,
            &mut lookups,
            &mut cells,
            &mut tally,
        );
        if let Err(why) = complete(&wave.filters, plan, &cells) {
            tally.set_aside(line, id, why);
            continue;
        }
        seen.insert(id, line);
        if let Err(why) = known_values(plan, &mut cells) {
            tally.set_aside(line, id, why);
            continue;
        }
        accept(&mut data, &mut block, plan, &rec, id, line, &cells);
    }
    block.flush(&mut data);
    *tally.counts.entry(Reason::Accepted).or_default() = data.len();
    Ok((data, tally))
}

/// An accepted row: its id, line, kept columns, codes and free-text comments.
fn accept(
    data: &mut WaveData,
    block: &mut RowBlock,
    plan: &Plan,
    rec: &csv::StringRecord,
    id: &str,
    line: u64,
    cells: &Cells,
) {
    let row = data.response_id.len();
    data.response_id.push(id);
    data.line.push(line);
    for (slot, &c) in data.kept.iter_mut().zip(&plan.kept_cols) {
        slot.1.push(rec[c].trim().to_string());
    }
    block.push(&cells.demo, &cells.answers, data);
    for &(mi, fi) in &cells.texts {
        data.comments.push(Comment {
            row,
            question: plan.mapped[mi].id.clone(),
            text: rec[fi].trim().to_string(),
        });
    }
}

/// A quote left open runs a record on into the rows after it: reject every row it took,
/// each with its own line, so rows in = rows in the file. True when the record was one.
fn runaway(
    export: &Export,
    plan: &Plan,
    rec: &csv::StringRecord,
    end: u64,
    line: u64,
    tally: &mut Tally,
) -> bool {
    if memchr::memchr(b'\n', rec.as_slice().as_bytes()).is_none() {
        return false;
    }
    let start = rec.position().map_or(0, |p| p.byte()) as usize;
    let span = export.decoded.text.get(start..end as usize).unwrap_or("");
    let Some(taken) = export::runaway_rows(span, export.delimiter, plan.n_cols, plan.rid) else {
        return false;
    };
    let last = line + taken.last().map_or(0, |t| t.0);
    for (k, id) in taken {
        tally.rows_in += usize::from(k > 0);
        let detail = format!(
            "a quote opened on line {line} is not closed where its field ends, so lines {line} to {last} \
             were read as one row; close or remove the stray \" and export again"
        );
        tally.set_aside(
            line + k,
            &id,
            (Reason::UnterminatedQuote, None, None, detail),
        );
    }
    true
}

/// The checks before a row's cells are read: its shape, the test and finished filters, and
/// its response id (present, and not seen before).
fn screen(
    export: &Export,
    f: &Filters,
    plan: &Plan,
    rec: &csv::StringRecord,
    id: &str,
    seen: &SeenIds,
) -> Result<(), SetAside> {
    if rec.len() != plan.n_cols {
        return Err((
            Reason::RaggedRow,
            None,
            None,
            format!(
                "has {} fields but the header has {}; check for an unquoted delimiter or a cut-off line",
                rec.len(),
                plan.n_cols
            ),
        ));
    }
    if rec.as_slice().len() > export::MAX_FIELD_BYTES
        && let Some(long) = rec.iter().position(|f| f.len() > export::MAX_FIELD_BYTES)
    {
        return Err((
            Reason::OverlongField,
            Some(describe_column(export, long)),
            None,
            format!(
                "{} characters; the longest field taken is {} (the text is not stored)",
                rec[long].chars().count(),
                export::MAX_FIELD_BYTES
            ),
        ));
    }
    if let Some(tc) = plan.test_col {
        let v = rec[tc].trim();
        if f.test_values.iter().any(|t| t == v) {
            let column = Some(describe_column(export, tc));
            return Err((
                Reason::PreviewOrTest,
                column,
                Some(v.to_string()),
                String::new(),
            ));
        }
    }
    if let Some(fc) = plan.fin_col {
        let v = rec[fc].trim();
        if !f.finished_values.iter().any(|t| t == v) {
            let column = Some(describe_column(export, fc));
            let detail = "not marked as finished".into();
            return Err((Reason::Incomplete, column, Some(v.to_string()), detail));
        }
    }
    let id_column = || Some(describe_column(export, plan.rid));
    if id.is_empty() {
        return Err((Reason::MissingResponseId, id_column(), None, String::new()));
    }
    if let Some(first) = seen.get(id) {
        let detail = format!("first seen on line {first}; the first copy is kept");
        return Err((
            Reason::DuplicateResponseId,
            id_column(),
            Some(id.to_string()),
            detail,
        ));
    }
    Ok(())
}

/// Map every cell of the row to its code; remember the first problem of each kind.
fn map_cells(
    schema: &Schema,
    plan: &Plan,
    rec: &csv::StringRecord,
    line: u64,
    lookups: &mut Lookups,
    cells: &mut Cells,
    tally: &mut Tally,
) {
    cells.first_unknown_answer = None;
    cells.first_unknown_category = None;
    cells.answered = 0;
    cells.texts.clear();
    let (mut di, mut qi) = (0, 0);
    for (mi, m) in plan.mapped.iter().enumerate() {
        let v = trim(&rec[m.index]);
        match m.target {
            Target::Demographic(d) => {
                cells.demo[di] = if v.is_empty() {
                    NOT_STATED
                } else {
                    let dem = &schema.demographics[d];
                    match lookups.categories[mi].get(v, |v| dem.category_of(v)) {
                        Some(c) => c as u32,
                        None => {
                            tally.unknown_value(m.index, v, line);
                            cells
                                .first_unknown_category
                                .get_or_insert((mi, v.to_string()));
                            NOT_STATED
                        }
                    }
                };
                di += 1;
            }
            Target::Scored(_) => {
                cells.answers[qi] = if v.is_empty() {
                    0
                } else {
                    cells.answered += 1;
                    let (scale, slots) = plan.scales[mi].as_ref().expect("scored");
                    match lookups.answers[mi]
                        .get(v, |v| scale.code_of(v).map(|c| slots[c as usize]))
                    {
                        Some(slot) => slot,
                        None => {
                            tally.unknown_value(m.index, v, line);
                            cells
                                .first_unknown_answer
                                .get_or_insert((mi, v.to_string()));
                            0
                        }
                    }
                };
                qi += 1;
            }
            Target::FreeText => {
                if !v.is_empty() {
                    cells.texts.push((mi, m.index));
                }
            }
        }
    }
}

/// Enough questions answered (`filters.min_answered`).
fn complete(f: &Filters, plan: &Plan, cells: &Cells) -> Result<(), SetAside> {
    let (answered, n_scored) = (cells.answered, plan.n_scored);
    match f.min_answered {
        Some(min) if answered < min.min(n_scored) => Err((
            Reason::Incomplete,
            None,
            None,
            format!("answered {answered} of {n_scored} questions; at least {min} needed"),
        )),
        _ => Ok(()),
    }
}

/// Every answer on its question's scale and every category known.
fn known_values(plan: &Plan, cells: &mut Cells) -> Result<(), SetAside> {
    if let Some((mi, v)) = cells.first_unknown_answer.take() {
        let m = &plan.mapped[mi];
        let detail = format!("not an answer of `{}`'s scale", m.id);
        return Err((
            Reason::UnknownAnswer,
            Some(m.label.clone()),
            Some(v),
            detail,
        ));
    }
    if let Some((mi, v)) = cells.first_unknown_category.take() {
        let m = &plan.mapped[mi];
        let detail = format!("not a category of `{}`", m.id);
        return Err((
            Reason::UnknownCategory,
            Some(m.label.clone()),
            Some(v),
            detail,
        ));
    }
    Ok(())
}
