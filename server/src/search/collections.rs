//! Thematic collections (专题数据库) and the search vocabulary: the defaults shipped for an Inner
//! Mongolia deployment (the six industrial clusters of DOMAIN.md, synonyms, industry words), the
//! check that a configuration is usable, and the membership rule applied when a record is indexed.

use crate::search::config::{CollectionConfig, SearchConfig};

/// The synonym groups shipped by default; each group's terms find each other.
pub fn default_synonyms() -> Vec<Vec<String>> {
    [
        &["锂电池", "锂离子电池"][..],
        &["光伏", "太阳能电池", "光伏电池"],
        &["风电", "风力发电"],
        &["钕铁硼", "钕铁硼磁体"],
        &["蒙药", "蒙医药"],
        &["人工智能", "ai"],
        &["物联网", "iot"],
        &["马铃薯", "土豆"],
        &["乳制品", "奶制品"],
        &["奶酪", "干酪"],
        &["莜麦", "裸燕麦"],
        &["废水", "污水"],
        &["二氧化碳", "co2"],
        &["无人机", "无人驾驶航空器"],
        &["电动汽车", "新能源汽车"],
        &["氢能", "氢能源"],
        &["photovoltaic", "solar cell"],
        &["lithium battery", "lithium-ion battery"],
    ]
    .iter()
    .map(|g| g.iter().map(|t| t.to_string()).collect())
    .collect()
}

/// Industry words added to the segmenter's dictionary so they are indexed and searched whole.
pub fn default_vocabulary() -> Vec<String> {
    [
        "锂离子电池",
        "锂电池",
        "钠离子电池",
        "正极材料",
        "负极材料",
        "固态电池",
        "燃料电池",
        "太阳能电池",
        "光伏电池",
        "光伏组件",
        "储能系统",
        "电解水制氢",
        "风电机组",
        "钕铁硼",
        "稀土永磁",
        "永磁材料",
        "储氢合金",
        "抛光粉",
        "石墨烯",
        "碳纤维",
        "煤化工",
        "煤制烯烃",
        "蒙药",
        "蒙医药",
        "肉苁蓉",
        "黄芪多糖",
        "沙棘",
        "羊绒",
        "乳酸菌",
        "益生菌",
        "干酪乳杆菌",
        "干酪",
        "胞外多糖",
        "马铃薯",
        "燕麦",
        "苜蓿",
        "盐碱地",
        "脱硫石膏",
        "生物炭",
        "物联网",
        "边缘计算",
        "深度学习",
        "蒙古文",
        "颗粒捕集器",
        "氨氮废水",
        "地膜",
        "无人机",
    ]
    .iter()
    .map(|w| w.to_string())
    .collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The six Inner Mongolia industrial clusters (DOMAIN.md) as collections.
pub fn default_collections() -> Vec<CollectionConfig> {
    vec![
        CollectionConfig {
            key: "agri-food".into(),
            name_zh: "绿色农畜产品加工".into(),
            name_en: "Green agricultural and livestock product processing".into(),
            description_zh: "乳、肉、绒、马铃薯、燕麦等农畜产品的加工、保鲜与检测".into(),
            industry_prefixes: strings(&["A01", "A03", "A05", "C13", "C14", "C15", "C1762"]),
            ipc_prefixes: strings(&["A23", "A01K", "A01J", "A22", "D01C"]),
            keywords: strings(&[
                "乳制品",
                "乳品",
                "奶酪",
                "酸奶",
                "羊乳",
                "牛肉",
                "羊肉",
                "肉羊",
                "马铃薯",
                "燕麦",
                "羊绒",
                "饲料",
                "沙棘",
                "益生菌",
                "乳酸菌",
            ]),
        },
        CollectionConfig {
            key: "biomedicine".into(),
            name_zh: "生物医药".into(),
            name_en: "Biomedicine".into(),
            description_zh: "蒙医药、中药、生物制品、诊断试剂与医疗器械".into(),
            industry_prefixes: strings(&["C27", "C358", "Q84"]),
            ipc_prefixes: strings(&["A61K", "A61P", "A61B", "C07K", "G01N 33"]),
            keywords: strings(&[
                "蒙药",
                "蒙医药",
                "中药",
                "疫苗",
                "抗体",
                "诊断试剂",
                "药物",
                "制剂",
                "医疗器械",
            ]),
        },
        CollectionConfig {
            key: "new-materials".into(),
            name_zh: "新材料和现代装备制造".into(),
            name_en: "New materials and modern equipment manufacturing".into(),
            description_zh: "稀土功能材料、金属材料、复合材料与高端装备".into(),
            industry_prefixes: strings(&["C30", "C31", "C32", "C33", "C34", "C35", "C36", "C37"]),
            ipc_prefixes: strings(&["C22", "B22", "H01F", "C04B", "B21", "B23", "C01F"]),
            keywords: strings(&[
                "稀土",
                "永磁",
                "钕铁硼",
                "合金",
                "石墨烯",
                "复合材料",
                "钢",
                "装备制造",
            ]),
        },
        CollectionConfig {
            key: "electronic-information".into(),
            name_zh: "电子信息技术".into(),
            name_en: "Electronic information technology".into(),
            description_zh: "软件、人工智能、大数据、物联网与电子元器件".into(),
            industry_prefixes: strings(&["I63", "I64", "I65", "C39"]),
            ipc_prefixes: strings(&["G06", "H04", "G08", "G05B"]),
            keywords: strings(&[
                "人工智能",
                "大数据",
                "软件",
                "物联网",
                "云计算",
                "区块链",
                "蒙古文",
                "芯片",
                "传感器",
                "遥感",
            ]),
        },
        CollectionConfig {
            key: "clean-energy".into(),
            name_zh: "清洁能源".into(),
            name_en: "Clean energy".into(),
            description_zh: "光伏、风电、氢能、储能与动力电池".into(),
            industry_prefixes: strings(&["D441", "D443", "D45", "C3825", "C384"]),
            ipc_prefixes: strings(&["H01M", "H02S", "F03D", "H01L 31", "C25B", "F24S", "H02J"]),
            keywords: strings(&[
                "光伏",
                "风电",
                "氢能",
                "储能",
                "锂电池",
                "锂离子电池",
                "钠离子电池",
                "太阳能",
                "燃料电池",
                "制氢",
                "新能源",
            ]),
        },
        CollectionConfig {
            key: "low-carbon-chemicals".into(),
            name_zh: "节能低碳现代化工".into(),
            name_en: "Energy-saving, low-carbon modern chemicals".into(),
            description_zh: "煤化工、精细化工、催化、节能减排与资源循环利用".into(),
            industry_prefixes: strings(&["C25", "C26", "C28", "N772"]),
            ipc_prefixes: strings(&["C10", "C07C", "B01J", "B01D", "C02F", "C01C"]),
            keywords: strings(&[
                "煤化工",
                "催化剂",
                "节能",
                "低碳",
                "减排",
                "二氧化碳",
                "脱硫",
                "废水",
                "甲醇",
                "化工",
            ]),
        },
    ]
}

/// Refuses a search configuration that cannot work, with a one-line reason.
pub fn validate_config(c: &SearchConfig) -> Result<(), String> {
    let mut keys = std::collections::BTreeSet::new();
    for (i, col) in c.collections.iter().enumerate() {
        let ok_key = !col.key.is_empty()
            && col.key.len() <= 64
            && col
                .key
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-');
        if !ok_key {
            return Err(format!(
                "search.collections[{i}].key {:?} must be 1-64 characters of a-z, 0-9 and -",
                col.key
            ));
        }
        if !keys.insert(col.key.as_str()) {
            return Err(format!(
                "search.collections[{i}].key {:?} is used twice",
                col.key
            ));
        }
        if col.name_zh.trim().is_empty() {
            return Err(format!("search.collections[{i}].name_zh must not be empty"));
        }
        if col.industry_prefixes.is_empty()
            && col.ipc_prefixes.is_empty()
            && col.keywords.is_empty()
        {
            return Err(format!(
                "search.collections[{i}] ({}) needs industry_prefixes, ipc_prefixes or keywords",
                col.key
            ));
        }
    }
    for (i, g) in c.synonyms.iter().enumerate() {
        if g.len() < 2 || g.iter().any(|t| t.trim().is_empty()) {
            return Err(format!(
                "search.synonyms[{i}] must list at least two non-empty terms"
            ));
        }
    }
    if c.indexer_batch == 0 || c.indexer_batch > 10_000 {
        return Err("search.indexer_batch must be between 1 and 10000".into());
    }
    if c.backend == "meilisearch" && c.meilisearch_url.trim().is_empty() {
        return Err("search.backend = \"meilisearch\" needs search.meilisearch_url".into());
    }
    Ok(())
}

/// IPC symbols compared without spaces, upper case: `A61K 36/00` → `A61K36/00`.
fn ipc_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Which collections a record belongs to, from its industry code, IPC symbols, title and keywords.
pub fn memberships(
    collections: &[CollectionConfig],
    industry_code: Option<&str>,
    ipc_codes: &[String],
    title: &str,
    keywords: &[String],
) -> Vec<String> {
    let ipcs: Vec<String> = ipc_codes.iter().map(|s| ipc_key(s)).collect();
    collections
        .iter()
        .filter(|c| {
            let by_industry = industry_code.is_some_and(|code| {
                c.industry_prefixes
                    .iter()
                    .any(|p| !p.is_empty() && code.starts_with(p.trim()))
            });
            let by_ipc = c.ipc_prefixes.iter().any(|p| {
                let p = ipc_key(p);
                !p.is_empty() && ipcs.iter().any(|s| s.starts_with(&p))
            });
            let by_keyword = c.keywords.iter().any(|k| {
                !k.is_empty()
                    && (title.contains(k.as_str())
                        || keywords.iter().any(|w| w.contains(k.as_str())))
            });
            by_industry || by_ipc || by_keyword
        })
        .map(|c| c.key.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_six_clusters_and_valid() {
        let c = SearchConfig::default();
        assert_eq!(c.collections.len(), 6);
        let names: Vec<&str> = c.collections.iter().map(|c| c.name_zh.as_str()).collect();
        for n in [
            "绿色农畜产品加工",
            "生物医药",
            "新材料和现代装备制造",
            "电子信息技术",
            "清洁能源",
            "节能低碳现代化工",
        ] {
            assert!(names.contains(&n), "{n} missing from {names:?}");
        }
        validate_config(&c).expect("defaults are valid");
    }

    #[test]
    fn membership_follows_industry_ipc_and_keywords() {
        let cols = default_collections();
        let m = memberships(&cols, Some("C3841"), &[], "一种锂离子电池正极材料", &[]);
        assert!(m.contains(&"clean-energy".to_string()), "{m:?}");
        let m = memberships(&cols, None, &["A61K 36/00".into()], "复方", &[]);
        assert_eq!(m, vec!["biomedicine".to_string()]);
        let m = memberships(&cols, None, &[], "软件", &["蒙古文".into()]);
        assert_eq!(m, vec!["electronic-information".to_string()]);
        assert!(memberships(&cols, Some("P8310"), &[], "教学方法", &[]).is_empty());
    }

    #[test]
    fn bad_collections_are_refused() {
        let mut c = SearchConfig::default();
        c.collections[1].key = c.collections[0].key.clone();
        assert!(validate_config(&c).expect_err("dup").contains("twice"));
        let mut c = SearchConfig::default();
        c.collections[0].key = "Bad Key".into();
        assert!(validate_config(&c).is_err());
        let mut c = SearchConfig::default();
        c.synonyms.push(vec!["孤".into()]);
        assert!(validate_config(&c).is_err());
    }
}
