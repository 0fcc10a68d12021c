//! The Chinese (and English) words sources use for achievement fields, mapped once for every
//! connector: 转化方式 words to [`TransferMode`], 成果类型 words to [`AchievementType`], 成熟度
//! words or TRLs to a level, price text such as "50万元" or "面议" to yuan, delimited lists, and
//! column / field names to the [`Field`] of [`NormalisedRecord`] they fill. Tabular files and JSON
//! APIs both go through [`apply`], so a value means the same thing whichever way it arrives.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use transferhub_schema::enums::{AchievementType, TransferMode};
use transferhub_schema::types::{Trl, ValidationError};

use crate::NormalisedRecord;

/// Why one source value could not be mapped; the connector turns it into a rejected record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// A 成果类型 word outside the vocabulary.
    #[error(
        "unknown 成果类型 {0:?}; expected 专利, 软件著作权, 植物新品种, 技术秘密 or 其他 \
         (or PATENT, SOFTWARE_COPYRIGHT, PLANT_VARIETY, KNOW_HOW, OTHER)"
    )]
    UnknownType(String),
    /// A 转化方式 word outside the vocabulary.
    #[error(
        "unknown 转化方式 {0:?}; expected 自行投资实施, 转让, 许可, 合作实施, 作价投资 or \
         其他协商确定的方式"
    )]
    UnknownTransferMode(String),
    /// A 成熟度 that is neither a TRL nor a known stage word.
    #[error("bad 成熟度: {0}")]
    Trl(ValidationError),
    /// A price that is neither an amount nor 面议.
    #[error("price {input:?} is not an amount in yuan or 面议: {reason}")]
    Price {
        /// The text as given.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A date that is neither RFC 3339 nor `YYYY-MM-DD[ HH:MM:SS]`.
    #[error("date {0:?} is neither RFC 3339 nor YYYY-MM-DD[ HH:MM:SS]")]
    Datestamp(String),
}

/// A field of [`NormalisedRecord`] that a column or a JSON pointer can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// `source_record_id`
    SourceRecordId,
    /// `source_datestamp`
    SourceDatestamp,
    /// `sets`
    Sets,
    /// `title`
    Title,
    /// `title_en`
    TitleEn,
    /// `achievement_type`
    AchievementType,
    /// `institutions`
    Institutions,
    /// `inventors`
    Inventors,
    /// `summary`
    Summary,
    /// `summary_en`
    SummaryEn,
    /// `keywords`
    Keywords,
    /// `industry_code`
    IndustryCode,
    /// `ipc_codes`
    IpcCodes,
    /// `trl`
    Trl,
    /// `transfer_modes`
    TransferModes,
    /// `asking_price_yuan`
    AskingPriceYuan,
    /// `contact_name`
    ContactName,
    /// `contact_phone`
    ContactPhone,
    /// `contact_email`
    ContactEmail,
    /// `region_code`
    RegionCode,
    /// `patent_numbers`
    PatentNumbers,
    /// `publication_numbers`
    PublicationNumbers,
    /// `source_url`
    SourceUrl,
}

impl Field {
    /// Every field, in [`NormalisedRecord`] order, so configuration errors can list the choices.
    pub const ALL: [Field; 23] = [
        Self::SourceRecordId,
        Self::SourceDatestamp,
        Self::Sets,
        Self::Title,
        Self::TitleEn,
        Self::AchievementType,
        Self::Institutions,
        Self::Inventors,
        Self::Summary,
        Self::SummaryEn,
        Self::Keywords,
        Self::IndustryCode,
        Self::IpcCodes,
        Self::Trl,
        Self::TransferModes,
        Self::AskingPriceYuan,
        Self::ContactName,
        Self::ContactPhone,
        Self::ContactEmail,
        Self::RegionCode,
        Self::PatentNumbers,
        Self::PublicationNumbers,
        Self::SourceUrl,
    ];

    /// The [`NormalisedRecord`] field name, as mapping files and JSON API configs spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::SourceRecordId => "source_record_id",
            Self::SourceDatestamp => "source_datestamp",
            Self::Sets => "sets",
            Self::Title => "title",
            Self::TitleEn => "title_en",
            Self::AchievementType => "achievement_type",
            Self::Institutions => "institutions",
            Self::Inventors => "inventors",
            Self::Summary => "summary",
            Self::SummaryEn => "summary_en",
            Self::Keywords => "keywords",
            Self::IndustryCode => "industry_code",
            Self::IpcCodes => "ipc_codes",
            Self::Trl => "trl",
            Self::TransferModes => "transfer_modes",
            Self::AskingPriceYuan => "asking_price_yuan",
            Self::ContactName => "contact_name",
            Self::ContactPhone => "contact_phone",
            Self::ContactEmail => "contact_email",
            Self::RegionCode => "region_code",
            Self::PatentNumbers => "patent_numbers",
            Self::PublicationNumbers => "publication_numbers",
            Self::SourceUrl => "source_url",
        }
    }

    /// Parses a field name from configuration: the [`NormalisedRecord`] name or a short alias
    /// (`type`, `price`, `maturity`, `region`, `id`, `phone`, `email`, `patents` …).
    pub fn from_name(name: &str) -> Option<Field> {
        let key = normalise_header(name);
        if let Some(field) = Self::ALL.into_iter().find(|f| f.name() == key) {
            return Some(field);
        }
        let field = match key.as_str() {
            "id" | "record_id" => Self::SourceRecordId,
            "datestamp" | "updated_at" | "updated" => Self::SourceDatestamp,
            "type" => Self::AchievementType,
            "institution" | "organisation" | "organization" => Self::Institutions,
            "inventor" | "authors" | "author" => Self::Inventors,
            "keyword" => Self::Keywords,
            "industry" => Self::IndustryCode,
            "ipc" | "ipc_code" => Self::IpcCodes,
            "maturity" => Self::Trl,
            "transfer_mode" | "modes" => Self::TransferModes,
            "price" | "asking_price" => Self::AskingPriceYuan,
            "contact" => Self::ContactName,
            "phone" => Self::ContactPhone,
            "email" | "e_mail" => Self::ContactEmail,
            "region" => Self::RegionCode,
            "patents" | "patent_number" | "application_number" | "application_numbers" => {
                Self::PatentNumbers
            }
            "publication_number" => Self::PublicationNumbers,
            "url" => Self::SourceUrl,
            _ => return None,
        };
        Some(field)
    }

    /// The field a column header names by default: the Chinese headers catalogs use
    /// (成果名称, 完成单位, 成熟度, 转化方式, 意向价格 …) and the English field names.
    /// Headers are compared after trimming, width folding, dropping `*` required-markers and a
    /// bracketed hint such as "（万元）".
    pub fn from_header(header: &str) -> Option<Field> {
        let key = normalise_header(header);
        let field = match key.as_str() {
            "成果名称" | "项目名称" | "名称" | "成果名" | "标题" | "专利名称" | "name" => {
                Self::Title
            }
            "英文名称" | "英文标题" | "english_title" => Self::TitleEn,
            "成果类型" | "类型" | "成果类别" => Self::AchievementType,
            "完成单位" | "所属单位" | "单位" | "成果完成单位" | "专利权人" | "权利人"
            | "institutions" => Self::Institutions,
            "完成人" | "发明人" | "负责人" | "成果完成人" | "发明人/设计人" | "项目负责人" => {
                Self::Inventors
            }
            "成果简介" | "简介" | "摘要" | "成果介绍" | "项目简介" | "abstract" | "description" => {
                Self::Summary
            }
            "英文简介" | "英文摘要" | "english_summary" => Self::SummaryEn,
            "关键词" | "关键字" => Self::Keywords,
            "技术领域" | "行业代码" | "国民经济行业" | "行业分类" | "所属行业" => {
                Self::IndustryCode
            }
            "ipc" | "ipc分类号" | "分类号" | "主分类号" | "ipc主分类号" => {
                Self::IpcCodes
            }
            "成熟度" | "技术成熟度" | "成熟程度" | "成果成熟度" => Self::Trl,
            "转化方式" | "合作方式" | "交易方式" | "转让方式" => {
                Self::TransferModes
            }
            "价格" | "意向价格" | "转让价格" | "交易价格" | "参考价格" => {
                Self::AskingPriceYuan
            }
            "联系人" => Self::ContactName,
            "联系电话" | "电话" | "手机" | "联系方式" => Self::ContactPhone,
            "邮箱" | "电子邮箱" | "电子邮件" | "联系邮箱" => Self::ContactEmail,
            "专利号" | "申请号" | "专利申请号" => Self::PatentNumbers,
            "公开号" | "公告号" | "公开公告号" | "公开(公告)号" => {
                Self::PublicationNumbers
            }
            "地区" | "行政区划代码" | "所在地区" | "地区代码" => Self::RegionCode,
            "编号" | "成果编号" | "id" => Self::SourceRecordId,
            "链接" | "网址" => Self::SourceUrl,
            "更新时间" | "更新日期" => Self::SourceDatestamp,
            _ => return Self::from_name(header),
        };
        Some(field)
    }

    /// Whether the field holds a list (values split on 、，,；; and appended).
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Self::Sets
                | Self::Institutions
                | Self::Inventors
                | Self::Keywords
                | Self::IpcCodes
                | Self::TransferModes
                | Self::PatentNumbers
                | Self::PublicationNumbers
        )
    }
}

/// The header as compared: trimmed, ASCII-width, lower case, `*` markers and a bracketed hint
/// dropped, inner spaces and dashes as `_`.
pub fn normalise_header(header: &str) -> String {
    let folded = fold_width(header.trim_start_matches('\u{FEFF}'));
    let mut s = folded.trim().trim_matches('*').trim().to_lowercase();
    // A trailing hint in brackets, e.g. "价格（万元）" or "成熟度 (TRL)".
    if let Some(open) = s.rfind(['(', '[', '【']) {
        if open > 0 && s.ends_with([')', ']', '】']) {
            s.truncate(open);
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in s.trim().chars() {
        if c.is_whitespace() || c == '-' {
            gap = true;
        } else {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.push(c);
        }
    }
    out
}

/// The bracketed hint of a header (`价格（万元）` → `万元`), which can carry the value's unit.
pub fn header_hint(header: &str) -> Option<String> {
    let folded = fold_width(header.trim());
    let s = folded.trim().trim_end_matches('*').trim();
    let open = s.rfind(['(', '[', '【'])?;
    let inner = s[open..]
        .trim_start_matches(['(', '[', '【'])
        .trim_end_matches([')', ']', '】'])
        .trim();
    (!inner.is_empty() && s.ends_with([')', ']', '】'])).then(|| inner.to_owned())
}

/// Maps full-width ASCII forms (０-９, Ａ-Ｚ, ，, （ …) to ASCII and the ideographic space to ' '.
pub fn fold_width(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Splits a delimited list on 、，,；;｜| and line breaks, trimming and dropping empty and
/// repeated entries.
pub fn split_list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for piece in text.split(['、', '，', ',', '；', ';', '|', '｜', '\n', '\r']) {
        let piece = piece.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
        if !piece.is_empty() && !out.iter().any(|p| p == piece) {
            out.push(piece.to_owned());
        }
    }
    out
}

/// Like [`split_list`], and also splits on spaces between CJK words ("张三 李四"), the way
/// names and keywords are often typed; "machine learning" stays one entry.
pub fn split_names(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for piece in split_list(text) {
        let words: Vec<&str> = piece.split_whitespace().collect();
        let parts = if words.len() > 1 && words.iter().all(|w| w.chars().any(is_cjk)) {
            words.into_iter().map(str::to_owned).collect()
        } else {
            vec![piece]
        };
        for p in parts {
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// Whether `c` is a CJK ideograph (the ranges Chinese names and terms use).
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{20000}'..='\u{2FA1F}')
}

/// The word compared against the vocabularies: width-folded, without any whitespace, lower case.
fn word_key(word: &str) -> String {
    fold_width(word)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

/// Maps a 成果类型 word ("发明专利", "软著", "植物新品种", "PATENT" …) to [`AchievementType`].
pub fn achievement_type(word: &str) -> Option<AchievementType> {
    let key = word_key(word);
    let t = match key.as_str() {
        "专利" | "发明专利" | "实用新型" | "实用新型专利" | "外观设计" | "外观设计专利"
        | "发明" | "patent" => AchievementType::Patent,
        "软件著作权"
        | "软著"
        | "计算机软件著作权"
        | "软件"
        | "著作权"
        | "software_copyright"
        | "software" => AchievementType::SoftwareCopyright,
        "植物新品种" | "新品种" | "品种" | "植物品种" | "plant_variety" => {
            AchievementType::PlantVariety
        }
        "技术秘密" | "专有技术" | "非专利技术" | "know_how" | "know-how" | "knowhow" => {
            AchievementType::KnowHow
        }
        "其他" | "其它" | "other" => AchievementType::Other,
        _ => return None,
    };
    Some(t)
}

/// Maps one 转化方式 word ("转让", "普通许可", "作价入股", "LICENCE" …) to [`TransferMode`].
pub fn transfer_mode(word: &str) -> Option<TransferMode> {
    let key = word_key(word);
    let key = key.strip_suffix("方式").unwrap_or(&key);
    let mode = match key {
        "自行投资实施" | "自行实施" | "自行投资" | "self_implementation" => {
            TransferMode::SelfImplementation
        }
        "转让" | "技术转让" | "专利转让" | "成果转让" | "专利权转让" | "assignment" => {
            TransferMode::Assignment
        }
        "许可" | "技术许可" | "专利许可" | "许可使用" | "实施许可" | "普通许可" | "独占许可"
        | "排他许可" | "licence" | "license" | "licensing" => TransferMode::Licence,
        "合作实施" | "合作开发" | "技术合作" | "合作" | "产学研合作" | "joint_implementation" => {
            TransferMode::JointImplementation
        }
        "作价投资" | "作价入股" | "技术入股" | "入股" | "equity_investment" => {
            TransferMode::EquityInvestment
        }
        "其他"
        | "其它"
        | "其他协商确定的方式"
        | "其他协商确定的"
        | "协商"
        | "协商确定"
        | "面议"
        | "other" => TransferMode::Other,
        _ => return None,
    };
    Some(mode)
}

/// Maps a delimited 转化方式 list ("转让、许可") to modes in the order given, without repeats.
pub fn transfer_modes(text: &str) -> Result<Vec<TransferMode>, ValueError> {
    let mut modes = Vec::new();
    for word in split_list(text) {
        let mode = transfer_mode(&word).ok_or(ValueError::UnknownTransferMode(word))?;
        if !modes.contains(&mode) {
            modes.push(mode);
        }
    }
    Ok(modes)
}

/// Stage wordings seen on listing sites, each mapped to the schema's stage word it means.
const STAGE_SYNONYMS: [(&str, &str); 16] = [
    ("研发阶段", "正在研发"),
    ("研发中", "正在研发"),
    ("实验室阶段", "正在研发"),
    ("小试", "通过小试"),
    ("小试阶段", "通过小试"),
    ("已完成小试", "通过小试"),
    ("样品", "已有样品"),
    ("已有样机", "已有样品"),
    ("样机", "已有样品"),
    ("中试", "通过中试"),
    ("中试阶段", "通过中试"),
    ("已完成中试", "通过中试"),
    ("量产", "可以量产"),
    ("已量产", "可以量产"),
    ("批量生产", "可以量产"),
    ("产业化", "可以量产"),
];

/// Maps a 成熟度 text to TRL 1–9: "6", "TRL6", stage words (通过中试 → 6, and wordings such
/// as 中试阶段), or the GB/T 22900 description of a level.
pub fn trl(text: &str) -> Result<u8, ValueError> {
    let key = word_key(text);
    if let Some((_, stage)) = STAGE_SYNONYMS.iter().find(|(w, _)| *w == key) {
        if let Some(t) = Trl::from_stage(stage) {
            return Ok(t.level());
        }
    }
    match Trl::parse(text) {
        Ok(t) => Ok(t.level()),
        Err(e) => {
            for level in 1..=9 {
                if let Ok(t) = Trl::new(level) {
                    if word_key(t.label_zh()) == key {
                        return Ok(t.level());
                    }
                }
            }
            Err(ValueError::Trl(e))
        }
    }
}

/// Words meaning the price is open to negotiation (面议) or not stated.
const NEGOTIABLE: [&str; 12] = [
    "面议",
    "价格面议",
    "议价",
    "可议",
    "协商",
    "协商定价",
    "双方协商",
    "待定",
    "暂无",
    "无",
    "-",
    "/",
];

/// Parses a price into whole yuan: "50万元" → 500,000, "1,200,000元" → 1,200,000, "¥3.5万",
/// "2亿元", "免费" → 0; 面议 (and 协商, 待定, empty) → `None`. Fractions round to the nearest yuan.
pub fn price_yuan(text: &str) -> Result<Option<i64>, ValueError> {
    let bad = |reason| ValueError::Price {
        input: text.trim().to_owned(),
        reason,
    };
    let folded: String = fold_width(text)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',' && *c != '，')
        .collect();
    let lower = folded.to_lowercase();
    if lower.is_empty() || NEGOTIABLE.contains(&lower.as_str()) || lower == "—" {
        return Ok(None);
    }
    if lower == "免费" {
        return Ok(Some(0));
    }
    let mut s = lower.as_str();
    for prefix in ["人民币", "rmb", "cny", "¥", "￥", "约"] {
        s = s.strip_prefix(prefix).unwrap_or(s);
    }
    s = s.strip_suffix("整").unwrap_or(s);
    s = s.strip_suffix("人民币").unwrap_or(s);
    s = s.strip_suffix("元").unwrap_or(s);
    s = s.strip_suffix("rmb").unwrap_or(s);
    s = s.strip_suffix("cny").unwrap_or(s);
    let (number, multiplier): (&str, i128) = if let Some(n) = s.strip_suffix("万") {
        (n, 10_000)
    } else if let Some(n) = s.strip_suffix("亿") {
        (n, 100_000_000)
    } else if let Some(n) = s.strip_suffix("千") {
        (n, 1_000)
    } else {
        (s, 1)
    };
    if number.is_empty() {
        return Err(bad("no amount"));
    }
    if number.starts_with('-') {
        return Err(bad("a price cannot be negative"));
    }
    if number.contains(['-', '~', '～', '至']) {
        return Err(bad("a range; give one amount or 面议"));
    }
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    let digits_only = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() && frac_part.is_empty()
        || !digits_only(int_part)
        || !digits_only(frac_part)
    {
        return Err(bad("not a number"));
    }
    if int_part.len() > 20 || frac_part.len() > 12 {
        return Err(bad("too many digits"));
    }
    let int: i128 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().map_err(|_| bad("not a number"))?
    };
    let frac: i128 = if frac_part.is_empty() {
        0
    } else {
        frac_part.parse().map_err(|_| bad("not a number"))?
    };
    let scale = 10_i128.pow(u32::try_from(frac_part.len()).unwrap_or(0));
    // Rounds half up: (int + frac/scale) * multiplier, in integers.
    let numerator = (int * scale + frac) * multiplier;
    let yuan = (numerator * 2 + scale) / (scale * 2);
    i64::try_from(yuan).map(Some).map_err(|_| bad("too large"))
}

/// Parses a source date: RFC 3339, or `YYYY-MM-DD[ HH:MM[:SS]]` / `YYYY/MM/DD` read as China
/// Standard Time (UTC+8), the zone Chinese catalogs mean when they write none.
pub fn datestamp(text: &str) -> Result<DateTime<Utc>, ValueError> {
    let s = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d.with_timezone(&Utc));
    }
    let cst = FixedOffset::east_opt(8 * 3600).ok_or_else(|| ValueError::Datestamp(s.into()))?;
    let s2 = s.replace('/', "-");
    let naive = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&s2, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(&s2, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .ok_or_else(|| ValueError::Datestamp(s.into()))?;
    cst.from_local_datetime(&naive)
        .single()
        .map(|d| d.with_timezone(&Utc))
        .ok_or_else(|| ValueError::Datestamp(s.into()))
}

/// Puts one source value into `record`. Empty values are skipped; list fields are split and
/// appended; a scalar field keeps the first non-empty value it was given.
pub fn apply(record: &mut NormalisedRecord, field: Field, value: &str) -> Result<(), ValueError> {
    let value = value.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    if value.is_empty() {
        return Ok(());
    }
    fn set_text(slot: &mut String, value: &str) {
        if slot.is_empty() {
            *slot = value.to_owned();
        }
    }
    fn set_opt(slot: &mut Option<String>, value: &str) {
        if slot.is_none() {
            *slot = Some(value.to_owned());
        }
    }
    fn extend(list: &mut Vec<String>, values: Vec<String>) {
        for v in values {
            if !list.contains(&v) {
                list.push(v);
            }
        }
    }
    match field {
        Field::SourceRecordId => set_text(&mut record.source_record_id, value),
        Field::SourceDatestamp => {
            if record.source_datestamp.is_none() {
                record.source_datestamp = Some(datestamp(value)?);
            }
        }
        Field::Sets => extend(&mut record.sets, split_list(value)),
        Field::Title => set_text(&mut record.title, value),
        Field::TitleEn => set_opt(&mut record.title_en, value),
        Field::AchievementType => {
            let t = achievement_type(value).ok_or_else(|| ValueError::UnknownType(value.into()))?;
            record.achievement_type.get_or_insert(t);
        }
        Field::Institutions => extend(&mut record.institutions, split_list(value)),
        Field::Inventors => extend(&mut record.inventors, split_names(value)),
        Field::Summary => set_text(&mut record.summary, value),
        Field::SummaryEn => set_opt(&mut record.summary_en, value),
        Field::Keywords => extend(&mut record.keywords, split_names(value)),
        Field::IndustryCode => set_opt(&mut record.industry_code, value),
        Field::IpcCodes => extend(&mut record.ipc_codes, split_list(value)),
        Field::Trl => {
            let level = trl(value)?;
            record.trl.get_or_insert(level);
        }
        Field::TransferModes => {
            for mode in transfer_modes(value)? {
                if !record.transfer_modes.contains(&mode) {
                    record.transfer_modes.push(mode);
                }
            }
        }
        Field::AskingPriceYuan => {
            let price = price_yuan(value)?;
            if record.asking_price_yuan.is_none() {
                record.asking_price_yuan = price;
            }
        }
        Field::ContactName => set_opt(&mut record.contact_name, value),
        Field::ContactPhone => set_opt(&mut record.contact_phone, value),
        Field::ContactEmail => set_opt(&mut record.contact_email, value),
        Field::RegionCode => set_opt(&mut record.region_code, value),
        Field::PatentNumbers => extend(&mut record.patent_numbers, split_list(value)),
        Field::PublicationNumbers => extend(&mut record.publication_numbers, split_list(value)),
        Field::SourceUrl => set_opt(&mut record.source_url, value),
    }
    Ok(())
}

/// Puts one element of a source-side list (a JSON array item) into `record`: list fields take
/// it whole, without splitting on delimiters; scalar fields behave as in [`apply`].
pub fn apply_one(
    record: &mut NormalisedRecord,
    field: Field,
    value: &str,
) -> Result<(), ValueError> {
    let value = value.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    if value.is_empty() {
        return Ok(());
    }
    fn push(list: &mut Vec<String>, value: &str) {
        if !list.iter().any(|v| v == value) {
            list.push(value.to_owned());
        }
    }
    match field {
        Field::Sets => push(&mut record.sets, value),
        Field::Institutions => push(&mut record.institutions, value),
        Field::Inventors => push(&mut record.inventors, value),
        Field::Keywords => push(&mut record.keywords, value),
        Field::IpcCodes => push(&mut record.ipc_codes, value),
        Field::PatentNumbers => push(&mut record.patent_numbers, value),
        Field::PublicationNumbers => push(&mut record.publication_numbers, value),
        // Mode words never contain a delimiter, so a "转让、许可" item splits safely.
        _ => return apply(record, field, value),
    }
    Ok(())
}

/// Fills what follows from the rest of a mapped record: PATENT when a patent number is present
/// and the source gave no type.
pub fn complete(record: &mut NormalisedRecord) {
    if record.achievement_type.is_none()
        && !(record.patent_numbers.is_empty() && record.publication_numbers.is_empty())
    {
        record.achievement_type = Some(AchievementType::Patent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_mode_words() {
        assert_eq!(transfer_mode("转让"), Some(TransferMode::Assignment));
        assert_eq!(transfer_mode("技术转让"), Some(TransferMode::Assignment));
        assert_eq!(transfer_mode("普通许可"), Some(TransferMode::Licence));
        assert_eq!(transfer_mode("许可"), Some(TransferMode::Licence));
        assert_eq!(
            transfer_mode("作价入股"),
            Some(TransferMode::EquityInvestment)
        );
        assert_eq!(
            transfer_mode("作价投资"),
            Some(TransferMode::EquityInvestment)
        );
        assert_eq!(
            transfer_mode("合作实施"),
            Some(TransferMode::JointImplementation)
        );
        assert_eq!(
            transfer_mode("自行投资实施"),
            Some(TransferMode::SelfImplementation)
        );
        assert_eq!(
            transfer_mode("其他协商确定的方式"),
            Some(TransferMode::Other)
        );
        assert_eq!(transfer_mode("LICENCE"), Some(TransferMode::Licence));
        assert_eq!(transfer_mode(" 许 可 "), Some(TransferMode::Licence));
        assert_eq!(transfer_mode("技术服务"), None);
        for mode in TransferMode::ALL {
            assert_eq!(transfer_mode(mode.label_zh()), Some(mode), "{mode:?}");
        }
    }

    #[test]
    fn transfer_mode_lists_keep_order_and_drop_repeats() {
        assert_eq!(
            transfer_modes("转让、许可；作价投资,许可"),
            Ok(vec![
                TransferMode::Assignment,
                TransferMode::Licence,
                TransferMode::EquityInvestment
            ])
        );
        assert_eq!(transfer_modes(""), Ok(vec![]));
        assert_eq!(
            transfer_modes("转让、技术服务"),
            Err(ValueError::UnknownTransferMode("技术服务".into()))
        );
    }

    #[test]
    fn achievement_type_words() {
        for t in [
            AchievementType::Patent,
            AchievementType::SoftwareCopyright,
            AchievementType::PlantVariety,
            AchievementType::KnowHow,
            AchievementType::Other,
        ] {
            assert_eq!(achievement_type(t.label_zh()), Some(t));
        }
        assert_eq!(achievement_type("发明专利"), Some(AchievementType::Patent));
        assert_eq!(achievement_type("PATENT"), Some(AchievementType::Patent));
        assert_eq!(
            achievement_type("SOFTWARE_COPYRIGHT"),
            Some(AchievementType::SoftwareCopyright)
        );
        assert_eq!(
            achievement_type("软著"),
            Some(AchievementType::SoftwareCopyright)
        );
        assert_eq!(achievement_type("论文"), None);
    }

    #[test]
    fn trl_from_numbers_stage_words_and_labels() {
        assert_eq!(trl("6"), Ok(6));
        assert_eq!(trl("TRL 7"), Ok(7));
        assert_eq!(trl("通过中试"), Ok(6));
        assert_eq!(trl("中试阶段"), Ok(6));
        assert_eq!(trl("正在研发"), Ok(3));
        assert_eq!(trl("可以量产"), Ok(8));
        assert_eq!(trl("已量产"), Ok(8));
        assert_eq!(trl("相关环境中系统样机演示"), Ok(6));
        assert!(matches!(trl("10"), Err(ValueError::Trl(_))));
        assert!(matches!(trl("很成熟"), Err(ValueError::Trl(_))));
    }

    #[test]
    fn prices_in_yuan() {
        assert_eq!(price_yuan("50万元"), Ok(Some(500_000)));
        assert_eq!(price_yuan("50万"), Ok(Some(500_000)));
        assert_eq!(price_yuan("50 万元"), Ok(Some(500_000)));
        assert_eq!(price_yuan("1.5万元"), Ok(Some(15_000)));
        assert_eq!(price_yuan("1,200,000元"), Ok(Some(1_200_000)));
        assert_eq!(price_yuan("1200000"), Ok(Some(1_200_000)));
        assert_eq!(price_yuan("¥3.5万"), Ok(Some(35_000)));
        assert_eq!(price_yuan("￥８０００元"), Ok(Some(8_000)));
        assert_eq!(price_yuan("人民币2亿元"), Ok(Some(200_000_000)));
        assert_eq!(price_yuan("1200.5元"), Ok(Some(1_201)));
        assert_eq!(price_yuan("1200.4"), Ok(Some(1_200)));
        assert_eq!(price_yuan("0.00123万元"), Ok(Some(12)));
        assert_eq!(price_yuan("免费"), Ok(Some(0)));
        assert_eq!(price_yuan("面议"), Ok(None));
        assert_eq!(price_yuan(" 价格面议 "), Ok(None));
        assert_eq!(price_yuan(""), Ok(None));
        assert_eq!(price_yuan("协商"), Ok(None));
    }

    #[test]
    fn bad_prices_name_the_problem() {
        for (input, reason) in [
            ("五十万", "not a number"),
            ("50-100万元", "a range; give one amount or 面议"),
            ("-5元", "a price cannot be negative"),
            ("万元", "no amount"),
            ("1.2.3元", "not a number"),
            ("99999999999999999999亿", "too large"),
        ] {
            assert_eq!(
                price_yuan(input),
                Err(ValueError::Price {
                    input: input.into(),
                    reason
                }),
                "{input}"
            );
        }
    }

    #[test]
    fn lists_split_on_chinese_and_ascii_delimiters() {
        assert_eq!(
            split_list("内蒙古大学、内蒙古农业大学，包头医学院;  内蒙古大学"),
            vec!["内蒙古大学", "内蒙古农业大学", "包头医学院"]
        );
        assert_eq!(
            split_list("A61K 31/495；C07D 401/12"),
            vec!["A61K 31/495", "C07D 401/12"]
        );
        assert_eq!(split_list(" , ;"), Vec::<String>::new());
        assert_eq!(split_names("张三 李四、王五"), vec!["张三", "李四", "王五"]);
        assert_eq!(
            split_names("machine learning, 纳米"),
            vec!["machine learning", "纳米"]
        );
    }

    #[test]
    fn headers_map_to_fields() {
        assert_eq!(Field::from_header("成果名称"), Some(Field::Title));
        assert_eq!(Field::from_header(" 成果名称* "), Some(Field::Title));
        assert_eq!(Field::from_header("项目名称"), Some(Field::Title));
        assert_eq!(Field::from_header("Title"), Some(Field::Title));
        assert_eq!(Field::from_header("完成单位"), Some(Field::Institutions));
        assert_eq!(Field::from_header("发明人"), Some(Field::Inventors));
        assert_eq!(
            Field::from_header("意向价格（万元）"),
            Some(Field::AskingPriceYuan)
        );
        assert_eq!(Field::from_header("IPC分类号"), Some(Field::IpcCodes));
        assert_eq!(Field::from_header("ipc"), Some(Field::IpcCodes));
        assert_eq!(
            Field::from_header("公开（公告）号"),
            Some(Field::PublicationNumbers)
        );
        assert_eq!(Field::from_header("技术成熟度"), Some(Field::Trl));
        assert_eq!(Field::from_header("行政区划代码"), Some(Field::RegionCode));
        assert_eq!(Field::from_header("ID"), Some(Field::SourceRecordId));
        assert_eq!(Field::from_header("type"), Some(Field::AchievementType));
        assert_eq!(
            Field::from_header("asking_price_yuan"),
            Some(Field::AskingPriceYuan)
        );
        assert_eq!(Field::from_header("English Title"), Some(Field::TitleEn));
        assert_eq!(Field::from_header("备注"), None);
        assert_eq!(header_hint("意向价格（万元）").as_deref(), Some("万元"));
        assert_eq!(header_hint("意向价格"), None);
    }

    #[test]
    fn field_names_round_trip() {
        for f in Field::ALL {
            assert_eq!(Field::from_name(f.name()), Some(f));
        }
        assert_eq!(Field::from_name("price"), Some(Field::AskingPriceYuan));
        assert_eq!(Field::from_name("type"), Some(Field::AchievementType));
        assert_eq!(Field::from_name("nonsense"), None);
    }

    #[test]
    fn apply_fills_scalars_once_and_appends_lists() {
        let mut r = NormalisedRecord::default();
        apply(&mut r, Field::Title, "  高效催化剂 ").unwrap();
        apply(&mut r, Field::Title, "ignored").unwrap();
        apply(&mut r, Field::Inventors, "张三、李四").unwrap();
        apply(&mut r, Field::Inventors, "李四，王五").unwrap();
        apply(&mut r, Field::TransferModes, "转让、许可").unwrap();
        apply(&mut r, Field::AskingPriceYuan, "50万元").unwrap();
        apply(&mut r, Field::Trl, "通过中试").unwrap();
        apply(&mut r, Field::PatentNumbers, "201710601862.3").unwrap();
        apply(&mut r, Field::Summary, "").unwrap();
        complete(&mut r);
        assert_eq!(r.title, "高效催化剂");
        assert_eq!(r.inventors, vec!["张三", "李四", "王五"]);
        assert_eq!(
            r.transfer_modes,
            vec![TransferMode::Assignment, TransferMode::Licence]
        );
        assert_eq!(r.asking_price_yuan, Some(500_000));
        assert_eq!(r.trl, Some(6));
        assert_eq!(r.achievement_type, Some(AchievementType::Patent));
        assert!(apply(&mut r, Field::Trl, "0").is_err());
        assert!(apply(&mut r, Field::AchievementType, "论文").is_err());
    }

    #[test]
    fn apply_one_keeps_array_items_whole() {
        let mut r = NormalisedRecord::default();
        apply_one(&mut r, Field::Inventors, "Smith, John").unwrap();
        apply_one(&mut r, Field::Inventors, "Smith, John").unwrap();
        apply_one(&mut r, Field::TransferModes, "LICENCE").unwrap();
        apply_one(&mut r, Field::Title, "催化剂").unwrap();
        assert_eq!(r.inventors, vec!["Smith, John"]);
        assert_eq!(r.title, "催化剂");
        apply_one(&mut r, Field::TransferModes, "转让、许可").unwrap();
        assert_eq!(
            r.transfer_modes,
            vec![TransferMode::Licence, TransferMode::Assignment]
        );
        assert_eq!(
            apply_one(&mut r, Field::TransferModes, "捐赠"),
            Err(ValueError::UnknownTransferMode("捐赠".into()))
        );
    }

    #[test]
    fn datestamps() {
        let d = datestamp("2024-05-01T08:00:00+08:00").unwrap();
        assert_eq!(d.to_rfc3339(), "2024-05-01T00:00:00+00:00");
        assert_eq!(datestamp("2024-05-01 08:00:00").unwrap(), d);
        assert_eq!(
            datestamp("2024/05/01").unwrap().to_rfc3339(),
            "2024-04-30T16:00:00+00:00"
        );
        assert!(datestamp("yesterday").is_err());
    }
}
