//! Text encodings of CSV files: UTF-8 (with or without a BOM) or, when the bytes are not valid
//! UTF-8, GB18030 (a superset of the GBK that Chinese spreadsheet software writes). Both the
//! check and the decoding stream in fixed-size chunks, so a million-row file never sits in memory.

use std::io::{self, BufRead, Read};

use encoding_rs::{CoderResult, Decoder, Encoding, GB18030, UTF_8};

/// Bytes read per chunk while checking a file for UTF-8.
const CHUNK: usize = 64 * 1024;

/// The encoding of a CSV file: UTF-8 when every byte is valid UTF-8 (a BOM is allowed), else
/// GB18030. Reads the whole stream in chunks, stopping at the first invalid sequence.
pub(crate) fn detect(mut input: impl Read) -> io::Result<&'static Encoding> {
    let mut buf = vec![0_u8; CHUNK + 4];
    // Bytes of a UTF-8 sequence cut by the end of the previous chunk.
    let mut carry = 0_usize;
    loop {
        let n = read_full(&mut input, &mut buf[carry..carry + CHUNK])?;
        let filled = carry + n;
        if n == 0 {
            return Ok(if carry == 0 { UTF_8 } else { GB18030 });
        }
        match std::str::from_utf8(&buf[..filled]) {
            Ok(_) => carry = 0,
            Err(e) if e.error_len().is_none() => {
                let valid = e.valid_up_to();
                buf.copy_within(valid..filled, 0);
                carry = filled - valid;
            }
            Err(_) => return Ok(GB18030),
        }
    }
}

/// Reads until `buf` is full or the stream ends, so chunk boundaries do not depend on the OS.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut total = 0;
    while total < buf.len() {
        match input.read(&mut buf[total..]) {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(total)
}

/// A `Read` of UTF-8 text decoded on the fly from `inner` in `encoding`, with a leading BOM
/// removed; the CSV parser reads from it.
pub(crate) struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    out: Vec<u8>,
    pos: usize,
    len: usize,
    done: bool,
}

impl<R: BufRead> DecodingReader<R> {
    /// Decodes `inner` from `encoding` (UTF-8 input passes through, minus its BOM).
    pub(crate) fn new(inner: R, encoding: &'static Encoding) -> Self {
        Self {
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            out: vec![0; CHUNK],
            pos: 0,
            len: 0,
            done: false,
        }
    }
}

impl<R: BufRead> Read for DecodingReader<R> {
    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.pos < self.len {
                let n = dst.len().min(self.len - self.pos);
                dst[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.done || dst.is_empty() {
                return Ok(0);
            }
            let src = self.inner.fill_buf()?;
            let last = src.is_empty();
            let (result, read, written, _) = self.decoder.decode_to_utf8(src, &mut self.out, last);
            self.inner.consume(read);
            self.pos = 0;
            self.len = written;
            if last && result == CoderResult::InputEmpty {
                self.done = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_utf8_with_and_without_bom_and_gbk() {
        assert_eq!(detect("成果名称,价格\n".as_bytes()).unwrap(), UTF_8);
        assert_eq!(detect(&b"\xEF\xBB\xBFtitle\n"[..]).unwrap(), UTF_8);
        let (gbk, _, _) = GB18030.encode("成果名称,价格\n");
        assert_eq!(detect(&gbk[..]).unwrap(), GB18030);
        assert_eq!(detect(&b""[..]).unwrap(), UTF_8);
    }

    #[test]
    fn detects_gbk_far_into_the_file_and_across_chunk_boundaries() {
        // A multi-byte UTF-8 character split by the chunk boundary is still valid UTF-8.
        let mut text = "a".repeat(CHUNK - 1);
        text.push_str("成果\n");
        assert_eq!(detect(text.as_bytes()).unwrap(), UTF_8);
        // GBK bytes after three chunks of ASCII are still found.
        let mut bytes = vec![b'a'; CHUNK * 3];
        bytes.extend_from_slice(&GB18030.encode("内蒙古").0);
        assert_eq!(detect(&bytes[..]).unwrap(), GB18030);
        // A file cut in the middle of a UTF-8 sequence is not UTF-8.
        assert_eq!(detect(&"成".as_bytes()[..2]).unwrap(), GB18030);
    }

    #[test]
    fn decodes_in_small_reads() {
        let (gbk, _, _) = GB18030.encode("成果名称,完成单位\n高效催化剂,内蒙古大学\n");
        let inner = io::BufReader::with_capacity(3, &gbk[..]);
        let mut reader = DecodingReader::new(inner, GB18030);
        let mut out = Vec::new();
        let mut buf = [0_u8; 5];
        loop {
            let n = reader.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "成果名称,完成单位\n高效催化剂,内蒙古大学\n"
        );
    }

    #[test]
    fn strips_the_utf8_bom() {
        let mut reader = DecodingReader::new(&b"\xEF\xBB\xBFtitle\n"[..], UTF_8);
        let mut s = String::new();
        reader.read_to_string(&mut s).unwrap();
        assert_eq!(s, "title\n");
    }
}
