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

/// Checks an optional count (a cap on meetings, places): a whole number from 1 to `max`.
pub fn optional_count(field: &str, value: Option<i32>, max: i32) -> AppResult<Option<i64>> {
    match value {
        None => Ok(None),
        Some(v) if (1..=max).contains(&v) => Ok(Some(i64::from(v))),
        Some(v) => Err(AppError::bad_input(
            field,
            format!(
                "必须是 1 到 {max} 之间的整数 / must be a whole number from 1 to {max}, not {v}"
            ),
        )),
    }
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

/// Most fields (IPC symbols, industry codes) on one person's profile.
pub const MAX_PERSON_FIELDS: usize = 20;

/// Parses the IPC symbols of a person's fields: each at least a subclass (`G06F`), or a group
/// (`G06F 16/33`); duplicates dropped, normalised spelling. A bad one is BAD_INPUT naming
/// `field[i]`.
pub fn person_ipc_codes(field: &str, values: &[String]) -> AppResult<Vec<String>> {
    if values.len() > MAX_PERSON_FIELDS {
        return Err(AppError::bad_input(
            field,
            format!("最多 {MAX_PERSON_FIELDS} 个 IPC 分类号 / at most {MAX_PERSON_FIELDS} IPC symbols allowed"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let f = format!("{field}[{i}]");
        let s = IpcSymbol::parse(v)
            .map_err(|e| on_field(&f, e))?
            .as_str()
            .to_string();
        if s.len() < 4 {
            return Err(AppError::bad_input(
                f,
                format!(
                    "IPC 分类号至少写到小类 / {s} is too broad: give at least the subclass, e.g. G06F or G06F 16/33"
                ),
            ));
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
}

/// Parses a list of GB/T 4754 industry codes (`C39`, `I65`, `M7320`); duplicates dropped. A bad
/// one is BAD_INPUT naming `field[i]`.
pub fn industry_codes(field: &str, values: &[String]) -> AppResult<Vec<String>> {
    if values.len() > MAX_PERSON_FIELDS {
        return Err(AppError::bad_input(
            field,
            format!("最多 {MAX_PERSON_FIELDS} 个行业代码 / at most {MAX_PERSON_FIELDS} industry codes allowed"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let s = IndustryCode::parse(v)
            .map_err(|e| on_field(&format!("{field}[{i}]"), e))?
            .as_str()
            .to_string();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
}

/// Parses one BCP 47 language tag of the common shape: a 2–3 letter language, an optional
/// 4-letter script and an optional region (2 letters or 3 digits): `zh`, `en`, `mn-Mong`,
/// `zh-Hans-CN`, `en-GB`, `es-419`. Returns the canonical case (`zh-Hans-CN`).
pub fn language_tag(field: &str, value: &str) -> AppResult<String> {
    let v = value.trim().replace('_', "-");
    let bad = || {
        AppError::bad_input(
            field,
            format!(
                "不是语言代码 / {:?} is not a language tag; write e.g. zh, en, mn, zh-Hans or en-GB",
                value.trim()
            ),
        )
    };
    let mut parts = v.split('-');
    let lang = parts.next().unwrap_or_default();
    if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(bad());
    }
    let mut out = lang.to_ascii_lowercase();
    let mut seen_script = false;
    let mut seen_region = false;
    for p in parts {
        if !seen_script
            && !seen_region
            && p.len() == 4
            && p.bytes().all(|b| b.is_ascii_alphabetic())
        {
            seen_script = true;
            out.push('-');
            out.push_str(&p[..1].to_ascii_uppercase());
            out.push_str(&p[1..].to_ascii_lowercase());
        } else if !seen_region
            && ((p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()))
                || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit())))
        {
            seen_region = true;
            out.push('-');
            out.push_str(&p.to_ascii_uppercase());
        } else {
            return Err(bad());
        }
    }
    Ok(out)
}

/// Parses a list of language tags ([`language_tag`]), at most 10; duplicates dropped.
pub fn language_tags(field: &str, values: &[String]) -> AppResult<Vec<String>> {
    if values.len() > 10 {
        return Err(AppError::bad_input(field, "at most 10 languages allowed"));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let t = language_tag(&format!("{field}[{i}]"), v)?;
        if !out.contains(&t) {
            out.push(t);
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

/// The alphabet of 统一社会信用代码 (GB 32100-2015), in value order 0–30: digits and upper-case
/// letters without I, O, Z, S and V.
const CREDIT_CODE_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of the first 17 characters in the check (GB 32100-2015).
const CREDIT_CODE_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The check character (18th) of a unified social credit code from its first 17 characters,
/// which must be in the alphabet: c = 31 − (Σ vᵢ·wᵢ mod 31), 31 → 0.
pub fn credit_code_check_character(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut n = 0;
    for (c, w) in first17.chars().zip(CREDIT_CODE_WEIGHTS) {
        sum += CREDIT_CODE_ALPHABET.find(c)? as u32 * w;
        n += 1;
    }
    if n != 17 || first17.chars().count() != 17 {
        return None;
    }
    let c = (31 - sum % 31) % 31;
    CREDIT_CODE_ALPHABET.chars().nth(c as usize)
}

/// Checks a 统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters from
/// `0-9` and `A-Y` without I, O, Z, S, V, the last one the check character. Surrounding spaces
/// are trimmed and lower-case ASCII letters read as upper-case; anything else wrong is a
/// BAD_INPUT naming the problem (length, the first bad character and its position, or the
/// check character that would be right). Returns the normalised code.
pub fn credit_code(field: &str, value: &str) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::bad_input(field, "must not be empty"));
    }
    let code: String = v.chars().map(|c| c.to_ascii_uppercase()).collect();
    let n = code.chars().count();
    if n != 18 {
        return Err(AppError::bad_input(
            field,
            format!(
                "is {n} characters long; a unified social credit code (统一社会信用代码) has 18"
            ),
        ));
    }
    for (i, c) in code.chars().enumerate() {
        if CREDIT_CODE_ALPHABET.contains(c) {
            continue;
        }
        let pos = i + 1;
        let why = match c {
            'I' | 'O' | 'Z' | 'S' | 'V' => {
                "is not allowed (I, O, Z, S, V are never used)".to_string()
            }
            '０'..='９' => format!(
                "is a full-width digit; write the ASCII digit {}",
                char::from(b'0' + (c as u32 - '０' as u32) as u8)
            ),
            'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                "is a full-width letter; write ASCII letters".to_string()
            }
            c if c.is_whitespace() => {
                "is a space; write the 18 characters without spaces".to_string()
            }
            _ => "is not allowed (only 0-9 and A-Y without I, O, Z, S, V)".to_string(),
        };
        return Err(AppError::bad_input(
            field,
            format!("character {pos} '{c}' {why}"),
        ));
    }
    let (first17, last) = code.split_at(17);
    let expected = credit_code_check_character(first17)
        .ok_or_else(|| AppError::Internal("credit code check over a checked alphabet".into()))?;
    let given = last.chars().next().unwrap_or_default();
    if given != expected {
        return Err(AppError::BadInput {
            field: field.to_string(),
            message: format!("check character should be {expected}, not {given}"),
            expected_check_digit: Some(expected),
        });
    }
    Ok(code)
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

    fn bad(value: &str) -> String {
        match credit_code("input.creditCode", value).expect_err(value) {
            AppError::BadInput { field, message, .. } => {
                assert_eq!(field, "input.creditCode");
                message
            }
            other => panic!("{value}: unexpected {other:?}"),
        }
    }

    #[test]
    fn credit_code_worked_examples_of_domain_md_pass() {
        for (first17, check) in [
            ("91350100M000100Y4", '3'),
            ("91110000802100433", 'B'),
            ("9144030071526726X", 'G'),
        ] {
            assert_eq!(
                credit_code_check_character(first17),
                Some(check),
                "{first17}"
            );
            let full = format!("{first17}{check}");
            assert_eq!(credit_code("input.creditCode", &full).expect("valid"), full);
        }
        // Surrounding spaces and lower-case letters are read as the code.
        assert_eq!(
            credit_code("c", " 91350100m000100y43 ").expect("valid"),
            "91350100M000100Y43"
        );
    }

    #[test]
    fn credit_code_wrong_check_character_names_the_right_one() {
        assert_eq!(
            bad("91350100M000100Y44"),
            "check character should be 3, not 4"
        );
        assert_eq!(
            bad("9144030071526726XA"),
            "check character should be G, not A"
        );
        let e = credit_code("c", "91110000802100433C").expect_err("wrong");
        match e {
            AppError::BadInput {
                expected_check_digit,
                ..
            } => assert_eq!(expected_check_digit, Some('B')),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn credit_code_forbidden_letters_are_named_with_their_position() {
        for (code, pos, c) in [
            ("9135I100M000100Y43", 5, 'I'),
            ("91350100O000100Y43", 9, 'O'),
            ("91350100M000100Z43", 16, 'Z'),
            ("S1350100M000100Y43", 1, 'S'),
            ("91350100M000100Y4V", 18, 'V'),
        ] {
            assert_eq!(
                bad(code),
                format!("character {pos} '{c}' is not allowed (I, O, Z, S, V are never used)")
            );
        }
        // Lower-case forbidden letters are still forbidden.
        assert!(bad("9135i100M000100Y43").contains("'I' is not allowed"));
    }

    #[test]
    fn credit_code_of_17_or_19_characters_is_refused_by_length() {
        assert_eq!(
            bad("91350100M000100Y4"),
            "is 17 characters long; a unified social credit code (统一社会信用代码) has 18"
        );
        assert_eq!(
            bad("91350100M000100Y430"),
            "is 19 characters long; a unified social credit code (统一社会信用代码) has 18"
        );
        assert_eq!(bad("  "), "must not be empty");
    }

    #[test]
    fn credit_code_full_width_digits_are_named() {
        assert_eq!(
            bad("９1350100M000100Y43"),
            "character 1 '９' is a full-width digit; write the ASCII digit 9"
        );
        assert_eq!(
            bad("91350100M000100Y4３"),
            "character 18 '３' is a full-width digit; write the ASCII digit 3"
        );
        assert!(bad("91350100Ｍ000100Y43").contains("full-width letter"));
        assert!(bad("91350100 M00100Y43").contains("is a space"));
        assert!(bad("91350100-000100Y43").contains("only 0-9 and A-Y"));
    }

    #[test]
    fn numbers_and_money() {
        assert!(trl("maturity", Some(10)).is_err());
        assert_eq!(trl("maturity", Some(6)).expect("ok"), Some(6));
        assert!(money("askingPriceYuan", Some(-1)).is_err());
        assert!(region("regionCode", Some("990000")).is_err());
    }

    fn field_of(e: AppError) -> String {
        match e {
            AppError::BadInput { field, .. } => field,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn person_ipc_codes_need_a_subclass_and_name_the_bad_item() {
        let ok = person_ipc_codes(
            "input.ipcCodes",
            &[
                "g06f".into(),
                "G06F 16/33".into(),
                "G06F".into(),
                "A61K31/495".into(),
            ],
        )
        .expect("valid");
        assert_eq!(ok, vec!["G06F", "G06F 16/33", "A61K 31/495"]);
        let e =
            person_ipc_codes("input.ipcCodes", &["G06F".into(), "X99Z".into()]).expect_err("bad");
        assert_eq!(field_of(e), "input.ipcCodes[1]");
        let e = person_ipc_codes("input.ipcCodes", &["G06".into()]).expect_err("too broad");
        assert_eq!(field_of(e), "input.ipcCodes[0]");
        let many: Vec<String> = (0..21).map(|_| "G06F".to_string()).collect();
        assert_eq!(
            field_of(person_ipc_codes("input.ipcCodes", &many).expect_err("many")),
            "input.ipcCodes"
        );
    }

    #[test]
    fn industry_codes_follow_gb_t_4754() {
        let ok = industry_codes(
            "input.industryCodes",
            &["C39".into(), "i65".into(), "65".into()],
        )
        .expect("valid");
        assert_eq!(ok, vec!["C39", "I65"]);
        for bad in ["Z12", "C65", "C1", "C39x"] {
            let e =
                industry_codes("input.industryCodes", &["C39".into(), bad.into()]).expect_err(bad);
            assert_eq!(field_of(e), "input.industryCodes[1]", "{bad}");
        }
    }

    #[test]
    fn language_tags_are_bcp47_shaped_and_canonical() {
        for (given, want) in [
            ("zh", "zh"),
            ("EN", "en"),
            ("zh-hans", "zh-Hans"),
            ("zh_cn", "zh-CN"),
            ("zh-Hans-CN", "zh-Hans-CN"),
            ("mn-Mong", "mn-Mong"),
            ("es-419", "es-419"),
        ] {
            assert_eq!(language_tag("l", given).expect(given), want);
        }
        for bad in [
            "",
            "c",
            "chinese",
            "zh-",
            "zh-CN-Hans",
            "中文",
            "en-GB-GB",
            "z1",
        ] {
            assert!(language_tag("l", bad).is_err(), "{bad}");
        }
        let e =
            language_tags("input.languages", &["zh".into(), "english".into()]).expect_err("bad");
        assert_eq!(field_of(e), "input.languages[1]");
        assert_eq!(
            language_tags("input.languages", &["zh".into(), "ZH".into(), "en".into()]).expect("ok"),
            vec!["zh", "en"]
        );
    }
}
