//! How many items and how much text each task route takes: the body limit
//! bounds a request's bytes, these bound the work and the prompt it can ask
//! for (a `wanted` of 100,000 parents, a summary of a megabyte). Checked by
//! the `Checked` extractor before a handler runs. The limits are generous
//! for the pipeline's own requests (its neighbourhoods hold about 40
//! clusters, its names a few words) and far below what would tie up the server.

use axum::extract::{FromRequest, Request};
use kleio_core::analyst::*;
use kleio_core::api::BatchRequest;
use serde::de::DeserializeOwned;

use crate::error::{ApiJson, AppError};

/// Characters of a facet's id, its question and one category option.
const FACET_ID_CHARS: usize = 64;
const QUESTION_CHARS: usize = 2_000;
const OPTION_CHARS: usize = 200;
const OPTIONS: usize = 100;
/// A cluster's name and summary, and one facet answer shown to the namer.
const NAME_CHARS: usize = 300;
const SUMMARY_CHARS: usize = 3_000;
const ANSWER_CHARS: usize = 3_000;
/// The text one audit call reads.
const AUDIT_CHARS: usize = 4_000;
/// An embedding's dimensions, and the phrase vectors of one cluster.
const DIMENSIONS: usize = 4_096;
const PARTS: usize = 64;
/// Clusters in one hierarchy request, and the parents asked for.
const CLUSTERS: usize = 1_000;
const PARENTS: usize = 500;
const WANTED: usize = 500;
/// Answers shown to the namer, from inside the cluster and from outside it.
const MEMBERS: usize = 200;

/// A request whose sizes can be checked before any work.
pub trait Bounded {
    fn check_bounds(&self) -> Result<(), String>;
}

/// `ApiJson` whose value is also within its route's bounds.
pub struct Checked<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Bounded> FromRequest<S> for Checked<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let ApiJson(value) = ApiJson::<T>::from_request(request, state).await?;
        value.check_bounds().map_err(AppError::BadRequest)?;
        Ok(Checked(value))
    }
}

fn text(what: &str, value: &str, most: usize) -> Result<(), String> {
    // Counting stops at the limit: a long text costs no more than a short one.
    if value.chars().nth(most).is_some() {
        return Err(format!("{what} is longer than {most} characters"));
    }
    Ok(())
}

fn count(what: &str, n: usize, least: usize, most: usize) -> Result<(), String> {
    if n < least || n > most {
        return Err(format!("{what}: {least} to {most} are allowed, not {n}"));
    }
    Ok(())
}

impl Bounded for Facet {
    fn check_bounds(&self) -> Result<(), String> {
        count("the facet id's characters", self.id.chars().count().min(FACET_ID_CHARS + 1), 1, FACET_ID_CHARS)?;
        text("the facet's question", &self.question, QUESTION_CHARS)?;
        if let FacetKind::Category { options } = &self.kind {
            count("category options", options.len(), 1, OPTIONS)?;
            for option in options {
                text("a category option", option, OPTION_CHARS)?;
            }
        }
        Ok(())
    }
}

impl Bounded for ClusterBrief {
    fn check_bounds(&self) -> Result<(), String> {
        text("a cluster's name", &self.name, NAME_CHARS)?;
        text("a cluster's summary", &self.summary, SUMMARY_CHARS)?;
        count("an embedding's dimensions", self.embedding.len(), 0, DIMENSIONS)?;
        count("a cluster's phrase vectors", self.parts.len(), 0, PARTS)?;
        self.parts.iter().try_for_each(|p| count("a phrase vector's dimensions", p.len(), 0, DIMENSIONS))
    }
}

fn all<T: Bounded>(items: &[T]) -> Result<(), String> {
    items.iter().try_for_each(Bounded::check_bounds)
}

impl Bounded for ScreenRequest {
    fn check_bounds(&self) -> Result<(), String> {
        text("the screening question", &self.question, QUESTION_CHARS)
    }
}

impl Bounded for ExtractRequest {
    fn check_bounds(&self) -> Result<(), String> {
        self.facet.check_bounds()?;
        match &self.detected_language {
            // An ISO 639 code, which the offline analyst names; anything else
            // would be echoed into an answer.
            Some(code) if !(2..=3).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_lowercase()) => {
                Err(format!("the detected language {code:?} is not an ISO 639 code"))
            }
            _ => Ok(()),
        }
    }
}

/// The number of items is the configured `max_batch_items`, checked by the handler.
impl Bounded for BatchRequest {
    fn check_bounds(&self) -> Result<(), String> {
        all(&self.items)
    }
}

impl Bounded for NamedAlike {
    fn check_bounds(&self) -> Result<(), String> {
        text("the shared name", &self.shared, NAME_CHARS)?;
        count("names taken", self.taken.len(), 0, NamedAlike::MOST_TAKEN)?;
        self.taken.iter().try_for_each(|name| text("a taken name", name, NAME_CHARS))
    }
}

impl Bounded for NameClusterRequest {
    fn check_bounds(&self) -> Result<(), String> {
        self.facet.check_bounds()?;
        self.again.as_ref().map_or(Ok(()), Bounded::check_bounds)?;
        count("member answers", self.members.len(), 1, MEMBERS)?;
        count("contrasting answers", self.contrast.len(), 0, MEMBERS)?;
        self.members.iter().chain(&self.contrast).try_for_each(|a| text("an answer", a, ANSWER_CHARS))
    }
}

impl Bounded for ProposeParentsRequest {
    fn check_bounds(&self) -> Result<(), String> {
        self.facet.check_bounds()?;
        count("children", self.children.len(), 1, CLUSTERS)?;
        count("clusters outside", self.outside.len(), 0, CLUSTERS)?;
        count("parents wanted", self.wanted, 1, self.children.len().min(WANTED))?;
        all(&self.children)?;
        all(&self.outside)
    }
}

impl Bounded for DedupeRequest {
    fn check_bounds(&self) -> Result<(), String> {
        self.facet.check_bounds()?;
        count("proposals", self.proposals.len(), 1, CLUSTERS)?;
        count("parents wanted", self.wanted, 1, self.proposals.len().min(WANTED))?;
        all(&self.proposals)
    }
}

impl Bounded for AssignRequest {
    fn check_bounds(&self) -> Result<(), String> {
        self.facet.check_bounds()?;
        count("parents", self.parents.len(), 1, PARENTS)?;
        self.child.check_bounds()?;
        all(&self.parents)
    }
}

/// The number of children is the configured `max_batch_items`, checked by the handler.
impl Bounded for AssignBatchRequest {
    fn check_bounds(&self) -> Result<(), String> {
        self.facet.check_bounds()?;
        count("parents", self.parents.len(), 1, PARENTS)?;
        all(&self.parents)?;
        all(&self.children)
    }
}

impl Bounded for RenameRequest {
    fn check_bounds(&self) -> Result<(), String> {
        self.facet.check_bounds()?;
        count("children", self.children.len(), 1, CLUSTERS)?;
        count("clusters outside", self.outside.len(), 0, CLUSTERS)?;
        self.again.as_ref().map_or(Ok(()), Bounded::check_bounds)?;
        all(&self.children)?;
        all(&self.outside)
    }
}

impl Bounded for AuditRequest {
    fn check_bounds(&self) -> Result<(), String> {
        text("the text to audit", &self.content, AUDIT_CHARS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brief(name: &str) -> ClusterBrief {
        ClusterBrief { name: name.into(), summary: "s".into(), size: 3, embedding: vec![1.0, 0.0], parts: Vec::new() }
    }

    #[test]
    fn the_pipelines_own_requests_pass_and_oversized_ones_are_named() {
        let children: Vec<ClusterBrief> = (0..40).map(|i| brief(&format!("cluster {i}"))).collect();
        let ok = ProposeParentsRequest { facet: Facet::request(), children: children.clone(), outside: children[..10].to_vec(), wanted: 4 };
        assert!(ok.check_bounds().is_ok());

        let greedy = ProposeParentsRequest { wanted: 40_000, ..ok.clone() };
        assert!(greedy.check_bounds().unwrap_err().contains("parents wanted"));
        let long_name = ProposeParentsRequest { children: vec![brief(&"x".repeat(NAME_CHARS + 1))], wanted: 1, ..ok.clone() };
        assert!(long_name.check_bounds().unwrap_err().contains("name"));
        let custom = Facet { id: "mine".into(), question: "?".repeat(QUESTION_CHARS + 1), kind: FacetKind::OpenText };
        let extract = |facet: Facet, detected_language: Option<&str>| ExtractRequest {
            conversation: ConversationText { messages: Vec::new() },
            facet,
            detected_language: detected_language.map(str::to_string),
        };
        assert!(extract(custom, None).check_bounds().unwrap_err().contains("question"));
        assert!(extract(Facet::language(), Some("zh")).check_bounds().is_ok());
        for bad in ["English", "e", "EN", "<b>x</b>"] {
            assert!(extract(Facet::language(), Some(bad)).check_bounds().unwrap_err().contains("ISO 639"), "{bad}");
        }
        assert!(AuditRequest { content: "é".repeat(AUDIT_CHARS) }.check_bounds().is_ok());
        assert!(AuditRequest { content: "é".repeat(AUDIT_CHARS + 1) }.check_bounds().is_err());
        let rename = RenameRequest { facet: Facet::request(), children: children.clone(), outside: children[..10].to_vec(), again: None };
        assert!(rename.check_bounds().is_ok());
        let alike = |taken: usize, chars: usize| Some(NamedAlike { shared: "Play".into(), taken: (0..taken).map(|_| "n".repeat(chars)).collect() });
        assert!(RenameRequest { again: alike(NamedAlike::MOST_TAKEN, NAME_CHARS), ..rename.clone() }.check_bounds().is_ok());
        assert!(RenameRequest { again: alike(NamedAlike::MOST_TAKEN + 1, 1), ..rename.clone() }.check_bounds().unwrap_err().contains("names taken"));
        let named = NameClusterRequest { facet: Facet::request(), members: vec!["a".into()], contrast: Vec::new(), again: alike(1, NAME_CHARS + 1) };
        assert!(named.check_bounds().unwrap_err().contains("a taken name"));
        let crowded = RenameRequest { outside: (0..CLUSTERS + 1).map(|i| brief(&format!("near {i}"))).collect(), ..rename.clone() };
        assert!(crowded.check_bounds().unwrap_err().contains("clusters outside"));
        let long_outside = RenameRequest { outside: vec![brief(&"x".repeat(NAME_CHARS + 1))], ..rename };
        assert!(long_outside.check_bounds().unwrap_err().contains("name"));
    }
}
