//! How a record's metadata becomes a [`NormalisedRecord`]: the [`MetadataMapping`] trait one
//! metadata format implements, and the recognisers mappings share (script of a text, IPC and
//! GB/T 4754 codes, Chinese patent numbers, 成果类型 and 转化方式 words, GB/T 2260 codes).

use transferhub_schema::enums::{AchievementType, TransferMode};
use transferhub_schema::types::{IndustryCode, IpcSymbol, RegionCode};

use super::parse::OaiRecord;
use crate::NormalisedRecord;

/// Maps the records of one metadata format, so a repository's own schema can be plugged in.
pub trait MetadataMapping: Send + Sync {
    /// The `metadataPrefix` this mapping reads, e.g. `oai_dc`.
    fn metadata_prefix(&self) -> &str;

    /// Maps one record; `Err` says which field made it unusable and the record is rejected.
    /// The connector fills `source_record_id`, `source_datestamp` and `sets` from the header.
    fn map(&self, record: &OaiRecord) -> Result<NormalisedRecord, String>;
}

/// The script a text is written in, as far as picking 成果名称 vs English title needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    /// Contains Han characters (or is tagged `zh`).
    Chinese,
    /// Latin letters and no Han (or tagged `en`).
    English,
    /// Neither (digits, codes).
    Other,
}

/// Detects the script of `text`; an `xml:lang` of `zh*` / `en*` decides when present.
pub(crate) fn script(text: &str, lang: Option<&str>) -> Script {
    if let Some(lang) = lang.map(str::to_ascii_lowercase) {
        if lang.starts_with("zh") || lang.starts_with("chi") {
            return Script::Chinese;
        }
        if lang.starts_with("en") {
            return Script::English;
        }
    }
    if text.chars().any(is_han) {
        Script::Chinese
    } else if text.chars().any(|c| c.is_ascii_alphabetic()) {
        Script::English
    } else {
        Script::Other
    }
}

fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Splits a delimited list ("锂电池；正极材料、储能"); ASCII commas split only when `ascii_comma`,
/// because "Zhang, San" is one name.
pub(crate) fn split_list(text: &str, ascii_comma: bool) -> Vec<String> {
    text.split(|c| matches!(c, ';' | '；' | '、' | '，' | '\n') || (ascii_comma && c == ','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Drops a leading label such as "IPC：" or "专利号: ".
pub(crate) fn strip_label(text: &str) -> &str {
    match text.find([':', '：']) {
        Some(at) => {
            let label = &text[..at];
            let is_label = !label.is_empty()
                && label.chars().count() <= 12
                && !label.chars().any(|c| c.is_ascii_digit() || c == '/');
            if is_label {
                text[at..].trim_start_matches([':', '：']).trim()
            } else {
                text
            }
        }
        None => text,
    }
}

/// An IPC symbol at subclass level or deeper ("H01M", "H01M 4/525"), as the source wrote it.
pub(crate) fn ipc_code(text: &str) -> Option<String> {
    let text = strip_label(text);
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = compact.as_bytes();
    let shaped = bytes.len() >= 4
        && bytes[0].is_ascii_alphabetic()
        && bytes[1].is_ascii_digit()
        && bytes[2].is_ascii_digit()
        && bytes[3].is_ascii_alphabetic();
    (shaped && IpcSymbol::parse(text).is_ok()).then(|| text.to_owned())
}

/// A GB/T 4754 code written with its section letter ("C3841"), consistent with its division.
pub(crate) fn industry_code(text: &str) -> Option<String> {
    let text = strip_label(text);
    let mut chars = text.chars();
    let shaped = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && (3..=5).contains(&text.len())
        && chars.all(|c| c.is_ascii_digit());
    (shaped && IndustryCode::parse(text).is_ok()).then(|| text.to_owned())
}

/// What a `dc:identifier`-like value names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Identifier {
    /// A Chinese patent application number ("CN201710601862.3", "ZL 201710601862.3").
    Application(String),
    /// A Chinese publication number ("CN105338215A").
    Publication(String),
    /// A web address.
    Url(String),
}

/// Recognises patent numbers and web addresses; anything else (DOI, handle) is `None`.
pub(crate) fn identifier(text: &str) -> Option<Identifier> {
    let text = text.trim();
    if text.starts_with("http://") || text.starts_with("https://") {
        return Some(Identifier::Url(text.to_owned()));
    }
    let value = strip_label(text);
    let compact: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if is_publication_number(&compact) {
        return Some(Identifier::Publication(value.to_owned()));
    }
    if is_application_number(&compact) {
        return Some(Identifier::Application(value.to_owned()));
    }
    None
}

/// `CN` + 9 digits + kind letter (+ optional digit).
fn is_publication_number(compact: &str) -> bool {
    let Some(rest) = compact.strip_prefix("CN") else {
        return false;
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let kind = &rest[digits..];
    let kind_ok = match kind.as_bytes() {
        [k] => b"ABCUSYD".contains(k),
        [k, d] => b"ABCUSYD".contains(k) && d.is_ascii_digit(),
        _ => false,
    };
    digits == 9 && kind_ok
}

/// 12 (since 2003) or 8 (before) digits with an optional check digit; CN/ZL prefix, or the
/// `.check` form when bare.
fn is_application_number(compact: &str) -> bool {
    let (prefixed, rest) = match compact
        .strip_prefix("CN")
        .or_else(|| compact.strip_prefix("ZL"))
    {
        Some(rest) => (true, rest),
        None => (false, compact),
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let tail = &rest[digits..];
    let with_check = tail.len() == 2
        && tail.starts_with('.')
        && tail[1..].chars().all(|c| c.is_ascii_digit() || c == 'X');
    let tail_ok = with_check || (prefixed && tail.is_empty());
    let body_ok = match digits {
        12 => {
            let year_ok = rest.starts_with("19") || rest.starts_with("20");
            year_ok
                && matches!(
                    rest.as_bytes().get(4),
                    Some(b'1' | b'2' | b'3' | b'8' | b'9')
                )
        }
        8 => true,
        _ => false,
    };
    body_ok && tail_ok
}

/// 成果类型 from a type word in Chinese or English.
pub(crate) fn achievement_type(text: &str) -> Option<AchievementType> {
    let lower = text.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&["专利", "patent"]) {
        Some(AchievementType::Patent)
    } else if has(&["软件", "software"]) {
        Some(AchievementType::SoftwareCopyright)
    } else if has(&["品种", "plant variety"]) {
        Some(AchievementType::PlantVariety)
    } else if has(&["技术秘密", "know-how", "know how", "knowhow"]) {
        Some(AchievementType::KnowHow)
    } else if lower.trim() == "其他" {
        Some(AchievementType::Other)
    } else {
        None
    }
}

/// The transfer mode one word names, e.g. "独占许可" → licence.
fn transfer_mode(word: &str) -> Option<TransferMode> {
    let lower = word.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&[
        "自行投资实施",
        "自行实施",
        "self-implementation",
        "self implementation",
    ]) {
        Some(TransferMode::SelfImplementation)
    } else if has(&["作价投资", "作价入股", "equity"]) {
        Some(TransferMode::EquityInvestment)
    } else if has(&["合作实施", "joint implementation"]) {
        Some(TransferMode::JointImplementation)
    } else if has(&["转让", "assignment"]) {
        Some(TransferMode::Assignment)
    } else if has(&["许可", "licence", "license", "licensing"]) {
        Some(TransferMode::Licence)
    } else if has(&["其他协商", "其他方式", "协商确定", "negotiated"]) {
        Some(TransferMode::Other)
    } else {
        None
    }
}

/// Labels that introduce a list of transfer modes.
const MODE_LABELS: [&str; 5] = [
    "转化方式",
    "转让方式",
    "合作方式",
    "transfer mode",
    "transfer modes",
];

/// Transfer modes from a labelled line ("转化方式：许可、转让"); `None` when the line is not one.
pub(crate) fn labelled_transfer_modes(line: &str) -> Option<Vec<TransferMode>> {
    let line = line.trim();
    let at = line.find([':', '：'])?;
    let label = line[..at].trim().to_lowercase();
    if !MODE_LABELS.iter().any(|l| label == *l) {
        return None;
    }
    Some(
        modes_of(split_modes(&line[at..]))
            .into_iter()
            .flatten()
            .collect(),
    )
}

/// Transfer modes from a free-standing value (dc:rights): a label, or every word a mode.
pub(crate) fn transfer_modes(text: &str) -> Vec<TransferMode> {
    if let Some(modes) = labelled_transfer_modes(text) {
        return modes;
    }
    let words = split_modes(text);
    if words.is_empty() || !words.iter().all(|w| is_bare_mode_word(w)) {
        return Vec::new();
    }
    modes_of(words).into_iter().flatten().collect()
}

/// Qualifiers that may stand before a bare mode word ("独占许可", "专利权转让").
const MODE_QUALIFIERS: [&str; 8] = [
    "非独占",
    "独占",
    "排他",
    "普通",
    "专利权",
    "专利",
    "技术",
    "实施",
];

/// Whether `word` is nothing but a transfer-mode word (with a qualifier or "方式" at most), so
/// that free text such as "未经许可不得转载" in dc:rights is not read as a licence offer.
fn is_bare_mode_word(word: &str) -> bool {
    const BARE: [&str; 17] = [
        "自行投资实施",
        "自行实施",
        "转让",
        "许可",
        "合作实施",
        "作价投资",
        "作价入股",
        "其他协商确定的方式",
        "协商确定",
        "self-implementation",
        "assignment",
        "licence",
        "license",
        "licensing",
        "joint implementation",
        "equity investment",
        "equity",
    ];
    let lower = word.trim().to_lowercase();
    let mut rest = lower.as_str();
    if let Some(q) = MODE_QUALIFIERS.iter().find(|q| rest.starts_with(*q)) {
        rest = &rest[q.len()..];
    }
    let rest = rest.strip_suffix("方式").unwrap_or(rest);
    BARE.contains(&rest)
}

fn split_modes(text: &str) -> Vec<&str> {
    text.split(|c| {
        matches!(
            c,
            ':' | '：' | '、' | ',' | '，' | ';' | '；' | '/' | '|' | '和' | '及' | '或'
        )
    })
    .map(str::trim)
    .filter(|w| !w.is_empty())
    .collect()
}

/// Each word's mode, duplicates dropped (an unknown word is `None`).
fn modes_of(words: Vec<&str>) -> Vec<Option<TransferMode>> {
    let mut out: Vec<Option<TransferMode>> = Vec::new();
    for mode in words.into_iter().map(transfer_mode) {
        if mode.is_none() || !out.contains(&mode) {
            out.push(mode);
        }
    }
    out
}

/// The first six-digit GB/T 2260 code standing alone in `text` ("150100 呼和浩特市").
pub(crate) fn region_code(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() == 6)
        .find(|run| RegionCode::parse(run).is_ok())
        .map(str::to_owned)
}

/// Pushes `value` unless already present.
pub(crate) fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts() {
        assert_eq!(script("基于MOF的锂电池", None), Script::Chinese);
        assert_eq!(script("Lithium battery", None), Script::English);
        assert_eq!(script("2024", None), Script::Other);
        assert_eq!(script("Lithium", Some("zh-CN")), Script::Chinese);
        assert_eq!(script("锂", Some("en")), Script::English);
    }

    #[test]
    fn codes() {
        assert_eq!(ipc_code("H01M 4/525").as_deref(), Some("H01M 4/525"));
        assert_eq!(ipc_code("IPC：A61K31/495").as_deref(), Some("A61K31/495"));
        assert_eq!(ipc_code("H01M").as_deref(), Some("H01M"));
        assert_eq!(ipc_code("锂电池"), None);
        assert_eq!(ipc_code("Z01M 4/525"), None);
        assert_eq!(ipc_code("H01"), None);
        assert_eq!(industry_code("C3841").as_deref(), Some("C3841"));
        assert_eq!(industry_code("行业：C38").as_deref(), Some("C38"));
        assert_eq!(industry_code("A3841"), None, "division 38 is in section C");
        assert_eq!(industry_code("H01M"), None);
        assert_eq!(industry_code("3841"), None);
    }

    #[test]
    fn identifiers() {
        use Identifier::*;
        let app = |s: &str| Some(Application(s.to_owned()));
        assert_eq!(identifier("CN201710601862.3"), app("CN201710601862.3"));
        assert_eq!(identifier("ZL 201510703489.3"), app("ZL 201510703489.3"));
        assert_eq!(
            identifier("专利号：ZL201110296564.0"),
            app("ZL201110296564.0")
        );
        assert_eq!(identifier("CN202110123456"), app("CN202110123456"));
        assert_eq!(identifier("201710601862.3"), app("201710601862.3"));
        assert_eq!(identifier("ZL95115608.X"), app("ZL95115608.X"));
        assert_eq!(
            identifier("CN105338215A"),
            Some(Publication("CN105338215A".to_owned()))
        );
        assert_eq!(
            identifier("https://repo.example.edu/item/1"),
            Some(Url("https://repo.example.edu/item/1".to_owned()))
        );
        assert_eq!(
            identifier("201710601862"),
            None,
            "bare digits are too ambiguous"
        );
        assert_eq!(identifier("doi:10.1000/182"), None);
        assert_eq!(identifier("oai:repo:123"), None);
        assert_eq!(
            identifier("CN201750601862.3"),
            None,
            "type digit 5 does not exist"
        );
    }

    #[test]
    fn types() {
        assert_eq!(achievement_type("发明专利"), Some(AchievementType::Patent));
        assert_eq!(achievement_type("Patent"), Some(AchievementType::Patent));
        assert_eq!(
            achievement_type("计算机软件著作权"),
            Some(AchievementType::SoftwareCopyright)
        );
        assert_eq!(
            achievement_type("植物新品种"),
            Some(AchievementType::PlantVariety)
        );
        assert_eq!(achievement_type("Know-how"), Some(AchievementType::KnowHow));
        assert_eq!(achievement_type("Text"), None);
    }

    #[test]
    fn modes() {
        use TransferMode::*;
        assert_eq!(
            labelled_transfer_modes("转化方式：许可、转让"),
            Some(vec![Licence, Assignment])
        );
        assert_eq!(
            labelled_transfer_modes("Transfer modes: licence, equity"),
            Some(vec![Licence, EquityInvestment])
        );
        assert_eq!(labelled_transfer_modes("本成果转让给企业"), None);
        assert_eq!(
            transfer_modes("许可/作价投资"),
            vec![Licence, EquityInvestment]
        );
        assert_eq!(transfer_modes("自行投资实施"), vec![SelfImplementation]);
        assert!(transfer_modes("未经许可不得转载").is_empty());
        assert!(transfer_modes("Copyright 2024 内蒙古大学").is_empty());
        assert!(transfer_modes("本成果可转让").is_empty());
        assert_eq!(
            transfer_modes("独占许可；专利权转让"),
            vec![Licence, Assignment]
        );
    }

    #[test]
    fn regions_and_lists() {
        assert_eq!(region_code("150100 呼和浩特市").as_deref(), Some("150100"));
        assert_eq!(region_code("内蒙古（150000）").as_deref(), Some("150000"));
        assert_eq!(region_code("1501001"), None);
        assert_eq!(region_code("990000"), None);
        assert_eq!(
            split_list("张三；李四、王五", false),
            vec!["张三", "李四", "王五"]
        );
        assert_eq!(
            split_list("Zhang, San; Li, Si", false),
            vec!["Zhang, San", "Li, Si"]
        );
    }
}
