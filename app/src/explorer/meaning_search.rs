//! Search by meaning: the query is embedded in this browser by the run's own
//! model, and the clusters (by their names and summaries, embedded once on
//! the first search) and the conversations (by the vectors the run kept of
//! their answers, where this browser made the run) nearest it are listed
//! and lit on the map. Substring search over names stays beside it.

use std::rc::Rc;
use std::sync::Arc;

use kleio_core::analysis::Analysis;
use kleio_core::analyst::cluster_meaning;
use kleio_core::cluster_index::ClusterIndex;
use kleio_core::embedder::Embedder;
use kleio_core::pipeline::kept_vectors;
use kleio_core::semantic::{nearest, Hit};
use kleio_embed::{BackendChoice, ModelKind, Precision};
use leptos::prelude::*;

use crate::embedding;
use crate::run_store::IdbCheckpoints;
use crate::runner::now_ms;

/// Clusters and conversations listed.
const LISTED: usize = 8;
/// Conversations lit on the map: a tenth of them, at least 10 and at most 200.
const LIT: (usize, usize) = (10, 200);
/// Clusters whose members are lit when there are no conversation vectors.
const LIT_CLUSTERS: usize = 3;

/// What a search found.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub query: String,
    /// Conversations to light (indexes into the analysis's).
    pub lit: Vec<usize>,
    /// Clusters and their similarity, nearest first.
    pub clusters: Vec<(usize, f32)>,
    /// Conversations and their similarity, nearest first; empty without kept vectors.
    pub conversations: Vec<(usize, f32)>,
    pub embed_ms: f64,
    pub search_ms: f64,
    /// Points compared: clusters and conversations.
    pub points: usize,
}

/// The vectors searched, made or read once per explorer.
struct Vectors {
    clusters: Vec<Vec<f32>>,
    /// The conversations with a base cluster, in order, and their vectors;
    /// empty when the run kept none.
    clustered: Vec<usize>,
    conversations: Vec<Vec<f32>>,
}

#[component]
pub fn MeaningSearch(
    analysis: Arc<Analysis>,
    index: Arc<ClusterIndex>,
    run: Option<String>,
    selected: RwSignal<Option<usize>>,
    found: RwSignal<Option<Found>>,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let status = RwSignal::new(None::<String>);
    let vectors = StoredValue::new_local(None::<Rc<Vectors>>);
    let search = {
        let (analysis, index) = (analysis.clone(), index.clone());
        Action::new_local(move |q: &String| {
            let (analysis, index, q, run) = (analysis.clone(), index.clone(), q.trim().to_string(), run.clone());
            async move {
                if q.is_empty() {
                    found.set(None);
                    return;
                }
                match search(&analysis, &index, run.as_deref(), &q, vectors, status).await {
                    Ok(f) => {
                        status.set(None);
                        found.set(Some(f));
                    }
                    Err(e) => status.set(Some(format!("The search could not run: {e}"))),
                }
            }
        })
    };
    let name = {
        let analysis = analysis.clone();
        move |i: usize| analysis.clusters[i].name.clone()
    };
    let results = move || {
        found.get().map(|f| {
            let clusters = f
                .clusters
                .iter()
                .map(|&(i, s)| view! { <li><button class="link" on:click=move |_| selected.set(Some(i))>{name(i)}</button>{format!(" {s:.2}")}</li> })
                .collect_view();
            let conversations = f
                .conversations
                .iter()
                .map(|&(k, s)| {
                    let c = &analysis.conversations[k];
                    let base = c.cluster.as_deref().and_then(|id| index.get(id));
                    let text = analysis.params.cluster_facet().and_then(|facet| c.answers.get(&facet.id)).map(|a| a.as_text()).unwrap_or_default();
                    view! { <li><button class="link" on:click=move |_| selected.set(base)>{text}</button>{format!(" {s:.2}")}</li> }
                })
                .collect_view();
            view! {
                <p class="stats" aria-label="Search timing">{format!(
                    "embedded in {:.0} ms; {} points compared in {:.1} ms",
                    f.embed_ms, f.points, f.search_ms
                )}</p>
                <h3>"Nearest clusters"</h3>
                <ol class="matches" aria-label="Nearest clusters">{clusters}</ol>
                {(!f.conversations.is_empty()).then(|| view! { <h3>"Nearest conversations"</h3><ol class="matches" aria-label="Nearest conversations">{conversations}</ol> })}
            }
        })
    };
    view! {
        <form class="meaning-search" on:submit=move |e| { e.prevent_default(); search.dispatch(query.get_untracked()); }>
            <input type="search" placeholder="Search by meaning" aria-label="Search by meaning" prop:value=query on:input=move |e| query.set(event_target_value(&e)) />
            <button type="submit">"Find"</button>
            {move || found.with(Option::is_some).then(|| view! { <button type="button" on:click=move |_| { query.set(String::new()); found.set(None); }>"Clear"</button> })}
        </form>
        {move || status.get().map(|s| view! { <p class="stats" role="status">{s}</p> })}
        {results}
    }
}

async fn search(
    analysis: &Analysis,
    index: &ClusterIndex,
    run: Option<&str>,
    q: &str,
    cache: StoredValue<Option<Rc<Vectors>>, LocalStorage>,
    status: RwSignal<Option<String>>,
) -> Result<Found, String> {
    let kind = ModelKind::of_description(&analysis.embedder)
        .ok_or_else(|| format!("this analysis was embedded by {}, which the browser does not have", analysis.embedder))?;
    status.set(Some(format!("loading {}…", kind.name())));
    // The query is embedded as the run's texts were, so it lands among them.
    let model = embedding::load(kind, BackendChoice::Auto, Precision::of_description(&analysis.embedder)).await.map_err(|e| e.to_string())?;
    let vectors = match cache.get_value() {
        Some(v) => v,
        None => {
            status.set(Some(format!("embedding the names of {} clusters (once)…", analysis.clusters.len())));
            let texts: Vec<String> = analysis.clusters.iter().map(|c| cluster_meaning(&c.name, &c.summary)).collect();
            let clusters = model.embed(&texts).await.map_err(|e| e.to_string())?;
            let clustered: Vec<usize> = (0..analysis.conversations.len()).filter(|&k| analysis.conversations[k].cluster.is_some()).collect();
            let conversations = match run {
                Some(run) => {
                    let facet = analysis.params.cluster_facet().map(|f| f.id.as_str()).unwrap_or_default();
                    kept_vectors(&IdbCheckpoints { run: run.to_string() }, facet, clustered.len()).await.unwrap_or_default()
                }
                None => Vec::new(),
            };
            let v = Rc::new(Vectors { clusters, clustered, conversations });
            cache.set_value(Some(v.clone()));
            v
        }
    };
    status.set(Some("searching…".into()));
    let started = now_ms();
    let query = model.embed(&[q.to_string()]).await.map_err(|e| e.to_string())?.into_iter().next().ok_or("the model returned no vector")?;
    let embedded = now_ms();
    let cluster_hits = nearest(&vectors.clusters, &query, LISTED);
    let conversation_hits: Vec<Hit> = nearest(&vectors.conversations, &query, (vectors.conversations.len() / 10).clamp(LIT.0, LIT.1));
    let searched = now_ms();
    let conversations: Vec<(usize, f32)> = conversation_hits.iter().map(|h| (vectors.clustered[h.index], h.similarity)).collect();
    let lit = if conversations.is_empty() {
        // No kept vectors: light the nearest clusters' conversations.
        cluster_hits.iter().take(LIT_CLUSTERS).flat_map(|h| index.members(h.index).to_vec()).collect()
    } else {
        conversations.iter().map(|c| c.0).collect()
    };
    Ok(Found {
        query: q.to_string(),
        lit,
        clusters: cluster_hits.iter().map(|h| (h.index, h.similarity)).collect(),
        conversations: conversations.into_iter().take(LISTED).collect(),
        embed_ms: embedded - started,
        search_ms: searched - embedded,
        points: vectors.clusters.len() + vectors.conversations.len(),
    })
}
