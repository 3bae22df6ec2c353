//! A run that stops part-way resumes from what it kept, and the result is the
//! same, byte for byte, as a run that never stopped.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use futures::executor::block_on;
use kleio_core::analysis::Analysis;
use kleio_core::checkpoint::Checkpoints;
use kleio_core::compute::CpuCompute;
use kleio_core::embedder::HashingEmbedder;
use kleio_core::import::{import, ImportOptions};
use kleio_core::offline::OfflineAnalyst;
use kleio_core::params::RunParams;
use kleio_core::pipeline::{kept_vectors, run_resumable};
use kleio_core::progress::{Progress, Stage};
use kleio_core::PipelineError;

#[derive(Default)]
struct MemoryCheckpoints(RefCell<HashMap<String, Vec<u8>>>);

impl Checkpoints for MemoryCheckpoints {
    async fn load(&self, key: &str) -> Option<Vec<u8>> {
        self.0.borrow().get(key).cloned()
    }
    async fn save(&self, key: &str, bytes: Vec<u8>) {
        self.0.borrow_mut().insert(key.to_owned(), bytes);
    }
}

/// Records what was restored, and cancels once `stop_after_embedded` texts
/// are embedded (as a page reload would stop the run).
#[derive(Default)]
struct Recorder {
    restored: BTreeMap<Stage, usize>,
    stop_after_embedded: Option<usize>,
    embedded: usize,
}

impl Progress for Recorder {
    fn report(&mut self, stage: Stage, done: usize, _total: usize) {
        if stage == Stage::Embedding {
            self.embedded = done;
        }
    }
    fn restored(&mut self, stage: Stage, units: usize) {
        *self.restored.entry(stage).or_default() += units;
    }
    fn cancelled(&self) -> bool {
        self.stop_after_embedded.is_some_and(|n| self.embedded >= n)
    }
}

fn rows(n: usize) -> String {
    let path =
        std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo")).join("../../shared/data/hwu64/normalized/all-00000.jsonl");
    std::fs::read_to_string(path).unwrap().lines().take(n).collect::<Vec<_>>().join("\n")
}

fn analyse(text: &str, params: &RunParams, store: &MemoryCheckpoints, progress: &mut Recorder) -> Result<Analysis, PipelineError> {
    // Tests repeat texts on purpose: every row counts.
    let imported = import(text.as_bytes(), &ImportOptions { keep_duplicates: true, ..ImportOptions::default() }).unwrap();
    let analyst = OfflineAnalyst::new(params.seed);
    block_on(run_resumable(imported, params.clone(), &analyst, &HashingEmbedder { dim: 256 }, &CpuCompute, progress, store))
}

fn bytes(a: &Analysis) -> Vec<u8> {
    serde_json::to_vec(a).unwrap()
}

#[test]
fn a_run_stopped_while_embedding_resumes_and_matches_an_unbroken_run() {
    let text = rows(600);
    let params = RunParams { seed: 5, ..Default::default() };
    let unbroken = analyse(&text, &params, &MemoryCheckpoints::default(), &mut Recorder::default()).unwrap();

    let store = MemoryCheckpoints::default();
    let mut stopped = Recorder { stop_after_embedded: Some(1), ..Default::default() };
    assert!(matches!(analyse(&text, &params, &store, &mut stopped), Err(PipelineError::Cancelled)));
    assert!(stopped.restored.is_empty(), "nothing was kept before the first try");

    let mut resumed = Recorder::default();
    let again = analyse(&text, &params, &store, &mut resumed).unwrap();
    assert_eq!(bytes(&again), bytes(&unbroken));
    // Every facet answer (600 × 3 facets) and the first batch of 256 embeddings were kept.
    assert_eq!(resumed.restored.get(&Stage::Facets), Some(&1800));
    assert_eq!(resumed.restored.get(&Stage::Embedding), Some(&256));
    assert_eq!(resumed.restored.get(&Stage::Naming), None);
}

#[test]
fn a_finished_run_redone_takes_every_kept_piece() {
    let text = rows(300);
    let params = RunParams { seed: 2, screener: Some("Is this about music or the calendar?".into()), ..Default::default() };
    let store = MemoryCheckpoints::default();
    let first = analyse(&text, &params, &store, &mut Recorder::default()).unwrap();
    let mut second = Recorder::default();
    let again = analyse(&text, &params, &store, &mut second).unwrap();
    assert_eq!(bytes(&again), bytes(&first));
    let kept = first.conversations.len();
    assert_eq!(second.restored.get(&Stage::Import), Some(&300), "the screener's verdicts");
    assert_eq!(second.restored.get(&Stage::Facets), Some(&(kept * 3)));
    assert_eq!(second.restored.get(&Stage::Embedding), Some(&kept));
    let base_clusters = first.clusters.iter().filter(|c| c.level == 0).count();
    assert_eq!(second.restored.get(&Stage::Naming), Some(&base_clusters));
}

#[test]
fn damaged_checkpoints_are_redone_not_trusted() {
    let text = rows(300);
    let params = RunParams { seed: 9, ..Default::default() };
    let store = MemoryCheckpoints::default();
    let first = analyse(&text, &params, &store, &mut Recorder::default()).unwrap();
    for (key, value) in store.0.borrow_mut().iter_mut() {
        // Cut every vector batch short and break every JSON value.
        if key.starts_with("embed/") {
            value.truncate(value.len() - 3);
        } else {
            value.insert(0, b'{');
        }
    }
    let mut second = Recorder::default();
    let again = analyse(&text, &params, &store, &mut second).unwrap();
    assert!(second.restored.is_empty(), "{:?}", second.restored);
    assert_eq!(bytes(&again), bytes(&first));
}

#[test]
fn the_kept_vectors_are_the_clustered_conversations_in_order() {
    let params = RunParams { seed: 4, ..Default::default() };
    let store = MemoryCheckpoints::default();
    let text = rows(300);
    let a = analyse(&text, &params, &store, &mut Recorder::default()).unwrap();
    let clustered: Vec<&str> = a.conversations.iter().filter(|c| c.cluster.is_some()).map(|c| c.id.as_str()).collect();
    let facet = params.cluster_facet().unwrap().id.clone();
    let vectors = block_on(kept_vectors(&store, &facet, clustered.len())).expect("every batch kept");
    assert_eq!(vectors.len(), clustered.len());
    // Each is the embedding of that conversation's clustered answer.
    let embedder = HashingEmbedder { dim: 256 };
    for (k, id) in [0, 150, clustered.len() - 1].map(|k| (k, clustered[k])) {
        let c = a.conversations.iter().find(|c| c.id == id).unwrap();
        let again = block_on(kleio_core::embedder::Embedder::embed(&embedder, &[c.answers[&facet].as_text()])).unwrap();
        assert_eq!(vectors[k], again[0], "vector {k}");
    }
    assert!(block_on(kept_vectors(&MemoryCheckpoints::default(), &facet, 10)).is_none(), "nothing kept, nothing made up");
    // A run kept before facets were named in the keys is still read.
    let legacy = MemoryCheckpoints::default();
    for (c, key) in kleio_core::pipeline::embedding_keys(&facet, clustered.len()).enumerate() {
        block_on(legacy.save(&format!("embed/{c}"), block_on(store.load(&key)).unwrap()));
    }
    assert_eq!(block_on(kept_vectors(&legacy, &facet, clustered.len())), Some(vectors));
}
