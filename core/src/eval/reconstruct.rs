//! Supervised reconstruction (paper C.2.2): base clusters are built without
//! labels, then each is assigned by the analyst's own assign task to one of
//! the known top-level categories, exactly as the hierarchy step would.

use std::collections::HashMap;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::analysis::Analysis;
use crate::analyst::{cluster_text, Analyst, AssignBatchRequest, ClusterBrief};
use crate::cluster_index::ClusterIndex;
use crate::embedder::Embedder;
use crate::PipelineError;

/// A category the data is known to have, as the analyst will see it.
#[derive(Clone, Debug, PartialEq)]
pub struct KnownCategory {
    pub name: String,
    pub description: String,
    /// The phrases the category is known by (its sub-labels), each embedded
    /// on its own for analysts that compare vectors; may be empty.
    pub parts: Vec<String>,
}

/// For every base cluster (by id), the index of the category it was assigned,
/// all in one batch as the hierarchy assigns a level. Candidates are shown in
/// a fresh seeded order for each cluster, as in the paper, so the analyst
/// cannot favour a position.
///
/// `cluster_vectors` gives each base cluster's embedding as the caller
/// chose to compute it (analysts that read names and summaries ignore it);
/// clusters missing from it are embedded from their name and summary.
pub async fn assign_base_clusters<A: Analyst, E: Embedder>(
    analysis: &Analysis,
    categories: &[KnownCategory],
    cluster_vectors: &HashMap<String, Vec<f32>>,
    analyst: &A,
    embedder: &E,
    seed: u64,
) -> Result<HashMap<String, usize>, PipelineError> {
    if categories.is_empty() {
        return Err(PipelineError::Params("no known categories to assign to".into()));
    }
    let facet = analysis.params.cluster_facet().cloned().ok_or_else(|| PipelineError::Params("the analysis names no clustered (open-text) facet".into()))?;
    let parent_texts: Vec<String> = categories.iter().map(|c| cluster_text(&c.name, &c.description)).collect();
    let parent_vectors = embedder.embed(&parent_texts).await?;
    let part_texts: Vec<String> = categories.iter().flat_map(|c| c.parts.iter().cloned()).collect();
    let mut part_vectors = embedder.embed(&part_texts).await?.into_iter();
    let parents: Vec<ClusterBrief> = categories
        .iter()
        .zip(parent_vectors)
        .map(|(c, embedding)| {
            let parts = part_vectors.by_ref().take(c.parts.len()).collect();
            ClusterBrief { name: c.name.clone(), summary: c.description.clone(), size: 0, embedding, parts }
        })
        .collect();
    let base: Vec<_> = analysis.clusters.iter().filter(|c| c.level == 0).collect();
    let missing: Vec<&&crate::analysis::ClusterResult> = base.iter().filter(|c| !cluster_vectors.contains_key(&c.id)).collect();
    let texts: Vec<String> = missing.iter().map(|c| cluster_text(&c.name, &c.summary)).collect();
    let embedded: HashMap<&str, Vec<f32>> = missing.iter().map(|c| c.id.as_str()).zip(embedder.embed(&texts).await?).collect();
    let child_vectors = base.iter().map(|c| cluster_vectors.get(&c.id).or_else(|| embedded.get(c.id.as_str())).cloned().unwrap_or_default());
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let orders = AssignBatchRequest::shuffled_orders(base.len(), parents.len(), &mut rng);
    let children = base
        .iter()
        .zip(child_vectors)
        .map(|(c, embedding)| ClusterBrief { name: c.name.clone(), summary: c.summary.clone(), size: c.size, embedding, parts: Vec::new() })
        .collect();
    let req = AssignBatchRequest { facet, parents, children, orders };
    let answers = analyst.assign_batch(&req).await;
    if answers.len() != base.len() {
        return Err(PipelineError::Params(format!("the analyst placed {} of {} clusters", answers.len(), base.len())));
    }
    let mut out = HashMap::with_capacity(base.len());
    for (cluster, answer) in base.iter().zip(answers) {
        let category = answer?;
        if category >= categories.len() {
            return Err(PipelineError::Params(format!("the analyst chose category {category} of {}", categories.len())));
        }
        out.insert(cluster.id.clone(), category);
    }
    Ok(out)
}

/// Each clustered conversation's top-level cluster id (its base cluster's
/// highest ancestor).
pub fn top_level_of(analysis: &Analysis) -> HashMap<String, String> {
    let index = ClusterIndex::new(analysis);
    analysis
        .conversations
        .iter()
        .filter_map(|c| {
            let base = index.get(c.cluster.as_deref()?)?;
            Some((c.id.clone(), analysis.clusters[index.top(base, analysis)].id.clone()))
        })
        .collect()
}
