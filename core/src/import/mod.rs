//! Turning a file's bytes into conversations, whatever the format.
//!
//! The format is detected from the content, not the file name: a JSON array,
//! JSON Lines, or CSV. Inside JSON, each row's shape is detected on its own
//! (OpenAI-style `messages`, ShareGPT `conversations`, WildChat/LMSYS
//! `conversation`, an HH-RLHF `chosen` transcript, or a plain text field), so a
//! file that mixes them still imports. A bad row is skipped and reported with
//! its line number; only a file with no usable row at all is an error.

mod csv_rows;
mod json_rows;

use serde::{Deserialize, Serialize};

use crate::model::Conversation;

/// Rows larger than this are skipped: one such row could exhaust a browser tab.
pub const MAX_ROW_BYTES: usize = 8 * 1024 * 1024;

/// Choices the importer cannot guess reliably.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ImportOptions {
    /// The CSV column holding the text. `None` picks a column named like text
    /// (`text`, `prompt`, `content`, `message`, `utterance`, `question`), else the first.
    pub csv_text_column: Option<String>,
    /// The field (JSON key or CSV column) naming the account. `None` uses the
    /// usual names (`account_id`, `user_id`, `hashed_ip`, `user`, `account`).
    pub account_field: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    JsonLines,
    JsonArray,
    Csv,
}

/// One skipped row and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedRow {
    /// 1-based line (JSON Lines, CSV) or element (JSON array) number.
    pub line: usize,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub format: FileFormat,
    /// Rows seen, imported or not (blank lines are not rows).
    pub rows_read: usize,
    pub skipped: Vec<SkippedRow>,
    /// Whether any row named its account. When none did, every conversation
    /// counts as its own account for the privacy minimums.
    pub accounts_known: bool,
}

impl ImportReport {
    pub fn rows_skipped(&self) -> usize {
        self.skipped.len()
    }
}

#[derive(Clone, Debug)]
pub struct Imported {
    pub conversations: Vec<Conversation>,
    pub report: ImportReport,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportError {
    #[error("the file is empty")]
    Empty,
    #[error("this is not a dataset Kleio can read: {0}")]
    NotADataset(String),
    #[error("no row could be imported; first problems: {0}")]
    NoUsableRows(String),
    #[error("CSV column {0:?} does not exist; columns are: {1}")]
    NoSuchColumn(String, String),
}

/// Imports a whole file. Never panics, whatever the bytes.
pub fn import(bytes: &[u8], options: &ImportOptions) -> Result<Imported, ImportError> {
    let text = decode(bytes)?;
    let trimmed = text.trim_start();
    let (format, rows, skipped) = match trimmed.as_bytes().first() {
        None => return Err(ImportError::Empty),
        Some(b'[') => {
            let (rows, skipped) = json_rows::from_array(trimmed, options)?;
            (FileFormat::JsonArray, rows, skipped)
        }
        Some(b'{') => {
            let (rows, skipped) = json_rows::from_lines(text, options);
            (FileFormat::JsonLines, rows, skipped)
        }
        Some(_) => {
            let (rows, skipped) = csv_rows::from_csv(text, options)?;
            (FileFormat::Csv, rows, skipped)
        }
    };
    let rows_read = rows.len() + skipped.len();
    if rows.is_empty() {
        let first: Vec<String> = skipped.iter().take(3).map(|s| format!("row {}: {}", s.line, s.reason)).collect();
        return Err(if first.is_empty() { ImportError::Empty } else { ImportError::NoUsableRows(first.join("; ")) });
    }
    let accounts_known = rows.iter().any(|c| c.account.is_some());
    Ok(Imported { conversations: rows, report: ImportReport { format, rows_read, skipped, accounts_known } })
}

/// Text files only: binary junk is refused up front rather than parsed row by row.
fn decode(bytes: &[u8]) -> Result<&str, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Empty);
    }
    let head = &bytes[..bytes.len().min(4096)];
    if head.contains(&0) {
        return Err(ImportError::NotADataset("it contains binary data (NUL bytes); expected JSON Lines, a JSON array or CSV".into()));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        ImportError::NotADataset(format!("it is not UTF-8 text (invalid byte at offset {}); expected JSON Lines, a JSON array or CSV", e.valid_up_to()))
    })
}

/// Row ids must be unique: later stages key on them.
fn dedupe_ids(rows: &mut [Conversation]) {
    let mut seen = std::collections::HashSet::new();
    for (i, row) in rows.iter_mut().enumerate() {
        if !seen.insert(row.id.clone()) {
            row.id = format!("{}#{}", row.id, i + 1);
            seen.insert(row.id.clone());
        }
    }
}

#[cfg(test)]
mod tests;
