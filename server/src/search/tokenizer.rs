//! Text analysis for the embedded index: jieba segmentation in search mode (a word and the
//! dictionary words inside it, so 锂离子电池 is found by 电池 and 锂离子), lower-casing and English
//! stemming, plus a per-character tokenizer for titles and keywords that guarantees substring
//! recall when segmentation of a query and a record disagree. Offsets are bytes of the original
//! text, so highlights land on the right characters in Chinese too.

use jieba_rs::Jieba;
use std::sync::{Arc, Mutex, OnceLock};
use tantivy::tokenizer::{
    Language, LowerCaser, RawTokenizer, RemoveLongFilter, Stemmer, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};

/// Name of the jieba + lower-case + stemming analyzer registered on the index.
pub const ZH_EN: &str = "zh_en";
/// Name of the per-character analyzer registered on the index.
pub const CHARS: &str = "cjk_chars";

/// Words that carry no meaning in a query (Chinese function words, English stop words).
const STOP_WORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "在", "是", "对", "等", "其", "一种", "a", "an", "the",
    "of", "for", "and", "or", "in", "on", "with", "to", "by", "at", "from", "is",
];

/// True for characters of the CJK ideograph blocks.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2EBEF}')
}

/// True when a segment can be searched for: it has a letter, digit or ideograph.
pub fn is_searchable(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// True for a query word that should not be required.
pub fn is_stop_word(s: &str) -> bool {
    STOP_WORDS.contains(&s)
}

type JiebaCache = Mutex<Vec<(Vec<String>, Arc<Jieba>)>>;

/// A segmenter with the default dictionary plus `vocabulary`; built once per vocabulary per
/// process, because loading the dictionary takes a noticeable fraction of a second.
pub fn jieba(vocabulary: &[String]) -> Arc<Jieba> {
    static CACHE: OnceLock<JiebaCache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    let mut guard = match cache.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some((_, j)) = guard.iter().find(|(v, _)| v.as_slice() == vocabulary) {
        return j.clone();
    }
    let mut j = Jieba::new();
    for w in vocabulary {
        let w = w.trim();
        if !w.is_empty() {
            j.add_word(w, None, None);
        }
    }
    let j = Arc::new(j);
    guard.push((vocabulary.to_vec(), j.clone()));
    j
}

/// Tantivy tokenizer over jieba's search mode.
#[derive(Clone)]
pub struct JiebaTokenizer {
    jieba: Arc<Jieba>,
}

impl JiebaTokenizer {
    /// Wraps a segmenter.
    pub fn new(jieba: Arc<Jieba>) -> Self {
        Self { jieba }
    }
}

/// A finished list of tokens handed out one by one.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self
            .next
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1))]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self
            .next
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1));
        &mut self.tokens[i]
    }
}

impl VecTokenStream {
    fn new(mut tokens: Vec<Token>) -> Self {
        tokens.sort_by_key(|t| (t.offset_from, t.offset_to));
        for (i, t) in tokens.iter_mut().enumerate() {
            t.position = i;
        }
        if tokens.is_empty() {
            // `token()` must always have something to point at; an empty stream never advances.
            return Self {
                tokens: vec![Token::default()],
                next: 1,
            };
        }
        Self { tokens, next: 0 }
    }
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let tokens = self
            .jieba
            .cut_for_search(text, true)
            .into_iter()
            .filter(|w| is_searchable(w.word))
            .map(|w| Token {
                offset_from: w.byte_start,
                offset_to: w.byte_end,
                position: 0,
                text: w.word.to_string(),
                position_length: 1,
            })
            .collect();
        VecTokenStream::new(tokens)
    }
}

/// One token per ideograph and one per run of ASCII letters and digits.
#[derive(Clone, Default)]
pub struct CharTokenizer;

impl Tokenizer for CharTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let mut tokens = Vec::new();
        let mut run: Option<usize> = None;
        let flush = |tokens: &mut Vec<Token>, start: usize, end: usize| {
            tokens.push(Token {
                offset_from: start,
                offset_to: end,
                position: 0,
                text: text[start..end].to_string(),
                position_length: 1,
            });
        };
        for (i, c) in text.char_indices() {
            if c.is_ascii_alphanumeric() {
                run.get_or_insert(i);
                continue;
            }
            if let Some(s) = run.take() {
                flush(&mut tokens, s, i);
            }
            if is_cjk(c) {
                flush(&mut tokens, i, i + c.len_utf8());
            }
        }
        if let Some(s) = run {
            flush(&mut tokens, s, text.len());
        }
        VecTokenStream::new(tokens)
    }
}

/// The analyzer for full-text fields: jieba, long-token removal, lower case, English stemming.
pub fn zh_en_analyzer(jieba: Arc<Jieba>) -> TextAnalyzer {
    TextAnalyzer::builder(JiebaTokenizer::new(jieba))
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The analyzer for the per-character field.
pub fn chars_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(CharTokenizer)
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .build()
}

/// Query-side analysis with the same segmenter and normalisation as the index.
#[derive(Clone)]
pub struct QueryAnalyzer {
    jieba: Arc<Jieba>,
}

impl QueryAnalyzer {
    /// Wraps a segmenter.
    pub fn new(jieba: Arc<Jieba>) -> Self {
        Self { jieba }
    }

    /// The query's words in precise mode, searchable ones only, in order.
    pub fn words(&self, text: &str) -> Vec<String> {
        self.jieba
            .cut(text, true)
            .into_iter()
            .map(|w| w.word.trim().to_lowercase())
            .filter(|w| is_searchable(w))
            .collect()
    }

    /// The dictionary words inside `word` as the index's search mode cuts them (山羊绒 → 山羊,
    /// 羊绒), without `word` itself.
    pub fn sub_words(&self, word: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for w in self.jieba.cut_for_search(word, true) {
            let w = w.word.trim().to_lowercase();
            if w != word && is_searchable(&w) && !out.contains(&w) {
                out.push(w);
            }
        }
        out
    }

    /// A word as the index stores it (lower case, English stem).
    pub fn normalize(&self, word: &str) -> String {
        let mut a = TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let mut out = String::new();
        let mut s = a.token_stream(word);
        while let Some(t) = s.next() {
            out.push_str(&t.text);
        }
        out
    }

    /// The characters of a word as the per-character field stores them.
    pub fn chars(&self, word: &str) -> Vec<String> {
        let mut a = chars_analyzer();
        let mut s = a.token_stream(word);
        let mut out = Vec::new();
        while let Some(t) = s.next() {
            out.push(t.text.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(a: &mut TextAnalyzer, text: &str) -> Vec<(String, String)> {
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = s.next() {
            out.push((t.text.clone(), text[t.offset_from..t.offset_to].to_string()));
        }
        out
    }

    #[test]
    fn chinese_is_segmented_with_sub_words_and_byte_offsets() {
        let j = jieba(&super::super::collections::default_vocabulary());
        let mut a = zh_en_analyzer(j);
        let t = tokens(&mut a, "一种高效锂离子电池正极材料的制备方法");
        let words: Vec<&str> = t.iter().map(|(w, _)| w.as_str()).collect();
        for w in ["锂离子电池", "电池", "正极材料", "制备"] {
            assert!(words.contains(&w), "{w} not in {words:?}");
        }
        for (w, src) in &t {
            assert_eq!(w, src, "offsets point at the token");
        }
    }

    #[test]
    fn english_is_lower_cased_and_stemmed_and_punctuation_dropped() {
        let j = jieba(&[]);
        let mut a = zh_en_analyzer(j.clone());
        let words: Vec<String> = tokens(&mut a, "Rare-Earth Magnets, batteries!! 🔋")
            .into_iter()
            .map(|(w, _)| w)
            .collect();
        assert!(words.contains(&"magnet".to_string()), "{words:?}");
        assert!(words.contains(&"batteri".to_string()), "{words:?}");
        assert!(words.iter().all(|w| is_searchable(w)), "{words:?}");
        let q = QueryAnalyzer::new(j);
        assert_eq!(q.normalize("Batteries"), "batteri");
        assert!(q.words("🔋🔋 !!").is_empty());
    }

    #[test]
    fn char_tokenizer_splits_ideographs_and_keeps_ascii_runs() {
        let mut a = chars_analyzer();
        let words: Vec<String> = tokens(&mut a, "PBAT地膜 10μm")
            .into_iter()
            .map(|(w, _)| w)
            .collect();
        assert_eq!(words, vec!["pbat", "地", "膜", "10", "m"]);
    }
}
