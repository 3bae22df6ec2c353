//! CSV rows: one conversation per row, the text in a chosen column.

use std::collections::BTreeMap;

use super::json_rows::{ACCOUNT_FIELDS, TIME_FIELDS};
use super::sample::{gather, Gathered};
use super::{ImportError, ImportOptions, SkippedRow, MAX_ROW_BYTES};
use crate::model::{Conversation, Message, Role};

const TEXT_COLUMNS: &[&str] = &["text", "prompt", "content", "message", "utterance", "question", "query"];

/// Comma, tab or semicolon: whichever the header line holds most of.
pub(super) fn delimiter(header: &str) -> u8 {
    [b',', b'\t', b';'].into_iter().max_by_key(|d| header.bytes().filter(|b| b == d).count()).unwrap_or(b',')
}

pub(super) fn from_csv(text: &str, options: &ImportOptions) -> Result<Gathered, ImportError> {
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter(text.lines().next().unwrap_or(""))).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> =
        reader.headers().map_err(|e| ImportError::NotADataset(format!("the CSV header does not parse: {e}")))?.iter().map(|h| h.trim().to_string()).collect();
    if headers.is_empty() || headers.iter().all(String::is_empty) {
        return Err(ImportError::NotADataset("the first line is not a CSV header".into()));
    }
    let find_early = |names: &[&str]| headers.iter().any(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)));
    if headers.len() < 2 && options.text_field.is_none() && !find_early(TEXT_COLUMNS) {
        return Err(ImportError::NotADataset("it looks like plain text: expected JSON Lines, a JSON array, or CSV with a header row".into()));
    }
    let find = |names: &[&str]| headers.iter().position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)));
    let named = |name: &String| headers.iter().position(|h| h == name).ok_or_else(|| ImportError::NoSuchColumn(name.clone(), headers.join(", ")));
    let text_col = match &options.text_field {
        Some(name) => named(name)?,
        None => find(TEXT_COLUMNS).unwrap_or(0),
    };
    let account_col = match &options.account_field {
        Some(name) => Some(named(name)?),
        None => find(ACCOUNT_FIELDS),
    };
    let time_col = match &options.time_field {
        Some(name) => Some(named(name)?),
        None => find(TIME_FIELDS),
    };
    let id_col = find(&["id"]);

    // The header is line 1; a record's own line number is better when the CSV has quoted newlines.
    let records = reader.records().enumerate().map(|(i, record)| (i + 2, record));
    Ok(gather(records, options.sample, |(fallback_line, record)| {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize).unwrap_or(fallback_line);
            SkippedRow { line, reason: format!("invalid CSV: {e}") }
        })?;
        let line = record.position().map(|p| p.line() as usize).unwrap_or(fallback_line);
        if record.as_slice().len() > MAX_ROW_BYTES {
            return Err(SkippedRow { line, reason: format!("row is over the {MAX_ROW_BYTES}-byte limit") });
        }
        let Some(content) = record.get(text_col).map(str::trim).filter(|t| !t.is_empty()) else {
            return Err(SkippedRow { line, reason: format!("column {:?} is empty", headers[text_col]) });
        };
        let cell = |col: Option<usize>| col.and_then(|c| record.get(c)).map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        let mut meta = BTreeMap::new();
        for (c, h) in headers.iter().enumerate() {
            if [Some(text_col), account_col, id_col, time_col].contains(&Some(c)) || h.is_empty() {
                continue;
            }
            if let Some(v) = record.get(c).map(str::trim).filter(|v| !v.is_empty()) {
                meta.insert(h.clone(), v.to_string());
            }
        }
        Ok(Conversation {
            id: cell(id_col).unwrap_or_else(|| format!("row-{line}")),
            account: cell(account_col),
            created_at: cell(time_col),
            messages: vec![Message { role: Role::User, content: content.to_string() }],
            labels: BTreeMap::new(),
            meta,
        })
    }))
}
