//! The selected cluster's conversations, a page at a time: each transcript
//! turn by turn with the analyst's facet answers beside it. Only in the
//! owner's own view: these are read from the run's own file, in this
//! browser, and never go into anything published.

use std::collections::HashMap;
use std::sync::Arc;

use kleio_core::analysis::Analysis;
use kleio_core::model::{Conversation, Role};
use leptos::prelude::*;

use crate::explorer::{LocalFacts, Transcripts};
use crate::{dataset, run_store};

/// Conversations per page.
const PAGE: usize = 5;

/// A run's conversations and where each id is among them.
pub struct Transcript {
    conversations: Arc<Vec<Conversation>>,
    by_id: HashMap<String, usize>,
}

impl Transcript {
    fn new(conversations: Arc<Vec<Conversation>>) -> Transcript {
        let by_id = conversations.iter().enumerate().map(|(k, c)| (c.id.clone(), k)).collect();
        Transcript { conversations, by_id }
    }

    fn get(&self, id: &str) -> Option<&Conversation> {
        self.by_id.get(id).map(|&k| &self.conversations[k])
    }
}

/// The run's conversations, as far as they have been read.
#[derive(Clone)]
pub enum Readable {
    Ready(Arc<Transcript>),
    /// Kept in the browser, not read yet.
    NotYet,
    Reading,
    Failed(String),
    Unavailable(&'static str),
}

impl Readable {
    pub fn of(transcripts: &Transcripts) -> Readable {
        match transcripts {
            Transcripts::Held(conversations) => Readable::Ready(Arc::new(Transcript::new(conversations.clone()))),
            Transcripts::Kept(_) => Readable::NotYet,
            Transcripts::Unavailable(why) => Readable::Unavailable(why),
        }
    }
}

/// Reads an earlier run's conversations again from what the browser kept of its file.
async fn read_kept(facts: &LocalFacts) -> Result<Arc<Transcript>, String> {
    let Transcripts::Kept(record) = &facts.transcripts else { return Err("nothing kept to read".into()) };
    let source = run_store::source(record).await.map_err(|e| e.to_string())?.ok_or("the browser no longer keeps this run's file")?;
    let imported = dataset::read(&source, &record.settings.import, |_, _| {}).await.map_err(|e| e.to_string())?;
    Ok(Arc::new(Transcript::new(Arc::new(imported.conversations))))
}

#[component]
pub fn ConversationPages(analysis: Arc<Analysis>, facts: Arc<LocalFacts>, readable: RwSignal<Readable>, members: Vec<usize>) -> impl IntoView {
    let page = RwSignal::new(0usize);
    let pages = members.len().div_ceil(PAGE).max(1);
    let read = move |_| {
        readable.set(Readable::Reading);
        let facts = facts.clone();
        leptos::task::spawn_local(async move {
            readable.set(match read_kept(&facts).await {
                Ok(transcript) => Readable::Ready(transcript),
                Err(e) => Readable::Failed(e),
            });
        });
    };
    let body = move || match readable.get() {
        Readable::Unavailable(why) => view! { <p class="hint">{why}</p> }.into_any(),
        Readable::NotYet => view! { <button on:click=read.clone()>"Read its conversations"</button> }.into_any(),
        Readable::Reading => view! { <p class="hint">"reading the run's file…"</p> }.into_any(),
        Readable::Failed(e) => view! { <p class="error" role="alert">{format!("The conversations could not be read: {e}")}</p> }.into_any(),
        Readable::Ready(transcript) => {
            let start = page.get() * PAGE;
            let shown = members
                .iter()
                .skip(start)
                .take(PAGE)
                .map(|&k| {
                    let result = &analysis.conversations[k];
                    let answers = result.answers.iter().map(|(facet, answer)| view! { <dt>{facet.clone()}</dt><dd>{answer.as_text()}</dd> }).collect_view();
                    let turns = match transcript.get(&result.id) {
                        Some(c) => c
                            .messages
                            .iter()
                            .map(|m| {
                                let role = match m.role {
                                    Role::User => "user",
                                    Role::Assistant => "assistant",
                                    Role::System => "system",
                                };
                                view! { <div class=format!("turn {role}")><span class="role">{role}</span><p>{m.content.clone()}</p></div> }
                            })
                            .collect_view()
                            .into_any(),
                        None => view! { <p class="hint">"not in the file as read now"</p> }.into_any(),
                    };
                    view! {
                        <article class="conversation" aria-label=format!("Conversation {}", result.id)>
                            <div class="transcript"><h4>{result.id.clone()}</h4>{turns}</div>
                            <dl class="answers">{answers}</dl>
                        </article>
                    }
                })
                .collect_view();
            view! {
                {shown}
                <div class="pager">
                    <button disabled=move || page.get() == 0 on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"Previous"</button>
                    <span class="stats">{move || format!("page {} of {pages}", page.get() + 1)}</span>
                    <button disabled=move || { page.get() + 1 >= pages } on:click=move |_| page.update(|p| *p = (*p + 1).min(pages - 1))>"Next"</button>
                </div>
            }
            .into_any()
        }
    };
    view! {
        <h3>"Conversations (local only, never published)"</h3>
        {body}
    }
}
