//! Relay plumbing: opaque global ids (`node(id)`), opaque cursors and page-size rules.

use crate::error::{AppError, AppResult};
use async_graphql::connection::CursorType;
use async_graphql::ID;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Largest page any connection returns.
pub const MAX_PAGE: usize = 100;
/// Page size when `first` is omitted.
pub const DEFAULT_PAGE: usize = 20;

/// Encodes a typed global id, e.g. `Achievement:42` → opaque base64.
pub fn encode_id(kind: &str, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{id}")))
}

/// Decodes a global id into its kind and row id.
pub fn decode_any(id: &str) -> Option<(String, i64)> {
    let raw = URL_SAFE_NO_PAD.decode(id.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (kind, n) = text.split_once(':')?;
    Some((kind.to_string(), n.parse().ok()?))
}

/// Decodes a global id that must be of `kind`; anything else is BAD_INPUT on `field`.
pub fn decode_id(id: &ID, kind: &str, field: &str) -> AppResult<i64> {
    match decode_any(id) {
        Some((k, n)) if k == kind => Ok(n),
        _ => Err(AppError::bad_input(field, format!("not a valid {kind} id"))),
    }
}

/// Resolves `first` into a page size, refusing negatives and capping at [`MAX_PAGE`].
pub fn page_size(first: Option<i32>) -> AppResult<usize> {
    match first {
        None => Ok(DEFAULT_PAGE),
        Some(n) if n < 0 => Err(AppError::bad_input("first", "must not be negative")),
        Some(n) if n as usize > MAX_PAGE => Err(AppError::bad_input(
            "first",
            format!("at most {MAX_PAGE} items per page"),
        )),
        Some(n) => Ok(n as usize),
    }
}

/// A keyset cursor: the id of the last row seen (lists run newest id first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdCursor(pub i64);

/// A cursor string this API did not hand out.
#[derive(Debug, thiserror::Error)]
#[error("not a cursor returned by this API")]
pub struct BadCursor;

impl CursorType for IdCursor {
    type Error = BadCursor;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        match decode_any(s) {
            Some((k, n)) if k == "c" => Ok(IdCursor(n)),
            _ => Err(BadCursor),
        }
    }

    fn encode_cursor(&self) -> String {
        encode_id("c", self.0).0
    }
}

/// Parses an `after` argument.
pub fn parse_after(after: Option<&str>) -> AppResult<Option<i64>> {
    after
        .map(|a| {
            IdCursor::decode_cursor(a)
                .map(|c| c.0)
                .map_err(|e| AppError::bad_input("after", e.to_string()))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_kinds_are_checked() {
        let id = encode_id("Achievement", 42);
        assert_eq!(decode_id(&id, "Achievement", "id").expect("ok"), 42);
        assert!(decode_id(&id, "Need", "id").is_err());
        assert!(decode_id(&ID("garbage!".into()), "Need", "id").is_err());
    }

    #[test]
    fn page_size_is_capped() {
        assert_eq!(page_size(None).expect("default"), DEFAULT_PAGE);
        assert!(page_size(Some(101)).is_err());
        assert!(page_size(Some(-1)).is_err());
        assert_eq!(page_size(Some(100)).expect("max"), 100);
    }

    #[test]
    fn cursors_are_opaque_and_checked() {
        let c = IdCursor(7).encode_cursor();
        assert!(!c.contains('7') || c.len() > 2);
        assert_eq!(parse_after(Some(&c)).expect("ok"), Some(7));
        assert!(parse_after(Some("x")).is_err());
    }
}
