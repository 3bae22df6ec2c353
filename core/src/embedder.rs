//! The `Embedder` seam: texts in, unit vectors out.

#[derive(Clone, Debug, thiserror::Error, PartialEq)]
#[error("embedding failed: {0}")]
pub struct EmbedError(pub String);

#[allow(async_fn_in_trait)]
pub trait Embedder {
    /// Length of every vector this embedder returns.
    fn dim(&self) -> usize;
    /// A short description for reports, naming the model and the device.
    fn describe(&self) -> String;
    /// One unit vector per text, in order. An empty text is a text too.
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError>;
}

/// A bag-of-words embedder with no model: each word (and each pair of adjacent
/// words) is hashed into one of `dim` buckets. Fast and dependency-free, it is
/// what the tests use, and a labelled choice for quick looks at a dataset; it
/// knows nothing of synonyms, so real runs use a sentence-transformer.
#[derive(Clone, Debug)]
pub struct HashingEmbedder {
    pub dim: usize,
}

impl HashingEmbedder {
    pub fn embed_one(&self, text: &str) -> Vec<f32> {
        let mut v = vec![0.0f32; self.dim.max(1)];
        let words: Vec<String> = crate::offline::terms::words(text).collect();
        let mut add = |s: &str, w: f32| {
            // FNV-1a: stable across platforms and releases, unlike std's hasher.
            let mut h: u64 = 0xcbf29ce484222325;
            for b in s.bytes() {
                h ^= b as u64;
                h = h.wrapping_mul(0x100000001b3);
            }
            let sign = if h >> 63 == 0 { 1.0 } else { -1.0 };
            let len = v.len() as u64;
            v[(h % len) as usize] += sign * w;
        };
        for w in &words {
            add(w, 1.0);
        }
        for pair in words.windows(2) {
            add(&format!("{} {}", pair[0], pair[1]), 0.5);
        }
        crate::vector::normalize(&mut v);
        v
    }
}

impl Embedder for HashingEmbedder {
    fn dim(&self) -> usize {
        self.dim
    }
    fn describe(&self) -> String {
        format!("hashing bag-of-words ({} dims, no model)", self.dim)
    }
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(texts.iter().map(|t| self.embed_one(t)).collect())
    }
}
