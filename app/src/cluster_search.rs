//! Search over cluster names and summaries, for the owner's explorer and a
//! published dashboard alike: the first matches listed, a click selects.

use leptos::prelude::*;

/// How many matches are listed.
const MATCHES: usize = 12;

/// A cluster as search sees it; its index in the list is the cluster's.
pub struct Searchable {
    pub name: String,
    pub summary: String,
    pub size: usize,
}

#[component]
pub fn ClusterSearch(
    clusters: Vec<Searchable>,
    selected: RwSignal<Option<usize>>,
    /// The query, where the caller keeps it (the explorer puts it in the address).
    #[prop(optional)]
    query: Option<RwSignal<String>>,
) -> impl IntoView {
    let query = query.unwrap_or_else(|| RwSignal::new(String::new()));
    // Lower-cased once, not on every keystroke.
    let haystacks: Vec<(String, String)> = clusters.iter().map(|c| (c.name.to_lowercase(), c.summary.to_lowercase())).collect();
    let matches = move || {
        let q = query.get().trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        haystacks
            .iter()
            .enumerate()
            .filter(|(_, (name, summary))| name.contains(&q) || summary.contains(&q))
            .take(MATCHES)
            .map(|(i, _)| (i, clusters[i].name.clone(), clusters[i].size))
            .collect::<Vec<_>>()
    };
    view! {
        <input type="search" placeholder="Search cluster names and summaries" aria-label="Search clusters"
            on:input=move |e| query.set(event_target_value(&e)) prop:value=query />
        <ul class="matches" aria-label="Search results">
            {move || matches().into_iter().map(|(i, name, size)| view! {
                <li><button class="link" on:click=move |_| selected.set(Some(i))>{name}</button>{format!(" ({size})")}</li>
            }).collect_view()}
        </ul>
    }
}
