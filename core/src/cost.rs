//! What a run will cost with an LLM analyst, before anything is spent: the
//! calls the pipeline will make, from the same rules it follows (one
//! extraction per conversation and facet, [`RunParams::base_k`],
//! [`HierarchyParams::parents_wanted`](crate::hierarchy::HierarchyParams::parents_wanted),
//! [`CHILDREN_PER_CALL`] children placed per call),
//! and tokens from the text's length.
//!
//! An estimate, not a quote: the prompts' own length, the answers' length
//! and the hierarchy's proposals are averages, and a provider's cache or
//! batch discount is not counted (so the estimate errs high).

use serde::{Deserialize, Serialize};

use crate::analyst::{FacetKind, CHILDREN_PER_CALL};
use crate::model::Conversation;
use crate::params::RunParams;

/// Bytes per token: English is about four; other scripts use fewer
/// characters but more bytes per character, so bytes / 4 holds for both.
const BYTES_PER_TOKEN: usize = 4;
/// The instructions around each task's input (the templates in `prompts/`
/// are 150–450 tokens).
const PROMPT_TOKENS: usize = 350;
/// A facet answer, a cluster summary or a cluster brief.
const SHORT_ANSWER_TOKENS: usize = 40;
const SCALE_ANSWER_TOKENS: usize = 5;
const BRIEF_TOKENS: usize = 35;

/// US dollars per million input and output tokens of one model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub input: f64,
    pub output: f64,
}

/// Tokens and calls of one model role.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    pub calls: usize,
    pub input_tokens: usize,
    pub output_tokens: usize,
}

impl Usage {
    fn add(&mut self, calls: usize, input_per_call: usize, output_per_call: usize) {
        self.calls += calls;
        self.input_tokens += calls * input_per_call;
        self.output_tokens += calls * output_per_call;
    }

    fn usd(&self, price: Price) -> f64 {
        (self.input_tokens as f64 * price.input + self.output_tokens as f64 * price.output) / 1e6
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostEstimate {
    /// Screening, extraction and the audit.
    pub fast: Usage,
    /// Naming and the hierarchy.
    pub strong: Usage,
    pub usd: f64,
}

/// The calls and cost of analysing `conversations` with `params` (each
/// clustered facet counted), where the
/// proxy's `fast` and `strong` models cost what they say. `conversation_tokens`
/// is the proxy's cut-off for one conversation.
pub fn estimate(conversations: &[Conversation], params: &RunParams, conversation_tokens: usize, fast: Price, strong: Price) -> CostEstimate {
    let n = conversations.len();
    if n == 0 {
        return CostEstimate { fast: Usage::default(), strong: Usage::default(), usd: 0.0 };
    }
    let mut fast_use = Usage::default();
    let mut strong_use = Usage::default();
    let conversation_input: usize = conversations
        .iter()
        .map(|c| (c.messages.iter().map(|m| m.content.len()).sum::<usize>() / BYTES_PER_TOKEN).min(conversation_tokens) + PROMPT_TOKENS)
        .sum();
    let mean_input = conversation_input / n;

    // The screener reads every conversation; the rest sees those it keeps,
    // which cannot be known before: all of them, at most.
    if params.screener.is_some() {
        fast_use.add(n, mean_input, SCALE_ANSWER_TOKENS);
    }
    for facet in &params.facets {
        let answer = match facet.kind {
            FacetKind::OpenText => SHORT_ANSWER_TOKENS,
            FacetKind::Scale { .. } | FacetKind::Category { .. } => SCALE_ANSWER_TOKENS,
        };
        fast_use.add(n, mean_input, answer);
    }

    // Each clustered facet gets its own names, hierarchy and audit, over
    // the conversations that answer it: all of them, at most.
    for _ in params.clustered_facets() {
        // Base names: members and contrast, each a short answer.
        let k = params.base_k(n);
        let per_cluster = n.div_ceil(k);
        let shown = (params.naming_members.min(per_cluster) + params.naming_contrast.min(n)) * SHORT_ANSWER_TOKENS;
        strong_use.add(k, PROMPT_TOKENS + shown, SHORT_ANSWER_TOKENS * 2);

        // Each level above: proposals per neighbourhood, one de-duplication, the
        // children placed a call's worth at a time (each call seeing every
        // parent once), one rename per parent.
        let mut children = k;
        let mut clusters = k;
        for l in 1.. {
            let Some(wanted) = params.hierarchy.parents_wanted(k, l, children) else { break };
            let hoods = children.div_ceil(params.hierarchy.neighbourhood.max(2));
            let hood_size = children.div_ceil(hoods);
            strong_use.add(hoods, PROMPT_TOKENS + (hood_size + params.hierarchy.outside) * BRIEF_TOKENS, wanted.div_ceil(hoods) * BRIEF_TOKENS);
            strong_use.add(1, PROMPT_TOKENS + wanted * BRIEF_TOKENS * 2, wanted * BRIEF_TOKENS);
            let placing = children.div_ceil(CHILDREN_PER_CALL);
            let per_call = children.div_ceil(placing.max(1));
            strong_use.add(placing, PROMPT_TOKENS + (per_call + wanted) * BRIEF_TOKENS, per_call * SCALE_ANSWER_TOKENS);
            strong_use.add(wanted, PROMPT_TOKENS + children.div_ceil(wanted) * BRIEF_TOKENS, BRIEF_TOKENS);
            clusters += wanted;
            children = wanted;
        }

        // The audit reads every cluster's name and summary.
        fast_use.add(clusters, PROMPT_TOKENS + BRIEF_TOKENS, SCALE_ANSWER_TOKENS * 4);
    }

    CostEstimate { fast: fast_use, strong: strong_use, usd: fast_use.usd(fast) + strong_use.usd(strong) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kmeans::choose_k;
    use crate::model::{Message, Role};

    fn conversations(n: usize, bytes: usize) -> Vec<Conversation> {
        (0..n)
            .map(|i| Conversation {
                id: i.to_string(),
                account: None,
                created_at: None,
                messages: vec![Message { role: Role::User, content: "x".repeat(bytes) }],
                labels: Default::default(),
                meta: Default::default(),
            })
            .collect()
    }

    const PRICE: Price = Price { input: 1.0, output: 5.0 };

    #[test]
    fn extraction_counts_one_call_per_conversation_and_facet() {
        let e = estimate(&conversations(1000, 400), &RunParams::default(), 8000, PRICE, PRICE);
        // Three facets and the audit of every cluster.
        let k = choose_k(1000, 5);
        assert!(e.fast.calls > 3000 && e.fast.calls < 3000 + 2 * k, "{:?}", e.fast);
        // 400 bytes are 100 tokens, and the prompt around them.
        assert_eq!(e.fast.input_tokens - (e.fast.calls - 3000) * (PROMPT_TOKENS + BRIEF_TOKENS), 3000 * (100 + PROMPT_TOKENS));
    }

    #[test]
    fn a_screener_adds_a_call_per_conversation_and_long_texts_are_cut() {
        let plain = estimate(&conversations(500, 100_000), &RunParams::default(), 2000, PRICE, PRICE);
        let screened =
            estimate(&conversations(500, 100_000), &RunParams { screener: Some("Is it about code?".into()), ..Default::default() }, 2000, PRICE, PRICE);
        assert_eq!(screened.fast.calls, plain.fast.calls + 500);
        assert_eq!(screened.fast.input_tokens - plain.fast.input_tokens, 500 * (2000 + PROMPT_TOKENS));
        assert!(screened.usd > plain.usd);
    }

    #[test]
    fn cost_follows_the_prices_and_the_size() {
        let small = estimate(&conversations(1000, 400), &RunParams::default(), 8000, PRICE, PRICE);
        let large = estimate(&conversations(10_000, 400), &RunParams::default(), 8000, PRICE, PRICE);
        assert!(large.usd > 8.0 * small.usd && large.usd < 12.0 * small.usd, "{} vs {}", small.usd, large.usd);
        let free = estimate(&conversations(1000, 400), &RunParams::default(), 8000, Price::default(), Price::default());
        assert_eq!(free.usd, 0.0);
        let strong_only = estimate(&conversations(1000, 400), &RunParams::default(), 8000, Price::default(), PRICE);
        assert!(strong_only.usd > 0.0 && strong_only.usd < small.usd);
        assert!(strong_only.strong.calls >= choose_k(1000, 5));
    }

    #[test]
    fn each_clustered_facet_is_named_arranged_and_audited() {
        let one = estimate(&conversations(1000, 400), &RunParams::default(), 8000, PRICE, PRICE);
        let two_facets = RunParams { facets: vec![crate::analyst::Facet::request(), crate::analyst::Facet::task()], ..Default::default() };
        let extracted_only = estimate(&conversations(1000, 400), &two_facets, 8000, PRICE, PRICE);
        let both = estimate(&conversations(1000, 400), &RunParams { clustered: vec!["request".into(), "task".into()], ..two_facets }, 8000, PRICE, PRICE);
        // The second facet's extraction is there either way; its clustering only when it is clustered.
        assert_eq!(extracted_only.strong, one.strong);
        assert_eq!(both.strong.calls, 2 * one.strong.calls);
        assert_eq!(both.fast.calls - extracted_only.fast.calls, one.fast.calls - 3000);
    }

    #[test]
    fn nothing_to_analyse_costs_nothing() {
        let e = estimate(&[], &RunParams::default(), 8000, PRICE, PRICE);
        assert_eq!((e.fast, e.strong, e.usd), (Usage::default(), Usage::default(), 0.0));
    }
}
