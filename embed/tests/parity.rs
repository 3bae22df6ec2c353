//! Parity with sentence-transformers: every vector must have cosine ≥ 0.999
//! with the reference made by `fixtures/make_reference.py`.

use kleio_embed::{ComputeDevice, ModelFiles, ModelKind, SentenceEmbedder};

fn weights_dir() -> std::path::PathBuf {
    std::env::var_os("KLEIO_WEIGHTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo")).join("../weights"))
}

fn load(kind: ModelKind) -> SentenceEmbedder {
    let dir = weights_dir().join(kind.folder());
    let read = |f: &str| std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{}: {e}; run `bash scripts/setup`", dir.join(f).display()));
    let (st, tok) = (read("model.safetensors"), read("tokenizer.json"));
    SentenceEmbedder::load(kind, ModelFiles { safetensors: &st, tokenizer_json: &tok }, ComputeDevice::cpu()).unwrap()
}

fn reference() -> serde_json::Value {
    let text =
        std::fs::read_to_string(std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo")).join("tests/fixtures/reference.json"))
            .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn check(kind: ModelKind) {
    let r = reference();
    let texts: Vec<String> = r["texts"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
    assert!(texts.len() >= 60);
    let want: Vec<Vec<f32>> = serde_json::from_value(r[kind.folder()].clone()).unwrap();
    let counts: Vec<usize> = serde_json::from_value(r[format!("{}_token_counts", kind.folder())].clone()).unwrap();
    let model = load(kind);
    for (t, &n) in texts.iter().zip(&counts) {
        assert_eq!(model.token_ids(t).unwrap().len(), n, "token count of {t:?}");
    }
    let got = futures::executor::block_on(model.embed_texts(&texts)).unwrap();
    let mut worst = (1.0f32, 0usize);
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g.len(), kind.dim());
        let cos = kleio_core::vector::cosine(g, w);
        if cos < worst.0 {
            worst = (cos, i);
        }
    }
    assert!(worst.0 >= 0.999, "{}: worst cosine {} for text {:?}", kind.name(), worst.0, &texts[worst.1][..texts[worst.1].len().min(60)]);
}

#[test]
fn minilm_matches_sentence_transformers() {
    check(ModelKind::MiniLm);
}

#[test]
fn mpnet_matches_sentence_transformers() {
    check(ModelKind::MpNet);
}

#[test]
fn a_corrupt_weights_file_is_a_clear_error() {
    let dir = weights_dir().join("minilm");
    let tok = std::fs::read(dir.join("tokenizer.json")).unwrap();
    let err = SentenceEmbedder::load(ModelKind::MiniLm, ModelFiles { safetensors: b"not a model", tokenizer_json: &tok }, ComputeDevice::cpu()).err().unwrap();
    let msg = err.to_string();
    assert!(msg.contains("weights/minilm/model.safetensors") && msg.contains("scripts/setup"), "{msg}");
}
