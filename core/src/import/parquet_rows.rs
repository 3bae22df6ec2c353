//! Parquet files (WildChat, LMSYS-Chat-1M and most of the Hugging Face
//! hub): read one row group at a time through the parquet crate's record
//! API, each row turned into the JSON object it would be in JSON Lines, so
//! that the same row shapes, layouts and columns come out of either.
//!
//! Only the byte ranges a read needs must be in memory: the footer, then
//! each row group's column chunks. [`ParquetLayout`] says which ranges those
//! are and [`GroupReader`] takes them one group at a time, so a caller that
//! reads a file by ranges (the app's `Blob.slice`) opens a file of a
//! million rows holding one row group's bytes at a time, and decodes only
//! the row groups a sample draws from.

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use bytes::{Buf, Bytes};
use parquet::basic::{LogicalType, TimeUnit};
use parquet::file::metadata::page_index::RowGroupPageIndex;
use parquet::file::metadata::{FooterTail, ParquetMetaData, ParquetMetaDataReader};
use parquet::file::properties::ReaderProperties;
use parquet::file::reader::{ChunkReader, Length};
use parquet::file::serialized_reader::SerializedRowGroupReader;
use parquet::record::reader::RowIter;
use parquet::record::{Field, Row};
use parquet::schema::types::Type as SchemaType;
use serde_json::{Map, Number, Value};

use super::json_rows;
use super::parquet_pages::CheckedRowGroup;
use super::sample::{gather, Sample, Sampler};
use super::{FileFormat, ImportError, ImportOptions, RowGroupsRead, RowsRead, Sampled, SkippedRow};
use crate::model::Conversation;

/// The bytes at the end of every Parquet file: the footer's length and the magic.
pub const PARQUET_TAIL_BYTES: usize = 8;

/// A sample draws from random row groups holding at least this many times
/// its size (or every group, for a small file), so a file of a million rows
/// is not decoded whole for ten thousand of them.
const SAMPLE_SPREAD: usize = 4;

/// How many bytes from the end the footer starts, read from the file's last
/// [`PARQUET_TAIL_BYTES`].
pub fn parquet_footer_len(tail: &[u8]) -> Result<usize, ImportError> {
    let tail: &[u8; PARQUET_TAIL_BYTES] = tail
        .get(tail.len().saturating_sub(PARQUET_TAIL_BYTES)..)
        .and_then(|t| t.try_into().ok())
        .ok_or_else(|| ImportError::Parquet("the file is shorter than a Parquet footer".into()))?;
    let footer = FooterTail::try_new(tail).map_err(|_| {
        ImportError::Parquet(
            "it does not end with a Parquet footer: the file is cut off (an interrupted download?) or damaged, and no row can be found without its footer"
                .into(),
        )
    })?;
    if footer.is_encrypted_footer() {
        return Err(ImportError::Parquet("its footer is encrypted, which Kleio does not read".into()));
    }
    Ok(footer.metadata_length() + PARQUET_TAIL_BYTES)
}

/// A Parquet file's shape, from its footer: its rows and where each row group lies.
#[derive(Clone, Debug)]
pub struct ParquetLayout {
    file_len: u64,
    metadata: Arc<ParquetMetaData>,
    groups: Vec<Group>,
    /// The columns that hold nanosecond timestamps ([`nanosecond_columns`]).
    nanosecond_columns: BTreeSet<String>,
}

#[derive(Clone, Debug)]
struct Group {
    /// The file position of its first row.
    first: usize,
    rows: usize,
    /// Where its column chunks lie, from the first to the end of the last.
    bytes: Range<u64>,
}

impl ParquetLayout {
    /// Reads the footer: the file's last [`parquet_footer_len`] bytes (or more).
    pub fn new(file_len: u64, footer: &[u8]) -> Result<Self, ImportError> {
        let footer_len = parquet_footer_len(footer)?;
        if footer.len() < footer_len || footer_len as u64 > file_len {
            return Err(ImportError::Parquet("the footer is longer than the file: the file is cut off or damaged".into()));
        }
        let metadata = ParquetMetaDataReader::decode_metadata(&footer[footer.len() - footer_len..footer.len() - PARQUET_TAIL_BYTES])
            .map_err(|e| ImportError::Parquet(format!("its footer does not decode: {e}")))?;
        let footer_start = file_len - footer_len as u64;
        let mut groups: Vec<Group> = Vec::with_capacity(metadata.num_row_groups());
        for (i, g) in metadata.row_groups().iter().enumerate() {
            let damaged = |why: &str| ImportError::Parquet(format!("row group {} {why}: the file is damaged", i + 1));
            let rows = usize::try_from(g.num_rows()).map_err(|_| damaged("has a negative row count"))?;
            let mut bytes: Option<Range<u64>> = None;
            for c in g.columns() {
                // Checked here because the parquet crate panics on a negative offset.
                let start = c.dictionary_page_offset().unwrap_or(c.data_page_offset());
                let (Ok(start), Ok(len)) = (u64::try_from(start), u64::try_from(c.compressed_size())) else {
                    return Err(damaged("has a column chunk at a negative offset or of negative size"));
                };
                let end = start.checked_add(len).filter(|&end| end <= footer_start).ok_or_else(|| damaged("has a column chunk past the end of the data"))?;
                bytes = Some(bytes.map_or(start..end, |b| b.start.min(start)..b.end.max(end)));
            }
            let first = groups.last().map_or(0, |g| g.first + g.rows);
            groups.push(Group { first, rows, bytes: bytes.unwrap_or(0..0) });
        }
        let nanosecond_columns = nanosecond_columns(metadata.file_metadata().schema());
        Ok(ParquetLayout { file_len, metadata: Arc::new(metadata), groups, nanosecond_columns })
    }

    /// Rows in the whole file.
    pub fn rows(&self) -> usize {
        self.groups.last().map_or(0, |g| g.first + g.rows)
    }

    pub fn row_groups(&self) -> usize {
        self.groups.len()
    }

    /// The byte range of row group `i`, to be read and handed to [`Self::read_group`].
    pub fn group_bytes(&self, i: usize) -> Option<Range<u64>> {
        self.groups.get(i).map(|g| g.bytes.clone())
    }

    /// Row group `i`'s bytes, copied out of the whole file in memory. In
    /// bounds: `new` checked every group against the file's length.
    fn group_in(&self, file: &[u8], i: usize) -> Bytes {
        let range = self.group_bytes(i).unwrap_or(0..0);
        Bytes::copy_from_slice(&file[range.start as usize..range.end as usize])
    }

    /// The row groups a read draws from, in the file's order: every one, or
    /// for a sample of a large file, random groups (by the sample's seed)
    /// holding [`SAMPLE_SPREAD`] times the sample's size.
    pub fn groups_to_read(&self, sample: Option<Sample>) -> Vec<usize> {
        let all: Vec<usize> = (0..self.groups.len()).collect();
        let Some(sample) = sample else { return all };
        let wanted = sample.size.saturating_mul(SAMPLE_SPREAD);
        if self.rows() <= wanted {
            return all;
        }
        // The groups in the order of their seeded keys, as rows are chosen
        // (with the seed turned, so the groups' keys are not the rows').
        let mut order: Vec<usize> = (0..self.groups.len()).collect();
        order.sort_by_key(|&g| super::sample::key(sample.seed.rotate_left(17), g));
        let mut chosen = Vec::new();
        let mut rows = 0;
        for g in order {
            if rows >= wanted {
                break;
            }
            rows += self.groups[g].rows;
            chosen.push(g);
        }
        chosen.sort_unstable();
        chosen
    }

    /// The first `rows` rows of row group `i` (from its bytes) as JSON
    /// objects, for a [`super::Preview`].
    pub fn first_rows(&self, i: usize, bytes: impl Into<Bytes>, rows: usize) -> Result<Vec<Map<String, Value>>, ImportError> {
        let mut out = Vec::new();
        let read = self.read_group(i, bytes.into(), |_, row| {
            if out.len() < rows {
                if let Value::Object(o) = row_value(&row, &self.nanosecond_columns) {
                    out.push(o);
                }
            }
        });
        read.map_err(|why| ImportError::Parquet(format!("row group {}: {why}", i + 1)))?;
        Ok(out)
    }

    /// Decodes row group `i` from its bytes (`bytes` starting at
    /// `group_bytes(i).start`), each row offered to `row` with its 0-based
    /// position in the file. Stops at the first row that cannot be decoded.
    fn read_group(&self, i: usize, bytes: Bytes, mut row: impl FnMut(usize, Row)) -> Result<(), String> {
        let group = self.groups.get(i).ok_or_else(|| format!("there is no row group {}", i + 1))?;
        let first = group.first;
        let file = Arc::new(GroupBytes { file_len: self.file_len, at: group.bytes.start, bytes });
        let properties = Arc::new(ReaderProperties::builder().build());
        let group_reader =
            SerializedRowGroupReader::new(file, self.metadata.row_group(i), RowGroupPageIndex::new(i, None), properties).map_err(|e| e.to_string())?;
        let checked = CheckedRowGroup { inner: &group_reader };
        let rows = RowIter::from_row_group(None, &checked).map_err(|e| e.to_string())?;
        for (n, r) in rows.enumerate() {
            row(first + n, r.map_err(|e| format!("row {} does not decode: {e}", first + n + 1))?);
        }
        Ok(())
    }
}

/// A file of which one row group's bytes are in memory. Reading outside
/// them is an error, not a panic.
struct GroupBytes {
    file_len: u64,
    /// Where `bytes` start in the file.
    at: u64,
    bytes: Bytes,
}

impl GroupBytes {
    fn slice(&self, start: u64, length: Option<usize>) -> parquet::errors::Result<Bytes> {
        let from = start.checked_sub(self.at).and_then(|f| usize::try_from(f).ok()).filter(|&f| f <= self.bytes.len());
        let to = from.and_then(|from| match length {
            Some(l) => from.checked_add(l).filter(|&to| to <= self.bytes.len()),
            None => Some(self.bytes.len()),
        });
        match (from, to) {
            (Some(from), Some(to)) => Ok(self.bytes.slice(from..to)),
            _ => Err(parquet::errors::ParquetError::EOF(format!("bytes {start}..{} are outside the row group", start + length.unwrap_or(0) as u64))),
        }
    }
}

impl Length for GroupBytes {
    fn len(&self) -> u64 {
        self.file_len
    }
}

impl ChunkReader for GroupBytes {
    type T = bytes::buf::Reader<Bytes>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(self.slice(start, None)?.reader())
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        self.slice(start, Some(length))
    }
}

/// Imports a Parquet file held whole in memory.
pub(super) fn import(bytes: &[u8], options: &ImportOptions) -> Result<RowsRead, ImportError> {
    let layout = ParquetLayout::new(bytes.len() as u64, bytes)?;
    let mut reader = GroupReader::new(&layout, options);
    for g in layout.groups_to_read(options.sample) {
        reader.read(g, layout.group_in(bytes, g));
    }
    Ok(reader.rows_read())
}

/// The first `rows` rows of a Parquet file held whole in memory, as JSON objects.
pub(super) fn first_rows(bytes: &[u8], rows: usize) -> Result<Vec<Map<String, Value>>, ImportError> {
    let layout = ParquetLayout::new(bytes.len() as u64, bytes)?;
    let mut out = Vec::new();
    for g in 0..layout.row_groups() {
        if out.len() >= rows {
            break;
        }
        out.extend(layout.first_rows(g, layout.group_in(bytes, g), rows - out.len())?);
    }
    Ok(out)
}

/// A row read into a conversation, or why it could not be.
type RowResult = Result<Conversation, SkippedRow>;

/// Reads a Parquet file's row groups one after another, as the caller
/// brings their bytes, into conversations. A row becomes one as it is
/// decoded (only if a sample keeps it), so no group's rows are held as JSON.
pub struct GroupReader<'a> {
    layout: &'a ParquetLayout,
    options: &'a ImportOptions,
    rows: Vec<RowResult>,
    damaged: Option<String>,
    sampler: Option<Sampler<RowResult>>,
    groups_read: usize,
}

impl<'a> GroupReader<'a> {
    pub fn new(layout: &'a ParquetLayout, options: &'a ImportOptions) -> Self {
        GroupReader { layout, options, rows: Vec::new(), damaged: None, sampler: options.sample.map(Sampler::new), groups_read: 0 }
    }

    /// The import of the groups read, as [`super::import`] makes it of a
    /// whole file: duplicates collapsed, ids unique, the report written.
    pub fn finish(self) -> Result<super::Imported, ImportError> {
        let options = self.options;
        super::finish(self.rows_read(), None, options)
    }

    /// Reads row group `i` from its bytes. A group that fails is reported
    /// in the result, and the rows before the failure are kept.
    pub fn read(&mut self, i: usize, bytes: impl Into<Bytes>) {
        let bytes = bytes.into();
        self.groups_read += 1;
        let (rows, sampler, options, nanos) = (&mut self.rows, &mut self.sampler, self.options, &self.layout.nanosecond_columns);
        let conversation = |position: usize, row: &Row| {
            json_rows::row(&row_value(row, nanos), position + 1, options).map_err(|reason| SkippedRow { line: position + 1, reason })
        };
        let result = self.layout.read_group(i, bytes, |position, row| match sampler {
            Some(s) => s.offer(position, || conversation(position, &row)),
            None => rows.push(conversation(position, &row)),
        });
        if let Err(why) = result {
            let at = format!("row group {} of {}: {why}", i + 1, self.layout.row_groups());
            self.damaged = Some(match self.damaged.take() {
                Some(before) => format!("{before}; {at}"),
                None => at,
            });
        }
    }

    pub(super) fn rows_read(self) -> RowsRead {
        let (rows, sampled) = match self.sampler {
            Some(s) => (
                s.into_rows().into_iter().map(|(_, row)| row).collect(),
                self.options.sample.map(|sample| Sampled {
                    seed: sample.seed,
                    rows_in_file: self.layout.rows(),
                    row_groups: (self.groups_read < self.layout.row_groups())
                        .then_some(RowGroupsRead { read: self.groups_read, in_file: self.layout.row_groups() }),
                }),
            ),
            None => (self.rows, None),
        };
        let gathered = gather(rows, None, |row| row);
        RowsRead { format: FileFormat::Parquet, rows: gathered.rows, skipped: gathered.skipped, rows_read: gathered.rows_read, sampled, damaged: self.damaged }
    }
}

/// A Parquet row as the JSON object a JSON Lines file would hold; the
/// row's own fields named in `nanos` hold nanosecond timestamps.
fn row_value(row: &Row, nanos: &BTreeSet<String>) -> Value {
    let value = |(name, field): (&String, &Field)| match field {
        Field::Long(n) if nanos.contains(name) => date_time(n.div_euclid(1_000_000), false),
        _ => field_value(field),
    };
    Value::Object(row.get_column_iter().map(|column| (column.0.clone(), value(column))).collect::<Map<String, Value>>())
}

/// The top-level columns that hold nanosecond timestamps. The record API
/// converts milli- and microsecond timestamps (parquet 60.1) and hands
/// nanosecond ones on as bare integers, which pandas and pyarrow write by
/// default: a conversation's time would read "1672531200000000000". Only a
/// row's own fields are read for a time, an account or a column to show,
/// so timestamps inside lists and records are left as they are.
fn nanosecond_columns(schema: &SchemaType) -> BTreeSet<String> {
    schema
        .get_fields()
        .iter()
        .filter(|column| matches!(column.get_basic_info().logical_type_ref(), Some(LogicalType::Timestamp(t)) if t.unit == TimeUnit::NANOS))
        .map(|column| column.name().to_string())
        .collect()
}

fn field_value(field: &Field) -> Value {
    let number = |n: Option<Number>| n.map_or(Value::Null, Value::Number);
    match field {
        Field::Null => Value::Null,
        Field::Bool(b) => Value::Bool(*b),
        Field::Byte(n) => Value::from(*n),
        Field::Short(n) => Value::from(*n),
        Field::Int(n) => Value::from(*n),
        Field::Long(n) => Value::from(*n),
        Field::UByte(n) => Value::from(*n),
        Field::UShort(n) => Value::from(*n),
        Field::UInt(n) => Value::from(*n),
        Field::ULong(n) => Value::from(*n),
        Field::Float16(n) => number(Number::from_f64(f64::from(*n))),
        Field::Float(n) => number(Number::from_f64(f64::from(*n))),
        Field::Double(n) => number(Number::from_f64(*n)),
        Field::Str(s) => Value::String(s.clone()),
        // Bytes that are text (a column written without the UTF-8 annotation) read as text.
        Field::Bytes(b) => std::str::from_utf8(b.data()).map_or(Value::Null, |s| Value::String(s.to_string())),
        Field::Date(days) => date_time(i64::from(*days) * 86_400_000, true),
        Field::TimestampMillis(ms) => date_time(*ms, false),
        Field::TimestampMicros(us) => date_time(us.div_euclid(1000), false),
        Field::Group(row) => row_value(row, &BTreeSet::new()),
        Field::ListInternal(list) => Value::Array(list.elements().iter().map(field_value).collect()),
        Field::MapInternal(map) => Value::Object(
            map.entries()
                .iter()
                .map(|(k, v)| {
                    let key = match field_value(k) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, field_value(v))
                })
                .collect(),
        ),
        // Decimals and times of day say nothing a conversation facet uses.
        _ => Value::String(field.to_string()),
    }
}

/// Milliseconds since 1970 as ISO 8601 in UTC (a date alone for a date column).
fn date_time(ms: i64, date_only: bool) -> Value {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) if date_only => Value::String(t.format("%Y-%m-%d").to_string()),
        Some(t) => Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
        None => Value::Null,
    }
}
