//! The reference tokenizers (tokenizer.json), with sentence-transformers' truncation.

use tokenizers::{Tokenizer, TruncationParams};

use crate::EmbedModelError;

pub struct TextTokenizer {
    inner: Tokenizer,
}

impl TextTokenizer {
    /// `max_len` counts the special tokens, as sentence-transformers' `max_seq_length` does.
    pub fn from_bytes(file: &str, bytes: &[u8], max_len: usize) -> Result<Self, EmbedModelError> {
        let mut inner = Tokenizer::from_bytes(bytes).map_err(|e| EmbedModelError::Corrupt { file: file.into(), detail: e.to_string() })?;
        inner.with_padding(None);
        inner
            .with_truncation(Some(TruncationParams { max_length: max_len, ..Default::default() }))
            .map_err(|e| EmbedModelError::Corrupt { file: file.into(), detail: e.to_string() })?;
        Ok(TextTokenizer { inner })
    }

    pub fn ids(&self, text: &str) -> Result<Vec<u32>, EmbedModelError> {
        let enc = self.inner.encode(text, true).map_err(|e| EmbedModelError::Tokenize(e.to_string()))?;
        Ok(enc.get_ids().to_vec())
    }
}
