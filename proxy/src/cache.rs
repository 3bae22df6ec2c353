//! The response cache: a task's parsed answer, keyed by everything that
//! could change it, so a re-run costs nothing and survives restarts.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rusqlite::OptionalExtension;
use sha2::{Digest, Sha256};

use crate::db::{now, Db};

#[derive(Clone)]
pub struct ResponseCache {
    db: Db,
    hits: Arc<AtomicU64>,
    misses: Arc<AtomicU64>,
}

/// What identifies an answer: backend, model, task, prompt version and the
/// rendered prompt (which holds the input).
pub struct CacheKey<'a> {
    pub backend: &'a str,
    pub model: &'a str,
    pub task: &'a str,
    pub prompt_version: u32,
    pub input: Vec<&'a str>,
}

impl CacheKey<'_> {
    fn digest(&self) -> String {
        let mut h = Sha256::new();
        for part in [self.backend, self.model, self.task, &self.prompt_version.to_string()].into_iter().chain(self.input.iter().copied()) {
            // Length-prefixed, so ("ab","c") and ("a","bc") differ.
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        format!("{:x}", h.finalize())
    }
}

impl ResponseCache {
    pub fn new(db: Db) -> Self {
        ResponseCache { db, hits: Arc::default(), misses: Arc::default() }
    }

    pub fn get(&self, key: &CacheKey<'_>) -> Option<String> {
        let digest = key.digest();
        let found = self
            .db
            .with(|c| c.query_row("SELECT value FROM response_cache WHERE key = ?1", [&digest], |r| r.get::<_, String>(0)).optional())
            .unwrap_or_else(|e| {
                tracing::warn!("response cache read failed: {e}");
                None
            });
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    pub fn put(&self, key: &CacheKey<'_>, value: &str) {
        let digest = key.digest();
        if let Err(e) = self
            .db
            .with(|c| c.execute("INSERT OR REPLACE INTO response_cache (key, value, created_at) VALUES (?1, ?2, ?3)", rusqlite::params![digest, value, now()]))
        {
            tracing::warn!("response cache write failed: {e}");
        }
    }

    /// Hits over lookups since start-up; `None` before the first lookup.
    pub fn hit_rate(&self) -> Option<f64> {
        let (h, m) = (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed));
        (h + m > 0).then(|| h as f64 / (h + m) as f64)
    }

    pub fn lookups(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_found_by_their_whole_key() {
        let cache = ResponseCache::new(Db::in_memory());
        let key = |version, input: &'static [&'static str]| CacheKey {
            backend: "anthropic",
            model: "m",
            task: "extract",
            prompt_version: version,
            input: input.to_vec(),
        };
        assert_eq!(cache.get(&key(1, &["a", "bc"])), None);
        cache.put(&key(1, &["a", "bc"]), "\"x\"");
        assert_eq!(cache.get(&key(1, &["a", "bc"])).as_deref(), Some("\"x\""));
        assert_eq!(cache.get(&key(1, &["ab", "c"])), None);
        assert_eq!(cache.get(&key(2, &["a", "bc"])), None);
        assert_eq!(cache.hit_rate(), Some(0.25));
    }
}
