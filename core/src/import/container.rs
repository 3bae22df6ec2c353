//! What holds the rows: Parquet, a compressed stream, or plain text, told
//! apart by the first bytes rather than the file's name; and the text
//! formats read from a stream, so a compressed file is never decompressed
//! into memory whole when it is JSON Lines.

use std::io::{BufRead, BufReader, Read};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::json_rows::{self, Line};
use super::sample::{gather, Gathered};
use super::{csv_rows, FileFormat, ImportError, ImportOptions, RowsRead, MAX_ROW_BYTES};

/// A compression a text file can come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compression {
    Gzip,
    Zstd,
}

impl Compression {
    fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

pub(super) enum Kind {
    Parquet,
    Compressed(Compression),
    /// A container Kleio does not open, with what to do instead.
    Unsupported(&'static str),
    Text,
}

/// The container, from the magic bytes each format starts with.
pub(super) fn sniff(bytes: &[u8]) -> Kind {
    match bytes {
        [b'P', b'A', b'R', b'1', ..] => Kind::Parquet,
        [0x1f, 0x8b, ..] => Kind::Compressed(Compression::Gzip),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Kind::Compressed(Compression::Zstd),
        [b'P', b'K', 3, 4, ..] => Kind::Unsupported("it is a zip archive: unzip it and open the file inside"),
        [b'B', b'Z', b'h', ..] => Kind::Unsupported("it is bzip2-compressed: decompress it, or recompress it with gzip or zstd"),
        [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => Kind::Unsupported("it is xz-compressed: decompress it, or recompress it with gzip or zstd"),
        _ => Kind::Text,
    }
}

pub(super) fn import_text(bytes: &[u8], options: &ImportOptions) -> Result<RowsRead, ImportError> {
    read_text(bytes, None, options)
}

pub(super) fn import_compressed(bytes: &[u8], compression: Compression, options: &ImportOptions) -> Result<RowsRead, ImportError> {
    read_text(decompressed(bytes, compression)?, Some(compression), options)
}

/// The text inside a compressed file, as a stream.
pub(super) fn decompressed<'a>(bytes: &'a [u8], compression: Compression) -> Result<Box<dyn Read + 'a>, ImportError> {
    Ok(match compression {
        // Multi-member: `cat a.gz b.gz` and bgzip files are one stream of text.
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(bytes)),
        Compression::Zstd => {
            Box::new(zstd::stream::read::Decoder::with_buffer(bytes).map_err(|e| ImportError::NotADataset(format!("the zstd stream cannot be opened: {e}")))?)
        }
    })
}

/// The first `rows` rows of text as JSON objects (a CSV record as its
/// header's fields), for [`super::Preview`]. Rows that are not objects are left out.
pub(super) fn first_rows(stream: Box<dyn Read + '_>, rows: usize) -> Result<Vec<Map<String, Value>>, ImportError> {
    let mut head = Vec::new();
    // A preview reads no more than its head: enough for the rows of any ordinary file.
    let _ = stream.take(4 * HEAD_BYTES as u64).read_to_end(&mut head);
    let (body, format) = text_format(&head)?;
    let text = String::from_utf8_lossy(body).into_owned();
    let objects = match format {
        FileFormat::JsonLines => text.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).take(rows).collect(),
        FileFormat::JsonArray => {
            // The array may be cut by the head: read its elements one by one until one fails.
            let mut out = Vec::new();
            let mut rest = text.trim_start()[1..].trim_start();
            while out.len() < rows {
                let mut elements = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
                match elements.next() {
                    Some(Ok(v)) => out.push(v),
                    _ => break,
                }
                rest = rest[elements.byte_offset()..].trim_start();
                match rest.strip_prefix(',') {
                    Some(after) => rest = after,
                    None => break,
                }
            }
            out
        }
        FileFormat::Csv | FileFormat::Parquet => {
            let delimiter = csv_rows::delimiter(text.lines().next().unwrap_or(""));
            let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
            let headers: Vec<String> = reader.headers().map(|h| h.iter().map(|s| s.trim().to_string()).collect()).unwrap_or_default();
            reader
                .records()
                .filter_map(Result::ok)
                .take(rows)
                .map(|r| Value::Object(headers.iter().cloned().zip(r.iter().map(|c| Value::String(c.to_string()))).collect()))
                .collect()
        }
    };
    Ok(objects.into_iter().filter_map(|v| if let Value::Object(o) = v { Some(o) } else { None }).collect())
}

/// How much of the text is read before its format is decided.
const HEAD_BYTES: usize = 64 * 1024;

/// The text's format from its head (after a byte-order mark and white
/// space), and the head without the mark. Binary data is refused here.
pub(super) fn text_format(head: &[u8]) -> Result<(&[u8], FileFormat), ImportError> {
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = body.iter().find(|b| !b.is_ascii_whitespace()).ok_or(ImportError::Empty)?;
    if body[..body.len().min(4096)].contains(&0) {
        return Err(ImportError::NotADataset("it contains binary data (NUL bytes); expected JSON Lines, a JSON array, CSV or Parquet".into()));
    }
    let format = match first {
        b'[' => FileFormat::JsonArray,
        b'{' => FileFormat::JsonLines,
        _ => FileFormat::Csv,
    };
    Ok((body, format))
}

/// Where a stream stopped being readable, as the import report says it.
fn damage(what: &str, bytes_read: impl std::fmt::Display, e: &std::io::Error) -> String {
    format!("the {what} stream is damaged or cut off after {bytes_read} bytes of text: {e}")
}

/// Reads text rows from `stream`: JSON Lines a line at a time, a JSON array
/// or CSV whole. A stream that fails part way (a damaged or cut-off
/// compressed file) keeps the rows before the failure and says where.
fn read_text(stream: impl Read, compression: Option<Compression>, options: &ImportOptions) -> Result<RowsRead, ImportError> {
    let what = compression.map_or("file", Compression::name);
    let mut stream = BufReader::with_capacity(HEAD_BYTES, stream);
    let mut head = Vec::with_capacity(HEAD_BYTES);
    let mut damaged = None;
    if let Err(e) = (&mut stream).take(HEAD_BYTES as u64).read_to_end(&mut head) {
        damaged = Some(damage(what, head.len(), &e));
    }
    let (body, format) = match (text_format(&head), &damaged) {
        // A stream that broke before any text: the break is the news.
        (Err(ImportError::Empty), Some(d)) => return Err(ImportError::NotADataset(d.clone())),
        (found, _) => found?,
    };
    let rest = if damaged.is_some() { None } else { Some(stream) };
    let gathered = if format == FileFormat::JsonLines {
        let text = std::io::Cursor::new(body.to_vec()).chain(RestOrNothing(rest));
        let mut lines = Lines { reader: BufReader::new(text), line_no: 0, damaged: None, what, read: 0 };
        let gathered = gather(&mut lines, options.sample, |(line_no, line)| json_rows::line_row(line_no, line, options));
        damaged = damaged.or(lines.damaged);
        gathered
    } else {
        let mut text = body.to_vec();
        if let Some(mut rest) = rest {
            if let Err(e) = rest.read_to_end(&mut text) {
                damaged = Some(damage(what, text.len(), &e));
            }
        }
        let text = whole_text(&text, damaged.is_some())?;
        if format == FileFormat::JsonArray {
            let elements = json_rows::array_elements(text.trim_start())?;
            let numbered = elements.into_iter().enumerate().map(|(i, e)| (i + 1, e));
            gather(numbered, options.sample, |(number, element)| json_rows::element_row(number, element, options))
        } else {
            csv_rows::from_csv(text, options)?
        }
    };
    let Gathered { rows, skipped, rows_read, sampled } = gathered;
    Ok(RowsRead { format, rows, skipped, rows_read, sampled, damaged })
}

/// Text read whole must be UTF-8; a cut-off stream may end inside a
/// character, which is dropped.
fn whole_text(bytes: &[u8], cut_off: bool) -> Result<&str, ImportError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) if cut_off && e.error_len().is_none() => Ok(std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default()),
        Err(e) => Err(ImportError::NotADataset(format!(
            "it is not UTF-8 text (invalid byte at offset {}); expected JSON Lines, a JSON array, CSV or Parquet",
            e.valid_up_to()
        ))),
    }
}

/// The rest of a stream, or nothing when it already failed.
struct RestOrNothing<R>(Option<R>);

impl<R: Read> Read for RestOrNothing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match &mut self.0 {
            Some(r) => r.read(buf),
            None => Ok(0),
        }
    }
}

/// The rows of JSON Lines: every line that is not blank, with its 1-based
/// number. A line over the row limit is not held: it is read past and
/// reported. A read error ends the rows and is kept in `damaged`.
struct Lines<R> {
    reader: BufReader<R>,
    line_no: usize,
    damaged: Option<String>,
    what: &'static str,
    read: u64,
}

impl<R: Read> Iterator for Lines<R> {
    type Item = (usize, Line);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.damaged.is_some() {
                return None;
            }
            let mut line = Vec::new();
            let mut too_long = 0usize;
            let ended = loop {
                let mut chunk = Vec::new();
                match (&mut self.reader).take(64 * 1024).read_until(b'\n', &mut chunk) {
                    Ok(0) => break true,
                    Ok(n) => {
                        self.read += n as u64;
                        let done = chunk.last() == Some(&b'\n');
                        if too_long > 0 || line.len() + chunk.len() > MAX_ROW_BYTES + 1 {
                            too_long += line.len() + chunk.len();
                            line.clear();
                        } else {
                            line.extend_from_slice(&chunk);
                        }
                        if done {
                            break false;
                        }
                    }
                    Err(e) => {
                        self.damaged = Some(damage(self.what, self.read, &e));
                        // A line cut off by the damage is not a row.
                        return None;
                    }
                }
            };
            if ended && line.is_empty() && too_long == 0 {
                return None;
            }
            self.line_no += 1;
            if too_long > 0 {
                return Some((self.line_no, Err(format!("row is {too_long} bytes, over the {MAX_ROW_BYTES}-byte limit"))));
            }
            let text = match String::from_utf8(line) {
                Ok(t) => t,
                Err(e) => {
                    return Some((self.line_no, Err(format!("the line is not UTF-8 text (invalid byte at column {})", e.utf8_error().valid_up_to() + 1))))
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            return Some((self.line_no, Ok(text)));
        }
    }
}
