//! Parquet's delta encodings of text, decoded with every length and offset
//! checked and re-encoded as plain values.
//!
//! The parquet crate's own decoders for `DELTA_LENGTH_BYTE_ARRAY` and
//! `DELTA_BYTE_ARRAY` slice the page by lengths they never check and size
//! buffers by counts the page declares, and its `DELTA_BINARY_PACKED`
//! decoder takes a page's first value even when the page declares none and
//! then reads past its buffer (as of 60.1), so a hostile page could panic
//! or exhaust memory. [`super::parquet_pages`] hands such pages to the
//! crate as plain ones, made here, which it reads safely.

/// The most values one page may declare, or be padded to: writers end a
/// page at 20,000 rows or near a megabyte by default, and nested lists make
/// several values a row. Past this a page is refused rather than decoded
/// into memory it only claims to need.
pub(super) const MAX_PAGE_VALUES: usize = 1 << 22;

/// A cursor over a page's bytes that reads the varints delta encodings use.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn uleb(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.at).ok_or("a delta header is cut off")?;
            self.at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a delta header's number is longer than 64 bits".into())
    }

    fn zigzag(&mut self) -> Result<i64, String> {
        let n = self.uleb()?;
        Ok((n >> 1) as i64 ^ -((n & 1) as i64))
    }

    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self.at.checked_add(n).filter(|&end| end <= self.bytes.len()).ok_or("a delta block is cut off")?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }
}

/// The integers of a `DELTA_BINARY_PACKED` run at the cursor, at most
/// `limit` of them; the cursor is left after the last miniblock used.
fn delta_binary_packed(cursor: &mut Cursor, limit: usize) -> Result<Vec<i64>, String> {
    let block_size = cursor.uleb()?;
    let miniblocks = cursor.uleb()?;
    let total = cursor.uleb()?;
    let first = cursor.zigzag()?;
    if block_size == 0 || block_size % 128 != 0 || miniblocks == 0 || block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0 {
        return Err(format!("a delta block of {block_size} values in {miniblocks} miniblocks is not one the format allows"));
    }
    let total = usize::try_from(total)
        .ok()
        .filter(|&t| t <= limit.min(MAX_PAGE_VALUES))
        .ok_or(format!("a delta run declares {total} values, more than its page holds"))?;
    let per_miniblock = (block_size / miniblocks) as usize;
    let mut values = Vec::with_capacity(total);
    if total == 0 {
        return Ok(values);
    }
    values.push(first);
    let mut last = first;
    while values.len() < total {
        let min_delta = cursor.zigzag()?;
        let widths = cursor.take(miniblocks as usize)?.to_vec();
        for width in widths {
            if values.len() == total {
                // The format lets a writer leave the rest of the last block out.
                break;
            }
            let width = usize::from(width);
            if width > 64 {
                return Err(format!("a delta miniblock is {width} bits wide"));
            }
            let packed = cursor.take(per_miniblock * width / 8)?;
            for i in 0..per_miniblock.min(total - values.len()) {
                last = last.wrapping_add(min_delta).wrapping_add(unpack(packed, i * width, width) as i64);
                values.push(last);
            }
        }
    }
    Ok(values)
}

/// The `width`-bit integer starting at bit `bit` of `packed`, least
/// significant bit first.
fn unpack(packed: &[u8], bit: usize, width: usize) -> u64 {
    (0..width).fold(0, |value, b| {
        let at = bit + b;
        value | (u64::from(packed[at / 8] >> (at % 8) & 1) << b)
    })
}

/// A `DELTA_BINARY_PACKED` page of an integer column, at most `limit`
/// values, as plain values of `width` bytes each (4 for `INT32`, 8 for
/// `INT64`). An `INT32` value keeps its low 32 bits, which is what the
/// format's wrapping arithmetic gives in 32 bits.
pub(super) fn delta_integers_to_plain(values: &[u8], limit: usize, width: usize) -> Result<Vec<u8>, String> {
    let integers = delta_binary_packed(&mut Cursor { bytes: values, at: 0 }, limit)?;
    let mut out = Vec::with_capacity(width * integers.len());
    for v in integers {
        out.extend_from_slice(&v.to_le_bytes()[..width]);
    }
    Ok(out)
}

/// Lengths from a delta run, each a whole number of the bytes that follow.
fn lengths(cursor: &mut Cursor, limit: usize) -> Result<Vec<usize>, String> {
    delta_binary_packed(cursor, limit)?.into_iter().map(|len| usize::try_from(len).map_err(|_| format!("a text value has length {len}"))).collect()
}

/// Appends one plain value: its 4-byte length, then its bytes.
fn push_plain(out: &mut Vec<u8>, value: &[u8]) {
    out.extend_from_slice(&(value.len() as u32).to_le_bytes());
    out.extend_from_slice(value);
}

/// A `DELTA_LENGTH_BYTE_ARRAY` page's values, at most `limit`, as plain values.
pub(super) fn delta_length_to_plain(values: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    let mut cursor = Cursor { bytes: values, at: 0 };
    let lengths = lengths(&mut cursor, limit)?;
    let mut out = Vec::with_capacity(values.len() + 4 * lengths.len());
    for len in lengths {
        push_plain(&mut out, cursor.take(len).map_err(|_| "a text value runs past the page's end")?);
    }
    Ok(out)
}

/// A `DELTA_BYTE_ARRAY` page's values (each the previous one's first
/// `prefix` bytes and a suffix), at most `limit`, as plain values.
pub(super) fn delta_strings_to_plain(values: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    let mut cursor = Cursor { bytes: values, at: 0 };
    let prefixes = lengths(&mut cursor, limit)?;
    let suffixes = lengths(&mut cursor, limit)?;
    if prefixes.len() != suffixes.len() {
        return Err(format!("{} prefixes for {} suffixes", prefixes.len(), suffixes.len()));
    }
    let mut out = Vec::with_capacity(values.len() + 4 * prefixes.len());
    let mut previous: Vec<u8> = Vec::new();
    for (prefix, suffix) in prefixes.into_iter().zip(suffixes) {
        if prefix > previous.len() {
            return Err(format!("a value shares {prefix} bytes with a previous value of {}", previous.len()));
        }
        previous.truncate(prefix);
        previous.extend_from_slice(cursor.take(suffix).map_err(|_| "a text value runs past the page's end")?);
        push_plain(&mut out, &previous);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One block of 128 values in 4 miniblocks of 32, the deltas `width`
    /// bits wide; as the format says, the miniblocks after the last value
    /// keep their width but have no bytes.
    fn packed(first: i64, min_delta: i64, deltas: &[u64], width: u8) -> Vec<u8> {
        let zigzag = |v: i64| ((v << 1) ^ (v >> 63)) as u64;
        let mut out = Vec::new();
        for n in [128, 4, deltas.len() as u64 + 1, zigzag(first), zigzag(min_delta)] {
            let mut n = n;
            loop {
                let byte = (n & 0x7f) as u8;
                n >>= 7;
                out.push(if n == 0 { byte } else { byte | 0x80 });
                if n == 0 {
                    break;
                }
            }
        }
        out.extend([width; 4]);
        let mut bits = vec![0u8; deltas.len().div_ceil(32) * 32 * usize::from(width) / 8];
        for (i, d) in deltas.iter().enumerate() {
            for b in 0..usize::from(width) {
                let at = i * usize::from(width) + b;
                bits[at / 8] |= (((d >> b) & 1) as u8) << (at % 8);
            }
        }
        out.extend(bits);
        out
    }

    #[test]
    fn delta_packed_integers_decode() {
        let bytes = packed(5, -2, &[0, 3, 7, 1], 3);
        let mut cursor = Cursor { bytes: &bytes, at: 0 };
        assert_eq!(delta_binary_packed(&mut cursor, 10), Ok(vec![5, 3, 4, 9, 8]));
        assert_eq!(cursor.at, bytes.len());
        let mut cursor = Cursor { bytes: &bytes, at: 0 };
        assert!(delta_binary_packed(&mut cursor, 4).unwrap_err().contains("declares 5 values"));
        let cut = &bytes[..bytes.len() - 1];
        assert!(delta_binary_packed(&mut Cursor { bytes: cut, at: 0 }, 10).unwrap_err().contains("cut off"));
    }

    #[test]
    fn delta_integers_become_plain_values_of_their_width() {
        let bytes = packed(-3, 1, &[0, 2], 2);
        let plain32: Vec<u8> = [-3i32, -2, 1].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(delta_integers_to_plain(&bytes, 3, 4), Ok(plain32));
        let plain64: Vec<u8> = [-3i64, -2, 1].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(delta_integers_to_plain(&bytes, 3, 8), Ok(plain64));
        // A page that declares no values (blocks of 128 in 4 miniblocks, 0
        // values, a first value of 7) gives none, whatever its first value.
        assert_eq!(delta_integers_to_plain(&[0x80, 0x01, 4, 0, 14], 3, 8), Ok(Vec::new()));
    }

    #[test]
    fn delta_lengths_become_plain_values_and_a_lie_is_refused() {
        let mut page = packed(2, -1, &[2, 0], 2);
        page.extend(b"abcdeFG");
        let mut plain = Vec::new();
        for v in ["ab", "cde", "FG"] {
            push_plain(&mut plain, v.as_bytes());
        }
        assert_eq!(delta_length_to_plain(&page, 3), Ok(plain));
        page.pop();
        assert!(delta_length_to_plain(&page, 3).unwrap_err().contains("runs past"));
        let negative = packed(-1, 0, &[], 0);
        assert!(delta_length_to_plain(&negative, 3).unwrap_err().contains("length -1"));
    }

    #[test]
    fn delta_strings_share_prefixes_with_the_value_before() {
        let mut page = packed(0, 0, &[3], 2);
        page.extend(packed(4, -2, &[0], 1));
        page.extend(b"abcdXY");
        let mut plain = Vec::new();
        for v in ["abcd", "abcXY"] {
            push_plain(&mut plain, v.as_bytes());
        }
        assert_eq!(delta_strings_to_plain(&page, 2), Ok(plain));
        let mut bad = packed(1, 0, &[0], 1);
        bad.extend(packed(1, 0, &[0], 1));
        bad.extend(b"ab");
        assert!(delta_strings_to_plain(&bad, 2).unwrap_err().contains("shares 1 bytes"));
    }
}
