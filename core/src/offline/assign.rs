//! The offline assign: a child goes to the parent its vector is closest to.
//! A parent is known by its own vectors and, when a whole step is assigned
//! at once, also by the children placed under it.

use crate::analyst::{AnalystError, AssignBatchRequest, AssignRequest, ClusterBrief};
use crate::vector::{dot, first_max};

/// The offline assign's two weights. Their defaults were chosen by
/// cross-validation across the labelled sets (docs/eval/README.md says how);
/// `kleio eval reconstruct --sweep` measures others.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AssignWeights {
    /// The temperature of the soft maximum over a candidate's parts, in
    /// cosine units: parts within about this much of the closest one add to
    /// the score.
    pub part_temperature: f32,
    /// How much the children already placed under a parent count, against
    /// the parent's own vectors, in the batch assign.
    pub placed_weight: f32,
}

impl Default for AssignWeights {
    fn default() -> Self {
        AssignWeights { part_temperature: 0.02, placed_weight: 1.5 }
    }
}

/// The batch assign stops when no child moves, or after this many rounds.
const ROUNDS: usize = 10;

/// How close a candidate parent is to a child's unit vector: the cosine of
/// their vectors, or, for a candidate known by several phrases, the soft
/// maximum T·ln Σ exp(cos/T) over them. A category is then as close as its
/// closest phrase and a little closer for each other phrase nearly as close;
/// one vector of the whole description would sit between its phrases, near
/// none of them. (On HWU64 with MiniLM this took supervised reconstruction
/// from 75.7 % to 83.4 %; see docs/eval/README.md.)
fn closeness(child: &[f32], candidate: &ClusterBrief, temperature: f32) -> f32 {
    if candidate.parts.is_empty() {
        return dot(child, &candidate.embedding);
    }
    let cosines: Vec<f32> = candidate.parts.iter().map(|p| dot(child, p)).collect();
    let top = cosines.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    // Shifted by the largest cosine, so no exponential overflows.
    top + temperature * cosines.iter().map(|c| ((c - top) / temperature).exp()).sum::<f32>().ln()
}

fn missing_vectors(child: &ClusterBrief, parents: &[ClusterBrief]) -> bool {
    child.embedding.is_empty() || parents.iter().any(|p| p.embedding.is_empty() && p.parts.is_empty())
}

fn unsupported() -> AnalystError {
    AnalystError::Unsupported("the offline analyst assigns by embeddings, and some are missing".into())
}

/// One child alone: the closest parent.
pub(super) fn assign_one(req: &AssignRequest, weights: AssignWeights) -> Result<usize, AnalystError> {
    if missing_vectors(&req.child, &req.parents) {
        return Err(unsupported());
    }
    first_max(req.parents.iter().map(|p| closeness(&req.child.embedding, p, weights.part_temperature)))
        .ok_or_else(|| AnalystError::Malformed("no parents to choose from".into()))
}

/// Every child of a step together. The first round places each child by
/// closeness alone. Each later round adds, for every parent, the cosine
/// between the child and the size-weighted sum of the other children placed
/// under that parent, and places the children again. A parent described in
/// a few words is then also described by what this dataset holds under it,
/// as an analyst reading all of the step's children at once would see it:
/// children that sit between two descriptions go where their neighbours
/// went. (On HWU64: MiniLM 83.4 % → 86.0 %, MPNet 84.6 % → 85.8 %;
/// docs/eval/README.md.)
pub(super) fn assign_all(req: &AssignBatchRequest, weights: AssignWeights) -> Vec<Result<usize, AnalystError>> {
    let failed = |e: AnalystError| req.children.iter().map(|_| Err(e.clone())).collect();
    if let Err(e) = req.check() {
        return failed(e);
    }
    if req.children.iter().any(|c| missing_vectors(c, &req.parents)) {
        return failed(unsupported());
    }
    let own: Vec<Vec<f32>> = req.children.iter().map(|c| req.parents.iter().map(|p| closeness(&c.embedding, p, weights.part_temperature)).collect()).collect();
    let weight: Vec<f32> = req.children.iter().map(|c| c.size.max(1) as f32).collect();
    let pick = |scores: &[f32]| first_max(scores.iter().copied()).unwrap_or(0);
    let mut placed: Vec<usize> = own.iter().map(|s| pick(s)).collect();
    let dim = req.children.first().map_or(0, |c| c.embedding.len());
    for _ in 1..ROUNDS {
        let mut sums = vec![vec![0f32; dim]; req.parents.len()];
        for ((child, &p), &w) in req.children.iter().zip(&placed).zip(&weight) {
            for (s, x) in sums[p].iter_mut().zip(&child.embedding) {
                *s += w * x;
            }
        }
        let sum_norms: Vec<f32> = sums.iter().map(|s| dot(s, s)).collect();
        let moved: Vec<usize> = req
            .children
            .iter()
            .enumerate()
            .map(|(i, child)| {
                let scores: Vec<f32> = (0..req.parents.len())
                    .map(|p| {
                        // The sum without this child itself, whose own vector
                        // would otherwise hold it where it already is.
                        let (mut towards, mut norm2) = (dot(&child.embedding, &sums[p]), sum_norms[p]);
                        if placed[i] == p {
                            let self_norm2 = dot(&child.embedding, &child.embedding);
                            norm2 += weight[i] * weight[i] * self_norm2 - 2.0 * weight[i] * towards;
                            towards -= weight[i] * self_norm2;
                        }
                        // With no other children, the parent's own vectors
                        // stand in for them: otherwise a parent's only child
                        // would be drawn away by every parent that has some.
                        let others = if norm2 > 1e-6 { towards / norm2.sqrt() } else { own[i][p] };
                        own[i][p] + weights.placed_weight * others
                    })
                    .collect();
                pick(&scores)
            })
            .collect();
        if moved == placed {
            break;
        }
        placed = moved;
    }
    placed.into_iter().map(Ok).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyst::Facet;

    fn unit(v: &[f32]) -> Vec<f32> {
        let mut v = v.to_vec();
        crate::vector::normalize(&mut v);
        v
    }

    fn brief(embedding: Vec<f32>, parts: Vec<Vec<f32>>) -> ClusterBrief {
        ClusterBrief { name: "c".into(), summary: String::new(), size: 1, embedding, parts }
    }

    #[test]
    fn a_category_is_as_close_as_its_closest_phrase() {
        // The child matches the first phrase of category A exactly; A's
        // single description vector would lie between its two phrases,
        // farther from the child than category B's.
        let child = unit(&[1.0, 0.0, 0.0]);
        let a = brief(unit(&[1.0, 1.0, 0.2]), vec![unit(&[1.0, 0.0, 0.0]), unit(&[0.0, 1.0, 0.0])]);
        let b = brief(unit(&[0.8, 0.0, 0.6]), Vec::new());
        assert!(dot(&child, &a.embedding) < dot(&child, &b.embedding), "the description vectors alone favour B");
        let req = AssignRequest { facet: Facet::request(), child: brief(child, Vec::new()), parents: vec![b, a] };
        assert_eq!(assign_one(&req, AssignWeights::default()), Ok(1));
    }

    #[test]
    fn the_soft_maximum_is_finite_and_at_least_the_maximum() {
        let child = unit(&[1.0, 0.0]);
        let parts = vec![unit(&[1.0, 0.0]), unit(&[-1.0, 0.0]), unit(&[0.0, 1.0])];
        let t = AssignWeights::default().part_temperature;
        let score = closeness(&child, &brief(Vec::new(), parts), t);
        assert!(score.is_finite() && score >= 1.0 && score < 1.0 + t * 3f32.ln(), "{score}");
    }

    #[test]
    fn missing_vectors_are_a_clear_error() {
        let req = AssignRequest { facet: Facet::request(), child: brief(vec![1.0], Vec::new()), parents: vec![brief(Vec::new(), Vec::new())] };
        assert!(matches!(assign_one(&req, AssignWeights::default()), Err(AnalystError::Unsupported(_))));
        let batch = AssignBatchRequest { facet: Facet::request(), parents: req.parents.clone(), children: vec![req.child.clone()], orders: vec![vec![0]] };
        assert!(matches!(assign_all(&batch, AssignWeights::default())[..], [Err(AnalystError::Unsupported(_))]));
    }

    /// Parent A is described at (1, 0), B at (0, 1). A big group of children
    /// sits near (1, 0.6): plainly A's. One child at (1, 1.1) is a shade
    /// closer to B's description, but it lies in the middle of A's group, so
    /// together it goes to A; a child near (0.1, 1) stays with B.
    #[test]
    fn a_child_between_two_descriptions_follows_its_neighbours() {
        let a = brief(unit(&[1.0, 0.0]), Vec::new());
        let b = brief(unit(&[0.0, 1.0]), Vec::new());
        let between = unit(&[1.0, 1.1]);
        assert!(dot(&between, &b.embedding) > dot(&between, &a.embedding));
        let mut children: Vec<ClusterBrief> = [0.55, 0.6, 0.65].iter().map(|&y| ClusterBrief { size: 30, ..brief(unit(&[1.0, y]), Vec::new()) }).collect();
        children.push(brief(between.clone(), Vec::new()));
        children.push(brief(unit(&[0.1, 1.0]), Vec::new()));
        let orders = vec![vec![1, 0]; children.len()];
        let req = AssignBatchRequest { facet: Facet::request(), parents: vec![a, b], children, orders };
        let w = AssignWeights::default();
        let alone: Vec<usize> = (0..req.children.len()).map(|i| req.orders[i][assign_one(&req.single(i), w).unwrap()]).collect();
        assert_eq!(alone, [0, 0, 0, 1, 1]);
        assert_eq!(assign_all(&req, w), [Ok(0), Ok(0), Ok(0), Ok(0), Ok(1)]);
    }

    #[test]
    fn a_batch_without_children_places_none() {
        let req = AssignBatchRequest { facet: Facet::request(), parents: vec![brief(vec![1.0, 0.0], Vec::new())], children: Vec::new(), orders: Vec::new() };
        assert!(assign_all(&req, AssignWeights::default()).is_empty());
    }

    #[test]
    fn a_bad_order_fails_every_child_clearly() {
        let parents = vec![brief(vec![1.0, 0.0], Vec::new()), brief(vec![0.0, 1.0], Vec::new())];
        let req =
            AssignBatchRequest { facet: Facet::request(), parents, children: vec![brief(vec![1.0, 0.0], Vec::new()); 2], orders: vec![vec![0, 1], vec![1, 1]] };
        assert!(assign_all(&req, AssignWeights::default()).iter().all(|r| matches!(r, Err(AnalystError::Malformed(m)) if m.contains("child 1"))));
    }
}
