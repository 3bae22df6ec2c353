//! Where a run keeps the results of the work it has finished, so that a run
//! that stops (a page reload, a failed request, a cancel) resumes instead of
//! starting over. The pipeline names what it saves; the caller decides where
//! it goes (the browser app keeps it in IndexedDB). Core only encodes and
//! decodes: the store does the IO.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::progress::{Progress, Stage};
use crate::PipelineError;

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

/// How one kind of kept work is written and read back. Everything a run
/// keeps is a list with one item per unit of work, so a list that does not
/// decode to exactly the expected length is missing, and is redone.
pub(crate) trait Codec {
    type Item;
    /// `None` when the list cannot be written; then it is only not kept.
    fn encode(items: &[Self::Item]) -> Option<Vec<u8>>;
    fn decode(bytes: &[u8], len: usize) -> Option<Vec<Self::Item>>;
}

/// Items as a JSON array.
pub(crate) struct Json<T>(PhantomData<T>);

impl<T: Serialize + DeserializeOwned> Codec for Json<T> {
    type Item = T;
    fn encode(items: &[T]) -> Option<Vec<u8>> {
        serde_json::to_vec(items).ok()
    }
    fn decode(bytes: &[u8], len: usize) -> Option<Vec<T>> {
        serde_json::from_slice::<Vec<T>>(bytes).ok().filter(|items| items.len() == len)
    }
}

/// Vectors as little-endian f32, row after row: a quarter of the size of
/// JSON, and exact.
pub(crate) struct Rows;

impl Codec for Rows {
    type Item = Vec<f32>;
    fn encode(items: &[Vec<f32>]) -> Option<Vec<u8>> {
        Some(encode_vectors(items))
    }
    fn decode(bytes: &[u8], len: usize) -> Option<Vec<Vec<f32>>> {
        decode_vectors(bytes, len)
    }
}

/// One piece of work a run keeps: its key in the store, and what it is
/// counted as in the progress when it was kept (`len` units of `stage`).
pub(crate) struct Piece {
    pub key: String,
    pub stage: Stage,
    pub len: usize,
}

/// The one way a stage resumes: the list kept under the piece's key when it
/// decodes (reported to `progress` as restored), else what `work` computes,
/// kept when `worth_keeping` says so (a batch the backend failed on is not:
/// a resume asks again).
pub(crate) async fn kept_or_done<C: Codec>(
    store: &impl Checkpoints,
    progress: &mut dyn Progress,
    piece: Piece,
    worth_keeping: impl Fn(&[C::Item]) -> bool,
    work: impl AsyncFnOnce(&mut dyn Progress) -> Result<Vec<C::Item>, PipelineError>,
) -> Result<Vec<C::Item>, PipelineError> {
    if let Some(kept) = store.load(&piece.key).await.and_then(|bytes| C::decode(&bytes, piece.len)) {
        progress.restored(piece.stage, piece.len);
        return Ok(kept);
    }
    let fresh = work(progress).await?;
    if worth_keeping(&fresh) {
        if let Some(bytes) = C::encode(&fresh) {
            store.save(&piece.key, bytes).await;
        }
    }
    Ok(fresh)
}

/// `None` unless the bytes hold exactly `rows` rows.
fn decode_vectors(bytes: &[u8], rows: usize) -> Option<Vec<Vec<f32>>> {
    if rows == 0 || !bytes.len().is_multiple_of(4 * rows) {
        return None;
    }
    let dim = bytes.len() / 4 / rows;
    if dim == 0 {
        return None;
    }
    let floats: Vec<f32> = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    Some(floats.chunks_exact(dim).map(<[f32]>::to_vec).collect())
}

fn encode_vectors(vectors: &[Vec<f32>]) -> Vec<u8> {
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
