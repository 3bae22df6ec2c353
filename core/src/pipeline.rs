//! One run of the whole method, from imported conversations to an `Analysis`.

use std::collections::{BTreeMap, HashSet};

use rand::seq::index::sample;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::analysis::{cluster_id, Analysis, ClusterResult, ConversationResult, SCHEMA_VERSION};
use crate::analyst::*;
use crate::checkpoint::{self, Checkpoints, NoCheckpoints};
use crate::compute::Compute;
use crate::embedder::Embedder;
use crate::hierarchy::{self, HierarchyParams, Node};
use crate::import::Imported;
use crate::kmeans::{choose_k, Clustering, KMeansParams};
use crate::knn::KnnParams;
use crate::matrix::Matrix;
use crate::privacy::{self, HiddenReason, PrivacyParams};
use crate::progress::{Progress, Stage};
use crate::projection::{project, ProjectionParams};
use crate::vector::dot;
use crate::PipelineError;

/// Everything a run can be told. Defaults follow the paper where it gives a value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunParams {
    pub seed: u64,
    /// Facets to extract; the first open-text one is clustered.
    pub facets: Vec<Facet>,
    /// Optional yes/no question; only conversations answered yes are analysed (paper G.3).
    pub screener: Option<String>,
    /// Base clusters; `None` applies [`choose_k`].
    pub k: Option<usize>,
    pub privacy: PrivacyParams,
    pub hierarchy: HierarchyParams,
    pub projection: ProjectionParams,
    /// Members shown to the namer per cluster (the paper uses 50).
    pub naming_members: usize,
    /// Nearest non-members shown to the namer per cluster (the paper uses 50).
    pub naming_contrast: usize,
}

impl Default for RunParams {
    fn default() -> Self {
        RunParams {
            seed: 0,
            facets: vec![Facet::request(), Facet::language(), Facet::concern()],
            screener: None,
            k: None,
            privacy: PrivacyParams::default(),
            hierarchy: HierarchyParams::default(),
            projection: ProjectionParams::default(),
            naming_members: 50,
            naming_contrast: 50,
        }
    }
}

impl RunParams {
    /// Fills the seeds of the parts from the run's seed, and checks the values.
    pub fn checked(mut self) -> Result<Self, PipelineError> {
        if !self.facets.iter().any(|f| f.kind == FacetKind::OpenText) {
            return Err(PipelineError::Params("at least one open-text facet is needed to cluster".into()));
        }
        if self.hierarchy.levels == 0 || self.hierarchy.top == 0 {
            return Err(PipelineError::Params("levels and top must be at least 1".into()));
        }
        if self.k == Some(0) {
            return Err(PipelineError::Params("k must be at least 1".into()));
        }
        if !(1..=5).contains(&self.privacy.min_audit_score) {
            return Err(PipelineError::Params("the audit minimum is on the 1–5 scale".into()));
        }
        self.hierarchy.seed = self.seed.wrapping_add(1);
        self.projection.seed = self.seed.wrapping_add(2);
        Ok(self)
    }

    /// The facet whose answers are embedded and clustered: the first
    /// open-text one. `None` only in parameters that were never checked (an
    /// analysis file from elsewhere, say).
    pub fn cluster_facet(&self) -> Option<&Facet> {
        self.facets.iter().find(|f| f.kind == FacetKind::OpenText)
    }
}

/// How many extractions to hand the analyst at once.
const EXTRACT_BATCH: usize = 64;
/// How many texts to embed at once.
const EMBED_BATCH: usize = 256;

pub async fn run<A: Analyst, E: Embedder, C: Compute>(
    imported: Imported,
    params: RunParams,
    analyst: &A,
    embedder: &E,
    compute: &C,
    progress: &mut dyn Progress,
) -> Result<Analysis, PipelineError> {
    run_resumable(imported, params, analyst, embedder, compute, progress, &NoCheckpoints).await
}

/// [`run`], keeping each finished piece of work (screening, every batch of
/// facet answers and of embeddings, the base cluster names) in `checkpoints`
/// and taking it from there instead of doing it again. The caller scopes the
/// store to one dataset and one set of parameters.
pub async fn run_resumable<A: Analyst, E: Embedder, C: Compute>(
    imported: Imported,
    params: RunParams,
    analyst: &A,
    embedder: &E,
    compute: &C,
    progress: &mut dyn Progress,
    checkpoints: &impl Checkpoints,
) -> Result<Analysis, PipelineError> {
    let params = params.checked()?;
    let Imported { conversations, report } = imported;
    progress.report(Stage::Import, conversations.len(), conversations.len());
    let accounts_known = report.accounts_known;

    // Screener (optional).
    let total = conversations.len();
    let verdicts: Vec<bool> = match &params.screener {
        None => vec![true; total],
        Some(q) => match checkpoint::load_json::<Vec<bool>>(checkpoints, "screen").await.filter(|v| v.len() == total) {
            Some(kept) => {
                progress.restored(Stage::Import, total);
                kept
            }
            None => {
                let mut verdicts = Vec::with_capacity(total);
                for c in &conversations {
                    if progress.cancelled() {
                        return Err(PipelineError::Cancelled);
                    }
                    verdicts.push(analyst.screen(&ScreenRequest { conversation: c.into(), question: q.clone() }).await.unwrap_or(true));
                }
                checkpoint::save_json(checkpoints, "screen", &verdicts).await;
                verdicts
            }
        },
    };
    let kept: Vec<_> = conversations.into_iter().zip(&verdicts).filter(|(_, &keep)| keep).map(|(c, _)| c).collect();
    let screened_out = total - kept.len();
    let conversations = kept;
    let n = conversations.len();
    if n == 0 {
        return Err(PipelineError::Params("no conversation is left to analyse".into()));
    }

    // Facets: computed, then extracted in batches.
    let mut results: Vec<ConversationResult> = conversations.iter().map(|c| ConversationResult {
        id: c.id.clone(),
        facets: crate::facets::compute(c),
        answers: BTreeMap::new(),
        errors: BTreeMap::new(),
        cluster: None,
        position: None,
    }).collect();
    let units = n * params.facets.len();
    let mut done = 0;
    for facet in &params.facets {
        for (c, chunk) in (0..n).collect::<Vec<_>>().chunks(EXTRACT_BATCH).enumerate() {
            if progress.cancelled() {
                return Err(PipelineError::Cancelled);
            }
            let key = format!("facet/{}/{c}", facet.id);
            let kept = checkpoint::load_json::<Vec<Result<FacetAnswer, String>>>(checkpoints, &key).await.filter(|a| a.len() == chunk.len());
            let answers = match kept {
                Some(answers) => {
                    progress.restored(Stage::Facets, chunk.len());
                    answers
                }
                None => {
                    let reqs: Vec<ExtractRequest> = chunk.iter().map(|&i| ExtractRequest { conversation: (&conversations[i]).into(), facet: facet.clone() }).collect();
                    let answers: Vec<Result<FacetAnswer, String>> = analyst.extract_batch(&reqs).await.into_iter().map(|a| a.map_err(|e| e.to_string())).collect();
                    // A batch the backend failed on is not kept: a resume asks again.
                    if answers.iter().all(Result::is_ok) {
                        checkpoint::save_json(checkpoints, &key, &answers).await;
                    }
                    answers
                }
            };
            for (&i, answer) in chunk.iter().zip(answers) {
                match answer {
                    Ok(a) => { results[i].answers.insert(facet.id.clone(), a); }
                    Err(e) => { results[i].errors.insert(facet.id.clone(), e); }
                }
            }
            done += chunk.len();
            progress.report(Stage::Facets, done, units);
        }
    }

    // Embed the clustered facet's answers.
    let facet = params.cluster_facet().cloned().ok_or_else(|| PipelineError::Params("at least one open-text facet is needed to cluster".into()))?;
    let clustered: Vec<usize> = (0..n).filter(|&i| matches!(results[i].answers.get(&facet.id), Some(FacetAnswer::Text(_)))).collect();
    if clustered.is_empty() {
        return Err(PipelineError::Params(format!("no conversation has an answer for the {:?} facet", facet.id)));
    }
    let texts: Vec<String> = clustered.iter().map(|&i| results[i].answers[&facet.id].as_text()).collect();
    let mut vectors: Vec<Vec<f32>> = Vec::with_capacity(texts.len());
    progress.report(Stage::Embedding, 0, texts.len());
    for (c, chunk) in texts.chunks(EMBED_BATCH).enumerate() {
        if progress.cancelled() {
            return Err(PipelineError::Cancelled);
        }
        let key = format!("embed/{c}");
        match checkpoints.load(&key).await.and_then(|bytes| checkpoint::decode_vectors(&bytes, chunk.len())) {
            Some(kept) => {
                progress.restored(Stage::Embedding, chunk.len());
                vectors.extend(kept);
            }
            None => {
                let fresh = embedder.embed(chunk).await.map_err(PipelineError::Embed)?;
                checkpoints.save(&key, checkpoint::encode_vectors(&fresh)).await;
                vectors.extend(fresh);
            }
        }
        progress.report(Stage::Embedding, vectors.len(), texts.len());
    }

    // Base clusters.
    let m = clustered.len();
    let k = params.k.unwrap_or_else(|| choose_k(m, params.privacy.min_accounts)).clamp(1, m);
    progress.report(Stage::Clustering, 0, 1);
    let matrix = Matrix::from_rows(&vectors)?;
    let fit = compute.kmeans(&matrix, &KMeansParams::new(k, params.seed)).await?;
    let base = Clustering::from_labels(&fit.labels, &matrix);
    progress.report(Stage::Clustering, 1, 1);
    let k = base.centroids.len();
    let members = base.members();

    // Name base clusters contrastively: a sample of members, and the nearest
    // non-members. Kept names belong to exactly this partition.
    let names_key = format!("names/{}", partition_digest(&base.assignments));
    let base_labels = match checkpoint::load_json::<Vec<ClusterLabel>>(checkpoints, &names_key).await.filter(|l| l.len() == k) {
        Some(labels) => {
            progress.restored(Stage::Naming, k);
            progress.report(Stage::Naming, k, k);
            labels
        }
        None => {
            let labels = name_base_clusters(&params, &facet, &texts, &vectors, &base, &members, analyst, progress).await?;
            checkpoint::save_json(checkpoints, &names_key, &labels).await;
            labels
        }
    };
    let base_nodes: Vec<Node> = base_labels.into_iter().zip(&members).map(|(label, own)| Node { label, size: own.len(), children: Vec::new(), parent: None }).collect();

    // Hierarchy.
    let levels = hierarchy::build(base_nodes, &facet, &params.hierarchy, analyst, embedder, progress).await?;

    // Projection.
    progress.report(Stage::Projection, 0, 1);
    let graph = compute.knn(&matrix, &KnnParams::new(params.projection.graph_k(), params.projection.seed)).await?;
    let layout = project(&matrix, &graph, &params.projection)?;
    progress.report(Stage::Projection, 1, 1);
    for (j, &i) in clustered.iter().enumerate() {
        results[i].cluster = Some(cluster_id(0, base.assignments[j]));
        results[i].position = Some(layout[j]);
    }

    // Per-cluster accounts and positions, level by level, from the base members up.
    let account_of = |j: usize| -> String {
        let c = &conversations[clustered[j]];
        match (&c.account, accounts_known) {
            (Some(a), _) => a.clone(),
            // Without accounts, each conversation stands for its own account.
            _ => format!("conversation:{}", c.id),
        }
    };
    let mut level_members: Vec<Vec<Vec<usize>>> = vec![members];
    for l in 1..levels.len() {
        let below = &level_members[l - 1];
        level_members.push(levels[l].iter().map(|node| {
            let mut all: Vec<usize> = node.children.iter().flat_map(|&c| below[c].iter().copied()).collect();
            all.sort_unstable();
            all
        }).collect());
    }

    // Audit every name and summary, then apply the gates top-down.
    let total_clusters: usize = levels.iter().map(Vec::len).sum();
    let mut audited = 0;
    let mut clusters: Vec<ClusterResult> = Vec::with_capacity(total_clusters);
    for (l, nodes) in levels.iter().enumerate() {
        for (i, node) in nodes.iter().enumerate() {
            if progress.cancelled() {
                return Err(PipelineError::Cancelled);
            }
            let verdict = analyst.audit(&AuditRequest { content: hierarchy::label_text(&node.label) }).await.map_err(PipelineError::Analyst)?;
            let who = &level_members[l][i];
            let accounts = who.iter().map(|&j| account_of(j)).collect::<HashSet<_>>().len();
            let position = mean_position(who.iter().map(|&j| layout[j]));
            let hidden_reasons = privacy::check(accounts, who.len(), verdict.score, &verdict.reason, &params.privacy);
            clusters.push(ClusterResult {
                id: cluster_id(l, i),
                level: l,
                parent: node.parent.map(|p| cluster_id(l + 1, p)),
                children: node.children.iter().map(|&c| cluster_id(l - 1, c)).collect(),
                name: node.label.name.clone(),
                summary: node.label.summary.clone(),
                size: who.len(),
                accounts,
                position,
                audit_score: verdict.score,
                audit_reason: verdict.reason,
                hidden_reasons,
                shareable: false,
            });
            audited += 1;
            progress.report(Stage::Audit, audited, total_clusters);
        }
    }
    mark_shareable(&mut clusters);

    Ok(Analysis {
        schema_version: SCHEMA_VERSION,
        analyst: analyst.describe(),
        embedder: embedder.describe(),
        accounts_known,
        import: report,
        screened_out,
        conversations: results,
        levels: levels.len(),
        clusters,
        params,
    })
}

/// Names each base cluster from a seeded sample of its members and the
/// non-members nearest its centroid (the contrast the paper's namer gets).
#[allow(clippy::too_many_arguments)]
async fn name_base_clusters<A: Analyst>(
    params: &RunParams,
    facet: &Facet,
    texts: &[String],
    vectors: &[Vec<f32>],
    base: &Clustering,
    members: &[Vec<usize>],
    analyst: &A,
    progress: &mut dyn Progress,
) -> Result<Vec<ClusterLabel>, PipelineError> {
    let m = texts.len();
    let k = members.len();
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let mut labels = Vec::with_capacity(k);
    for (c, own) in members.iter().enumerate() {
        if progress.cancelled() {
            return Err(PipelineError::Cancelled);
        }
        let mut picked: Vec<usize> = sample(&mut rng, own.len(), params.naming_members.min(own.len())).into_iter().map(|s| own[s]).collect();
        picked.sort_unstable();
        let mut others: Vec<usize> = (0..m).filter(|&j| base.assignments[j] != c).collect();
        let centroid = &base.centroids[c];
        let take = params.naming_contrast.min(others.len());
        if take < others.len() && take > 0 {
            others.select_nth_unstable_by(take, |&a, &b| dot(&vectors[b], centroid).total_cmp(&dot(&vectors[a], centroid)).then(a.cmp(&b)));
        }
        others.truncate(take);
        others.sort_unstable();
        let req = NameClusterRequest {
            facet: facet.clone(),
            members: picked.iter().map(|&j| texts[j].clone()).collect(),
            contrast: others.iter().map(|&j| texts[j].clone()).collect(),
        };
        labels.push(analyst.name_cluster(&req).await.map_err(PipelineError::Analyst)?);
        progress.report(Stage::Naming, c + 1, k);
    }
    Ok(labels)
}

/// A short fingerprint of a partition, so names kept for one clustering are
/// never given to another.
fn partition_digest(assignments: &[usize]) -> String {
    let mut hasher = Sha256::new();
    for &a in assignments {
        hasher.update((a as u64).to_le_bytes());
    }
    hasher.finalize().iter().take(12).map(|b| format!("{b:02x}")).collect()
}

fn mean_position(points: impl Iterator<Item = [f32; 2]>) -> [f32; 2] {
    let (mut x, mut y, mut n) = (0.0f64, 0.0f64, 0usize);
    for p in points {
        x += p[0] as f64;
        y += p[1] as f64;
        n += 1;
    }
    if n == 0 { [0.0, 0.0] } else { [(x / n as f64) as f32, (y / n as f64) as f32] }
}

/// A cluster is shareable when it and all its ancestors pass their gates; a
/// cluster whose ancestor fails also records `ParentHidden`.
pub fn mark_shareable(clusters: &mut [ClusterResult]) {
    let index: BTreeMap<String, usize> = clusters.iter().enumerate().map(|(i, c)| (c.id.clone(), i)).collect();
    for i in 0..clusters.len() {
        let mut ok = clusters[i].hidden_reasons.iter().all(|r| *r == HiddenReason::ParentHidden);
        let mut parent = clusters[i].parent.clone();
        let mut ancestor_hidden = false;
        while let Some(p) = parent {
            let Some(&pi) = index.get(&p) else { break };
            if clusters[pi].hidden_reasons.iter().any(|r| *r != HiddenReason::ParentHidden) {
                ancestor_hidden = true;
            }
            parent = clusters[pi].parent.clone();
        }
        if ancestor_hidden {
            ok = false;
            if !clusters[i].hidden_reasons.contains(&HiddenReason::ParentHidden) {
                clusters[i].hidden_reasons.push(HiddenReason::ParentHidden);
            }
        }
        clusters[i].shareable = ok;
    }
}
