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
//! - assign: the parent whose embedding (or closest phrases) is most similar,
//!   and, for a whole step at once, whose other children are too;
//! - rename: the most shared terms of the children;
//! - audit: rules on the 1–5 scale of the paper's Table 6.

mod assign;
pub mod audit;
pub mod extract;
pub mod normalise;
pub mod scrub;
pub mod terms;
mod words;

use crate::analyst::*;
use crate::api::facet_id;
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
        return ClusterLabel { name: fallback.to_string(), summary: format!("{} items{NO_SHARED_TERMS}", members.len()) };
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
            (facet_id::REQUEST | facet_id::TASK, FacetKind::OpenText) => Ok(FacetAnswer::Text(extract::request_summary(c))),
            (facet_id::LANGUAGE, FacetKind::OpenText) => Ok(FacetAnswer::Text(extract::language(c))),
            (facet_id::CONCERN, FacetKind::Scale { .. }) => Ok(FacetAnswer::Scale(extract::concern(c))),
            (_, FacetKind::Category { options }) => extract::category(c, options)
                .map(|i| FacetAnswer::Text(options[i].clone()))
                .or_else(|| options.iter().find(|o| o.eq_ignore_ascii_case("other")).map(|o| FacetAnswer::Text(o.clone())))
                .ok_or_else(|| AnalystError::Unsupported("no category's words occur in the conversation and there is no \"other\" option".into())),
            (id, _) => Err(AnalystError::Unsupported(format!("the offline analyst cannot answer the custom question {id:?}; configure an LLM backend"))),
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
        let groups = kmeans(&points, &KMeansParams::new(wanted, self.seed)).map_err(|e| AnalystError::Backend(e.to_string()))?;
        let mut out = Vec::new();
        for g in 0..groups.centroids.len() {
            let members: Vec<String> = req.children.iter().zip(&groups.assignments).filter(|(_, &a)| a == g).map(|(c, _)| brief_text(c)).collect();
            let contrast: Vec<String> = req
                .children
                .iter()
                .zip(&groups.assignments)
                .filter(|(_, &a)| a != g)
                .map(|(c, _)| brief_text(c))
                .chain(req.outside.iter().map(brief_text))
                .collect();
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
        let groups = kmeans(&points, &KMeansParams::new(req.wanted.max(1), self.seed)).map_err(|e| AnalystError::Backend(e.to_string()))?;
        // One representative per group: the proposal closest to the group's centroid.
        let mut out = Vec::new();
        for (g, centroid) in groups.centroids.iter().enumerate() {
            let best = req
                .proposals
                .iter()
                .zip(&groups.assignments)
                .filter(|(_, &a)| a == g)
                .max_by(|a, b| crate::vector::dot(&a.0.embedding, centroid).total_cmp(&crate::vector::dot(&b.0.embedding, centroid)));
            if let Some((p, _)) = best {
                out.push(label(p));
            }
        }
        Ok(out)
    }

    async fn assign(&self, req: &AssignRequest) -> Result<usize, AnalystError> {
        assign::assign_one(req)
    }

    async fn assign_batch(&self, req: &AssignBatchRequest) -> Vec<Result<usize, AnalystError>> {
        assign::assign_all(req)
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
