//! Where a run keeps the results of the work it has finished, so that a run
//! that stops (a page reload, a failed request, a cancel) resumes instead of
//! starting over. The pipeline names what it saves; the caller decides where
//! it goes (the browser app keeps it in IndexedDB). Core only encodes and
//! decodes: the store does the IO.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// A key-value store of finished work, scoped to one run by its caller.
///
/// A failed save costs only the resume, so saves cannot fail; a value that
/// does not decode is treated as missing and the work is done again.
#[allow(async_fn_in_trait)]
pub trait Checkpoints {
    async fn load(&self, key: &str) -> Option<Vec<u8>>;
    async fn save(&self, key: &str, bytes: Vec<u8>);
}

/// For runs that do not resume: nothing is kept.
pub struct NoCheckpoints;

impl Checkpoints for NoCheckpoints {
    async fn load(&self, _: &str) -> Option<Vec<u8>> {
        None
    }
    async fn save(&self, _: &str, _: Vec<u8>) {}
}

pub(crate) async fn load_json<T: DeserializeOwned>(store: &impl Checkpoints, key: &str) -> Option<T> {
    serde_json::from_slice(&store.load(key).await?).ok()
}

pub(crate) async fn save_json<T: Serialize>(store: &impl Checkpoints, key: &str, value: &T) {
    // Serialising the pipeline's own types cannot fail; if it ever did, the
    // only loss is that this piece of work is not kept.
    if let Ok(bytes) = serde_json::to_vec(value) {
        store.save(key, bytes).await;
    }
}

/// Vectors as little-endian f32, row after row: a quarter of the size of
/// JSON, and exact. `None` unless the bytes hold exactly `rows` rows.
pub(crate) fn decode_vectors(bytes: &[u8], rows: usize) -> Option<Vec<Vec<f32>>> {
    if rows == 0 || bytes.len() % (4 * rows) != 0 {
        return None;
    }
    let dim = bytes.len() / 4 / rows;
    if dim == 0 {
        return None;
    }
    let floats: Vec<f32> = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    Some(floats.chunks_exact(dim).map(<[f32]>::to_vec).collect())
}

pub(crate) fn encode_vectors(vectors: &[Vec<f32>]) -> Vec<u8> {
    vectors.iter().flatten().flat_map(|v| v.to_le_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_round_trip_exactly() {
        let v = vec![vec![1.0, -0.5, f32::MIN_POSITIVE], vec![0.0, 3.25, -7.0]];
        assert_eq!(decode_vectors(&encode_vectors(&v), 2), Some(v));
    }

    #[test]
    fn vectors_of_the_wrong_length_are_missing() {
        let bytes = encode_vectors(&[vec![1.0, 2.0, 3.0]]);
        assert_eq!(decode_vectors(&bytes, 2), None);
        assert_eq!(decode_vectors(&bytes[..5], 1), None);
        assert_eq!(decode_vectors(&[], 0), None);
    }
}
