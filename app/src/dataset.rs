//! The dataset a person chose, and reading it into conversations.
//!
//! A text file (plain or compressed) and a download are read into memory
//! and imported whole. A Parquet file on the person's disk is never read
//! whole: its footer first (the row count, and where each row group lies),
//! then only the row groups an import needs, one at a time, by
//! `Blob.slice`. A file of a million rows and gigabytes therefore samples
//! in a page that holds one row group's bytes at a time. A resumed run
//! brings the conversations it kept.

use std::sync::Arc;

use kleio_core::import::{import, parquet_footer_len, GroupReader, ImportError, ImportOptions, Imported, ParquetLayout, Preview, PARQUET_TAIL_BYTES};
use send_wrapper::SendWrapper;
use sha2::{Digest, Sha256};
use wasm_bindgen_futures::JsFuture;

use crate::run_settings::RunSettings;

/// The first four bytes of every Parquet file.
const PARQUET_MAGIC: &[u8] = b"PAR1";

/// What a run reads its conversations from. Cheap to clone.
#[derive(Clone)]
pub enum Source {
    /// A whole file in memory.
    Bytes(Arc<Vec<u8>>),
    /// A Parquet file, read by ranges.
    Parquet(Arc<ParquetFile>),
    /// The conversations a run kept, to resume it under its own id.
    Kept { run_id: String, imported: Arc<Imported> },
}

/// A file the person gave or a link brought, and its name.
#[derive(Clone)]
pub struct Upload {
    pub name: String,
    pub source: Source,
}

/// A Parquet file on disk whose footer has been read.
pub struct ParquetFile {
    // A `File` lives on the page's thread; the app never leaves it.
    file: SendWrapper<web_sys::File>,
    layout: ParquetLayout,
    /// A hash of the file's name, size, date and footer: a run's id without
    /// reading the file.
    fingerprint: Vec<u8>,
}

impl ParquetFile {
    pub fn rows(&self) -> usize {
        self.layout.rows()
    }

    pub fn row_groups(&self) -> usize {
        self.layout.row_groups()
    }

    pub fn size(&self) -> f64 {
        self.file.size()
    }
}

/// Bytes `start..end` of `blob`.
async fn read_range(blob: &web_sys::Blob, start: f64, end: f64) -> Result<Vec<u8>, String> {
    let part = blob.slice_with_f64_and_f64(start, end).map_err(|e| format!("{e:?}"))?;
    let buffer = JsFuture::from(part.array_buffer()).await.map_err(|e| format!("the file could not be read: {e:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Opens a file the person chose: a Parquet file by its footer, anything
/// else read whole. `Err` says why it cannot be read.
pub async fn open(file: web_sys::File) -> Result<Upload, String> {
    let name = file.name();
    let size = file.size();
    let is_parquet = size >= (PARQUET_MAGIC.len() + PARQUET_TAIL_BYTES) as f64 && read_range(&file, 0.0, 4.0).await? == PARQUET_MAGIC;
    let source = if is_parquet {
        Source::Parquet(Arc::new(open_parquet(file).await.map_err(|e| e.to_string())?))
    } else {
        Source::Bytes(Arc::new(read_range(&file, 0.0, size).await?))
    };
    Ok(Upload { name, source })
}

async fn open_parquet(file: web_sys::File) -> Result<ParquetFile, ImportError> {
    let size = file.size();
    let unreadable = |e: String| ImportError::Parquet(e);
    let tail = read_range(&file, size - PARQUET_TAIL_BYTES as f64, size).await.map_err(unreadable)?;
    let footer_len = parquet_footer_len(&tail)? as f64;
    if footer_len > size {
        return Err(ImportError::Parquet("the footer is longer than the file: the file is cut off or damaged".into()));
    }
    let footer = read_range(&file, size - footer_len, size).await.map_err(unreadable)?;
    let layout = ParquetLayout::new(size as u64, &footer)?;
    let mut hasher = Sha256::new();
    hasher.update(file.name().as_bytes());
    hasher.update(size.to_le_bytes());
    hasher.update(file.last_modified().to_le_bytes());
    hasher.update(&footer);
    Ok(ParquetFile { file: SendWrapper::new(file), layout, fingerprint: hasher.finalize().to_vec() })
}

/// Reads `source` into conversations with `options`. `progress` hears of
/// each Parquet row group as it is read (the group's number among those
/// read, and how many will be).
pub async fn read(source: &Source, options: &ImportOptions, progress: impl Fn(usize, usize)) -> Result<Imported, ImportError> {
    match source {
        Source::Bytes(bytes) => import(bytes, options),
        Source::Kept { imported, .. } => Ok(Imported::clone(imported)),
        Source::Parquet(file) => {
            let groups = file.layout.groups_to_read(options.sample);
            let mut reader = GroupReader::new(&file.layout, options);
            for (n, g) in groups.iter().enumerate() {
                progress(n + 1, groups.len());
                let range = file.layout.group_bytes(*g).unwrap_or(0..0);
                let bytes = read_range(&file.file, range.start as f64, range.end as f64)
                    .await
                    .map_err(|e| ImportError::Parquet(format!("row group {} of {}: {e}", g + 1, file.row_groups())))?;
                reader.read(*g, bytes);
            }
            reader.finish()
        }
    }
}

/// The first `rows` rows of `source` as a table.
pub async fn preview(source: &Source, rows: usize) -> Result<Preview, String> {
    match source {
        Source::Bytes(bytes) => Preview::of(bytes, rows).map_err(|e| e.to_string()),
        Source::Kept { .. } => Ok(Preview::default()),
        Source::Parquet(file) => {
            let Some(range) = file.layout.group_bytes(0) else { return Ok(Preview::default()) };
            let bytes = read_range(&file.file, range.start as f64, range.end as f64).await?;
            Preview::of_parquet(&file.layout, bytes, rows).map_err(|e| e.to_string())
        }
    }
}

/// A run's id: the same file with the same settings is the same run, so
/// giving the file again resumes it too. The device is left out on purpose:
/// a run begun on WebGPU may finish on the CPU.
pub fn run_id(source: &Source, settings: &RunSettings) -> String {
    let mut hasher = Sha256::new();
    match source {
        Source::Kept { run_id, .. } => return run_id.clone(),
        Source::Bytes(bytes) => hasher.update(bytes.as_slice()),
        Source::Parquet(file) => hasher.update(&file.fingerprint),
    }
    let chosen = (&settings.model, settings.proxy_analyst, &settings.params, &settings.import);
    hasher.update(serde_json::to_vec(&chosen).unwrap_or_default());
    hasher.finalize().iter().take(10).map(|b| format!("{b:02x}")).collect()
}
