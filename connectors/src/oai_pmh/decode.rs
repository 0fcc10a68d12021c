//! Turns a response body into text before any XML is read. Chinese repositories still serve GBK:
//! the byte-order mark wins, then the XML declaration's `encoding`, then the `Content-Type`
//! charset; GBK and GB2312 are read as their superset GB18030; and a body that declares nothing
//! (or claims UTF-8) but is not valid UTF-8 is tried as GB18030 before it is refused.

use encoding_rs::{Encoding, GB18030, GBK, UTF_8};

use crate::ConnectorError;

/// How far into the body the XML declaration may end.
const DECLARATION_WINDOW: usize = 1024;

/// Decodes `body` to UTF-8 text, or says why it cannot be read as text.
pub(crate) fn decode_body(
    body: &[u8],
    content_type: Option<&str>,
) -> Result<String, ConnectorError> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(body) {
        return decode_strict(encoding, body.get(bom_len..).unwrap_or_default());
    }
    let declared = declared_encoding(body).or_else(|| content_type.and_then(charset_param));
    let Some(label) = declared else {
        return utf8_or_gb18030(body);
    };
    let encoding = Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        ConnectorError::Malformed(format!("unsupported character encoding {label:?}"))
    })?;
    if encoding == UTF_8 {
        utf8_or_gb18030(body)
    } else if encoding == GBK {
        decode_strict(GB18030, body)
    } else {
        decode_strict(encoding, body)
    }
}

/// Valid UTF-8 as is; otherwise GB18030 (an undeclared or mis-declared GBK page).
fn utf8_or_gb18030(body: &[u8]) -> Result<String, ConnectorError> {
    match std::str::from_utf8(body) {
        Ok(text) => Ok(text.to_owned()),
        Err(utf8_error) => decode_strict(GB18030, body).map_err(|_| {
            ConnectorError::Malformed(format!(
                "body is neither UTF-8 ({utf8_error}) nor GBK/GB18030"
            ))
        }),
    }
}

/// Decodes without replacement characters: a page with undecodable bytes is refused whole.
fn decode_strict(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, ConnectorError> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| text.into_owned())
        .ok_or_else(|| ConnectorError::Malformed(format!("body is not valid {}", encoding.name())))
}

/// The `encoding` pseudo-attribute of a leading `<?xml …?>` declaration.
fn declared_encoding(body: &[u8]) -> Option<String> {
    let window = body.get(..body.len().min(DECLARATION_WINDOW))?;
    if !window.starts_with(b"<?xml") {
        return None;
    }
    let end = find(window, b"?>")?;
    let declaration = window.get(..end)?;
    let at = find(declaration, b"encoding")?;
    let rest = declaration.get(at + b"encoding".len()..)?;
    let rest = trim_ascii_start(rest);
    let rest = trim_ascii_start(rest.strip_prefix(b"=")?);
    let (&quote, rest) = rest.split_first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let close = rest.iter().position(|&b| b == quote)?;
    let label = std::str::from_utf8(rest.get(..close)?).ok()?;
    Some(label.to_owned())
}

/// The `charset` parameter of a `Content-Type` header value.
fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| {
                value
                    .trim()
                    .trim_matches(|c| c == '"' || c == '\'')
                    .to_owned()
            })
            .filter(|v| !v.is_empty())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn trim_ascii_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    bytes.get(skip..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        let (bytes, _, had_errors) = GBK.encode(text);
        assert!(!had_errors);
        bytes.into_owned()
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let text = "<?xml version=\"1.0\"?><a>锂电池</a>";
        assert_eq!(decode_body(text.as_bytes(), None).unwrap(), text);
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode_body(&with_bom, None).unwrap(), text);
    }

    #[test]
    fn declared_gbk_and_gb2312_are_read_as_gb18030() {
        for label in ["GBK", "gb2312", "GB18030"] {
            let text = format!("<?xml version=\"1.0\" encoding=\"{label}\"?><a>内蒙古大学</a>");
            let bytes = gbk(&text);
            assert!(
                std::str::from_utf8(&bytes).is_err(),
                "fixture must not be UTF-8"
            );
            assert_eq!(decode_body(&bytes, None).unwrap(), text);
        }
    }

    #[test]
    fn declaration_with_single_quotes_and_spaces() {
        let text = "<?xml version='1.0' encoding = 'gbk' ?><a>稀土</a>";
        assert_eq!(declared_encoding(text.as_bytes()).as_deref(), Some("gbk"));
        assert_eq!(decode_body(&gbk(text), None).unwrap(), text);
    }

    #[test]
    fn undeclared_gbk_is_sniffed() {
        let text = "<a>乳制品加工</a>";
        assert_eq!(decode_body(&gbk(text), None).unwrap(), text);
    }

    #[test]
    fn content_type_charset_is_used_when_the_declaration_is_silent() {
        let text = "<?xml version=\"1.0\"?><a>草原</a>";
        assert_eq!(
            charset_param("text/xml; charset=\"GBK\"").as_deref(),
            Some("GBK")
        );
        assert_eq!(
            decode_body(&gbk(text), Some("text/xml; charset=GBK")).unwrap(),
            text
        );
    }

    #[test]
    fn unknown_label_and_garbage_are_refused() {
        let err = decode_body(b"<?xml version=\"1.0\" encoding=\"klingon\"?><a/>", None);
        assert!(matches!(err, Err(ConnectorError::Malformed(m)) if m.contains("klingon")));
        let err = decode_body(&[b'<', b'a', b'>', 0xFF, 0xFF, 0xFF], None);
        assert!(matches!(err, Err(ConnectorError::Malformed(_))));
    }
}
