//! Input checks shared by every mutation: each turns a raw input value into a parsed domain
//! value or a BAD_INPUT naming the GraphQL field. Parsing rules live in `transferhub_schema::types`.

use crate::error::{AppError, AppResult};
use transferhub_schema::types::{
    IndustryCode, IpcSymbol, PatentApplicationNumber, PublicationNumber, RegionCode, Trl,
    ValidationError,
};

/// Maps a schema validation error onto `field`.
pub fn on_field(field: &str, e: ValidationError) -> AppError {
    AppError::BadInput {
        field: field.to_string(),
        expected_check_digit: e.expected_check_digit(),
        message: e.to_string(),
    }
}

/// Trims required text and checks its length in characters.
pub fn required_text(field: &str, value: &str, max_chars: usize) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::bad_input(field, "must not be empty"));
    }
    bounded(field, v, max_chars)?;
    Ok(v.to_string())
}

/// Trims optional text; empty becomes `None`.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => {
            bounded(field, v, max_chars)?;
            Ok(Some(v.to_string()))
        }
    }
}

fn bounded(field: &str, v: &str, max_chars: usize) -> AppResult<()> {
    let n = v.chars().count();
    if n > max_chars {
        return Err(AppError::bad_input(
            field,
            format!("is {n} characters long; at most {max_chars} allowed"),
        ));
    }
    Ok(())
}

/// Checks a list of short strings (names, keywords): count, length, no empties, no duplicates.
pub fn string_list(
    field: &str,
    values: &[String],
    max_items: usize,
    max_chars: usize,
) -> AppResult<Vec<String>> {
    if values.len() > max_items {
        return Err(AppError::bad_input(
            field,
            format!("at most {max_items} items allowed"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let f = format!("{field}[{i}]");
        let v = required_text(&f, v, max_chars)?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// Parses an optional GB/T 4754 code.
pub fn industry(field: &str, value: Option<&str>) -> AppResult<Option<IndustryCode>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => IndustryCode::parse(v)
            .map(Some)
            .map_err(|e| on_field(field, e)),
    }
}

/// Parses a list of IPC symbols into their normalised strings.
pub fn ipc_list(field: &str, values: &[String]) -> AppResult<Vec<String>> {
    if values.len() > 30 {
        return Err(AppError::bad_input(field, "at most 30 IPC symbols allowed"));
    }
    let mut out = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let s = IpcSymbol::parse(v)
            .map_err(|e| on_field(&format!("{field}[{i}]"), e))?
            .as_str()
            .to_string();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
}

/// Parses an optional GB/T 2260 code.
pub fn region(field: &str, value: Option<&str>) -> AppResult<Option<RegionCode>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => RegionCode::parse(v)
            .map(Some)
            .map_err(|e| on_field(field, e)),
    }
}

/// Checks an optional TRL level.
pub fn trl(field: &str, value: Option<i32>) -> AppResult<Option<i32>> {
    value
        .map(|v| {
            Trl::new(v as i64)
                .map(|t| t.level() as i32)
                .map_err(|e| on_field(field, e))
        })
        .transpose()
}

/// Parses a patent application number.
pub fn application_number(field: &str, value: &str) -> AppResult<PatentApplicationNumber> {
    PatentApplicationNumber::parse(value).map_err(|e| on_field(field, e))
}

/// Parses an optional publication number.
pub fn publication_number(
    field: &str,
    value: Option<&str>,
) -> AppResult<Option<PublicationNumber>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => PublicationNumber::parse(v)
            .map(Some)
            .map_err(|e| on_field(field, e)),
    }
}

/// Checks an optional amount of money in yuan.
pub fn money(field: &str, value: Option<i64>) -> AppResult<Option<i64>> {
    match value {
        Some(v) if v < 0 => Err(AppError::bad_input(field, "must not be negative")),
        Some(v) if v > 1_000_000_000_000 => Err(AppError::bad_input(field, "is implausibly large")),
        v => Ok(v),
    }
}

/// The stored industry columns (code, section, division, group) for a parsed code.
pub fn industry_levels(code: Option<&IndustryCode>) -> [Option<String>; 4] {
    match code {
        None => [None, None, None, None],
        Some(c) => {
            let s = c.as_str();
            let prefix = |n: usize| (s.len() >= n).then(|| s[..n].to_string());
            [Some(s.to_string()), prefix(1), prefix(3), prefix(4)]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_check_digit_names_field_and_expected_digit() {
        let e =
            application_number("patents[0].applicationNumber", "201710601862.5").expect_err("bad");
        match e {
            AppError::BadInput {
                field,
                expected_check_digit,
                ..
            } => {
                assert_eq!(field, "patents[0].applicationNumber");
                assert_eq!(expected_check_digit, Some('3'));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn text_rules() {
        assert!(required_text("title", "  ", 10).is_err());
        assert!(required_text("title", "一二三四五六七八九十十", 10).is_err());
        assert_eq!(
            required_text("title", " 锂电池 ", 10).expect("ok"),
            "锂电池"
        );
        assert_eq!(optional_text("x", Some(""), 5).expect("ok"), None);
        let list =
            string_list("keywords", &["a".into(), "a".into(), "b".into()], 5, 5).expect("ok");
        assert_eq!(list, vec!["a", "b"]);
    }

    #[test]
    fn industry_levels_follow_the_code() {
        let c = industry("industryCode", Some("C3841")).expect("ok");
        let [code, section, division, group] = industry_levels(c.as_ref());
        assert_eq!(code.as_deref(), Some("C3841"));
        assert_eq!(section.as_deref(), Some("C"));
        assert_eq!(division.as_deref(), Some("C38"));
        assert_eq!(group.as_deref(), Some("C384"));
    }

    #[test]
    fn numbers_and_money() {
        assert!(trl("maturity", Some(10)).is_err());
        assert_eq!(trl("maturity", Some(6)).expect("ok"), Some(6));
        assert!(money("askingPriceYuan", Some(-1)).is_err());
        assert!(region("regionCode", Some("990000")).is_err());
    }
}
