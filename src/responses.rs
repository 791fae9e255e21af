//! One wave's answers as one-byte slots and its demographics as category codes, column by
//! column: what import makes, the store keeps and every statistic reads.

use crate::schema::Schema;

/// A demographic field left blank (Not stated), in [`Responses::fields`].
pub const NOT_STATED: u32 = u32::MAX;

/// One wave's responses as codes, column by column.
#[derive(Debug, Clone, Default)]
pub struct Responses {
    pub rows: usize,
    /// Per schema demographic (by index): each row's category index, or [`NOT_STATED`];
    /// `None` when the wave did not map the field.
    pub fields: Vec<Option<Vec<u32>>>,
    /// Per schema question (by index): each row's answer as its position in the question's
    /// scale plus one (0 = no answer); `None` when the wave did not ask it (or it is free text).
    pub answers: Vec<Option<Vec<u8>>>,
}

impl Responses {
    /// An empty set of columns for `rows` rows of `schema`.
    pub fn new(schema: &Schema, rows: usize) -> Responses {
        Responses {
            rows,
            fields: vec![None; schema.demographics.len()],
            answers: vec![None; schema.questions.len()],
        }
    }

    /// The scale code of an answer slot (`None` for 0, no answer).
    pub fn code_of_slot(schema: &Schema, question: usize, slot: u8) -> Option<u8> {
        let scale = schema.scale_of(&schema.questions[question])?;
        (slot > 0)
            .then(|| scale.answers.get(slot as usize - 1).map(|a| a.code))
            .flatten()
    }

    /// For each scale code, its answer position + 1 (0 for a code the scale does not have).
    pub fn slots(schema: &Schema, question: usize) -> [u8; 256] {
        let mut lut = [0u8; 256];
        for (code, slot) in lut.iter_mut().enumerate() {
            *slot = Responses::answer_slot(schema, question, code as u8);
        }
        lut
    }

    /// The answer position + 1 for a scale code (0 for a code the scale does not have).
    pub fn answer_slot(schema: &Schema, question: usize, code: u8) -> u8 {
        schema
            .scale_of(&schema.questions[question])
            .and_then(|s| s.answers.iter().position(|a| a.code == code))
            .map_or(0, |p| p as u8 + 1)
    }
}
