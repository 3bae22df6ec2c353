//! Supervised reconstruction (paper C.2.2): base clusters are built without
//! labels, then each is assigned by the analyst's own assign task to one of
//! the known top-level categories, exactly as the hierarchy step would.

use std::collections::HashMap;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::analysis::Analysis;
use crate::analyst::{cluster_meaning, cluster_text, Analyst, AssignBatchRequest, AssignRequest, ClusterBrief, Facet};
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
    let facet = clustered_facet(analysis)?;
    let parents = category_briefs(categories, embedder).await?;
    let base: Vec<_> = analysis.clusters.iter().filter(|c| c.level == 0).collect();
    let missing: Vec<&&crate::analysis::ClusterResult> = base.iter().filter(|c| !cluster_vectors.contains_key(&c.id)).collect();
    let texts: Vec<String> = missing.iter().map(|c| cluster_meaning(&c.name, &c.summary)).collect();
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
        out.insert(cluster.id.clone(), known_category(answer?, categories.len())?);
    }
    Ok(out)
}

/// The analyst's choice among `categories` known categories, refused when it
/// names none of them.
fn known_category(category: usize, categories: usize) -> Result<usize, PipelineError> {
    if category >= categories {
        return Err(PipelineError::Params(format!("the analyst chose category {category} of {categories}")));
    }
    Ok(category)
}

/// The facet whose answers an analysis clustered, which both assigns ask about.
fn clustered_facet(analysis: &Analysis) -> Result<Facet, PipelineError> {
    analysis.params.cluster_facet().cloned().ok_or_else(|| PipelineError::Params("the analysis names no clustered (open-text) facet".into()))
}

/// The known categories as the analyst sees a level's parents: each by its
/// name and description, embedded together, and by its parts, each embedded
/// alone.
async fn category_briefs<E: Embedder>(categories: &[KnownCategory], embedder: &E) -> Result<Vec<ClusterBrief>, PipelineError> {
    if categories.is_empty() {
        return Err(PipelineError::Params("no known categories to assign to".into()));
    }
    let parent_texts: Vec<String> = categories.iter().map(|c| cluster_text(&c.name, &c.description)).collect();
    let parent_vectors = embedder.embed(&parent_texts).await?;
    let part_texts: Vec<String> = categories.iter().flat_map(|c| c.parts.iter().cloned()).collect();
    let mut part_vectors = embedder.embed(&part_texts).await?.into_iter();
    Ok(categories
        .iter()
        .zip(parent_vectors)
        .map(|(c, embedding)| {
            let parts = part_vectors.by_ref().take(c.parts.len()).collect();
            ClusterBrief { name: c.name.clone(), summary: c.description.clone(), size: 0, embedding, parts }
        })
        .collect())
}

/// The reference without clusters: every conversation assigned to a known
/// category on its own, by the analyst's single assign, as if it were a
/// cluster of one known only by its embedded answer (`answers`, by
/// conversation id; the child has no name or summary). With an analyst that
/// compares vectors, this is how far the embedding alone tells the
/// categories apart: supervised reconstruction through clusters can gain on
/// it (neighbours settle what one answer leaves open) or lose (a mixed
/// cluster takes all its members one way). Too many calls for an LLM
/// analyst: one per conversation.
pub async fn assign_each_conversation<A: Analyst, E: Embedder>(
    analysis: &Analysis,
    categories: &[KnownCategory],
    answers: &HashMap<String, Vec<f32>>,
    analyst: &A,
    embedder: &E,
) -> Result<HashMap<String, usize>, PipelineError> {
    let facet = clustered_facet(analysis)?;
    let parents = category_briefs(categories, embedder).await?;
    // The categories in their own order, not shuffled per conversation as
    // for the clusters: an analyst that compares vectors does not read the
    // order, and no other analyst is asked.
    let mut req = AssignRequest {
        facet,
        child: ClusterBrief { name: String::new(), summary: String::new(), size: 1, embedding: Vec::new(), parts: Vec::new() },
        parents,
    };
    let mut out = HashMap::with_capacity(answers.len());
    for (id, vector) in answers {
        req.child.embedding.clone_from(vector);
        out.insert(id.clone(), known_category(analyst.assign(&req).await?, categories.len())?);
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

/// How well the top level of a hierarchy holds together (issue #22): how
/// many base clusters sit closer to another top-level group than to their
/// own. A group is the size-weighted sum of its base clusters' vectors; a
/// cluster is compared with its own group without itself, so a cluster is
/// not kept in place by its own weight, and a group of one cluster cannot
/// misplace it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Coherence {
    pub clusters: usize,
    pub misplaced: usize,
    pub conversations: usize,
    pub misplaced_conversations: usize,
}

impl Coherence {
    /// The share of base clusters closer to another group than to their own.
    pub fn misplaced_share(&self) -> f64 {
        self.misplaced as f64 / self.clusters.max(1) as f64
    }

    /// The same, counting each cluster by its conversations.
    pub fn misplaced_conversation_share(&self) -> f64 {
        self.misplaced_conversations as f64 / self.conversations.max(1) as f64
    }
}

/// [`Coherence`] of `analysis`'s top level, with each base cluster's unit
/// vector from `vectors` (clusters without one are left out).
pub fn top_level_coherence(analysis: &Analysis, vectors: &HashMap<String, Vec<f32>>) -> Coherence {
    let index = ClusterIndex::new(analysis);
    let base: Vec<(usize, &Vec<f32>, f32)> = analysis
        .clusters
        .iter()
        .enumerate()
        .filter(|(_, c)| c.level == 0)
        .filter_map(|(i, c)| Some((index.top(i, analysis), vectors.get(&c.id)?, c.size.max(1) as f32)))
        .collect();
    let mut groups: HashMap<usize, Vec<f32>> = HashMap::new();
    for (top, v, w) in &base {
        let sum = groups.entry(*top).or_insert_with(|| vec![0.0; v.len()]);
        sum.iter_mut().zip(v.iter()).for_each(|(s, x)| *s += w * x);
    }
    let cosine = |v: &[f32], sum: &[f32]| {
        let norm = crate::vector::dot(sum, sum).sqrt();
        (norm > 1e-6).then(|| crate::vector::dot(v, sum) / norm)
    };
    let mut out = Coherence::default();
    for (top, v, w) in &base {
        let own: Vec<f32> = groups[top].iter().zip(v.iter()).map(|(s, x)| s - w * x).collect();
        out.clusters += 1;
        out.conversations += *w as usize;
        let Some(own) = cosine(v, &own) else { continue };
        let closer_elsewhere = groups.iter().any(|(g, sum)| g != top && cosine(v, sum).is_some_and(|c| c > own));
        if closer_elsewhere {
            out.misplaced += 1;
            out.misplaced_conversations += *w as usize;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedder::HashingEmbedder;
    use crate::offline::OfflineAnalyst;
    use crate::test_rows::{analyse, four_topics};

    #[test]
    fn each_conversation_alone_goes_to_the_category_its_answer_is_about() {
        let analysis = analyse(four_topics(), 3);
        let embedder = HashingEmbedder { dim: 128 };
        let facet = analysis.params.cluster_facet().expect("a clustered facet").id.clone();
        let (ids, texts): (Vec<String>, Vec<String>) =
            analysis.conversations.iter().filter_map(|c| Some((c.id.clone(), c.answers.get(&facet)?.as_text()))).unzip();
        let vectors = futures::executor::block_on(embedder.embed(&texts)).unwrap();
        let answers: HashMap<String, Vec<f32>> = ids.into_iter().zip(vectors).collect();
        // In the order of the topics of `four_topics`, by words their answers hold.
        let categories: Vec<KnownCategory> = ["alarm", "jazz music", "weather", "dinner table"]
            .iter()
            .map(|name| KnownCategory { name: name.to_string(), description: format!("Requests about {name}."), parts: vec![name.to_string()] })
            .collect();
        let analyst = OfflineAnalyst::new(3);
        let alone = futures::executor::block_on(assign_each_conversation(&analysis, &categories, &answers, &analyst, &embedder)).unwrap();
        assert_eq!(alone.len(), 400);
        for (id, category) in &alone {
            let row: usize = id[1..].parse().unwrap();
            assert_eq!(*category, row % 4, "{id}");
        }
        let none = futures::executor::block_on(assign_each_conversation(&analysis, &[], &answers, &analyst, &embedder));
        assert!(matches!(none, Err(PipelineError::Params(m)) if m.contains("no known categories")));
    }

    #[test]
    fn a_base_cluster_nearer_another_group_is_misplaced() {
        let analysis = analyse(four_topics(), 3);
        let index = ClusterIndex::new(&analysis);
        let base: Vec<(usize, &crate::analysis::ClusterResult)> = analysis.clusters.iter().enumerate().filter(|(_, c)| c.level == 0).collect();
        let mut tops: Vec<usize> = base.iter().map(|&(i, _)| index.top(i, &analysis)).collect();
        tops.sort_unstable();
        tops.dedup();
        // Each base cluster points the way of its own top-level group.
        let one_hot = |top: usize| -> Vec<f32> { tops.iter().map(|&t| if t == top { 1.0 } else { 0.0 }).collect() };
        let mut vectors: HashMap<String, Vec<f32>> = base.iter().map(|&(i, c)| (c.id.clone(), one_hot(index.top(i, &analysis)))).collect();
        let c = top_level_coherence(&analysis, &vectors);
        assert_eq!((c.clusters, c.misplaced), (base.len(), 0));
        assert_eq!(c.conversations, analysis.conversations.len());
        // One cluster of a group with others in it turned towards another group.
        let (moved, own_top) = base
            .iter()
            .map(|&(i, c)| (c, index.top(i, &analysis)))
            .find(|&(_, top)| base.iter().filter(|&&(j, _)| index.top(j, &analysis) == top).count() >= 2)
            .expect("a top-level group with two base clusters");
        let elsewhere = *tops.iter().find(|&&t| t != own_top).expect("two top-level groups");
        vectors.insert(moved.id.clone(), one_hot(elsewhere));
        let c = top_level_coherence(&analysis, &vectors);
        assert_eq!((c.misplaced, c.misplaced_conversations), (1, moved.size));
        assert!((c.misplaced_share() - 1.0 / base.len() as f64).abs() < 1e-12);
    }
}
