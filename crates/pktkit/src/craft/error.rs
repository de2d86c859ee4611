//! Errors of parsing and building a packet spec. Every error that comes from the spec carries
//! the 0-based byte offset in the spec where the problem starts.

use thiserror::Error;

/// A spec could not be parsed or built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CraftError {
    /// The text does not follow the grammar.
    #[error("at {pos}: expected {expected}, found {found}")]
    Syntax {
        /// Byte offset in the spec.
        pos: usize,
        /// What the grammar allows there.
        expected: String,
        /// What is there instead (quoted text or "end of spec").
        found: String,
    },
    /// A layer name that is not one of [`super::layer_names`].
    #[error("unknown layer '{name}' at {pos} (known: {known})")]
    UnknownLayer {
        /// Byte offset of the name.
        pos: usize,
        /// The name as written.
        name: String,
        /// The known layer names, comma-separated.
        known: String,
    },
    /// A field name the layer does not have.
    #[error("unknown field '{field}' for {layer} at {pos} (known: {known})")]
    UnknownField {
        /// Byte offset of the field name.
        pos: usize,
        /// The layer's name.
        layer: String,
        /// The field name as written.
        field: String,
        /// The layer's field names, comma-separated.
        known: String,
    },
    /// A value that does not fit its field.
    #[error("bad {what} '{text}' at {pos}{detail}")]
    BadValue {
        /// Byte offset of the value.
        pos: usize,
        /// The kind of value the field takes (e.g. "IPv4 address").
        what: String,
        /// The value as written.
        text: String,
        /// Empty, or ": " and an explanation.
        detail: String,
    },
    /// Well-formed text that cannot make a packet (a field given twice, a layer that cannot
    /// start a packet, a field that the chosen ICMP type does not have, ...).
    #[error("at {pos}: {message}")]
    Invalid {
        /// Byte offset of the offending part.
        pos: usize,
        /// What is wrong.
        message: String,
    },
    /// A host name the environment could not resolve.
    #[error("cannot resolve host name '{name}' at {pos}{detail}")]
    Unresolved {
        /// Byte offset of the name.
        pos: usize,
        /// The host name.
        name: String,
        /// Empty, or ": " and the reason.
        detail: String,
    },
    /// [`super::craft`] collects packets in memory and refuses more than its limit.
    #[error("the spec makes {count} packets, more than the limit of {limit}; iterate with Spec::packets")]
    TooMany {
        /// Packets the spec makes.
        count: u128,
        /// The limit.
        limit: u128,
    },
}

impl CraftError {
    /// Byte offset in the spec where the problem starts, when the problem is in the spec.
    pub fn pos(&self) -> Option<usize> {
        match self {
            CraftError::Syntax { pos, .. }
            | CraftError::UnknownLayer { pos, .. }
            | CraftError::UnknownField { pos, .. }
            | CraftError::BadValue { pos, .. }
            | CraftError::Invalid { pos, .. }
            | CraftError::Unresolved { pos, .. } => Some(*pos),
            CraftError::TooMany { .. } => None,
        }
    }

    /// The spec on one line and a caret under the error position on the next, for messages.
    pub fn caret(&self, spec: &str) -> Option<String> {
        let pos = self.pos()?;
        let col = spec.get(..pos.min(spec.len())).map_or(pos, |s| s.chars().count());
        Some(format!("{spec}\n{}^", " ".repeat(col)))
    }

    pub(crate) fn bad(pos: usize, what: &str, text: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        CraftError::BadValue {
            pos,
            what: what.to_string(),
            text: text.to_string(),
            detail: if detail.is_empty() { detail } else { format!(": {detail}") },
        }
    }

    pub(crate) fn invalid(pos: usize, message: impl Into<String>) -> Self {
        CraftError::Invalid { pos, message: message.into() }
    }
}
