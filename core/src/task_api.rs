//! An `Analyst` over a Kleio proxy's task API. The HTTP itself is the
//! caller's: the command line passes a reqwest transport, the browser app
//! one over `fetch`. The routes and their JSON are the contract in
//! [`crate::api`], which the proxy serves.

use crate::analyst::*;
use crate::api::{self, ErrorBody, Route};

/// One finished HTTP exchange.
pub struct TransportResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Sends a JSON body to a task route and returns whatever came back. An
/// `Err` means no answer arrived (the proxy is down, the network failed).
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// `url` is a path under the proxy's origin, for example `/api/v1/name-cluster`.
    async fn post_json(&self, url: &str, body: String) -> Result<TransportResponse, String>;
}

/// The proxy's analyst, reached through `T`.
pub struct TaskApiAnalyst<T> {
    transport: T,
    description: String,
    versions: AnalystVersions,
}

impl<T: Transport> TaskApiAnalyst<T> {
    /// `description` and `versions` are what the proxy's `/backend` said
    /// about itself (`AnalystVersions::of_backend`).
    pub fn new(transport: T, description: String, versions: AnalystVersions) -> Self {
        TaskApiAnalyst { transport, description, versions }
    }

    async fn post<R: Route>(&self, body: &R::Request) -> Result<R::Response, AnalystError> {
        let url = R::url();
        let json = serde_json::to_string(body).map_err(|e| AnalystError::Malformed(e.to_string()))?;
        let response = self.transport.post_json(&url, json).await.map_err(|e| AnalystError::Backend(format!("the proxy did not answer: {e}")))?;
        if (200..300).contains(&response.status) {
            return serde_json::from_slice(&response.body).map_err(|e| AnalystError::Malformed(format!("the proxy's answer to {url}: {e}")));
        }
        let message =
            serde_json::from_slice::<ErrorBody>(&response.body).map(|b| b.error).unwrap_or_else(|_| String::from_utf8_lossy(&response.body).into_owned());
        Err(match response.status {
            402 | 429 => AnalystError::LimitReached(message),
            422 => AnalystError::Unsupported(message),
            status => AnalystError::Backend(format!("{status}: {message}")),
        })
    }
}

/// Answers that must come one per item sent, or every item fails with why.
fn one_per_item<R: Into<Result<V, AnalystError>>, V>(answers: Result<Vec<R>, AnalystError>, sent: usize, what: &str) -> Vec<Result<V, AnalystError>> {
    match answers {
        Ok(answers) if answers.len() == sent => answers.into_iter().map(Into::into).collect(),
        Ok(answers) => {
            let why = AnalystError::Malformed(format!("the proxy returned {} {what} for {sent} items", answers.len()));
            (0..sent).map(|_| Err(why.clone())).collect()
        }
        Err(e) => (0..sent).map(|_| Err(e.clone())).collect(),
    }
}

/// Children per `assign/batch` call: well under the proxy's default batch
/// limit (1,000) and body limit (16 MiB at 384 floats a child). A bigger
/// step is sent in pieces, each weighed together on its own.
const ASSIGN_BATCH_CHILDREN: usize = 500;

impl<T: Transport> Analyst for TaskApiAnalyst<T> {
    fn describe(&self) -> String {
        self.description.clone()
    }
    fn versions(&self) -> AnalystVersions {
        self.versions.clone()
    }
    async fn screen(&self, req: &ScreenRequest) -> Result<bool, AnalystError> {
        Ok(self.post::<api::Screen>(req).await?.keep)
    }
    async fn extract(&self, req: &ExtractRequest) -> Result<FacetAnswer, AnalystError> {
        Ok(self.post::<api::Extract>(req).await?.answer)
    }
    async fn extract_batch(&self, reqs: &[ExtractRequest]) -> Vec<Result<FacetAnswer, AnalystError>> {
        let answers = self.post::<api::ExtractBatch>(&api::BatchRequest { items: reqs.to_vec() }).await.map(|r| r.results);
        one_per_item(answers, reqs.len(), "results")
    }
    async fn name_cluster(&self, req: &NameClusterRequest) -> Result<ClusterLabel, AnalystError> {
        self.post::<api::NameCluster>(req).await
    }
    async fn propose_parents(&self, req: &ProposeParentsRequest) -> Result<Vec<ClusterLabel>, AnalystError> {
        Ok(self.post::<api::ProposeParents>(req).await?.parents)
    }
    async fn dedupe(&self, req: &DedupeRequest) -> Result<Vec<ClusterLabel>, AnalystError> {
        Ok(self.post::<api::Dedupe>(req).await?.parents)
    }
    async fn assign(&self, req: &AssignRequest) -> Result<usize, AnalystError> {
        Ok(self.post::<api::Assign>(req).await?.index)
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
            let answers = self.post::<api::AssignBatch>(&piece).await.map(|r| r.results);
            out.extend(one_per_item(answers, piece.children.len(), "placements"));
        }
        out
    }
    async fn rename(&self, req: &RenameRequest) -> Result<ClusterLabel, AnalystError> {
        self.post::<api::Rename>(req).await
    }
    async fn audit(&self, req: &AuditRequest) -> Result<AuditVerdict, AnalystError> {
        self.post::<api::Audit>(req).await
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
        async fn post_json(&self, url: &str, _body: String) -> Result<TransportResponse, String> {
            self.paths.borrow_mut().push(url.to_string());
            Ok(TransportResponse { status: self.status, body: self.body.as_bytes().to_vec() })
        }
    }

    fn analyst(status: u16, body: &'static str) -> TaskApiAnalyst<Canned> {
        TaskApiAnalyst::new(Canned { status, body, paths: RefCell::new(Vec::new()) }, "test".into(), AnalystVersions::default())
    }

    fn assign_request() -> AssignRequest {
        let brief = |name: &str| ClusterBrief { name: name.into(), summary: String::new(), size: 1, embedding: Vec::new(), parts: Vec::new() };
        AssignRequest { facet: Facet::request(), child: brief("child"), parents: vec![brief("a"), brief("b"), brief("c")] }
    }

    #[test]
    fn a_success_is_decoded_from_the_route_of_the_task() {
        let a = analyst(200, r#"{"index": 2}"#);
        assert_eq!(futures::executor::block_on(a.assign(&assign_request())), Ok(2));
        assert_eq!(a.transport.paths.borrow().as_slice(), ["/api/v1/assign"]);
    }

    #[test]
    fn a_batch_of_placements_is_decoded_item_by_item() {
        let a = analyst(200, r#"{"results": [{"index": 1}, {"error": "upstream timed out"}]}"#);
        let single = assign_request();
        let req = AssignBatchRequest {
            facet: single.facet,
            parents: single.parents,
            children: vec![single.child.clone(), single.child],
            orders: vec![vec![0, 1, 2], vec![2, 1, 0]],
        };
        let placed = futures::executor::block_on(a.assign_batch(&req));
        assert_eq!(placed, [Ok(1), Err(AnalystError::Backend("upstream timed out".into()))]);
        assert_eq!(a.transport.paths.borrow().as_slice(), ["/api/v1/assign/batch"]);
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
