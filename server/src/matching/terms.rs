//! The words a record is matched on: its keywords first, then the meaningful words of its title
//! and text, segmented by the same jieba dictionary the search index uses. Generic listing words
//! (一种, 方法, 技术, 需求 …) and single characters carry no meaning for matching and are dropped.

use crate::search::tokenizer::{is_cjk, is_stop_word, QueryAnalyzer};
use std::collections::HashSet;

/// Words too common in Chinese listings to tell one technology from another.
const GENERIC: &[&str] = &[
    "一种",
    "方法",
    "技术",
    "制备",
    "制备方法",
    "应用",
    "及其",
    "系统",
    "装置",
    "研究",
    "基于",
    "用于",
    "企业",
    "公司",
    "需求",
    "需要",
    "寻求",
    "希望",
    "我们",
    "我司",
    "提高",
    "提升",
    "解决",
    "问题",
    "开发",
    "生产",
    "进行",
    "实现",
    "具有",
    "可以",
    "能够",
    "一个",
    "以及",
    "通过",
    "采用",
    "目前",
    "现有",
    "相关",
    "合作",
    "本发明",
    "发明",
    "公开",
    "成果",
    "项目",
    "产品",
    "工艺",
    "设备",
    "过程",
    "现在",
    "主要",
    "存在",
    "要求",
    "单位",
    "高校",
    "院所",
    "降低",
    "成本",
    "效率",
    "质量",
    "稳定",
    "优化",
    "改进",
    "新型",
    "领域",
    "行业",
    "使用",
    "适用",
    "包括",
    "所述",
    "其中",
    "以上",
    "以下",
    "达到",
    "获得",
    "提供",
    "方面",
    "情况",
    "利用",
    "具备",
    "规模",
    "年产",
    "吨",
    "万元",
    "技术难题",
];

/// True for a word that should not count as a match.
pub fn is_generic(word: &str) -> bool {
    is_stop_word(word) || GENERIC.contains(&word)
}

/// A word long enough to mean something: two ideographs, or three letters/digits with a letter.
fn meaningful(word: &str) -> bool {
    let n = word.chars().count();
    if word.chars().any(is_cjk) {
        n >= 2
    } else {
        n >= 3 && word.chars().any(char::is_alphabetic)
    }
}

/// Keywords (kept whole when meaningful) then the words of each text, deduplicated, in order,
/// at most `cap` of them.
pub fn extract(
    analyzer: &QueryAnalyzer,
    keywords: &[String],
    texts: &[&str],
    cap: usize,
) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut push = |w: String, out: &mut Vec<String>| {
        if out.len() < cap && meaningful(&w) && !is_generic(&w) && seen.insert(w.clone()) {
            out.push(w);
        }
    };
    for k in keywords {
        let k = k.trim().to_lowercase();
        if k.chars().count() <= 8 && !k.contains(char::is_whitespace) {
            push(k.clone(), &mut out);
        }
        for w in analyzer.words(&k) {
            push(w, &mut out);
        }
    }
    for t in texts {
        for w in analyzer.words(t) {
            push(w, &mut out);
        }
    }
    out
}

/// Every meaningful word of the texts with repetitions (for term frequencies), keywords first.
pub fn bag(analyzer: &QueryAnalyzer, keywords: &[String], texts: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = keywords
        .iter()
        .map(|k| k.trim().to_lowercase())
        .filter(|k| meaningful(k) && !is_generic(k))
        .collect();
    for t in texts {
        out.extend(
            analyzer
                .words(t)
                .into_iter()
                .filter(|w| meaningful(w) && !is_generic(w)),
        );
    }
    out
}

/// The terms of `terms` that occur in `haystack` (lower-cased), in order.
pub fn matched_in(terms: &[String], haystack: &str) -> Vec<String> {
    let hay = haystack.to_lowercase();
    terms
        .iter()
        .filter(|t| hay.contains(t.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::tokenizer::jieba;

    fn analyzer() -> QueryAnalyzer {
        QueryAnalyzer::new(jieba(&crate::search::collections::default_vocabulary()))
    }

    #[test]
    fn keywords_come_first_and_generic_words_are_dropped() {
        let a = analyzer();
        let t = extract(
            &a,
            &["钕铁硼".into()],
            &["寻求一种高矫顽力稀土永磁材料的制备技术"],
            20,
        );
        assert_eq!(t.first().map(String::as_str), Some("钕铁硼"));
        assert!(t.iter().any(|w| w == "稀土永磁"), "{t:?}");
        assert!(
            !t.iter().any(|w| w == "一种" || w == "技术" || w == "寻求"),
            "{t:?}"
        );
    }

    #[test]
    fn emoji_and_punctuation_give_no_terms() {
        let a = analyzer();
        assert!(extract(&a, &[], &["🔋🔋！！", "   "], 20).is_empty());
    }

    #[test]
    fn matched_terms_are_found_inside_longer_words() {
        let terms = vec!["电池".to_string(), "稀土".to_string()];
        assert_eq!(
            matched_in(&terms, "锂离子电池正极材料"),
            vec!["电池".to_string()]
        );
    }
}
