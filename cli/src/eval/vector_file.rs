//! Embedded texts kept in a file between evaluation runs, so the runs of one
//! set under several seeds and weights embed its texts once
//! (docs/eval/cross_validate.sh). The file names the embedder that made the
//! vectors; one made by another model is not read.
//!
//! Layout: the line `kleio vectors 1`, the embedder's description on a line,
//! then per text its length in bytes (u32), its UTF-8 bytes, and its vector's
//! length (u32) and values (f32), all little-endian.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use anyhow::{bail, Context};

const HEADER: &str = "kleio vectors 1";

/// The vectors `path` holds for `embedder`; empty when there is no file yet,
/// or when it was made by another embedder (said on stderr).
pub fn read(path: &Path, embedder: &str) -> anyhow::Result<HashMap<String, Vec<f32>>> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => return Err(e).with_context(|| format!("opening {}", path.display())),
    };
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    if line.trim_end() != HEADER {
        bail!("{} is not a file of kept vectors (it does not start with {HEADER:?})", path.display());
    }
    line.clear();
    reader.read_line(&mut line)?;
    if line.trim_end() != embedder {
        eprintln!("{} holds vectors of {:?}, not of {embedder:?}: embedding afresh", path.display(), line.trim_end());
        return Ok(HashMap::new());
    }
    let mut known = HashMap::new();
    let broken = || format!("{} ends in the middle of a vector; delete it to embed afresh", path.display());
    loop {
        let mut length = [0u8; 4];
        match reader.read_exact(&mut length) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e).with_context(broken),
        }
        let mut text = vec![0u8; u32::from_le_bytes(length) as usize];
        reader.read_exact(&mut text).with_context(broken)?;
        reader.read_exact(&mut length).with_context(broken)?;
        let mut values = vec![0u8; 4 * u32::from_le_bytes(length) as usize];
        reader.read_exact(&mut values).with_context(broken)?;
        let text = String::from_utf8(text).with_context(broken)?;
        known.insert(text, values.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect());
    }
    Ok(known)
}

/// Writes `known` to `path` (through a temporary file beside it, so an
/// interrupted write leaves the old file whole).
pub fn write(path: &Path, embedder: &str, known: &HashMap<String, Vec<f32>>) -> anyhow::Result<()> {
    let partial = path.with_extension("partial");
    let mut out = BufWriter::new(std::fs::File::create(&partial).with_context(|| format!("creating {}", partial.display()))?);
    writeln!(out, "{HEADER}\n{embedder}")?;
    // In text order, so the same vectors make the same file.
    let mut texts: Vec<&String> = known.keys().collect();
    texts.sort_unstable();
    for text in texts {
        let vector = &known[text];
        out.write_all(&(text.len() as u32).to_le_bytes())?;
        out.write_all(text.as_bytes())?;
        out.write_all(&(vector.len() as u32).to_le_bytes())?;
        for value in vector {
            out.write_all(&value.to_le_bytes())?;
        }
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_come_back_as_written_and_only_for_their_embedder() {
        let dir = std::env::temp_dir().join(format!("kleio-vectors-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("vectors.bin");
        assert!(read(&path, "model a").unwrap().is_empty(), "no file yet");
        let known = HashMap::from([("bake bread".to_string(), vec![0.5, -1.25]), ("写一首诗".to_string(), vec![3.0, 0.0])]);
        write(&path, "model a", &known).unwrap();
        assert_eq!(read(&path, "model a").unwrap(), known);
        assert!(read(&path, "model b").unwrap().is_empty());
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        assert!(read(&path, "model a").unwrap_err().to_string().contains("middle of a vector"));
        std::fs::write(&path, "something else\n").unwrap();
        assert!(read(&path, "model a").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
