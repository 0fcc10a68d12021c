//! The built-in `oai_dc` mapping: simple Dublin Core as Chinese institutional repositories fill it,
//! with Chinese and English values side by side and codes hidden among subjects and identifiers.

use transferhub_schema::enums::AchievementType;
use transferhub_schema::types::Trl;

use super::mapping::{
    achievement_type, identifier, industry_code, ipc_code, labelled_transfer_modes, push_unique,
    region_code, script, split_list, transfer_modes, Identifier, MetadataMapping, Script,
};
use super::parse::OaiRecord;
use crate::NormalisedRecord;

/// Labels of a description line that states 成熟度.
const MATURITY_LABELS: [&str; 4] = ["成熟度", "技术成熟度", "成果成熟度", "maturity"];

/// Maps `oai_dc` records, the format every OAI-PMH repository must offer.
#[derive(Debug, Clone, Copy, Default)]
pub struct OaiDcMapping;

impl MetadataMapping for OaiDcMapping {
    fn metadata_prefix(&self) -> &str {
        "oai_dc"
    }

    fn map(&self, record: &OaiRecord) -> Result<NormalisedRecord, String> {
        let mut out = NormalisedRecord::default();
        let mut titles: Vec<(&str, Script)> = Vec::new();
        let mut summaries: Vec<(String, Script)> = Vec::new();
        for field in &record.fields {
            let value = field.value.as_str();
            let lang = field.lang.as_deref();
            match field.local_name.as_str() {
                "title" => titles.push((value, script(value, lang))),
                "creator" => {
                    for name in split_list(value, false) {
                        push_unique(&mut out.inventors, &name);
                    }
                }
                "subject" => {
                    for piece in split_list(value, true) {
                        subject(&mut out, &piece);
                    }
                }
                "description" => {
                    let rest = description(&mut out, value);
                    if !rest.is_empty() {
                        let detected = script(&rest, lang);
                        summaries.push((rest, detected));
                    }
                }
                "publisher" | "contributor" => push_unique(&mut out.institutions, value),
                "identifier" => match identifier(value) {
                    Some(Identifier::Application(number)) => {
                        push_unique(&mut out.patent_numbers, &number);
                    }
                    Some(Identifier::Publication(number)) => {
                        push_unique(&mut out.publication_numbers, &number);
                    }
                    Some(Identifier::Url(url)) => {
                        out.source_url.get_or_insert(url);
                    }
                    None => {}
                },
                "type" if out.achievement_type.is_none() => {
                    out.achievement_type = achievement_type(value);
                }
                "rights" => {
                    for mode in transfer_modes(value) {
                        if !out.transfer_modes.contains(&mode) {
                            out.transfer_modes.push(mode);
                        }
                    }
                }
                "coverage" if out.region_code.is_none() => {
                    out.region_code = region_code(value);
                }
                _ => {}
            }
        }

        let (title, title_en) = pick(&titles);
        let Some(title) = title else {
            return Err("dc:title missing: a record needs a title (成果名称)".to_owned());
        };
        out.title = title.to_owned();
        out.title_en = title_en.map(str::to_owned);
        let summaries: Vec<(&str, Script)> =
            summaries.iter().map(|(s, k)| (s.as_str(), *k)).collect();
        let (summary, summary_en) = pick(&summaries);
        out.summary = summary.unwrap_or_default().to_owned();
        out.summary_en = summary_en.map(str::to_owned);
        let has_number = !out.patent_numbers.is_empty() || !out.publication_numbers.is_empty();
        if out.achievement_type.is_none() && has_number {
            out.achievement_type = Some(AchievementType::Patent);
        }
        Ok(out)
    }
}

/// The main value (first Chinese, else first of any script) and an English one distinct from it.
fn pick<'a>(values: &[(&'a str, Script)]) -> (Option<&'a str>, Option<&'a str>) {
    let main = values
        .iter()
        .find(|(_, s)| *s == Script::Chinese)
        .or_else(|| values.first())
        .map(|(v, _)| *v);
    let english = values
        .iter()
        .find(|(v, s)| *s == Script::English && Some(*v) != main)
        .map(|(v, _)| *v);
    (main, english)
}

/// Files one subject as an IPC symbol, a GB/T 4754 code (first one wins) or a keyword.
fn subject(out: &mut NormalisedRecord, piece: &str) {
    if let Some(ipc) = ipc_code(piece) {
        push_unique(&mut out.ipc_codes, &ipc);
    } else if let Some(code) = industry_code(piece) {
        out.industry_code.get_or_insert(code);
    } else {
        push_unique(&mut out.keywords, piece);
    }
}

/// Takes labelled 转化方式 / 成熟度 lines out of a description and returns the rest as summary text.
fn description(out: &mut NormalisedRecord, text: &str) -> String {
    let mut rest: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(modes) = labelled_transfer_modes(line) {
            for mode in modes {
                if !out.transfer_modes.contains(&mode) {
                    out.transfer_modes.push(mode);
                }
            }
        } else if let Some(trl) = maturity(line) {
            out.trl.get_or_insert(trl);
        } else {
            rest.push(line);
        }
    }
    rest.join("\n")
}

/// The TRL of a line such as "成熟度：通过中试" or "Maturity: TRL 6".
fn maturity(line: &str) -> Option<u8> {
    let at = line.find([':', '：'])?;
    let label = line[..at].trim().to_lowercase();
    if !MATURITY_LABELS.contains(&label.as_str()) {
        return None;
    }
    let value = line[at..].trim_start_matches([':', '：']).trim();
    Trl::parse(value).ok().map(|t| t.level())
}

#[cfg(test)]
mod tests {
    use transferhub_schema::enums::TransferMode;

    use super::*;
    use crate::oai_pmh::parse::MetadataField;

    fn record(fields: &[(&str, Option<&str>, &str)]) -> OaiRecord {
        OaiRecord {
            fields: fields
                .iter()
                .map(|(name, lang, value)| MetadataField {
                    name: format!("dc:{name}"),
                    local_name: (*name).to_owned(),
                    lang: lang.map(str::to_owned),
                    attributes: Vec::new(),
                    value: (*value).to_owned(),
                })
                .collect(),
            ..OaiRecord::default()
        }
    }

    #[test]
    fn chinese_record_with_english_title_and_codes() {
        let rec = record(&[
            ("title", None, "High-nickel cathode material"),
            ("title", None, "一种高镍正极材料及其制备方法"),
            ("creator", None, "张三；李四"),
            ("subject", None, "锂电池；H01M 4/525；C3841"),
            ("subject", None, "正极材料, cathode"),
            (
                "description",
                None,
                "本发明公开了一种高镍正极材料。\n转化方式：许可、转让\n成熟度：通过中试",
            ),
            ("description", Some("en"), "A high-nickel cathode material."),
            ("publisher", None, "内蒙古大学"),
            ("contributor", None, "内蒙古大学"),
            ("identifier", None, "CN201710601862.3"),
            ("identifier", None, "CN105338215A"),
            ("identifier", None, "https://repo.example.edu/item/7"),
            ("coverage", None, "150100 呼和浩特市"),
        ]);
        let out = OaiDcMapping.map(&rec).unwrap();
        assert_eq!(out.title, "一种高镍正极材料及其制备方法");
        assert_eq!(
            out.title_en.as_deref(),
            Some("High-nickel cathode material")
        );
        assert_eq!(out.inventors, vec!["张三", "李四"]);
        assert_eq!(out.keywords, vec!["锂电池", "正极材料", "cathode"]);
        assert_eq!(out.ipc_codes, vec!["H01M 4/525"]);
        assert_eq!(out.industry_code.as_deref(), Some("C3841"));
        assert_eq!(out.summary, "本发明公开了一种高镍正极材料。");
        assert_eq!(
            out.summary_en.as_deref(),
            Some("A high-nickel cathode material.")
        );
        assert_eq!(
            out.transfer_modes,
            vec![TransferMode::Licence, TransferMode::Assignment]
        );
        assert_eq!(out.trl, Some(6));
        assert_eq!(out.institutions, vec!["内蒙古大学"]);
        assert_eq!(out.patent_numbers, vec!["CN201710601862.3"]);
        assert_eq!(out.publication_numbers, vec!["CN105338215A"]);
        assert_eq!(
            out.source_url.as_deref(),
            Some("https://repo.example.edu/item/7")
        );
        assert_eq!(out.region_code.as_deref(), Some("150100"));
        assert_eq!(
            out.achievement_type,
            Some(AchievementType::Patent),
            "from the number"
        );
    }

    #[test]
    fn explicit_type_and_rights() {
        let rec = record(&[
            ("title", None, "草原监测软件V1.0"),
            ("type", None, "Text"),
            ("type", None, "计算机软件著作权"),
            ("rights", None, "许可、作价投资"),
        ]);
        let out = OaiDcMapping.map(&rec).unwrap();
        assert_eq!(
            out.achievement_type,
            Some(AchievementType::SoftwareCopyright)
        );
        assert_eq!(
            out.transfer_modes,
            vec![TransferMode::Licence, TransferMode::EquityInvestment]
        );
        assert_eq!(out.title_en, None);
        assert_eq!(out.summary, "");
    }

    #[test]
    fn english_only_title_is_the_title() {
        let out = OaiDcMapping
            .map(&record(&[("title", None, "Cashmere dehairing process")]))
            .unwrap();
        assert_eq!(out.title, "Cashmere dehairing process");
        assert_eq!(out.title_en, None);
    }

    #[test]
    fn missing_title_is_an_error() {
        let err = OaiDcMapping
            .map(&record(&[("creator", None, "张三")]))
            .unwrap_err();
        assert!(err.contains("dc:title"));
    }
}
