//! The runs this browser has made, kept in IndexedDB: what each run was
//! started with (the file and the settings), how far it got, the work it
//! finished (core's checkpoints) and, once done, its result. A reload or a
//! failure therefore loses nothing: the run is listed and resumes.
//!
//! Four object stores, all keyed by the run's id: `runs` (a [`RunRecord`] as
//! JSON), `files` (what the run resumes from, see [`Kept`]), `outcomes` (a
//! [`RunOutcome`] as JSON) and `checkpoints` (keys `"{run}/{core's key}"`).
//! A fifth, `published`, keeps the dashboards this browser published, with
//! their delete tokens, which are sent nowhere but to the proxy that gave
//! them, to delete its dashboard.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use idb::{Database, DatabaseEvent, Factory, KeyRange, ObjectStoreParams, Query, TransactionMode};
use kleio_core::checkpoint::Checkpoints;
use kleio_core::import::Imported;
use kleio_core::pipeline::embedding_keys;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use crate::dataset::Source;
use crate::run_settings::{RunOutcome, RunSettings};

const DATABASE: &str = "kleio";
/// Version 2 added `published`.
const VERSION: u32 = 2;
const RUNS: &str = "runs";
const FILES: &str = "files";
const OUTCOMES: &str = "outcomes";
const CHECKPOINTS: &str = "checkpoints";
const PUBLISHED: &str = "published";

#[derive(Clone, Debug, thiserror::Error)]
#[error("this browser's storage (IndexedDB) failed: {0}")]
pub struct StoreError(String);

impl From<idb::Error> for StoreError {
    fn from(e: idb::Error) -> Self {
        StoreError(e.to_string())
    }
}

/// One run as the list of earlier runs shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: String,
    /// The file's name.
    pub name: String,
    /// Milliseconds since the Unix epoch.
    pub started_ms: f64,
    pub settings: RunSettings,
    pub state: RunState,
    /// What `files` holds for it.
    #[serde(default)]
    pub kept: Kept,
    /// The build of the pipeline ([`BUILD`]) that last ran it; empty for
    /// runs kept before builds were named.
    #[serde(default)]
    pub built_by: String,
}

/// This app's build of the pipeline: a digest of its sources (`app/build.rs`).
pub const BUILD: &str = env!("KLEIO_PIPELINE_BUILD");

/// What a run keeps to resume from: the file a person uploaded, or, for a
/// Parquet file read by ranges (gigabytes, maybe), the conversations read
/// from it (as JSON), so that resuming needs neither the file nor a new read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kept {
    #[default]
    File,
    Conversations,
}

impl Kept {
    pub fn for_source(source: &Source) -> Kept {
        match source {
            Source::Bytes(_) => Kept::File,
            Source::Parquet(_) | Source::Kept { .. } => Kept::Conversations,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RunState {
    /// Running now, or the page closed while it ran.
    Running,
    /// Cancelled or failed; what was finished is kept.
    Stopped {
        reason: String,
    },
    Finished {
        conversations: usize,
        clusters: usize,
    },
}

thread_local! {
    /// The database, opened once per page: a run reads or writes a checkpoint
    /// for every batch, and opening is a round trip of its own.
    static OPENED: RefCell<Option<Rc<Database>>> = const { RefCell::new(None) };
}

async fn open() -> Result<Rc<Database>, StoreError> {
    if let Some(db) = OPENED.with_borrow(Clone::clone) {
        return Ok(db);
    }
    let factory = Factory::new()?;
    let mut request = factory.open(DATABASE, Some(VERSION))?;
    request.on_upgrade_needed(|event| {
        // Every upgrade only adds stores: whatever is missing is created.
        let Ok(db) = event.database() else { return };
        for store in [RUNS, FILES, OUTCOMES, CHECKPOINTS, PUBLISHED] {
            if !db.store_names().iter().any(|s| s == store) {
                let _ = db.create_object_store(store, ObjectStoreParams::new());
            }
        }
    });
    let db = Rc::new(request.await?);
    OPENED.set(Some(db.clone()));
    Ok(db)
}

async fn put(store: &str, key: &str, value: JsValue) -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadWrite)?;
    tx.object_store(store)?.put(&value, Some(&JsValue::from_str(key)))?.await?;
    tx.commit()?.await?;
    Ok(())
}

async fn get(store: &str, key: &str) -> Result<Option<JsValue>, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadOnly)?;
    let value = tx.object_store(store)?.get(JsValue::from_str(key))?.await?;
    Ok(value)
}

fn to_json_value<T: Serialize>(value: &T) -> Result<JsValue, StoreError> {
    serde_json::to_string(value).map(|s| JsValue::from_str(&s)).map_err(|e| StoreError(e.to_string()))
}

fn from_json_value<T: for<'de> Deserialize<'de>>(value: JsValue) -> Option<T> {
    serde_json::from_str(&value.as_string()?).ok()
}

/// Every run kept, newest first. Records this version cannot read are left out.
/// A dashboard this browser published.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublishedRecord {
    pub id: String,
    pub title: String,
    /// The share link's path (`/d/{id}`).
    pub url: String,
    pub delete_token: String,
    /// Milliseconds since the Unix epoch.
    pub published_ms: f64,
    pub clusters: usize,
}

pub async fn keep_published(record: &PublishedRecord) -> Result<(), StoreError> {
    put(PUBLISHED, &record.id, to_json_value(record)?).await
}

/// The dashboards published from this browser, newest first.
pub async fn published() -> Result<Vec<PublishedRecord>, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[PUBLISHED], TransactionMode::ReadOnly)?;
    let all = tx.object_store(PUBLISHED)?.get_all(None, None)?.await?;
    let mut out: Vec<PublishedRecord> = all.into_iter().filter_map(from_json_value).collect();
    out.sort_by(|a, b| b.published_ms.total_cmp(&a.published_ms));
    Ok(out)
}

pub async fn forget_published(id: &str) -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[PUBLISHED], TransactionMode::ReadWrite)?;
    tx.object_store(PUBLISHED)?.delete(JsValue::from_str(id))?.await?;
    tx.commit()?.await?;
    Ok(())
}

pub async fn list() -> Result<Vec<RunRecord>, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[RUNS], TransactionMode::ReadOnly)?;
    let all = tx.object_store(RUNS)?.get_all(None, None)?.await?;
    let mut runs: Vec<RunRecord> = all.into_iter().filter_map(from_json_value).collect();
    runs.sort_by(|a, b| b.started_ms.total_cmp(&a.started_ms));
    Ok(runs)
}

pub async fn record(id: &str) -> Result<Option<RunRecord>, StoreError> {
    Ok(get(RUNS, id).await?.and_then(from_json_value))
}

/// Keeps a run's record and its file before any work starts.
/// Keeps a run as it starts: its record, and its file or conversations (as
/// `record.kept` says; `imported` is what was read from `source`).
pub async fn begin(record: &RunRecord, source: &Source, imported: &Imported) -> Result<(), StoreError> {
    let kept = match (record.kept, source) {
        (Kept::File, Source::Bytes(bytes)) => js_sys::Uint8Array::from(bytes.as_slice()),
        _ => js_sys::Uint8Array::from(serde_json::to_vec(imported).map_err(|e| StoreError(e.to_string()))?.as_slice()),
    };
    put(FILES, &record.id, kept.into()).await?;
    put(RUNS, &record.id, to_json_value(record)?).await
}

/// Before the run `id` starts again: drops the work it kept if another
/// build of the pipeline kept it (another version of Kleio, or one from
/// before builds were named), so that no result mixes two versions' work
/// (embeddings of differently written answers, say). True when work was
/// dropped. A run never kept, or kept by this build, keeps everything.
pub async fn forget_other_builds_work(id: &str) -> Result<bool, StoreError> {
    match record(id).await? {
        Some(earlier) if earlier.built_by != BUILD => {
            delete_checkpoints(id).await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

pub async fn set_state(id: &str, state: RunState) -> Result<(), StoreError> {
    let Some(mut record) = record(id).await? else { return Ok(()) };
    record.state = state;
    put(RUNS, id, to_json_value(&record)?).await
}

/// What `record` resumes from, if it is still kept.
pub async fn source(record: &RunRecord) -> Result<Option<Source>, StoreError> {
    let Some(bytes) = get(FILES, &record.id).await?.map(|v| js_sys::Uint8Array::new(&v).to_vec()) else { return Ok(None) };
    Ok(Some(match record.kept {
        Kept::File => Source::Bytes(Arc::new(bytes)),
        Kept::Conversations => {
            let imported = serde_json::from_slice(&bytes).map_err(|e| StoreError(format!("the kept conversations do not read back: {e}")))?;
            Source::Kept { run_id: record.id.clone(), imported: Arc::new(imported) }
        }
    }))
}

/// Keeps a finished run's result; its checkpoints are then no longer needed.
pub async fn finish(id: &str, outcome: &RunOutcome) -> Result<(), StoreError> {
    put(OUTCOMES, id, to_json_value(outcome)?).await?;
    // The embeddings outlive the run (search by meaning reads them back);
    // the rest of its kept work goes.
    let kept = IdbCheckpoints { run: id.to_string() };
    let mut embeddings = Vec::new();
    for (facet, count) in outcome.analysis.clustered_counts() {
        for key in embedding_keys(&facet, count) {
            if let Some(bytes) = kept.load(&key).await {
                embeddings.push((key, bytes));
            }
        }
    }
    delete_checkpoints(id).await?;
    for (key, bytes) in embeddings {
        kept.save(&key, bytes).await;
    }
    Ok(())
}

pub async fn outcome(id: &str) -> Result<Option<RunOutcome>, StoreError> {
    Ok(get(OUTCOMES, id).await?.and_then(from_json_value))
}

/// Forgets a run: its record, file, result and checkpoints.
pub async fn delete(id: &str) -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[RUNS, FILES, OUTCOMES], TransactionMode::ReadWrite)?;
    for store in [RUNS, FILES, OUTCOMES] {
        tx.object_store(store)?.delete(JsValue::from_str(id))?.await?;
    }
    tx.commit()?.await?;
    delete_checkpoints(id).await
}

async fn delete_checkpoints(id: &str) -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[CHECKPOINTS], TransactionMode::ReadWrite)?;
    // Every key of this run starts with "{id}/"; '0' is the character after '/'.
    let range = KeyRange::bound(&JsValue::from_str(&format!("{id}/")), &JsValue::from_str(&format!("{id}0")), Some(false), Some(true))?;
    tx.object_store(CHECKPOINTS)?.delete(Query::KeyRange(range))?.await?;
    tx.commit()?.await?;
    Ok(())
}

/// Core's checkpoints of one run, in the `checkpoints` store. Storage that
/// fails only costs the resume, as the trait asks.
pub struct IdbCheckpoints {
    pub run: String,
}

impl Checkpoints for IdbCheckpoints {
    async fn load(&self, key: &str) -> Option<Vec<u8>> {
        let value = get(CHECKPOINTS, &format!("{}/{key}", self.run)).await.ok()??;
        Some(js_sys::Uint8Array::new(&value).to_vec())
    }

    async fn save(&self, key: &str, bytes: Vec<u8>) {
        let key = format!("{}/{key}", self.run);
        if let Err(e) = put(CHECKPOINTS, &key, js_sys::Uint8Array::from(bytes.as_slice()).into()).await {
            web_sys::console::warn_1(&format!("kept work could not be saved ({key}): {e}").into());
        }
    }
}
