//! The first rows of a file as a table, whatever holds them: what a person
//! reads to choose the messages, text, account and time columns of a layout
//! Kleio does not know.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{container, parquet_rows, ImportError, ParquetLayout};

/// A cell's text is cut to this many characters.
const CELL_CHARS: usize = 80;

/// The columns (top-level fields) of the first rows, and each row's cells.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Preview {
    /// The first `rows` rows of a file as [`super::import`] reads it.
    pub fn of(bytes: &[u8], rows: usize) -> Result<Preview, ImportError> {
        let objects = match container::sniff(bytes) {
            container::Kind::Parquet => parquet_rows::first_rows(bytes, rows)?,
            container::Kind::Unsupported(what) => return Err(ImportError::NotADataset(what.into())),
            container::Kind::Compressed(c) => container::first_rows(container::decompressed(bytes, c)?, rows)?,
            container::Kind::Text => container::first_rows(Box::new(bytes), rows)?,
        };
        Ok(Preview::of_rows(&objects))
    }

    /// The first `rows` rows of a Parquet file read by ranges: its first row
    /// group's bytes (as [`ParquetLayout::group_bytes`] gives them).
    pub fn of_parquet(layout: &ParquetLayout, first_group: impl Into<Bytes>, rows: usize) -> Result<Preview, ImportError> {
        if layout.row_groups() == 0 {
            return Ok(Preview::default());
        }
        Ok(Preview::of_rows(&layout.first_rows(0, first_group, rows)?))
    }

    fn of_rows(objects: &[Map<String, Value>]) -> Preview {
        let mut columns: Vec<String> = Vec::new();
        for object in objects {
            for key in object.keys() {
                if !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
        }
        let rows = objects.iter().map(|o| columns.iter().map(|c| o.get(c).map(cell).unwrap_or_default()).collect()).collect();
        Preview { columns, rows }
    }
}

/// A value as a table shows it: scalars as text, lists and objects by their size.
fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!("[{} items]", items.len()),
        Value::Object(fields) => format!("{{{} fields}}", fields.len()),
        other => other.to_string(),
    };
    match text.char_indices().nth(CELL_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}
