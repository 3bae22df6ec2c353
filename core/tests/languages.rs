//! The language facets of a run, computed and answered by the offline
//! analyst, read each request in the light of the others: short English
//! banking questions are English, not Afrikaans or Welsh, and the two
//! facets agree on every conversation.

use futures::executor::block_on;
use kleio_core::analysis::Analysis;
use kleio_core::analyst::{Facet, FacetAnswer};
use kleio_core::api::facet_id;
use kleio_core::compute::CpuCompute;
use kleio_core::embedder::HashingEmbedder;
use kleio_core::import::{import, ImportOptions};
use kleio_core::language::detect_language;
use kleio_core::offline::OfflineAnalyst;
use kleio_core::params::RunParams;
use kleio_core::pipeline::run;
use kleio_core::progress::Silent;

fn shared(path: &str) -> String {
    let root = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo")).join("../../shared/data");
    std::fs::read_to_string(root.join(path)).unwrap()
}

fn analyse(text: &str) -> Analysis {
    let imported = import(text.as_bytes(), &ImportOptions::default()).unwrap();
    let params = RunParams { seed: 1, facets: vec![Facet::request(), Facet::language()], ..Default::default() };
    block_on(run(imported, params, &OfflineAnalyst::new(1), &HashingEmbedder { dim: 64 }, &CpuCompute, &mut Silent)).unwrap()
}

fn answer(a: &Analysis, i: usize) -> &str {
    match a.conversations[i].answers.get(facet_id::LANGUAGE) {
        Some(FacetAnswer::Text(t)) => t,
        other => panic!("no language answer: {other:?}"),
    }
}

#[test]
fn short_english_requests_are_english() {
    let text = shared("banking77/normalized/test.jsonl").lines().take(600).collect::<Vec<_>>().join("\n");
    let alone = text.lines().filter(|line| {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        detect_language(row["messages"][0]["content"].as_str().unwrap()).as_deref() != Some("en")
    });
    assert!(alone.count() > 100, "read alone, many of these are taken for another language or none");
    let a = analyse(&text);
    for (i, c) in a.conversations.iter().enumerate() {
        assert_eq!(c.facets.language.as_deref(), Some("en"), "{}", c.id);
        assert_eq!(answer(&a, i), "English", "{}", c.id);
    }
}

#[test]
fn a_corpus_of_many_languages_keeps_them() {
    let text = shared("arena_hard_prompts/normalized/arena-hard-v2.0.jsonl");
    let a = analyse(&text);
    let rows: Vec<serde_json::Value> = text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let labelled = |code: &str| rows.iter().filter(|r| r["language"].as_str().is_some_and(|l| l.starts_with(code))).count();
    let computed = |code: &str| a.conversations.iter().filter(|c| c.facets.language.as_deref() == Some(code)).count();
    // The sets' labels were themselves detected (by langdetect), so
    // agreement, not identity: no language the run holds is swallowed by
    // English, and English does not swell. (Where a request asks in one
    // language about code, langdetect mostly took the code's English; see
    // the test below.)
    for code in ["en", "zh", "ru", "vi", "ja", "es"] {
        let (want, got) = (labelled(code), computed(code));
        assert!(got * 10 >= want * 9, "{code}: {got} computed, {want} labelled");
    }
    assert!(computed("en") * 10 <= labelled("en") * 11);
    // The offline analyst is told what the computed facet read, so the map's
    // two language facets never tell a conversation's language differently.
    let named = |code: &str| kleio_core::language::language_name(code);
    for (i, c) in a.conversations.iter().enumerate() {
        assert_eq!(c.facets.language.as_deref().map_or("Unknown".into(), named), answer(&a, i), "{}", c.id);
    }
}

/// Requests that ask in one language about code or formulas they paste,
/// read by hand: the set's labels (langdetect's) give most of them the
/// language of the code's identifiers, English, or another Latin one.
#[test]
fn a_request_is_read_in_the_language_it_asks_in() {
    let text = shared("arena_hard_prompts/normalized/arena-hard-v2.0.jsonl");
    let asked = [
        ("arenahard-v2.0-5e2a85bac39943aa", "zh"), // a ggplot question: "我想更改分面（facet）的标签文本颜色…"
        ("arenahard-v2.0-206b01d99e3c4016", "zh"), // "R语言编程找出编程错误并改正：" over an R script; labelled Italian
        ("arenahard-v2.0-c9e52cead8884178", "ja"), // "下記のコードの可読性を上げてください。" over TypeScript
        ("arenahard-v2.0-9bb42ecc6dff4ab4", "ja"), // Python, then the question in Japanese
        ("arenahard-v2.0-b0a632d963754fb6", "ko"), // a Java exercise set in Korean
        ("arenahard-v2.0-8bf487d6bf4e4933", "ko"), // ARM assembly and C with Korean comments and question
        ("arenahard-v2.0-d59970c7e9dd4d37", "ru"), // "Напиши Cmakelists для" over C++
        ("arenahard-v2.0-5abfa0fb2f0c47f3", "ru"), // a Unity script introduced in Russian
        ("arenahard-v2.0-e9ecf61be4ca4af4", "ru"), // a loss function, then the question in Russian
        ("arenahard-v2.0-13a1f4a84ce44084", "en"), // a word list under an English request; was read as French
    ];
    let rows: Vec<&str> = text.lines().filter(|line| asked.iter().any(|(id, _)| line.contains(id))).collect();
    assert_eq!(rows.len(), asked.len(), "every request is in the shared set");
    let a = analyse(&rows.join("\n"));
    for (id, want) in asked {
        let c = a.conversations.iter().find(|c| c.id == id).unwrap();
        assert_eq!(c.facets.language.as_deref(), Some(want), "{id}");
    }
}

/// The offline analyst answers with the language it is told, and reads a
/// batch it is not told about (an older client's) together.
#[test]
fn the_analyst_answers_with_the_language_it_is_told() {
    use kleio_core::analyst::{Analyst, ConversationText, ExtractRequest};
    use kleio_core::model::{Message, Role};
    let asking = |text: &str, told: Option<&str>| ExtractRequest {
        conversation: ConversationText { messages: vec![Message { role: Role::User, content: text.into() }] },
        facet: Facet::language(),
        detected_language: told.map(str::to_string),
    };
    let analyst = OfflineAnalyst::new(1);
    let text = |r: Result<FacetAnswer, _>| match r {
        Ok(FacetAnswer::Text(t)) => t,
        other => panic!("no language answer: {other:?}"),
    };
    let short = "Payment I did not make.";
    assert_eq!(text(block_on(analyst.extract(&asking(short, Some("en"))))), "English");
    assert_eq!(text(block_on(analyst.extract(&asking(short, Some("zh"))))), "Chinese");

    assert_ne!(text(block_on(analyst.extract(&asking(short, None)))), "English", "read alone, it is taken for another language");
    let sure = "I would like to know why the transfer to my savings account has not arrived after three days of waiting for it.";
    let untold: Vec<ExtractRequest> = [sure, sure, sure, short].iter().map(|t| asking(t, None)).collect();
    let answers: Vec<String> = block_on(analyst.extract_batch(&untold)).into_iter().map(text).collect();
    assert_eq!(answers, ["English"; 4]);
}
