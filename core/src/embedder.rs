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

/// An embedder that keeps every vector it has made and gives it again for
/// the same text instead of embedding it twice: for callers that embed the
/// pipeline's own texts once more (the evaluation's cluster vectors).
pub struct Remembering<E> {
    inner: E,
    seen: std::sync::Mutex<std::collections::HashMap<String, Vec<f32>>>,
}

impl<E: Embedder> Remembering<E> {
    pub fn new(inner: E) -> Self {
        Self::knowing(inner, Default::default())
    }

    /// One that already knows some texts' vectors (kept from an earlier run
    /// of the same model by a caller that can read files).
    pub fn knowing(inner: E, known: std::collections::HashMap<String, Vec<f32>>) -> Self {
        Remembering { inner, seen: std::sync::Mutex::new(known) }
    }

    /// Every text it has a vector for, with the vector.
    pub fn known(&self) -> std::collections::HashMap<String, Vec<f32>> {
        self.seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    pub fn inner(&self) -> &E {
        &self.inner
    }
}

impl<E: Embedder> Embedder for Remembering<E> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let new: Vec<String> = {
            let seen = self.seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let mut new: Vec<String> = texts.iter().filter(|t| !seen.contains_key(*t)).cloned().collect();
            new.sort_unstable();
            new.dedup();
            new
        };
        // The lock is not held across the await, so other calls may embed meanwhile.
        let fresh = if new.is_empty() { Vec::new() } else { self.inner.embed(&new).await? };
        if fresh.len() != new.len() {
            return Err(EmbedError(format!("asked for {} vectors, got {}", new.len(), fresh.len())));
        }
        let mut seen = self.seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.extend(new.into_iter().zip(fresh));
        Ok(texts.iter().map(|t| seen[t].clone()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts the texts it is asked to embed.
    struct Counting(AtomicUsize, HashingEmbedder);

    impl Embedder for Counting {
        fn dim(&self) -> usize {
            self.1.dim()
        }
        fn describe(&self) -> String {
            "counting".into()
        }
        async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
            self.0.fetch_add(texts.len(), Ordering::Relaxed);
            self.1.embed(texts).await
        }
    }

    #[test]
    fn a_remembered_text_is_embedded_once_and_gets_the_same_vector() {
        let remembering = Remembering::new(Counting(AtomicUsize::new(0), HashingEmbedder { dim: 32 }));
        let texts = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let first = futures::executor::block_on(remembering.embed(&texts(&["bake bread", "fix a bug", "bake bread"]))).unwrap();
        let second = futures::executor::block_on(remembering.embed(&texts(&["fix a bug", "plan a trip", "bake bread"]))).unwrap();
        assert_eq!(remembering.inner().0.load(Ordering::Relaxed), 3, "each distinct text once");
        assert_eq!(first[0], first[2]);
        assert_eq!(second[0], first[1]);
        assert_eq!(second[2], first[0]);
        let direct = futures::executor::block_on(HashingEmbedder { dim: 32 }.embed(&texts(&["plan a trip"]))).unwrap();
        assert_eq!(second[1], direct[0]);
    }
}
