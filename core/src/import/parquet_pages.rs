//! Every page of a Parquet column checked before the parquet crate decodes
//! it, so that a damaged or hostile file is an error and never a panic.
//!
//! The parquet crate's record API trusts a page's byte layout in a few
//! places (as of 60.1): a plain-encoded text value's 4-byte length is read
//! without checking that four bytes remain, and a version 1 page's
//! bit-packed levels, or a version 2 page's level lengths, are sliced
//! without checking that the page holds them; its delta decoders of text
//! slice by unchecked lengths, and its delta decoder of integers reads past
//! its buffer when a page declares no values; its record reader asserts that no
//! definition level is above the column's maximum; and its decoder expects
//! a dictionary-encoded data page to come after its column's dictionary
//! page. A page of fixed-width values must also hold as many as its levels
//! say are present: the crate would refuse one that holds fewer, but
//! without naming the column. In the browser a panic aborts the whole app, so these are checked
//! here, at the one seam the crate offers: a [`RowGroupReader`] whose page
//! readers look at each page first.

use bytes::{Bytes, BytesMut};
use parquet::basic::{Encoding, Type as PhysicalType};
use parquet::bloom_filter::Sbbf;

use super::parquet_delta::{delta_integers_to_plain, delta_length_to_plain, delta_strings_to_plain, MAX_PAGE_VALUES};
use parquet::column::page::{Page, PageMetadata, PageReader};
use parquet::errors::{ParquetError, Result};
use parquet::file::metadata::RowGroupMetaData;
use parquet::file::reader::RowGroupReader;
use parquet::record::reader::RowIter;
use parquet::schema::types::{ColumnDescPtr, Type as SchemaType};

/// A row group whose pages are checked as they are read.
pub(super) struct CheckedRowGroup<'a> {
    pub(super) inner: &'a dyn RowGroupReader,
}

impl RowGroupReader for CheckedRowGroup<'_> {
    fn metadata(&self) -> &RowGroupMetaData {
        self.inner.metadata()
    }

    fn num_columns(&self) -> usize {
        self.inner.num_columns()
    }

    fn get_column_page_reader(&self, i: usize) -> Result<Box<dyn PageReader>> {
        Ok(Box::new(CheckedPages {
            inner: self.inner.get_column_page_reader(i)?,
            column: self.metadata().column(i).column_descr_ptr(),
            dictionary_read: false,
        }))
    }

    fn get_column_bloom_filter(&self, i: usize) -> Option<&Sbbf> {
        self.inner.get_column_bloom_filter(i)
    }

    fn get_row_iter(&self, projection: Option<SchemaType>) -> Result<RowIter<'_>> {
        RowIter::from_row_group(projection, self)
    }
}

/// One column chunk's pages, each checked by [`checked`].
struct CheckedPages {
    inner: Box<dyn PageReader>,
    column: ColumnDescPtr,
    /// Whether the chunk's dictionary page has been read: a data page
    /// encoded against the dictionary is an error before it, where the
    /// crate's decoder would panic.
    dictionary_read: bool,
}

impl CheckedPages {
    fn in_order(&mut self, page: Page) -> Result<Page> {
        match &page {
            Page::DictionaryPage { .. } => self.dictionary_read = true,
            Page::DataPage { encoding, .. } | Page::DataPageV2 { encoding, .. }
                if matches!(encoding, Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY) && !self.dictionary_read =>
            {
                return Err(damaged(&self.column, "it is dictionary-encoded, and no dictionary page comes before it"));
            }
            _ => {}
        }
        checked(page, &self.column)
    }
}

impl Iterator for CheckedPages {
    type Item = Result<Page>;

    fn next(&mut self) -> Option<Self::Item> {
        self.get_next_page().transpose()
    }
}

impl PageReader for CheckedPages {
    fn get_next_page(&mut self) -> Result<Option<Page>> {
        self.inner.get_next_page()?.map(|page| self.in_order(page)).transpose()
    }

    fn peek_next_page(&mut self) -> Result<Option<PageMetadata>> {
        self.inner.peek_next_page()
    }

    fn skip_next_page(&mut self) -> Result<()> {
        self.inner.skip_next_page()
    }

    fn supports_deferred_dictionary(&self) -> bool {
        self.inner.supports_deferred_dictionary()
    }

    fn take_deferred_dictionary(&mut self) -> Result<Option<Page>> {
        self.inner.take_deferred_dictionary()?.map(|page| self.in_order(page)).transpose()
    }

    fn at_record_boundary(&mut self) -> Result<bool> {
        self.inner.at_record_boundary()
    }
}

fn damaged(column: &ColumnDescPtr, why: impl std::fmt::Display) -> ParquetError {
    ParquetError::General(format!("a page of column {} is damaged: {why}", column.path()))
}

/// The page, once its levels are known to lie inside it, its plain text
/// values cannot be read past its end, and its delta-encoded values are
/// re-encoded as plain ones.
fn checked(page: Page, column: &ColumnDescPtr) -> Result<Page> {
    let text = column.physical_type() == PhysicalType::BYTE_ARRAY;
    Ok(match page {
        Page::DictionaryPage { buf, num_values, encoding, is_sorted } => {
            if text && matches!(encoding, Encoding::PLAIN | Encoding::PLAIN_DICTIONARY) {
                let values = whole_text_values(&buf, 0).map_err(|why| damaged(column, why))?;
                if values < num_values as usize {
                    return Err(damaged(column, format!("its dictionary holds {values} of the {num_values} values it declares")));
                }
            }
            Page::DictionaryPage { buf, num_values, encoding, is_sorted }
        }
        Page::DataPage { buf, num_values, encoding, def_level_encoding, rep_level_encoding, statistics } => {
            let mut levels_end = 0;
            let mut present = num_values as usize;
            for (max_level, level_encoding, definition) in
                [(column.max_rep_level(), rep_level_encoding, false), (column.max_def_level(), def_level_encoding, true)]
            {
                if max_level > 0 {
                    let rest = &buf[levels_end..];
                    let len = v1_levels_len(rest, max_level, num_values, level_encoding).map_err(|why| damaged(column, why))?;
                    let (levels, msb_first) = if level_encoding == Encoding::RLE { (&rest[4..len], false) } else { (&rest[..len], true) };
                    let at_max = levels_within(levels, max_level, num_values, msb_first).map_err(|why| damaged(column, why))?;
                    if definition {
                        present = at_max;
                    }
                    levels_end += len;
                }
            }
            let page = ValuesPage { levels_end, levels: num_values, present, encoding };
            let (buf, encoding) = safe_values(buf, &page, column).map_err(|why| damaged(column, why))?;
            Page::DataPage { buf, num_values, encoding, def_level_encoding, rep_level_encoding, statistics }
        }
        Page::DataPageV2 { buf, num_values, encoding, num_nulls, num_rows, def_levels_byte_len, rep_levels_byte_len, is_compressed, statistics } => {
            let levels = u64::from(def_levels_byte_len) + u64::from(rep_levels_byte_len);
            let Some(levels_end) = usize::try_from(levels).ok().filter(|&end| end <= buf.len()) else {
                return Err(damaged(column, format!("its levels take {levels} bytes of its {}", buf.len())));
            };
            let rep_end = rep_levels_byte_len as usize;
            let mut present = num_values as usize;
            for (levels, max_level, definition) in [(&buf[..rep_end], column.max_rep_level(), false), (&buf[rep_end..levels_end], column.max_def_level(), true)]
            {
                if max_level > 0 {
                    let at_max = levels_within(levels, max_level, num_values, false).map_err(|why| damaged(column, why))?;
                    if definition {
                        present = at_max;
                    }
                }
            }
            let page = ValuesPage { levels_end, levels: num_values, present, encoding };
            let (buf, encoding) = safe_values(buf, &page, column).map_err(|why| damaged(column, why))?;
            Page::DataPageV2 { buf, num_values, encoding, num_nulls, num_rows, def_levels_byte_len, rep_levels_byte_len, is_compressed, statistics }
        }
    })
}

/// What a data page says of its values, once its levels are read.
struct ValuesPage {
    /// Where its values start, after its levels.
    levels_end: usize,
    /// How many levels it has: one per value, null or not.
    levels: u32,
    /// How many of its values are present (not null), by its definition
    /// levels: the number the decoder reads.
    present: usize,
    encoding: Encoding,
}

/// A data page's values in an encoding the crate decodes safely: text as
/// [`text_values`] makes it, delta-encoded integers decoded here and
/// re-encoded as plain ones after the page's levels, anything else as it
/// is. A page of fixed-width values, plain or delta-decoded, must hold one
/// for each value its levels say is present: the crate's own refusal
/// ("EOF: Not enough bytes to decode") names no column.
fn safe_values(buf: Bytes, page: &ValuesPage, column: &ColumnDescPtr) -> std::result::Result<(Bytes, Encoding), String> {
    let physical = column.physical_type();
    let (buf, encoding) = match (physical, page.encoding) {
        (PhysicalType::BYTE_ARRAY, _) => return text_values(buf, page.levels_end, page.levels, page.encoding),
        (PhysicalType::INT32 | PhysicalType::INT64, Encoding::DELTA_BINARY_PACKED) => {
            let width = if physical == PhysicalType::INT32 { 4 } else { 8 };
            let plain_values = delta_integers_to_plain(&buf[page.levels_end..], page.levels as usize, width)?;
            (after_levels(&buf[..page.levels_end], &plain_values), Encoding::PLAIN)
        }
        _ => (buf, page.encoding),
    };
    if encoding == Encoding::PLAIN {
        let held = buf.len() - page.levels_end;
        let needed = match physical {
            PhysicalType::BOOLEAN => Some(page.present.div_ceil(8)),
            PhysicalType::INT32 | PhysicalType::FLOAT => page.present.checked_mul(4),
            PhysicalType::INT64 | PhysicalType::DOUBLE => page.present.checked_mul(8),
            PhysicalType::INT96 => page.present.checked_mul(12),
            PhysicalType::FIXED_LEN_BYTE_ARRAY => usize::try_from(column.type_length()).ok().and_then(|width| page.present.checked_mul(width)),
            PhysicalType::BYTE_ARRAY => None,
        };
        if needed.is_none_or(|needed| needed > held) {
            return Err(format!("its levels say {} values are present, and it holds {held} bytes of values, fewer than they take", page.present));
        }
    }
    Ok((buf, encoding))
}

/// A page of the given levels followed by the given plain values.
fn after_levels(levels: &[u8], plain_values: &[u8]) -> Bytes {
    let mut page = Vec::with_capacity(levels.len() + plain_values.len());
    page.extend_from_slice(levels);
    page.extend_from_slice(plain_values);
    page.into()
}

/// A text column's data page in an encoding the crate decodes safely: plain
/// values, padded by [`text_values_padded`]; delta-encoded values are
/// decoded here and re-encoded as plain ones after the page's levels.
fn text_values(buf: Bytes, levels_end: usize, levels: u32, encoding: Encoding) -> std::result::Result<(Bytes, Encoding), String> {
    let limit = levels as usize;
    let plain_values = match encoding {
        Encoding::PLAIN => return Ok((text_values_padded(buf, levels_end, levels)?, encoding)),
        Encoding::DELTA_LENGTH_BYTE_ARRAY => delta_length_to_plain(&buf[levels_end..], limit)?,
        Encoding::DELTA_BYTE_ARRAY => delta_strings_to_plain(&buf[levels_end..], limit)?,
        _ => return Ok((buf, encoding)),
    };
    Ok((text_values_padded(after_levels(&buf[..levels_end], &plain_values), levels_end, levels)?, Encoding::PLAIN))
}

/// How many bytes a version 1 page's levels take at the start of `rest`.
fn v1_levels_len(rest: &[u8], max_level: i16, num_values: u32, encoding: Encoding) -> std::result::Result<usize, String> {
    let len = match encoding {
        Encoding::RLE => {
            let prefix: [u8; 4] = rest.get(..4).and_then(|p| p.try_into().ok()).ok_or("its levels are cut off")?;
            4 + usize::try_from(i32::from_le_bytes(prefix)).map_err(|_| "its levels have a negative length")?
        }
        #[allow(deprecated)]
        Encoding::BIT_PACKED => {
            let bits = u64::from(u16::BITS - (max_level as u16).leading_zeros());
            usize::try_from((u64::from(num_values) * bits).div_ceil(8)).unwrap_or(usize::MAX)
        }
        other => return Err(format!("its levels are in the {other} encoding, which no writer uses for levels")),
    };
    if len > rest.len() {
        return Err(format!("its levels take {len} bytes of the {} left", rest.len()));
    }
    Ok(len)
}

/// Checks that none of the first `count` levels in `data` is above
/// `max_level`: the crate's record reader asserts it, so a damaged level
/// would be a panic. `data` is the RLE/bit-packed hybrid of Parquet, or
/// with `msb_first` the old bit-packed encoding (one run, bits from the top).
/// Returns how many of the levels there are at `max_level`: for definition
/// levels, how many values are present.
fn levels_within(data: &[u8], max_level: i16, count: u32, msb_first: bool) -> std::result::Result<usize, String> {
    let bit_width = u16::BITS - (max_level as u16).leading_zeros();
    let count = count as usize;
    let mut at_max = 0usize;
    let mut seen_level = |level: u64, times: usize| {
        if level > max_level as u64 {
            return Err(format!("a level of {level} is above the column's {max_level}"));
        }
        if level == max_level as u64 {
            at_max += times;
        }
        Ok(())
    };
    if msb_first {
        (0..count.min(data.len() * 8 / bit_width as usize)).try_for_each(|i| seen_level(bits_at(data, i * bit_width as usize, bit_width, true), 1))?;
        return Ok(at_max);
    }
    let (mut at, mut seen) = (0usize, 0usize);
    while seen < count && at < data.len() {
        let mut header: u64 = 0;
        let mut shift = 0;
        loop {
            let byte = *data.get(at).ok_or("a run of levels has a cut-off header")?;
            at += 1;
            header |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 56 {
                return Err("a run of levels has a header too long to be one".into());
            }
        }
        if header & 1 == 1 {
            // Bit-packed groups of 8 levels; a run cut off by the page's end counts what is there.
            let bytes = usize::try_from(header >> 1).unwrap_or(usize::MAX).saturating_mul(bit_width as usize);
            let run = &data[at..at.saturating_add(bytes).min(data.len())];
            let levels = (run.len() * 8 / bit_width as usize).min(count - seen);
            (0..levels).try_for_each(|i| seen_level(bits_at(run, i * bit_width as usize, bit_width, false), 1))?;
            at += run.len();
            seen += levels;
        } else {
            let width = bit_width.div_ceil(8) as usize;
            let value = data.get(at..at + width).ok_or("a run of levels is cut off")?;
            let run = usize::try_from(header >> 1).unwrap_or(usize::MAX).min(count - seen);
            seen_level(value.iter().rev().fold(0u64, |v, &b| (v << 8) | u64::from(b)), run)?;
            at += width;
            seen += run;
        }
    }
    Ok(at_max)
}

/// The `width` bits of `data` from bit `offset`: from each byte's lowest bit
/// up (the hybrid encoding), or from its highest down.
fn bits_at(data: &[u8], offset: usize, width: u32, msb_first: bool) -> u64 {
    (0..width as usize).fold(0u64, |value, k| {
        let bit = offset + k;
        let byte = data[bit / 8];
        let set = if msb_first { byte >> (7 - bit % 8) & 1 } else { byte >> (bit % 8) & 1 };
        if msb_first {
            (value << 1) | u64::from(set)
        } else {
            value | (u64::from(set) << k)
        }
    })
}

/// How many whole length-prefixed values `buf` holds from `from` to its end,
/// or why they do not fill it exactly.
fn whole_text_values(buf: &[u8], from: usize) -> std::result::Result<usize, String> {
    let mut at = from;
    let mut values = 0;
    while at < buf.len() {
        let prefix: [u8; 4] = buf.get(at..at + 4).and_then(|p| p.try_into().ok()).ok_or("a text value's length is cut off")?;
        let len = u32::from_le_bytes(prefix) as usize;
        if len > buf.len() - at - 4 {
            return Err(format!("a text value of {len} bytes runs past the page's end"));
        }
        at += 4 + len;
        values += 1;
    }
    Ok(values)
}

/// A data page of plain text values, made safe to decode: the decoder asks
/// for one value per non-null level, and reads a length without checking
/// that one is there, so a page holding fewer values than it has levels is
/// padded with empty values up to that count. A well-formed page holds one
/// value per non-null level and is never padded where it is read; only the
/// levels know which are null, and they are the decoder's to read.
fn text_values_padded(buf: Bytes, values_start: usize, levels: u32) -> std::result::Result<Bytes, String> {
    let values = whole_text_values(&buf, values_start)?;
    let missing = (levels as usize).saturating_sub(values);
    if missing == 0 {
        return Ok(buf);
    }
    if missing > MAX_PAGE_VALUES {
        return Err(format!("it declares {levels} values and holds {values}"));
    }
    let mut padded = BytesMut::with_capacity(buf.len() + 4 * missing);
    padded.extend_from_slice(&buf);
    padded.resize(buf.len() + 4 * missing, 0);
    Ok(padded.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(values: &[&str]) -> Vec<u8> {
        values.iter().flat_map(|v| (v.len() as u32).to_le_bytes().into_iter().chain(v.bytes())).collect()
    }

    #[test]
    fn whole_values_are_counted_and_a_cut_one_is_named() {
        assert_eq!(whole_text_values(&text(&["ab", "", "cde"]), 0), Ok(3));
        assert_eq!(whole_text_values(&text(&[]), 0), Ok(0));
        let mut cut = text(&["ab"]);
        cut.extend_from_slice(&[1, 0]);
        assert_eq!(whole_text_values(&cut, 0), Err("a text value's length is cut off".into()));
        let overlong = [9, 0, 0, 0, b'x'];
        assert!(whole_text_values(&overlong, 0).unwrap_err().contains("runs past"));
        assert!(whole_text_values(&[255, 255, 255, 255], 0).unwrap_err().contains("runs past"));
    }

    #[test]
    fn a_page_with_fewer_values_than_levels_is_padded_with_empty_ones() {
        let page = Bytes::from(text(&["ab"]));
        assert_eq!(text_values_padded(page.clone(), 0, 1).unwrap(), page);
        let padded = text_values_padded(page.clone(), 0, 3).unwrap();
        assert_eq!(whole_text_values(&padded, 0), Ok(3));
        assert_eq!(&padded[..page.len()], &page[..]);
        assert!(text_values_padded(page, 0, u32::MAX).unwrap_err().contains("declares 4294967295 values"));
    }

    #[test]
    fn the_levels_at_the_maximum_are_counted_as_present_values() {
        // Five 1s in a run, three 0s in a run, then eight bit-packed levels, five of them 1.
        let hybrid = [10, 1, 6, 0, 3, 0b1011_0101];
        assert_eq!(levels_within(&hybrid, 1, 16, false), Ok(10));
        // Only the levels the page declares count: the first four bit-packed ones hold two 1s.
        assert_eq!(levels_within(&hybrid, 1, 12, false), Ok(7));
        // A run longer than the page counts up to the page's end.
        assert_eq!(levels_within(&[120, 1], 1, 7, false), Ok(7));
        // The old bit-packed encoding reads from each byte's highest bit.
        assert_eq!(levels_within(&[0b1100_0000], 1, 4, true), Ok(2));
        // With a maximum of 2, only the 2s are present values.
        assert_eq!(levels_within(&[4, 2, 4, 1], 2, 4, false), Ok(2));
        assert!(levels_within(&[4, 3], 2, 2, false).unwrap_err().contains("above the column's 2"));
    }

    #[test]
    fn levels_must_lie_inside_the_page() {
        assert_eq!(v1_levels_len(&[2, 0, 0, 0, 1, 1, 9], 1, 4, Encoding::RLE), Ok(6));
        assert!(v1_levels_len(&[9, 0, 0, 0, 1], 1, 4, Encoding::RLE).is_err());
        assert!(v1_levels_len(&[255, 255, 255, 255], 1, 4, Encoding::RLE).is_err());
        assert!(v1_levels_len(&[1, 0], 1, 4, Encoding::RLE).is_err());
        #[allow(deprecated)]
        let bit_packed = Encoding::BIT_PACKED;
        assert_eq!(v1_levels_len(&[0; 2], 3, 8, bit_packed), Ok(2));
        assert!(v1_levels_len(&[0; 1], 3, 8, bit_packed).is_err());
    }
}
