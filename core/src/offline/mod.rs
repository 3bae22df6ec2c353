//! The offline analyst: every task of the paper answered with no model.
//!
//! It is the default when no LLM is configured and the baseline LLM backends
//! must beat. What it does per task:
//! - screen: keyword overlap between the question and the user's turns;
//! - extract: scrubbed extractive summaries (request, task), the detected
//!   language, a concern lexicon, keyword matching for category questions;
//! - name a cluster: its distinctive terms against the nearest non-members (c-TF-IDF);
//! - propose parents: k-means over the neighbourhood's cluster embeddings,
//!   each group named from its children's terms;
//! - de-duplicate: k-means over the proposals' embeddings, one representative per group;
//! - assign: the parent whose embedding (or closest phrases) is most similar;
//! - rename: the most shared terms of the children;
//! - audit: rules on the 1–5 scale of the paper's Table 6.

pub mod audit;
pub mod extract;
pub mod scrub;
pub mod terms;
mod words;

use crate::analyst::*;
use crate::kmeans::{kmeans, KMeansParams};
use crate::matrix::Matrix;
use terms::{capitalise, distinctive, join_list};

#[derive(Clone, Debug)]
pub struct OfflineAnalyst {
    /// Seeds the k-means inside proposals and de-duplication.
    pub seed: u64,
}

impl OfflineAnalyst {
    pub fn new(seed: u64) -> Self {
        OfflineAnalyst { seed }
    }
}

/// A name from the top terms, a summary from more of them and from what sets
/// the group apart. Terms come only from scrubbed texts and must be shared by
/// at least two of them.
///
/// `min_docs` is 2 when the texts are individual conversations' answers (no
/// single person's words may name a cluster) and 1 when they are clusters,
/// which are aggregates already.
fn label_from_terms(members: &[String], contrast: &[String], min_docs: usize, fallback: &str) -> ClusterLabel {
    let min_docs = min_docs.min(members.len()).max(1);
    let top: Vec<String> = distinctive(members, contrast, min_docs).into_iter().map(|(t, _)| t).take(8).collect();
    if top.is_empty() {
        return ClusterLabel {
            name: fallback.to_string(),
            summary: format!("{} items{NO_SHARED_TERMS}", members.len()),
        };
    }
    let name = capitalise(&join_list(&top[..top.len().min(3)]));
    let mut summary = format!("{MOSTLY_ABOUT}{}.", join_list(&top[..top.len().min(6)]));
    let unlike: Vec<String> = distinctive(contrast, members, 2).into_iter().map(|(t, _)| t).take(3).collect();
    if !unlike.is_empty() {
        summary.push_str(&format!("{UNLIKE}{}.", join_list(&unlike).replace(" and ", " or ")));
    }
    ClusterLabel { name, summary }
}

/// What a cluster says about its topic: its name and the terms of its summary,
/// without the offline analyst's own template words (which would otherwise
/// become the most shared terms of every group).
fn brief_text(b: &ClusterBrief) -> String {
    let mut summary = b.summary.as_str();
    if let Some(rest) = summary.strip_prefix(MOSTLY_ABOUT) {
        summary = rest.split(". ").next().unwrap_or(rest);
    }
    let summary = summary.split(INCLUDES).next().unwrap_or(summary);
    let summary = if summary.ends_with(NO_SHARED_TERMS) { "" } else { summary };
    format!("{}. {}", b.name, summary)
}

const MOSTLY_ABOUT: &str = "Mostly about ";
const UNLIKE: &str = " Unlike nearby groups, rarely about ";
const INCLUDES: &str = " Includes: ";
const NO_SHARED_TERMS: &str = " with no shared distinctive wording.";

impl Analyst for OfflineAnalyst {
    fn describe(&self) -> String {
        "offline (no model: scrubbed extracts, c-TF-IDF names, rule-based audit)".into()
    }

    async fn screen(&self, req: &ScreenRequest) -> Result<bool, AnalystError> {
        Ok(extract::screen(&req.conversation, &req.question))
    }

    async fn extract(&self, req: &ExtractRequest) -> Result<FacetAnswer, AnalystError> {
        let c = &req.conversation;
        match (req.facet.id.as_str(), &req.facet.kind) {
            ("request" | "task", FacetKind::OpenText) => Ok(FacetAnswer::Text(extract::request_summary(c))),
            ("language", FacetKind::OpenText) => Ok(FacetAnswer::Text(extract::language(c))),
            ("concern", FacetKind::Scale { .. }) => Ok(FacetAnswer::Scale(extract::concern(c))),
            (_, FacetKind::Category { options }) => extract::category(c, options)
                .map(|i| FacetAnswer::Text(options[i].clone()))
                .or_else(|| options.iter().find(|o| o.eq_ignore_ascii_case("other")).map(|o| FacetAnswer::Text(o.clone())))
                .ok_or_else(|| AnalystError::Unsupported("no category's words occur in the conversation and there is no \"other\" option".into())),
            (id, _) => Err(AnalystError::Unsupported(format!(
                "the offline analyst cannot answer the custom question {id:?}; configure an LLM backend"
            ))),
        }
    }

    async fn name_cluster(&self, req: &NameClusterRequest) -> Result<ClusterLabel, AnalystError> {
        Ok(label_from_terms(&req.members, &req.contrast, 2, "Miscellaneous requests"))
    }

    async fn propose_parents(&self, req: &ProposeParentsRequest) -> Result<Vec<ClusterLabel>, AnalystError> {
        let wanted = req.wanted.clamp(1, req.children.len().max(1));
        let points: Vec<Vec<f32>> = req.children.iter().map(|c| c.embedding.clone()).collect();
        if points.iter().any(Vec::is_empty) {
            return Err(AnalystError::Unsupported("the offline analyst needs the children's embeddings".into()));
        }
        let points = Matrix::from_rows(&points).map_err(|e| AnalystError::Backend(e.to_string()))?;
        let groups = kmeans(&points, &KMeansParams::new(wanted, self.seed))
            .map_err(|e| AnalystError::Backend(e.to_string()))?;
        let mut out = Vec::new();
        for g in 0..groups.centroids.len() {
            let members: Vec<String> = req.children.iter().zip(&groups.assignments).filter(|(_, &a)| a == g).map(|(c, _)| brief_text(c)).collect();
            let contrast: Vec<String> = req.children.iter().zip(&groups.assignments).filter(|(_, &a)| a != g).map(|(c, _)| brief_text(c))
                .chain(req.outside.iter().map(brief_text)).collect();
            out.push(label_from_terms(&members, &contrast, 1, "Other requests"));
        }
        Ok(out)
    }

    async fn dedupe(&self, req: &DedupeRequest) -> Result<Vec<ClusterLabel>, AnalystError> {
        let label = |b: &ClusterBrief| ClusterLabel { name: b.name.clone(), summary: b.summary.clone() };
        if req.proposals.len() <= req.wanted.max(1) {
            return Ok(req.proposals.iter().map(label).collect());
        }
        let points: Vec<Vec<f32>> = req.proposals.iter().map(|p| p.embedding.clone()).collect();
        if points.iter().any(Vec::is_empty) {
            return Err(AnalystError::Unsupported("the offline analyst needs the proposals' embeddings".into()));
        }
        let points = Matrix::from_rows(&points).map_err(|e| AnalystError::Backend(e.to_string()))?;
        let groups = kmeans(&points, &KMeansParams::new(req.wanted.max(1), self.seed))
            .map_err(|e| AnalystError::Backend(e.to_string()))?;
        // One representative per group: the proposal closest to the group's centroid.
        let mut out = Vec::new();
        for (g, centroid) in groups.centroids.iter().enumerate() {
            let best = req.proposals.iter().zip(&groups.assignments).filter(|(_, &a)| a == g)
                .max_by(|a, b| crate::vector::dot(&a.0.embedding, centroid).total_cmp(&crate::vector::dot(&b.0.embedding, centroid)));
            if let Some((p, _)) = best {
                out.push(label(p));
            }
        }
        Ok(out)
    }

    async fn assign(&self, req: &AssignRequest) -> Result<usize, AnalystError> {
        if req.child.embedding.is_empty() || req.parents.iter().any(|p| p.embedding.is_empty() && p.parts.is_empty()) {
            return Err(AnalystError::Unsupported("the offline analyst assigns by embeddings, and some are missing".into()));
        }
        crate::vector::first_max(req.parents.iter().map(|p| closeness(&req.child.embedding, p)))
            .ok_or_else(|| AnalystError::Malformed("no parents to choose from".into()))
    }

    async fn rename(&self, req: &RenameRequest) -> Result<ClusterLabel, AnalystError> {
        // Weight each child by its size, so a parent is named for most of its conversations.
        let mut texts = Vec::new();
        for c in &req.children {
            let copies = ((c.size as f64).sqrt().round() as usize).clamp(1, 10);
            texts.extend(std::iter::repeat_n(brief_text(c), copies));
        }
        let mut label = label_from_terms(&texts, &[], 1, "Other requests");
        let mut biggest: Vec<&ClusterBrief> = req.children.iter().collect();
        biggest.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.name.cmp(&b.name)));
        let names: Vec<String> = biggest.iter().take(3).map(|c| c.name.clone()).collect();
        label.summary = format!("{}{INCLUDES}{}.", label.summary, names.join("; "));
        Ok(label)
    }

    async fn audit(&self, req: &AuditRequest) -> Result<AuditVerdict, AnalystError> {
        Ok(audit::audit(&req.content))
    }
}

/// The temperature of the soft maximum over a candidate's parts, in cosine
/// units: parts within about this much of the closest one add to the score.
const PART_TEMPERATURE: f32 = 0.05;

/// How close a candidate parent is to a child's unit vector: the cosine of
/// their vectors, or, for a candidate known by several phrases, the soft
/// maximum T·ln Σ exp(cos/T) over them. A category is then as close as its
/// closest phrase and a little closer for each other phrase nearly as close;
/// one vector of the whole description would sit between its phrases, near
/// none of them. (On HWU64 with MiniLM this took supervised reconstruction
/// from 75.7 % to 83.4 %; see docs/eval/README.md.)
fn closeness(child: &[f32], candidate: &ClusterBrief) -> f32 {
    if candidate.parts.is_empty() {
        return crate::vector::dot(child, &candidate.embedding);
    }
    let cosines: Vec<f32> = candidate.parts.iter().map(|p| crate::vector::dot(child, p)).collect();
    let top = cosines.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    // Shifted by the largest cosine, so no exponential overflows.
    top + PART_TEMPERATURE * cosines.iter().map(|c| ((c - top) / PART_TEMPERATURE).exp()).sum::<f32>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / norm).collect()
    }

    fn brief(embedding: Vec<f32>, parts: Vec<Vec<f32>>) -> ClusterBrief {
        ClusterBrief { name: "c".into(), summary: String::new(), size: 0, embedding, parts }
    }

    #[test]
    fn a_category_is_as_close_as_its_closest_phrase() {
        // The child matches the first phrase of category A exactly; A's
        // single description vector would lie between its two phrases,
        // farther from the child than category B's.
        let child = unit(&[1.0, 0.0, 0.0]);
        let a = brief(unit(&[1.0, 1.0, 0.2]), vec![unit(&[1.0, 0.0, 0.0]), unit(&[0.0, 1.0, 0.0])]);
        let b = brief(unit(&[0.8, 0.0, 0.6]), Vec::new());
        assert!(dot_is_lower(&child, &a, &b), "the description vectors alone favour B");
        let req = AssignRequest { facet: Facet::request(), child: brief(child, Vec::new()), parents: vec![b, a] };
        assert_eq!(futures::executor::block_on(OfflineAnalyst::new(0).assign(&req)), Ok(1));
    }

    fn dot_is_lower(child: &[f32], a: &ClusterBrief, b: &ClusterBrief) -> bool {
        crate::vector::dot(child, &a.embedding) < crate::vector::dot(child, &b.embedding)
    }

    #[test]
    fn the_soft_maximum_is_finite_and_at_least_the_maximum() {
        let child = unit(&[1.0, 0.0]);
        let parts = vec![unit(&[1.0, 0.0]), unit(&[-1.0, 0.0]), unit(&[0.0, 1.0])];
        let score = closeness(&child, &brief(Vec::new(), parts));
        assert!(score.is_finite() && score >= 1.0 && score < 1.0 + PART_TEMPERATURE * 3f32.ln(), "{score}");
    }

    #[test]
    fn missing_vectors_are_a_clear_error() {
        let req = AssignRequest { facet: Facet::request(), child: brief(vec![1.0], Vec::new()), parents: vec![brief(Vec::new(), Vec::new())] };
        assert!(matches!(futures::executor::block_on(OfflineAnalyst::new(0).assign(&req)), Err(AnalystError::Unsupported(_))));
    }
}
