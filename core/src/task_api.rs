//! An `Analyst` over a Kleio proxy's task API (`/api/v1/...`). The HTTP
//! itself is the caller's: the command line passes a reqwest transport, the
//! browser app one over `fetch`. This module only knows the routes and their
//! JSON, which the proxy's `api.rs` defines.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::analyst::*;

/// One finished HTTP exchange.
pub struct TransportResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Sends a JSON body to a task route and returns whatever came back. An
/// `Err` means no answer arrived (the proxy is down, the network failed).
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// `path` is relative to `/api/v1/`, for example `name-cluster`.
    async fn post_json(&self, path: &str, body: String) -> Result<TransportResponse, String>;
}

/// The proxy's analyst, reached through `T`.
pub struct TaskApiAnalyst<T> {
    transport: T,
    description: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
}

impl<T: Transport> TaskApiAnalyst<T> {
    /// `description` is what the proxy's `/backend` said about itself.
    pub fn new(transport: T, description: String) -> Self {
        TaskApiAnalyst { transport, description }
    }

    async fn post<B: Serialize, R: DeserializeOwned>(&self, path: &str, body: &B) -> Result<R, AnalystError> {
        let json = serde_json::to_string(body).map_err(|e| AnalystError::Malformed(e.to_string()))?;
        let response = self.transport.post_json(path, json).await.map_err(|e| AnalystError::Backend(format!("the proxy did not answer: {e}")))?;
        if (200..300).contains(&response.status) {
            return serde_json::from_slice(&response.body).map_err(|e| AnalystError::Malformed(format!("the proxy's answer to {path}: {e}")));
        }
        let message = serde_json::from_slice::<ErrorBody>(&response.body)
            .map(|b| b.error)
            .unwrap_or_else(|_| String::from_utf8_lossy(&response.body).into_owned());
        Err(match response.status {
            402 | 429 => AnalystError::LimitReached(message),
            422 => AnalystError::Unsupported(message),
            status => AnalystError::Backend(format!("{status}: {message}")),
        })
    }
}

#[derive(Deserialize)]
struct Keep {
    keep: bool,
}
#[derive(Deserialize)]
struct Answer {
    answer: FacetAnswer,
}
#[derive(Serialize)]
struct Batch<'a> {
    items: &'a [ExtractRequest],
}
#[derive(Deserialize)]
#[serde(untagged)]
enum Item {
    Answer { answer: FacetAnswer },
    Error { error: String },
}
#[derive(Deserialize)]
struct Results {
    results: Vec<Item>,
}
#[derive(Deserialize)]
struct Parents {
    parents: Vec<ClusterLabel>,
}
#[derive(Deserialize)]
struct Index {
    index: usize,
}
#[derive(Deserialize)]
#[serde(untagged)]
enum Placement {
    Index { index: usize },
    Error { error: String },
}
#[derive(Deserialize)]
struct Placements {
    results: Vec<Placement>,
}

/// Children per `assign/batch` call: well under the proxy's default batch
/// limit (1,000) and body limit (16 MiB at 384 floats a child). A bigger
/// step is sent in pieces, each weighed together on its own.
const ASSIGN_BATCH_CHILDREN: usize = 500;

impl<T: Transport> Analyst for TaskApiAnalyst<T> {
    fn describe(&self) -> String {
        self.description.clone()
    }
    async fn screen(&self, req: &ScreenRequest) -> Result<bool, AnalystError> {
        Ok(self.post::<_, Keep>("screen", req).await?.keep)
    }
    async fn extract(&self, req: &ExtractRequest) -> Result<FacetAnswer, AnalystError> {
        Ok(self.post::<_, Answer>("extract", req).await?.answer)
    }
    async fn extract_batch(&self, reqs: &[ExtractRequest]) -> Vec<Result<FacetAnswer, AnalystError>> {
        match self.post::<_, Results>("extract/batch", &Batch { items: reqs }).await {
            Ok(r) if r.results.len() == reqs.len() => r
                .results
                .into_iter()
                .map(|i| match i {
                    Item::Answer { answer } => Ok(answer),
                    Item::Error { error } => Err(AnalystError::Backend(error)),
                })
                .collect(),
            Ok(r) => reqs.iter().map(|_| Err(AnalystError::Malformed(format!("the proxy returned {} results for {} items", r.results.len(), reqs.len())))).collect(),
            Err(e) => reqs.iter().map(|_| Err(e.clone())).collect(),
        }
    }
    async fn name_cluster(&self, req: &NameClusterRequest) -> Result<ClusterLabel, AnalystError> {
        self.post("name-cluster", req).await
    }
    async fn propose_parents(&self, req: &ProposeParentsRequest) -> Result<Vec<ClusterLabel>, AnalystError> {
        Ok(self.post::<_, Parents>("propose-parents", req).await?.parents)
    }
    async fn dedupe(&self, req: &DedupeRequest) -> Result<Vec<ClusterLabel>, AnalystError> {
        Ok(self.post::<_, Parents>("dedupe", req).await?.parents)
    }
    async fn assign(&self, req: &AssignRequest) -> Result<usize, AnalystError> {
        Ok(self.post::<_, Index>("assign", req).await?.index)
    }
    async fn assign_batch(&self, req: &AssignBatchRequest) -> Vec<Result<usize, AnalystError>> {
        let mut out = Vec::with_capacity(req.children.len());
        for start in (0..req.children.len()).step_by(ASSIGN_BATCH_CHILDREN) {
            let end = (start + ASSIGN_BATCH_CHILDREN).min(req.children.len());
            let piece = AssignBatchRequest {
                facet: req.facet.clone(),
                parents: req.parents.clone(),
                children: req.children[start..end].to_vec(),
                orders: req.orders.get(start..end).unwrap_or_default().to_vec(),
            };
            match self.post::<_, Placements>("assign/batch", &piece).await {
                Ok(r) if r.results.len() == piece.children.len() => out.extend(r.results.into_iter().map(|p| match p {
                    Placement::Index { index } => Ok(index),
                    Placement::Error { error } => Err(AnalystError::Backend(error)),
                })),
                Ok(r) => out.extend(piece.children.iter().map(|_| Err(AnalystError::Malformed(format!("the proxy returned {} placements for {} children", r.results.len(), piece.children.len()))))),
                Err(e) => out.extend(piece.children.iter().map(|_| Err(e.clone()))),
            }
        }
        out
    }
    async fn rename(&self, req: &RenameRequest) -> Result<ClusterLabel, AnalystError> {
        self.post("rename", req).await
    }
    async fn audit(&self, req: &AuditRequest) -> Result<AuditVerdict, AnalystError> {
        self.post("audit", req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// Answers every call with a fixed status and body, and records the paths.
    struct Canned {
        status: u16,
        body: &'static str,
        paths: RefCell<Vec<String>>,
    }

    impl Transport for Canned {
        async fn post_json(&self, path: &str, _body: String) -> Result<TransportResponse, String> {
            self.paths.borrow_mut().push(path.to_string());
            Ok(TransportResponse { status: self.status, body: self.body.as_bytes().to_vec() })
        }
    }

    fn analyst(status: u16, body: &'static str) -> TaskApiAnalyst<Canned> {
        TaskApiAnalyst::new(Canned { status, body, paths: RefCell::new(Vec::new()) }, "test".into())
    }

    fn assign_request() -> AssignRequest {
        let brief = |name: &str| ClusterBrief { name: name.into(), summary: String::new(), size: 1, embedding: Vec::new(), parts: Vec::new() };
        AssignRequest { facet: Facet::request(), child: brief("child"), parents: vec![brief("a"), brief("b"), brief("c")] }
    }

    #[test]
    fn a_success_is_decoded_from_the_route_of_the_task() {
        let a = analyst(200, r#"{"index": 2}"#);
        assert_eq!(futures::executor::block_on(a.assign(&assign_request())), Ok(2));
        assert_eq!(a.transport.paths.borrow().as_slice(), ["assign"]);
    }

    #[test]
    fn a_batch_of_placements_is_decoded_item_by_item() {
        let a = analyst(200, r#"{"results": [{"index": 1}, {"error": "upstream timed out"}]}"#);
        let single = assign_request();
        let req = AssignBatchRequest { facet: single.facet, parents: single.parents, children: vec![single.child.clone(), single.child], orders: vec![vec![0, 1, 2], vec![2, 1, 0]] };
        let placed = futures::executor::block_on(a.assign_batch(&req));
        assert_eq!(placed, [Ok(1), Err(AnalystError::Backend("upstream timed out".into()))]);
        assert_eq!(a.transport.paths.borrow().as_slice(), ["assign/batch"]);
    }

    #[test]
    fn error_statuses_become_typed_errors_with_the_proxys_message() {
        let capped = futures::executor::block_on(analyst(402, r#"{"error":"spending cap reached"}"#).assign(&assign_request()));
        assert_eq!(capped, Err(AnalystError::LimitReached("spending cap reached".into())));
        let broken = futures::executor::block_on(analyst(502, "upstream down").assign(&assign_request()));
        assert_eq!(broken, Err(AnalystError::Backend("502: upstream down".into())));
        let garbled = futures::executor::block_on(analyst(200, "{").assign(&assign_request()));
        assert!(matches!(garbled, Err(AnalystError::Malformed(_))));
    }
}
