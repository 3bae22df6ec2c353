//! One run of the whole method, from imported conversations to an `Analysis`.

use std::collections::{BTreeMap, HashSet};

use rand::seq::index::sample;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

use crate::analysis::{cluster_id, Analysis, ClusterResult, ConversationResult, FacetHierarchy, Placement, SCHEMA_VERSION};
use crate::analyst::*;
use crate::checkpoint::{kept_or_done, Checkpoints, Codec, Json, NoCheckpoints, Piece, Rows};
use crate::compute::Compute;
use crate::embedder::Embedder;
use crate::hierarchy::{self, Node};
use crate::import::Imported;
use crate::kmeans::{Clustering, KMeansParams};
use crate::knn::KnnParams;
use crate::language::{LanguagePrior, LanguageReading};
use crate::matrix::Matrix;
use crate::model::Conversation;
use crate::params::RunParams;
use crate::privacy::{self, HiddenReason};
use crate::progress::{between_units, Progress, Stage};
use crate::twin_names::rename_twins;
use crate::vector::dot;
use crate::PipelineError;

/// How many extractions to hand the analyst at once.
const EXTRACT_BATCH: usize = 64;
/// How many texts to embed at once.
const EMBED_BATCH: usize = 256;
/// Conversations whose computed facets are found between two pauses.
const COMPUTED_FACETS_BETWEEN_PAUSES: usize = 256;

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
    let run = Run { params: &params, analyst, embedder, compute, checkpoints };
    let Imported { conversations, report } = imported;
    progress.report(Stage::Import, conversations.len(), conversations.len());

    let (conversations, screened_out) = run.screen(conversations, progress).await?;
    let mut results = run.extract_facets(&conversations, progress).await?;

    let clustered_facets = params.clustered_facets();
    let mut built = Vec::with_capacity(clustered_facets.len());
    for (i, facet) in clustered_facets.iter().enumerate() {
        progress.clustering_facet(&facet.id, i, clustered_facets.len());
        built.push(run.hierarchy_of(facet, &conversations, &results, progress).await?);
    }
    // The first clustered facet's hierarchy is the analysis's own; the rest go beside it.
    let mut built = clustered_facets.iter().zip(built);
    let (_, own) = built.next().ok_or_else(|| PipelineError::Params("at least one open-text facet is needed to cluster".into()))?;
    for (result, placement) in results.iter_mut().zip(own.placements) {
        if let Some(Placement { cluster, position }) = placement {
            result.cluster = Some(cluster);
            result.position = Some(position);
        }
    }
    let other_hierarchies =
        built.map(|(facet, h)| FacetHierarchy { facet: facet.id.clone(), clusters: h.clusters, levels: h.levels, placements: h.placements }).collect();

    Ok(Analysis {
        schema_version: SCHEMA_VERSION,
        analyst: analyst.describe(),
        analyst_versions: analyst.versions(),
        embedder: embedder.describe(),
        accounts_known: report.accounts_known,
        import: report,
        screened_out,
        conversations: results,
        levels: own.levels,
        clusters: own.clusters,
        other_hierarchies,
        params,
    })
}

/// The vectors a run kept of a clustered facet's answers (`count` of
/// them), in the order they were embedded: that of the analysis's
/// conversations placed in the facet's hierarchy. None when any batch is
/// missing, as for a run that kept nothing.
pub async fn kept_vectors(checkpoints: &impl Checkpoints, facet: &str, count: usize) -> Option<Vec<Vec<f32>>> {
    match read_vectors(checkpoints, embedding_keys(facet, count), count).await {
        Some(vectors) => Some(vectors),
        // Runs made when only one facet could be clustered kept its batches
        // under keys without the facet.
        None => read_vectors(checkpoints, (0..count.div_ceil(EMBED_BATCH)).map(|c| format!("embed/{c}")), count).await,
    }
}

async fn read_vectors(checkpoints: &impl Checkpoints, keys: impl Iterator<Item = String>, count: usize) -> Option<Vec<Vec<f32>>> {
    let mut vectors = Vec::with_capacity(count);
    for (c, key) in keys.enumerate() {
        let len = EMBED_BATCH.min(count - c * EMBED_BATCH);
        vectors.extend(Rows::decode(&checkpoints.load(&key).await?, len)?);
    }
    Some(vectors)
}

/// The checkpoint keys of a run's embeddings of `count` answers to
/// `facet`, for a caller that keeps them past the run (the app, for search
/// by meaning).
pub fn embedding_keys(facet: &str, count: usize) -> impl Iterator<Item = String> + '_ {
    (0..count.div_ceil(EMBED_BATCH)).map(move |c| embed_key(facet, c))
}

/// The key of the `c`-th batch of embeddings of `facet`'s answers.
fn embed_key(facet: &str, c: usize) -> String {
    format!("embed/{facet}/{c}")
}

/// One clustered facet's hierarchy as a run builds it.
struct BuiltHierarchy {
    clusters: Vec<ClusterResult>,
    levels: usize,
    /// Per conversation, as in [`FacetHierarchy::placements`].
    placements: Vec<Option<Placement>>,
}

/// What every stage of one run reads: its parameters and the seams it runs on.
struct Run<'a, A, E, C, K> {
    params: &'a RunParams,
    analyst: &'a A,
    embedder: &'a E,
    compute: &'a C,
    checkpoints: &'a K,
}

impl<A: Analyst, E: Embedder, C: Compute, K: Checkpoints> Run<'_, A, E, C, K> {
    /// One facet's answers embedded, clustered, named, arranged into a
    /// hierarchy, laid out on a map, audited and gated (paper 2.2–2.3).
    async fn hierarchy_of(
        &self,
        facet: &Facet,
        conversations: &[Conversation],
        results: &[ConversationResult],
        progress: &mut dyn Progress,
    ) -> Result<BuiltHierarchy, PipelineError> {
        let clustered: Vec<usize> = (0..results.len()).filter(|&i| matches!(results[i].answers.get(&facet.id), Some(FacetAnswer::Text(_)))).collect();
        if clustered.is_empty() {
            return Err(PipelineError::Params(format!("no conversation has an answer for the {:?} facet", facet.id)));
        }
        let texts: Vec<String> = clustered.iter().map(|&i| results[i].answers[&facet.id].as_text()).collect();
        let meanings: Vec<String> = texts.iter().map(|t| answer_meaning(t)).collect();
        let vectors = self.embed(&facet.id, &meanings, progress).await?;
        let (matrix, base) = self.cluster(&vectors, progress).await?;
        let members = base.members();
        let base_labels = self.name_base(facet, &texts, &vectors, &base, &members, progress).await?;
        let dim = vectors.first().map_or(0, Vec::len);
        let base_nodes: Vec<Node> = base_labels
            .into_iter()
            .zip(&members)
            .map(|(label, own)| {
                let centroid = crate::vector::centroid(own.iter().map(|&j| vectors[j].as_slice()), dim);
                Node { label, size: own.len(), children: Vec::new(), parent: None, centroid }
            })
            .collect();
        let levels = hierarchy::build(base_nodes, facet, &self.params.hierarchy, self.analyst, self.embedder, progress).await?;
        let layout = self.lay_out(&matrix, progress).await?;
        let mut placements = vec![None; results.len()];
        for (j, &i) in clustered.iter().enumerate() {
            placements[i] = Some(Placement { cluster: cluster_id(0, base.assignments[j]), position: layout[j] });
        }
        let accounts: Vec<String> = clustered.iter().map(|&i| privacy::account_key(conversations[i].account.as_deref(), &conversations[i].id)).collect();
        let clusters = self.audit_and_gate(&levels, members, &accounts, &layout, progress).await?;
        Ok(BuiltHierarchy { clusters, levels: levels.len(), placements })
    }

    /// The screener (optional, paper G.3): the conversations it keeps, and how many it left out.
    async fn screen(&self, conversations: Vec<Conversation>, progress: &mut dyn Progress) -> Result<(Vec<Conversation>, usize), PipelineError> {
        let total = conversations.len();
        let verdicts: Vec<bool> = match &self.params.screener {
            None => vec![true; total],
            Some(question) => {
                let piece = Piece { key: "screen".into(), stage: Stage::Import, len: total };
                kept_or_done::<Json<bool>>(
                    self.checkpoints,
                    progress,
                    piece,
                    |_| true,
                    async |progress: &mut dyn Progress| {
                        let mut verdicts = Vec::with_capacity(total);
                        for c in &conversations {
                            between_units(&*progress).await?;
                            verdicts.push(self.analyst.screen(&ScreenRequest { conversation: c.into(), question: question.clone() }).await.unwrap_or(true));
                        }
                        Ok(verdicts)
                    },
                )
                .await?
            }
        };
        let kept: Vec<Conversation> = conversations.into_iter().zip(&verdicts).filter(|(_, &keep)| keep).map(|(c, _)| c).collect();
        if kept.is_empty() {
            return Err(PipelineError::Params("no conversation is left to analyse".into()));
        }
        let screened_out = total - kept.len();
        Ok((kept, screened_out))
    }

    /// Computed facets, then every extracted facet in batches (paper G.4).
    async fn extract_facets(&self, conversations: &[Conversation], progress: &mut dyn Progress) -> Result<Vec<ConversationResult>, PipelineError> {
        let n = conversations.len();
        let mut results: Vec<ConversationResult> = Vec::with_capacity(n);
        // Language detection is the slow part: a pause every few hundred. It
        // reads every text first, so that the sure readings can settle the
        // unsure ones (see `language::LanguagePrior`).
        let user_text = |c: &Conversation| c.user_turns().collect::<Vec<_>>().join("\n");
        let mut readings = Vec::with_capacity(n);
        for chunk in conversations.chunks(COMPUTED_FACETS_BETWEEN_PAUSES) {
            between_units(&*progress).await?;
            readings.extend(chunk.iter().map(|c| LanguageReading::of(&user_text(c))));
        }
        let prior = LanguagePrior::learn(&readings);
        for (chunk, readings) in conversations.chunks(COMPUTED_FACETS_BETWEEN_PAUSES).zip(readings.chunks(COMPUTED_FACETS_BETWEEN_PAUSES)) {
            between_units(&*progress).await?;
            results.extend(chunk.iter().zip(readings).map(|(c, reading)| ConversationResult {
                id: c.id.clone(),
                facets: crate::facets::compute(c, prior.settle(&user_text(c), reading)),
                answers: BTreeMap::new(),
                errors: BTreeMap::new(),
                cluster: None,
                position: None,
            }));
        }
        let units = n * self.params.facets.len();
        let mut done = 0;
        for facet in &self.params.facets {
            for (c, chunk) in (0..n).collect::<Vec<_>>().chunks(EXTRACT_BATCH).enumerate() {
                between_units(&*progress).await?;
                let piece = Piece { key: format!("facet/{}/{c}", facet.id), stage: Stage::Facets, len: chunk.len() };
                let answers = kept_or_done::<Json<Result<FacetAnswer, String>>>(
                    self.checkpoints,
                    progress,
                    piece,
                    |a| a.iter().all(Result::is_ok),
                    async |_: &mut dyn Progress| {
                        let reqs: Vec<ExtractRequest> = chunk
                            .iter()
                            .map(|&i| ExtractRequest {
                                conversation: (&conversations[i]).into(),
                                facet: facet.clone(),
                                detected_language: results[i].facets.language.clone(),
                            })
                            .collect();
                        Ok(self.analyst.extract_batch(&reqs).await.into_iter().map(|a| a.map_err(|e| e.to_string())).collect())
                    },
                )
                .await?;
                for (&i, answer) in chunk.iter().zip(answers) {
                    match answer {
                        Ok(a) => {
                            results[i].answers.insert(facet.id.clone(), a);
                        }
                        Err(e) => {
                            results[i].errors.insert(facet.id.clone(), e);
                        }
                    }
                }
                done += chunk.len();
                progress.report(Stage::Facets, done, units);
            }
        }
        Ok(results)
    }

    /// A clustered facet's answers as unit vectors, in batches.
    async fn embed(&self, facet: &str, texts: &[String], progress: &mut dyn Progress) -> Result<Vec<Vec<f32>>, PipelineError> {
        let mut vectors: Vec<Vec<f32>> = Vec::with_capacity(texts.len());
        progress.report(Stage::Embedding, 0, texts.len());
        for (c, chunk) in texts.chunks(EMBED_BATCH).enumerate() {
            between_units(&*progress).await?;
            let piece = Piece { key: embed_key(facet, c), stage: Stage::Embedding, len: chunk.len() };
            let batch = kept_or_done::<Rows>(
                self.checkpoints,
                progress,
                piece,
                |_| true,
                async |_: &mut dyn Progress| self.embedder.embed(chunk).await.map_err(PipelineError::Embed),
            )
            .await?;
            vectors.extend(batch);
            progress.report(Stage::Embedding, vectors.len(), texts.len());
        }
        Ok(vectors)
    }

    /// Base clusters by k-means, k from [`RunParams::base_k`].
    async fn cluster(&self, vectors: &[Vec<f32>], progress: &mut dyn Progress) -> Result<(Matrix, Clustering), PipelineError> {
        let k = self.params.base_k(vectors.len());
        progress.report(Stage::Clustering, 0, 1);
        let matrix = Matrix::from_rows(vectors)?;
        let fit = self.compute.kmeans(&matrix, &KMeansParams::new(k, self.params.seed)).await?;
        let base = Clustering::from_labels(&fit.labels, &matrix);
        progress.report(Stage::Clustering, 1, 1);
        Ok((matrix, base))
    }

    /// Names for the base clusters (paper G.5). Kept names belong to exactly
    /// this facet's partition: the key holds the facet and the partition's digest.
    async fn name_base(
        &self,
        facet: &Facet,
        texts: &[String],
        vectors: &[Vec<f32>],
        base: &Clustering,
        members: &[Vec<usize>],
        progress: &mut dyn Progress,
    ) -> Result<Vec<ClusterLabel>, PipelineError> {
        let k = members.len();
        let piece = Piece { key: format!("names/{}/{}", facet.id, partition_digest(&base.assignments)), stage: Stage::Naming, len: k };
        let labels = kept_or_done::<Json<ClusterLabel>>(
            self.checkpoints,
            progress,
            piece,
            |_| true,
            async |progress: &mut dyn Progress| name_base_clusters(self.params, facet, texts, vectors, base, members, self.analyst, progress).await,
        )
        .await?;
        progress.report(Stage::Naming, k, k);
        Ok(labels)
    }

    /// The 2-D map: the neighbour graph on the run's compute, then UMAP's layout.
    async fn lay_out(&self, matrix: &Matrix, progress: &mut dyn Progress) -> Result<Vec<[f32; 2]>, PipelineError> {
        progress.report(Stage::Projection, 0, 1);
        let projection = &self.params.projection;
        let graph = self.compute.knn(matrix, &KnnParams::new(projection.graph_k(), projection.seed)).await?;
        let layout = self.compute.layout(matrix, &graph, projection).await?;
        progress.report(Stage::Projection, 1, 1);
        Ok(layout)
    }

    /// Audits every cluster's name and summary, counts its accounts and
    /// conversations level by level from the base members up, and applies
    /// the gates top-down (paper 2.3). `accounts[j]` is the account of the
    /// `j`-th clustered conversation.
    async fn audit_and_gate(
        &self,
        levels: &[Vec<Node>],
        base_members: Vec<Vec<usize>>,
        accounts: &[String],
        layout: &[[f32; 2]],
        progress: &mut dyn Progress,
    ) -> Result<Vec<ClusterResult>, PipelineError> {
        let mut level_members: Vec<Vec<Vec<usize>>> = vec![base_members];
        for l in 1..levels.len() {
            let below = &level_members[l - 1];
            let members = levels[l]
                .iter()
                .map(|node| {
                    let mut all: Vec<usize> = node.children.iter().flat_map(|&c| below[c].iter().copied()).collect();
                    all.sort_unstable();
                    all
                })
                .collect();
            level_members.push(members);
        }
        let total_clusters: usize = levels.iter().map(Vec::len).sum();
        let mut clusters: Vec<ClusterResult> = Vec::with_capacity(total_clusters);
        for (l, nodes) in levels.iter().enumerate() {
            for (i, node) in nodes.iter().enumerate() {
                between_units(&*progress).await?;
                let verdict = self.analyst.audit(&AuditRequest { content: node.label.text() }).await.map_err(PipelineError::Analyst)?;
                let who = &level_members[l][i];
                let distinct_accounts = who.iter().map(|&j| accounts[j].as_str()).collect::<HashSet<_>>().len();
                let hidden_reasons = privacy::check(distinct_accounts, who.len(), verdict.score, &verdict.reason, &self.params.privacy);
                clusters.push(ClusterResult {
                    id: cluster_id(l, i),
                    level: l,
                    parent: node.parent.map(|p| cluster_id(l + 1, p)),
                    children: node.children.iter().map(|&c| cluster_id(l - 1, c)).collect(),
                    name: node.label.name.clone(),
                    summary: node.label.summary.clone(),
                    size: who.len(),
                    accounts: distinct_accounts,
                    position: mean_position(who.iter().map(|&j| layout[j])),
                    audit_score: verdict.score,
                    audit_reason: verdict.reason,
                    hidden_reasons,
                    shareable: false,
                });
                progress.report(Stage::Audit, clusters.len(), total_clusters);
            }
        }
        mark_shareable(&mut clusters);
        Ok(clusters)
    }
}

/// Names each base cluster from a seeded sample of its members and the
/// non-members nearest its centroid (the contrast the paper's namer gets),
/// then names once more, each against the others, clusters that came back
/// with one name.
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
    let mut requests = Vec::with_capacity(k);
    for (c, own) in members.iter().enumerate() {
        between_units(&*progress).await?;
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
            again: None,
        };
        labels.push(analyst.name_cluster(&req).await.map_err(PipelineError::Analyst)?);
        requests.push(req);
        progress.report(Stage::Naming, c + 1, k);
    }
    rename_twins(&mut labels, async |c: usize, twins: &[usize], alike: NamedAlike| {
        between_units(&*progress).await?;
        // The twins' sampled members, an equal share of each, come first in
        // the contrast, so the wording they share stops setting this cluster apart.
        let each = params.naming_contrast.div_ceil(twins.len() - 1);
        let theirs = twins.iter().filter(|&&d| d != c).flat_map(|&d| requests[d].members.iter().take(each).cloned());
        let req = NameClusterRequest {
            facet: facet.clone(),
            members: requests[c].members.clone(),
            contrast: theirs.chain(requests[c].contrast.iter().cloned()).take(2 * params.naming_contrast).collect(),
            again: Some(alike),
        };
        analyst.name_cluster(&req).await.map_err(PipelineError::Analyst)
    })
    .await?;
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
    if n == 0 {
        [0.0, 0.0]
    } else {
        [(x / n as f64) as f32, (y / n as f64) as f32]
    }
}

/// A cluster is shareable when it and all its ancestors pass their gates
/// ([`privacy::hide_beneath_hidden`]).
fn mark_shareable(clusters: &mut [ClusterResult]) {
    let index: BTreeMap<&str, usize> = clusters.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    let parents: Vec<Option<usize>> = clusters.iter().map(|c| c.parent.as_deref().and_then(|p| index.get(p).copied())).collect();
    let mut reasons: Vec<Vec<HiddenReason>> = clusters.iter_mut().map(|c| std::mem::take(&mut c.hidden_reasons)).collect();
    let shareable = privacy::hide_beneath_hidden(&parents, &mut reasons);
    for ((c, r), s) in clusters.iter_mut().zip(reasons).zip(shareable) {
        c.hidden_reasons = r;
        c.shareable = s;
    }
}
