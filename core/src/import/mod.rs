//! Turning a file's bytes into conversations, whatever the format.
//!
//! The container is detected from the content, not the file name: Parquet,
//! gzip or zstd (decompressed as a stream), or plain text. Text is a JSON
//! array, JSON Lines, or CSV. Inside JSON (and every Parquet row, read as
//! JSON), each row's shape is detected on its own (OpenAI-style `messages`,
//! ShareGPT `conversations`, WildChat/LMSYS `conversation`, an HH-RLHF
//! `chosen` transcript, or a plain text field), so a file that mixes them
//! still imports. A bad row is skipped and reported with its row number; a
//! damaged stream or row group keeps the rows read before it; only a file
//! with no usable row at all is an error.
//!
//! A sample ([`Sample`]) keeps the rows whose seeded key is smallest, which
//! is the same set whatever the format and however the file is read. A
//! Parquet file much larger than the sample is the exception: the sample is
//! drawn from seeded row groups holding a few times its size (the report
//! says how many), so a million rows are not decoded for ten thousand.
//! Conversations whose user turns are the same after normalising case and
//! white space are collapsed into one, which counts its copies.

mod container;
mod csv_rows;
mod duplicates;
mod json_rows;
mod near_duplicates;
mod parquet_delta;
mod parquet_pages;
mod parquet_rows;
mod preview;
mod sample;

use serde::{Deserialize, Serialize};

use crate::model::Conversation;

pub use container::Compression;
pub use duplicates::COPIES_COLUMN;
pub use near_duplicates::{near_duplicate_groups, near_duplicate_groups_of, near_duplicate_text};
pub use parquet_rows::{parquet_footer_len, GroupReader, ParquetLayout, PARQUET_TAIL_BYTES};
pub use preview::Preview;
pub use sample::Sample;

/// Rows larger than this are skipped: one such row could exhaust a browser tab.
pub const MAX_ROW_BYTES: usize = 8 * 1024 * 1024;

/// Choices the importer cannot guess reliably. Every field is optional: the
/// usual names are tried where one is not given.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportOptions {
    /// The column (CSV) or field (JSON, Parquet) holding a single text. `None`
    /// picks one named like text (`text`, `prompt`, `content`, `message`,
    /// `utterance`, `question`), and for CSV else the first column.
    #[serde(alias = "csv_text_column")]
    pub text_field: Option<String>,
    /// The JSON or Parquet field holding the messages (a list of `role` and
    /// `content`, or ShareGPT's `from` and `value`). `None` tries `messages`,
    /// `conversation` and `conversations`.
    pub messages_field: Option<String>,
    /// The field naming the account. `None` uses the usual names
    /// (`account_id`, `user_id`, `hashed_ip`, `user`, `account`).
    pub account_field: Option<String>,
    /// The field holding the conversation's time. `None` uses the usual
    /// names (`created_at`, `timestamp`, `time`, `date`, `tstamp`).
    pub time_field: Option<String>,
    /// Analyse a seeded sample of the rows instead of all of them.
    pub sample: Option<Sample>,
    /// Keep exact duplicates instead of collapsing them into one.
    pub keep_duplicates: bool,
    /// Collapse near duplicates too (user turns whose word triples overlap
    /// by 80 % or more), unless duplicates are kept.
    pub near_duplicates: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    JsonLines,
    JsonArray,
    Csv,
    Parquet,
}

/// One skipped row and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedRow {
    /// 1-based line (JSON Lines, CSV), element (JSON array) or row (Parquet) number.
    pub line: usize,
    pub reason: String,
}

/// Where a sample came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sampled {
    pub seed: u64,
    /// Rows in the whole file; the report's `rows_read` counts the sample's.
    pub rows_in_file: usize,
    /// For a Parquet file whose sample came from some of its row groups only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_groups: Option<RowGroupsRead>,
}

/// How many of a Parquet file's row groups a sample was drawn from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowGroupsRead {
    pub read: usize,
    pub in_file: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub format: FileFormat,
    /// The compression the file came in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<Compression>,
    /// Rows read, imported or not (blank lines are not rows); with a sample,
    /// the sample's rows. Always the conversations plus the skipped rows
    /// plus the duplicates dropped.
    pub rows_read: usize,
    pub skipped: Vec<SkippedRow>,
    /// Whether any row named its account. When none did, every conversation
    /// counts as its own account for the privacy minimums.
    pub accounts_known: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampled: Option<Sampled>,
    /// Conversations dropped as copies of an earlier one, exact or near.
    #[serde(default)]
    pub duplicates_dropped: usize,
    /// Of those, the near duplicates.
    #[serde(default)]
    pub near_duplicates_dropped: usize,
    /// Where the file stopped being readable (a truncated download, a
    /// damaged stream or row group), when it did; the rows before it are kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub damaged: Option<String>,
}

impl ImportReport {
    pub fn rows_skipped(&self) -> usize {
        self.skipped.len()
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
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
    #[error("column {0:?} does not exist; columns are: {1}")]
    NoSuchColumn(String, String),
    #[error("the Parquet file cannot be read: {0}")]
    Parquet(String),
}

/// Rows as a reader found them, before sampling's and duplicates' choices.
pub(crate) struct RowsRead {
    format: FileFormat,
    rows: Vec<Conversation>,
    skipped: Vec<SkippedRow>,
    /// Rows considered: all of them, or the sample's.
    rows_read: usize,
    sampled: Option<Sampled>,
    damaged: Option<String>,
}

/// Imports a whole file. Never panics, whatever the bytes.
pub fn import(bytes: &[u8], options: &ImportOptions) -> Result<Imported, ImportError> {
    let (read, compression) = match container::sniff(bytes) {
        container::Kind::Parquet => (parquet_rows::import(bytes, options)?, None),
        container::Kind::Compressed(c) => (container::import_compressed(bytes, c, options)?, Some(c)),
        container::Kind::Unsupported(what) => return Err(ImportError::NotADataset(what.into())),
        container::Kind::Text => (container::import_text(bytes, options)?, None),
    };
    finish(read, compression, options)
}

/// Whether a file that starts with `head` holds a row per line (JSON Lines
/// or CSV, uncompressed), so that a download can count its rows as they come.
pub fn rows_are_lines(head: &[u8]) -> bool {
    matches!(container::sniff(head), container::Kind::Text) && matches!(container::text_format(head), Ok((_, FileFormat::JsonLines | FileFormat::Csv)))
}

/// Collapses duplicates, makes ids unique and writes the report.
fn finish(read: RowsRead, compression: Option<Compression>, options: &ImportOptions) -> Result<Imported, ImportError> {
    let RowsRead { format, mut rows, skipped, rows_read, sampled, damaged } = read;
    if rows.is_empty() {
        let mut first: Vec<String> = skipped.iter().take(3).map(|s| format!("row {}: {}", s.line, s.reason)).collect();
        first.extend(damaged);
        return Err(if first.is_empty() { ImportError::Empty } else { ImportError::NoUsableRows(first.join("; ")) });
    }
    let (exact, near) = if options.keep_duplicates {
        (0, 0)
    } else {
        let exact = duplicates::collapse(&mut rows);
        (exact, if options.near_duplicates { near_duplicates::collapse(&mut rows) } else { 0 })
    };
    let (duplicates_dropped, near_duplicates_dropped) = (exact + near, near);
    dedupe_ids(&mut rows);
    let accounts_known = rows.iter().any(|c| c.account.is_some());
    let report = ImportReport { format, compression, rows_read, skipped, accounts_known, sampled, duplicates_dropped, near_duplicates_dropped, damaged };
    Ok(Imported { conversations: rows, report })
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
