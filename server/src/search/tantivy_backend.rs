//! The embedded backend: a tantivy index on disk under `storage.data_dir/search`, analysed with
//! jieba (Chinese) plus lower-casing and English stemming, and a per-character field on titles
//! and keywords for substring recall. Queries are built here, not parsed: each query word must
//! match in some field (one may be missing from longer queries), fields weigh title > keywords >
//! summary, configured synonyms are alternatives of the word, and quoted parts must all match.
//! Facets are counted from fast fields over every match; highlights are computed per hit.

use super::index::{
    mark, FacetCounts, Filters, Highlight, Hit, SearchDoc, SearchError, SearchIndex, SearchRequest,
    SearchResponse, SearchResult, Sort, Visibility,
};
use super::tokenizer::{self, is_cjk, is_stop_word, QueryAnalyzer, CHARS, ZH_EN};
use super::understand::{self, Lexicon, QueryTerms};
use async_trait::async_trait;
use jieba_rs::Jieba;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Score, SegmentOrdinal,
    SegmentReader, TantivyDocument, TantivyError, Term,
};

/// Bumped whenever the schema or analysis changes, which forces a rebuild.
pub const SCHEMA_VERSION: u32 = 1;

/// Searchable fields and their weights (title > keywords > summary).
const WEIGHTS: [(&str, f32); 7] = [
    ("title", 3.0),
    ("keywords", 2.0),
    ("title_en", 2.0),
    ("summary", 1.0),
    ("inventors", 1.0),
    ("organisation_name", 0.8),
    ("summary_en", 0.7),
];

/// Weight of a match found only through the per-character field.
const CHARS_WEIGHT: f32 = 1.0;

/// Weight of a longer word a query word may abbreviate (锂电 → 锂电池), relative to the word.
const ABBREVIATION_WEIGHT: f32 = 0.5;
/// Weight of a dictionary word inside a query word (羊绒 in 山羊绒), as BM25 over the index's
/// search-mode words would count it.
const SUBWORD_WEIGHT: f32 = 0.5;
/// Expansions taken per query word.
const ABBREVIATIONS: usize = 3;
/// Weight of a word of the typo-corrected query.
const TYPO_WEIGHT: f32 = 1.0;
/// Weight of a Chinese term for an English phrase of the query.
const BILINGUAL_WEIGHT: f32 = 1.0;
/// Stored records read when mining bilingual pairs from parallel titles.
const PARALLEL_SCAN: usize = 50_000;
/// Age after which a changed index rebuilds its lexicon in the background.
const LEXICON_TTL: Duration = Duration::from_secs(300);

/// Groups of equivalent terms, each term held as the words the segmenter makes of it, so a
/// synonym only fires on whole words of the query (`光伏` in `光伏 电站`, not inside `光伏组件`).
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    groups: Vec<Vec<Vec<String>>>,
    /// `(words of a term, group)`, longest first.
    terms: Vec<(Vec<String>, usize)>,
}

/// A piece of a query chunk: a synonym group hit, or one plain word.
#[derive(Debug, PartialEq, Eq)]
enum Span {
    Group(usize),
    Word(String),
}

impl Synonyms {
    /// Builds the lookup from configured groups, segmented like queries (case-insensitive).
    pub fn new(groups: &[Vec<String>], analyzer: &QueryAnalyzer) -> Self {
        let groups: Vec<Vec<Vec<String>>> = groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|t| analyzer.words(&t.to_lowercase()))
                    .filter(|w| !w.is_empty())
                    .collect()
            })
            .collect();
        let mut terms: Vec<(Vec<String>, usize)> = groups
            .iter()
            .enumerate()
            .flat_map(|(i, g)| g.iter().map(move |t| (t.clone(), i)))
            .collect();
        terms.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Self { groups, terms }
    }

    fn split(&self, words: Vec<String>) -> Vec<Span> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let hit = self
                .terms
                .iter()
                .find(|(t, _)| words.get(i..i + t.len()) == Some(t.as_slice()));
            if let Some((t, g)) = hit {
                out.push(Span::Group(*g));
                i += t.len();
            } else {
                out.push(Span::Word(words[i].clone()));
                i += 1;
            }
        }
        out
    }
}

/// Splits on double quotes (ASCII or Chinese); an unmatched quote is plain text.
fn split_quotes(text: &str) -> Vec<(bool, String)> {
    let normalized: String = text
        .chars()
        .map(|c| {
            if matches!(c, '“' | '”' | '＂') {
                '"'
            } else {
                c
            }
        })
        .collect();
    let pieces: Vec<&str> = normalized.split('"').collect();
    let balanced = pieces.len() % 2 == 1;
    let mut out = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        let quoted = i % 2 == 1 && (balanced || i + 1 < pieces.len());
        if !p.trim().is_empty() {
            out.push((quoted, p.to_string()));
        }
    }
    out
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    title_en: Field,
    keywords: Field,
    summary: Field,
    summary_en: Field,
    inventors: Field,
    organisation_name: Field,
    chars: Field,
    achievement_type: Field,
    organisation: Field,
    organisation_id: Field,
    industry: Field,
    industry_section: Field,
    maturity: Field,
    trl: Field,
    transfer_modes: Field,
    region: Field,
    region_prefecture: Field,
    collections: Field,
    status: Field,
    recency: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ZH_EN)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        if stored {
            o.set_stored()
        } else {
            o
        }
    };
    let chars = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(CHARS)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        title: b.add_text_field("title", text(true)),
        title_en: b.add_text_field("title_en", text(true)),
        keywords: b.add_text_field("keywords", text(true)),
        summary: b.add_text_field("summary", text(true)),
        summary_en: b.add_text_field("summary_en", text(true)),
        inventors: b.add_text_field("inventors", text(false)),
        organisation_name: b.add_text_field("organisation_name", text(false)),
        chars: b.add_text_field("chars", chars),
        achievement_type: b.add_text_field("achievement_type", STRING | FAST),
        organisation: b.add_text_field("organisation", STRING | FAST),
        organisation_id: b.add_i64_field("organisation_id", INDEXED),
        industry: b.add_text_field("industry", STRING),
        industry_section: b.add_text_field("industry_section", STRING | FAST),
        maturity: b.add_text_field("maturity", STRING | FAST),
        trl: b.add_i64_field("trl", INDEXED | FAST),
        transfer_modes: b.add_text_field("transfer_modes", STRING | FAST),
        region: b.add_text_field("region", STRING),
        region_prefecture: b.add_text_field("region_prefecture", STRING | FAST),
        collections: b.add_text_field("collections", STRING | FAST),
        status: b.add_text_field("status", STRING),
        recency: b.add_i64_field("recency", FAST),
    };
    (b.build(), fields)
}

fn backend_err(e: impl std::fmt::Display) -> SearchError {
    SearchError::Backend(e.to_string())
}

/// The embedded tantivy index.
pub struct TantivyIndex {
    inner: Arc<Inner>,
}

struct Inner {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    analyzer: QueryAnalyzer,
    zh_en: TextAnalyzer,
    synonyms: Synonyms,
    terms: QueryTerms,
    payload: Mutex<Option<String>>,
    lexicon: Mutex<Option<(u64, Instant, Arc<Lexicon>)>>,
    lexicon_building: AtomicBool,
}

impl TantivyIndex {
    /// Opens (or creates) the index in `dir`, taking its writer lock. An index written with
    /// another schema is derived data: it is wiped and recreated, and the fingerprint check
    /// then rebuilds it from the store.
    pub fn open(
        dir: &Path,
        jieba: Arc<Jieba>,
        synonyms: &[Vec<String>],
        writer_heap_bytes: usize,
        writer_threads: usize,
    ) -> SearchResult<Self> {
        Self::open_with_terms(
            dir,
            jieba,
            synonyms,
            QueryTerms::default(),
            writer_heap_bytes,
            writer_threads,
        )
    }

    /// Opens the index as `[search]` configures it: its vocabulary, synonyms, bilingual list and
    /// abbreviations.
    pub fn open_configured(
        dir: &Path,
        config: &crate::search::config::SearchConfig,
        writer_heap_bytes: usize,
        writer_threads: usize,
    ) -> SearchResult<Self> {
        Self::open_with_terms(
            dir,
            tokenizer::jieba(&config.vocabulary),
            &config.synonyms,
            QueryTerms::from_config(config),
            writer_heap_bytes,
            writer_threads,
        )
    }

    fn open_with_terms(
        dir: &Path,
        jieba: Arc<Jieba>,
        synonyms: &[Vec<String>],
        terms: QueryTerms,
        writer_heap_bytes: usize,
        writer_threads: usize,
    ) -> SearchResult<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| backend_err(format!("cannot create {}: {e}", dir.display())))?;
        let (schema, fields) = schema();
        let index = match open_dir(dir, &schema) {
            Ok(i) => i,
            Err(TantivyError::SchemaError(_)) | Err(TantivyError::IncompatibleIndex(_)) => {
                tracing::warn!(search.dir = %dir.display(), "search index schema changed; recreating it");
                wipe(dir)?;
                open_dir(dir, &schema).map_err(backend_err)?
            }
            Err(e) => return Err(backend_err(e)),
        };
        index
            .tokenizers()
            .register(ZH_EN, tokenizer::zh_en_analyzer(jieba.clone()));
        index
            .tokenizers()
            .register(CHARS, tokenizer::chars_analyzer());
        let writer = index
            .writer_with_num_threads(writer_threads.max(1), writer_heap_bytes.max(15_000_000))
            .map_err(|e| match e {
                TantivyError::LockFailure(..) => SearchError::Locked(dir.display().to_string()),
                e => backend_err(e),
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(backend_err)?;
        let payload = index.load_metas().map_err(backend_err)?.payload;
        Ok(Self {
            inner: Arc::new(Inner {
                index,
                reader,
                writer: Mutex::new(writer),
                fields,
                analyzer: QueryAnalyzer::new(jieba.clone()),
                zh_en: tokenizer::zh_en_analyzer(jieba.clone()),
                synonyms: Synonyms::new(synonyms, &QueryAnalyzer::new(jieba.clone())),
                terms,
                payload: Mutex::new(payload),
                lexicon: Mutex::new(None),
                lexicon_building: AtomicBool::new(false),
            }),
        })
    }

    /// Bytes the index occupies on disk.
    pub fn size_on_disk(dir: &Path) -> u64 {
        fn walk(p: &Path) -> u64 {
            std::fs::read_dir(p)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| match e.metadata() {
                            Ok(m) if m.is_dir() => walk(&e.path()),
                            Ok(m) => m.len(),
                            Err(_) => 0,
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        walk(dir)
    }
}

fn open_dir(dir: &Path, schema: &Schema) -> tantivy::Result<Index> {
    let mmap = MmapDirectory::open(dir)?;
    Index::open_or_create(mmap, schema.clone())
}

fn wipe(dir: &Path) -> SearchResult<()> {
    let entries = std::fs::read_dir(dir).map_err(backend_err)?;
    for e in entries.filter_map(Result::ok) {
        let p: PathBuf = e.path();
        let r = if p.is_dir() {
            std::fs::remove_dir_all(&p)
        } else {
            std::fs::remove_file(&p)
        };
        r.map_err(|err| backend_err(format!("cannot remove {}: {err}", p.display())))?;
    }
    Ok(())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> SearchResult<T> + Send + 'static,
) -> SearchResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| backend_err(format!("search task failed: {e}")))?
}

impl Inner {
    fn document(&self, d: &SearchDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_i64(f.id, d.id);
        doc.add_text(f.title, &d.title);
        doc.add_text(f.chars, &d.title);
        if !d.title_en.is_empty() {
            doc.add_text(f.title_en, &d.title_en);
        }
        for k in &d.keywords {
            doc.add_text(f.keywords, k);
            doc.add_text(f.chars, k);
        }
        doc.add_text(f.summary, &d.summary);
        if !d.summary_en.is_empty() {
            doc.add_text(f.summary_en, &d.summary_en);
        }
        for i in &d.inventors {
            doc.add_text(f.inventors, i);
        }
        doc.add_text(f.organisation_name, &d.organisation_name);
        doc.add_text(f.achievement_type, &d.achievement_type);
        doc.add_text(f.organisation, &d.organisation);
        doc.add_i64(f.organisation_id, d.organisation_id);
        for i in &d.industry {
            doc.add_text(f.industry, i);
        }
        if !d.industry_section.is_empty() {
            doc.add_text(f.industry_section, &d.industry_section);
        }
        if !d.maturity.is_empty() {
            doc.add_text(f.maturity, &d.maturity);
        }
        doc.add_i64(f.trl, d.trl);
        for m in &d.transfer_modes {
            doc.add_text(f.transfer_modes, m);
        }
        for r in &d.region {
            doc.add_text(f.region, r);
        }
        if !d.region_prefecture.is_empty() {
            doc.add_text(f.region_prefecture, &d.region_prefecture);
        }
        for c in &d.collections {
            doc.add_text(f.collections, c);
        }
        doc.add_text(f.status, &d.status);
        doc.add_i64(f.recency, d.recency);
        doc
    }

    fn commit(&self, writer: &mut IndexWriter) -> SearchResult<()> {
        let payload = lock(&self.payload).clone();
        let mut prepared = writer.prepare_commit().map_err(backend_err)?;
        if let Some(p) = payload {
            prepared.set_payload(&p);
        }
        prepared.commit().map_err(backend_err)?;
        self.reader.reload().map_err(backend_err)
    }

    /// One query word in every weighted field. The per-character phrase is added only when the
    /// word is unknown to the index as a whole token (segmentation of the record differed) or is
    /// a single ideograph: phrase matching is costly on large indexes and rarely needed.
    fn word_query(&self, searcher: &tantivy::Searcher, word: &str) -> Box<dyn Query> {
        let f = &self.fields;
        let norm = self.analyzer.normalize(word);
        let schema = self.index.schema();
        let mut known = false;
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (name, weight) in WEIGHTS {
            let Ok(field) = schema.get_field(name) else {
                continue;
            };
            let term = Term::from_field_text(field, &norm);
            if searcher.doc_freq(&term).unwrap_or(0) == 0 {
                continue;
            }
            known = true;
            alternatives.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                    weight,
                )),
            ));
        }
        let chars = if word.chars().any(is_cjk) {
            self.analyzer.chars(word)
        } else {
            Vec::new()
        };
        let q: Option<Box<dyn Query>> = match chars.len() {
            0 => None,
            1 => Some(Box::new(TermQuery::new(
                Term::from_field_text(f.chars, &chars[0]),
                IndexRecordOption::WithFreqs,
            ))),
            _ if !known => Some(Box::new(PhraseQuery::new(
                chars
                    .iter()
                    .map(|c| Term::from_field_text(f.chars, c))
                    .collect(),
            ))),
            _ => None,
        };
        if let Some(q) = q {
            alternatives.push((Occur::Should, Box::new(BoostQuery::new(q, CHARS_WEIGHT))));
        }
        if alternatives.is_empty() {
            return Box::new(EmptyQuery);
        }
        Box::new(BooleanQuery::new(alternatives))
    }

    /// Every word must match.
    fn all_of(&self, searcher: &tantivy::Searcher, words: &[String]) -> Option<Box<dyn Query>> {
        match words {
            [] => None,
            [w] => Some(self.word_query(searcher, w)),
            ws => Some(Box::new(BooleanQuery::new(
                ws.iter()
                    .map(|w| (Occur::Must, self.word_query(searcher, w)))
                    .collect(),
            ))),
        }
    }

    /// The lexicon of title and keyword words, mined from the index; rebuilt in the background
    /// when older than [`LEXICON_TTL`] and the index changed (a stale one serves meanwhile).
    fn lexicon(self: &Arc<Self>, searcher: &tantivy::Searcher) -> Arc<Lexicon> {
        let generation = searcher.generation().generation_id();
        let current = lock(&self.lexicon).clone();
        match current {
            Some((g, at, lex)) => {
                if g != generation
                    && at.elapsed() > LEXICON_TTL
                    && !self.lexicon_building.swap(true, AtomicOrdering::SeqCst)
                {
                    let me = self.clone();
                    std::thread::spawn(move || {
                        let searcher = me.reader.searcher();
                        let lex = Arc::new(me.build_lexicon(&searcher));
                        *lock(&me.lexicon) =
                            Some((searcher.generation().generation_id(), Instant::now(), lex));
                        me.lexicon_building.store(false, AtomicOrdering::SeqCst);
                    });
                }
                lex
            }
            None => {
                let lex = Arc::new(self.build_lexicon(searcher));
                *lock(&self.lexicon) = Some((generation, Instant::now(), lex.clone()));
                lex
            }
        }
    }

    fn build_lexicon(&self, searcher: &tantivy::Searcher) -> Lexicon {
        let mut words: Vec<(String, u64)> = Vec::new();
        for seg in searcher.segment_readers() {
            for field in [self.fields.title, self.fields.keywords] {
                let Ok(inv) = seg.inverted_index(field) else {
                    continue;
                };
                let Ok(mut stream) = inv.terms().stream() else {
                    continue;
                };
                while stream.advance() {
                    if let Ok(w) = std::str::from_utf8(stream.key()) {
                        if w.chars().all(is_cjk) {
                            words.push((w.to_string(), u64::from(stream.value().doc_freq)));
                        }
                    }
                }
            }
        }
        let mined = if self.terms.mine_bilingual {
            understand::mine_bilingual(&self.parallel_titles(searcher), &self.terms.bilingual)
        } else {
            Vec::new()
        };
        let lexicon = Lexicon::new(words).with_bilingual(&self.terms.bilingual, mined);
        tracing::debug!(
            search.lexicon_words = lexicon.len(),
            search.mined_abbreviations = lexicon.mined_abbreviations().len(),
            search.mined_bilingual = lexicon.mined_bilingual().len(),
            "search lexicon built"
        );
        lexicon
    }

    /// `(Chinese words of the title, English title)` of records that carry both, for mining
    /// bilingual pairs; at most [`PARALLEL_SCAN`] stored records are read, so a large index
    /// is mined from a sample (its oldest segments first) and the lexicon stays quick to build.
    fn parallel_titles(&self, searcher: &tantivy::Searcher) -> Vec<(Vec<String>, String)> {
        let mut out = Vec::new();
        let mut read = 0usize;
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            for doc in 0..seg.max_doc() {
                if read >= PARALLEL_SCAN {
                    return out;
                }
                if seg.is_deleted(doc) {
                    continue;
                }
                read += 1;
                let Ok(d) = searcher.doc::<TantivyDocument>(DocAddress::new(ord as u32, doc))
                else {
                    continue;
                };
                let text = |f: Field| {
                    d.get_first(f)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_string()
                };
                let (title, title_en) = (text(self.fields.title), text(self.fields.title_en));
                if !title.is_empty() && !title_en.trim().is_empty() {
                    out.push((self.analyzer.words(&title), title_en));
                }
            }
        }
        out
    }

    /// Documents holding `word` (normalised) in any searchable field.
    fn known(&self, searcher: &tantivy::Searcher, word: &str) -> bool {
        let norm = self.analyzer.normalize(word);
        let schema = self.index.schema();
        WEIGHTS.iter().any(|(name, _)| {
            schema.get_field(name).is_ok_and(|f| {
                searcher
                    .doc_freq(&Term::from_field_text(f, &norm))
                    .unwrap_or(0)
                    > 0
            })
        })
    }

    /// Character positions of `chunk` a typo may hide in: ideographs the segmenter left alone
    /// (not function words) and words the index does not know.
    fn suspicious(&self, searcher: &tantivy::Searcher, chunk: &str) -> Vec<bool> {
        let cs: Vec<char> = chunk.chars().collect();
        let mut out = vec![false; cs.len()];
        let mut at = 0;
        for w in self.analyzer.words(chunk) {
            let wc: Vec<char> = w.chars().collect();
            let Some(pos) = (at..=cs.len().saturating_sub(wc.len()))
                .find(|i| cs.get(*i..*i + wc.len()) == Some(wc.as_slice()))
            else {
                continue;
            };
            at = pos + wc.len();
            if !wc.iter().all(|c| is_cjk(*c)) || is_stop_word(&w) {
                continue;
            }
            if wc.len() == 1 || !self.known(searcher, &w) {
                out[pos..pos + wc.len()].iter_mut().for_each(|x| *x = true);
            }
        }
        out
    }

    /// One unit of a query: a word, a synonym group or a notation, as alternatives.
    fn unit_for_word(
        &self,
        searcher: &tantivy::Searcher,
        lexicon: Option<&Lexicon>,
        word: &str,
    ) -> Box<dyn Query> {
        let base = self.word_query(searcher, word);
        let expansions = if ABBREVIATION_WEIGHT > 0.0 {
            self.expansion_queries(searcher, lexicon, word)
        } else {
            Vec::new()
        };
        let subs = self.analyzer.sub_words(word);
        if expansions.is_empty() && subs.is_empty() {
            return base;
        }
        let mut alts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, base)];
        for w in subs {
            alts.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    self.word_query(searcher, &w),
                    SUBWORD_WEIGHT,
                )),
            ));
        }
        alts.extend(expansions);
        Box::new(BooleanQuery::new(alts))
    }

    /// The full terms `short` abbreviates (configured, else mined), each a weighted alternative:
    /// a mined term is one word of the index, a configured one all of its words.
    fn expansion_queries(
        &self,
        searcher: &tantivy::Searcher,
        lexicon: Option<&Lexicon>,
        short: &str,
    ) -> Vec<(Occur, Box<dyn Query>)> {
        let e = self.terms.expansions(lexicon, short, ABBREVIATIONS);
        e.terms
            .iter()
            .filter_map(|t| {
                if e.configured {
                    self.all_of(searcher, &self.analyzer.words(t))
                } else {
                    Some(self.word_query(searcher, t))
                }
            })
            .map(|q| {
                let q: Box<dyn Query> = Box::new(BoostQuery::new(q, ABBREVIATION_WEIGHT));
                (Occur::Should, q)
            })
            .collect()
    }

    /// The text part of a query and the "did you mean" suggestion; `None` when the text holds
    /// nothing searchable. The floor is BM25 over the query's words, any of which may match:
    /// each word (or synonym group, or notation) is one optional clause weighed by field, so
    /// records with more of the words rank first and a long query still finds records. Quoted
    /// parts must match. Added alternatives: abbreviation expansions mined from the index,
    /// Chinese terms for English phrases, element names for notations, and the words of the
    /// query with same-sounding typos corrected.
    fn text_query(
        self: &Arc<Self>,
        searcher: &tantivy::Searcher,
        text: &str,
    ) -> (Option<TextQuery>, Option<String>) {
        let normalized = understand::normalize(text);
        let lexicon = self.lexicon(searcher);
        let mut required: Vec<Box<dyn Query>> = Vec::new();
        let mut optional: Vec<Box<dyn Query>> = Vec::new();
        // Each word as written (or its synonym group, or its notation), without sub-words or
        // expansions: what "every word" means for `Strict`.
        let mut core: Vec<Box<dyn Query>> = Vec::new();
        let mut stop_units: Vec<Box<dyn Query>> = Vec::new();
        let mut suggestion = normalized.clone();
        let mut corrected_any = false;
        for (quoted, part) in split_quotes(&normalized) {
            if quoted {
                if let Some(q) = self.all_of(searcher, &self.analyzer.words(&part)) {
                    required.push(q);
                }
                continue;
            }
            for raw in part.split_whitespace() {
                if let Some((joined, chinese)) = understand::notation(raw) {
                    let mut alts: Vec<(Occur, Box<dyn Query>)> =
                        vec![(Occur::Should, self.word_query(searcher, &joined))];
                    let pieces: Vec<String> = raw
                        .split('-')
                        .filter(|p| !p.is_empty())
                        .map(str::to_lowercase)
                        .collect();
                    if pieces.len() > 1 {
                        if let Some(q) = self.all_of(searcher, &pieces) {
                            alts.push((Occur::Should, q));
                        }
                    }
                    if let Some(zh) = chinese {
                        if let Some(q) = self.all_of(searcher, &self.analyzer.words(&zh)) {
                            alts.push((Occur::Should, q));
                        }
                    }
                    // A configured short form written in capitals (EV) reads as a notation.
                    alts.extend(self.expansion_queries(searcher, None, &joined));
                    let unit: Box<dyn Query> = Box::new(BooleanQuery::new(alts));
                    core.push(unit.box_clone());
                    optional.push(unit);
                    continue;
                }
                let chunk = raw.to_lowercase();
                let words = self.analyzer.words(&chunk);
                // Runs of ideographs the segmenter left alone (超/容 in 超容隔膜) may be an
                // abbreviation it does not know: their expansions join as one more unit.
                // Configured short forms are expanded wherever they are written; `seen` keeps
                // each to one unit.
                let mut seen: HashSet<String> = HashSet::new();
                if ABBREVIATION_WEIGHT > 0.0 {
                    let mut run = String::new();
                    for w in words.iter().chain(std::iter::once(&String::new())) {
                        let single = w.chars().count() == 1 && w.chars().all(is_cjk);
                        if single && !is_stop_word(w) {
                            run.push_str(w);
                            continue;
                        }
                        if run.chars().count() >= 2 {
                            let alts = self.expansion_queries(searcher, Some(&lexicon), &run);
                            if !alts.is_empty() {
                                optional.push(Box::new(BooleanQuery::new(alts)));
                            }
                            seen.insert(run.clone());
                        }
                        run.clear();
                    }
                    seen.extend(words.iter().cloned());
                    for short in self.terms.configured_inside(&chunk, &seen) {
                        let alts = self.expansion_queries(searcher, Some(&lexicon), short);
                        if !alts.is_empty() {
                            optional.push(Box::new(BooleanQuery::new(alts)));
                        }
                    }
                }
                for span in self.synonyms.split(words.clone()) {
                    match span {
                        Span::Group(g) => {
                            let alts: Vec<(Occur, Box<dyn Query>)> = self.synonyms.groups[g]
                                .iter()
                                .filter_map(|t| self.all_of(searcher, t))
                                .map(|q| (Occur::Should, q))
                                .collect();
                            let unit: Box<dyn Query> = Box::new(BooleanQuery::new(alts));
                            core.push(unit.box_clone());
                            optional.push(unit);
                        }
                        Span::Word(w) if is_stop_word(&w) => {
                            stop_units.push(self.word_query(searcher, &w))
                        }
                        Span::Word(w) => {
                            core.push(self.word_query(searcher, &w));
                            optional.push(self.unit_for_word(searcher, Some(&lexicon), &w))
                        }
                    }
                }
                if chunk.chars().any(is_cjk) && TYPO_WEIGHT > 0.0 {
                    let suspicious = self.suspicious(searcher, &chunk);
                    if let Some(fixed) = lexicon.correct(&chunk, &suspicious) {
                        let before: BTreeSet<String> = words.iter().cloned().collect();
                        for w in self.analyzer.words(&fixed) {
                            if !before.contains(&w) && !is_stop_word(&w) {
                                optional.push(Box::new(BoostQuery::new(
                                    self.word_query(searcher, &w),
                                    TYPO_WEIGHT,
                                )));
                            }
                        }
                        suggestion = suggestion.replacen(raw, &fixed, 1);
                        corrected_any = true;
                    }
                }
            }
        }
        for zh in lexicon.bilingual_terms(&normalized) {
            if let Some(q) = self.all_of(searcher, &self.analyzer.words(&zh)) {
                optional.push(Box::new(BoostQuery::new(q, BILINGUAL_WEIGHT)));
            }
        }
        if optional.is_empty() && required.is_empty() {
            optional = stop_units;
        }
        let suggestion = corrected_any.then_some(suggestion);
        let quoted: Vec<Box<dyn Query>> = required.iter().map(|q| q.box_clone()).collect();
        let query: Option<Box<dyn Query>> = match (required.len(), optional.len()) {
            (0, 0) => None,
            (0, 1) => optional.pop(),
            (1, 0) => required.pop(),
            _ => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                let any_required = !required.is_empty();
                clauses.extend(required.into_iter().map(|q| (Occur::Must, q)));
                clauses.extend(optional.into_iter().map(|q| (Occur::Should, q)));
                let q: Box<dyn Query> = if any_required {
                    Box::new(BooleanQuery::new(clauses))
                } else {
                    Box::new(BooleanQuery::with_minimum_required_clauses(clauses, 1))
                };
                Some(q)
            }
        };
        (query.map(|any| TextQuery { any, quoted, core }), suggestion)
    }

    fn term(&self, field: Field, value: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    }

    fn filter_queries(&self, filters: &Filters, visibility: Visibility) -> Vec<Box<dyn Query>> {
        let f = &self.fields;
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        match visibility {
            Visibility::All => {}
            Visibility::Published => out.push(self.term(f.status, "PUBLISHED")),
            Visibility::PublishedOrOrganisation(org) => {
                out.push(Box::new(BooleanQuery::new(vec![
                    (Occur::Should, self.term(f.status, "PUBLISHED")),
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_field_i64(f.organisation_id, org),
                            IndexRecordOption::Basic,
                        )),
                    ),
                ])))
            }
        }
        let pairs = [
            (f.organisation, &filters.organisation),
            (f.achievement_type, &filters.achievement_type),
            (f.industry, &filters.industry),
            (f.transfer_modes, &filters.transfer_mode),
            (f.region, &filters.region),
            (f.collections, &filters.collection),
        ];
        for (field, value) in pairs {
            if let Some(v) = value {
                out.push(self.term(field, v));
            }
        }
        if filters.maturity_min.is_some() || filters.maturity_max.is_some() {
            let lo = filters.maturity_min.unwrap_or(1).max(1);
            let hi = filters.maturity_max.unwrap_or(9);
            out.push(Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_i64(f.trl, lo)),
                Bound::Included(Term::from_field_i64(f.trl, hi)),
            )));
        }
        out
    }

    fn search(self: &Arc<Self>, req: &SearchRequest) -> SearchResult<SearchResponse> {
        let searcher = self.reader.searcher();
        let mut suggestion = None;
        let text = if req.text.trim().is_empty() {
            None
        } else {
            let (q, s) = self.text_query(&searcher, &req.text);
            suggestion = s;
            Some(q)
        };
        let filters: Vec<Box<dyn Query>> = self
            .filter_queries(&req.filters, req.visibility)
            .into_iter()
            .map(|q| {
                let q: Box<dyn Query> = Box::new(ConstScoreQuery::new(q, 0.0));
                q
            })
            .collect();
        let filtered = |q: Box<dyn Query>| {
            let mut clauses = vec![(Occur::Must, q)];
            clauses.extend(filters.iter().map(|f| (Occur::Must, f.box_clone())));
            BooleanQuery::new(clauses)
        };
        let by_recency = req.sort == Sort::Recency || text.is_none();
        let answer = |query: &BooleanQuery| -> SearchResult<Answer> {
            let facets = FacetCollector {
                fields: req
                    .facets
                    .iter()
                    .map(|f| f.attribute().to_string())
                    .collect(),
            };
            if req.limit == 0 {
                let (total, values) = searcher
                    .search(query, &(Count, facets))
                    .map_err(backend_err)?;
                return Ok((Vec::new(), total, values));
            }
            let top = TopDocs::with_limit(req.limit).and_offset(req.offset);
            if by_recency {
                let top = top.order_by_fast_field::<i64>("recency", Order::Desc);
                let (docs, total, values) = searcher
                    .search(query, &(top, Count, facets))
                    .map_err(backend_err)?;
                Ok((
                    docs.into_iter().map(|(_, a)| (0.0, a)).collect(),
                    total,
                    values,
                ))
            } else {
                let (docs, total, values) = searcher
                    .search(query, &(top, Count, facets))
                    .map_err(backend_err)?;
                let docs = docs.into_iter().map(|(s, a)| (f64::from(s), a)).collect();
                Ok((docs, total, values))
            }
        };
        let (addresses, total, facet_values) = match &text {
            None => answer(&filtered(Box::new(AllQuery)))?,
            Some(None) => answer(&filtered(Box::new(EmptyQuery)))?,
            Some(Some(t)) => {
                // The narrowest tier that holds enough records is the answer (ranked by the
                // words it holds): counting, faceting and scoring every record that holds any
                // word, sub-word or expansion is what makes a large index slow, and below the
                // first STRICT_ENOUGH records they would not be read anyway. The matcher's bag
                // of words never needs every word; smaller answers rank by any word.
                let mut found = None;
                if !req.match_any {
                    for tier in t.tiers() {
                        let a = answer(&filtered(tier))?;
                        if a.1 >= STRICT_ENOUGH {
                            found = Some(a);
                            break;
                        }
                    }
                }
                match found {
                    Some(a) => a,
                    None => answer(&filtered(t.any.box_clone()))?,
                }
            }
        };
        let highlighter = match (&text, req.highlight) {
            (Some(Some(q)), true) => Some(Highlighter::new(self, &searcher, q.any.as_ref())?),
            _ => None,
        };
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, addr) in addresses {
            let doc: TantivyDocument = searcher.doc(addr).map_err(backend_err)?;
            let id = doc
                .get_first(self.fields.id)
                .and_then(|v| v.as_i64())
                .ok_or_else(|| backend_err("indexed document without id"))?;
            let highlights = match &highlighter {
                Some(h) => h.highlights(self, &doc),
                None => Vec::new(),
            };
            hits.push(Hit {
                id,
                score,
                highlights,
            });
        }
        let facets = req
            .facets
            .iter()
            .zip(facet_values)
            .map(|(facet, counts)| {
                let mut values: Vec<(String, u64)> = counts.into_iter().collect();
                values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                FacetCounts {
                    facet: *facet,
                    values,
                }
            })
            .collect();
        Ok(SearchResponse {
            hits,
            total: total as u64,
            facets,
            suggestion,
        })
    }
}

/// One pass's page (score and address), total and facet counts.
type Answer = (Vec<(f64, DocAddress)>, usize, Vec<HashMap<String, u64>>);

/// Highlighting for one query: the query's terms per field, and a snippet generator for the
/// long summaries. Short fields are marked whole.
struct Highlighter {
    terms: HashMap<Field, BTreeSet<String>>,
    summary: Option<SnippetGenerator>,
    summary_en: Option<SnippetGenerator>,
}

impl Highlighter {
    fn new(inner: &Inner, searcher: &tantivy::Searcher, query: &dyn Query) -> SearchResult<Self> {
        let mut terms: HashMap<Field, BTreeSet<String>> = HashMap::new();
        query.query_terms(&mut |term, _| {
            if let Some(s) = term.value().as_str() {
                terms.entry(term.field()).or_default().insert(s.to_string());
            }
        });
        let generator = |field: Field| -> SearchResult<Option<SnippetGenerator>> {
            if !terms.contains_key(&field) {
                return Ok(None);
            }
            let mut g = SnippetGenerator::create(searcher, query, field).map_err(backend_err)?;
            g.set_max_num_chars(120);
            Ok(Some(g))
        };
        let summary = generator(inner.fields.summary)?;
        let summary_en = generator(inner.fields.summary_en)?;
        Ok(Self {
            terms,
            summary,
            summary_en,
        })
    }

    /// Marks every token of `text` whose indexed form is a query term of `field`; when none is,
    /// falls back to the per-character terms (substring matches).
    fn mark_short(&self, inner: &Inner, field: Field, text: &str) -> Option<String> {
        let mut ranges = Vec::new();
        if let Some(terms) = self.terms.get(&field) {
            let mut analyzer = inner.zh_en.clone();
            let mut stream = analyzer.token_stream(text);
            while let Some(t) = stream.next() {
                if terms.contains(&t.text) {
                    ranges.push(t.offset_from..t.offset_to);
                }
            }
        }
        if ranges.is_empty() {
            if let Some(terms) = self.terms.get(&inner.fields.chars) {
                // Only runs of adjacent matching characters, so a two-character query does not
                // light up every lone 电 in the text; a one-character query marks single ones.
                let min_run = terms.len().min(2);
                let mut analyzer = tokenizer::chars_analyzer();
                let mut stream = analyzer.token_stream(text);
                let mut run: Vec<std::ops::Range<usize>> = Vec::new();
                let mut flush = |run: &mut Vec<std::ops::Range<usize>>| {
                    if run.len() >= min_run {
                        ranges.append(run);
                    }
                    run.clear();
                };
                while let Some(t) = stream.next() {
                    let adjacent = run.last().is_none_or(|r| r.end == t.offset_from);
                    if terms.contains(&t.text) && adjacent {
                        run.push(t.offset_from..t.offset_to);
                    } else {
                        flush(&mut run);
                        if terms.contains(&t.text) {
                            run.push(t.offset_from..t.offset_to);
                        }
                    }
                }
                flush(&mut run);
            }
        }
        (!ranges.is_empty()).then(|| mark(text, &ranges))
    }

    fn highlights(&self, inner: &Inner, doc: &TantivyDocument) -> Vec<Highlight> {
        let f = &inner.fields;
        let mut out = Vec::new();
        let text_of = |field: Field| -> Vec<String> {
            doc.get_all(field)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        for (name, field) in [("title", f.title), ("titleEn", f.title_en)] {
            if let Some(t) = text_of(field).first() {
                if let Some(s) = self.mark_short(inner, field, t) {
                    out.push(Highlight {
                        field: name.into(),
                        snippet: s,
                    });
                }
            }
        }
        let keywords: Vec<String> = text_of(f.keywords)
            .iter()
            .filter_map(|k| self.mark_short(inner, f.keywords, k))
            .collect();
        if !keywords.is_empty() {
            out.push(Highlight {
                field: "keywords".into(),
                snippet: keywords.join("、"),
            });
        }
        for (name, generator) in [("summary", &self.summary), ("summaryEn", &self.summary_en)] {
            if let Some(g) = generator {
                let s = g.snippet_from_doc(doc);
                if !s.highlighted().is_empty() {
                    out.push(Highlight {
                        field: name.into(),
                        snippet: mark(
                            s.fragment().trim_start(),
                            &shift(s.fragment(), s.highlighted()),
                        ),
                    });
                }
            }
        }
        out
    }
}

/// Ranges of `fragment` moved to `fragment.trim_start()`.
fn shift(fragment: &str, ranges: &[std::ops::Range<usize>]) -> Vec<std::ops::Range<usize>> {
    let cut = fragment.len() - fragment.trim_start().len();
    ranges
        .iter()
        .filter(|r| r.start >= cut)
        .map(|r| (r.start - cut)..(r.end - cut))
        .collect()
}

/// A query's text as two queries: any word may match (the ranking), and every word as written
/// must (the answer when it is large enough).
struct TextQuery {
    /// Every alternative, any of which may match: the ranking of a small answer.
    any: Box<dyn Query>,
    /// Quoted parts, which every record of the answer holds.
    quoted: Vec<Box<dyn Query>>,
    /// Each word as written (or its synonym group, or its notation), without sub-words or
    /// expansions: what "holds the word" means for the answer tiers.
    core: Vec<Box<dyn Query>>,
}

impl TextQuery {
    /// The answer tiers, narrowest first: records holding every word as written, then (for three
    /// words or more) all but one, down to two thirds of the words. Each tier is scored by the
    /// words it holds, field-weighted BM25, so a tier's count, facets and ranking come from one
    /// pass over the records that hold the words. Empty for a query without plain words.
    fn tiers(&self) -> Vec<Box<dyn Query>> {
        let n = self.core.len();
        if n == 0 {
            return Vec::new();
        }
        // Two thirds of the words, and never so few that the choices multiply past MAX_CHOICES
        // (eight words: all of them, then seven or six — 36 intersections).
        let mut floor = (2 * n).div_ceil(3).max(2).min(n);
        while floor < n && (floor..n).map(|m| choices_count(n, m)).sum::<usize>() > MAX_CHOICES {
            floor += 1;
        }
        let all_of = |picked: &[usize]| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(
                picked
                    .iter()
                    .map(|&i| (Occur::Must, self.core[i].box_clone()))
                    .collect(),
            ))
        };
        (floor..=n)
            .rev()
            .map(|m| {
                // Any m of the n words: the union of the intersections of each choice of m.
                // Each intersection is led by its rarest word, where tantivy's
                // minimum-should-match disjunction walks every posting of the common words. A
                // record holding more words matches more choices and ranks higher.
                let words: Box<dyn Query> = if m == n {
                    all_of(&(0..n).collect::<Vec<_>>())
                } else {
                    Box::new(BooleanQuery::new(
                        choices(n, m)
                            .iter()
                            .map(|c| (Occur::Should, all_of(c)))
                            .collect(),
                    ))
                };
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = self
                    .quoted
                    .iter()
                    .map(|q| {
                        let q: Box<dyn Query> = Box::new(ConstScoreQuery::new(q.box_clone(), 0.0));
                        (Occur::Must, q)
                    })
                    .collect();
                clauses.push((Occur::Must, words));
                let q: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
                q
            })
            .collect()
    }
}

/// At most this many intersections over all the lower tiers of one query.
const MAX_CHOICES: usize = 64;

/// How many choices of `m` of `n` there are (n over m).
fn choices_count(n: usize, m: usize) -> usize {
    (0..m).fold(1, |acc, i| acc * (n - i) / (i + 1))
}

/// Every choice of `m` of the indexes `0..n`, in lexicographic order.
fn choices(n: usize, m: usize) -> Vec<Vec<usize>> {
    fn extend(
        start: usize,
        n: usize,
        m: usize,
        picked: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if picked.len() == m {
            out.push(picked.clone());
            return;
        }
        for i in start..n {
            if n - i < m - picked.len() {
                break;
            }
            picked.push(i);
            extend(i + 1, n, m, picked, out);
            picked.pop();
        }
    }
    let mut out = Vec::new();
    extend(0, n, m, &mut Vec::with_capacity(m), &mut out);
    out
}

/// Records a tier must hold to be the answer. A fixed number, not the page's end, so that every
/// page of one query is cut from the same set. Far above a topic's records in the relevance sets
/// (so their rankings are unchanged) and far below what a common word matches at 1,000,000
/// records.
const STRICT_ENOUGH: usize = 200;

/// Counts the values of string fast fields over every matching document.
struct FacetCollector {
    fields: Vec<String>,
}

struct FacetSegment {
    columns: Vec<Option<(StrColumn, Vec<u64>)>>,
}

impl Collector for FacetCollector {
    type Fruit = Vec<HashMap<String, u64>>;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let ff = reader.fast_fields();
        let mut columns = Vec::with_capacity(self.fields.len());
        for name in &self.fields {
            columns.push(ff.str(name)?.map(|c| {
                let n = c.num_terms();
                (c, vec![0u64; n])
            }));
        }
        Ok(FacetSegment { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut out: Vec<HashMap<String, u64>> = vec![HashMap::new(); self.fields.len()];
        for fruit in fruits {
            for (i, counts) in fruit.into_iter().enumerate() {
                if let Some(slot) = out.get_mut(i) {
                    for (k, v) in counts {
                        *slot.entry(k).or_default() += v;
                    }
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Vec<HashMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter_mut().flatten() {
            for ord in column.term_ords(doc) {
                if let Some(c) = counts.get_mut(ord as usize) {
                    *c += 1;
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.columns
            .into_iter()
            .map(|c| {
                let mut map = HashMap::new();
                if let Some((column, counts)) = c {
                    for (ord, n) in counts.into_iter().enumerate() {
                        if n == 0 {
                            continue;
                        }
                        let mut s = String::new();
                        if column.ord_to_str(ord as u64, &mut s).unwrap_or(false) {
                            map.insert(s, n);
                        }
                    }
                }
                map
            })
            .collect()
    }
}

#[async_trait]
impl SearchIndex for TantivyIndex {
    fn backend(&self) -> &'static str {
        "embedded"
    }

    async fn apply(&self, upserts: Vec<SearchDoc>, deletes: Vec<i64>) -> SearchResult<()> {
        let inner = self.inner.clone();
        blocking(move || {
            let mut w = lock(&inner.writer);
            let ids: BTreeSet<i64> = deletes
                .iter()
                .copied()
                .chain(upserts.iter().map(|d| d.id))
                .collect();
            for id in ids {
                w.delete_term(Term::from_field_i64(inner.fields.id, id));
            }
            for d in &upserts {
                w.add_document(inner.document(d)).map_err(backend_err)?;
            }
            inner.commit(&mut w)
        })
        .await
    }

    async fn clear(&self) -> SearchResult<()> {
        let inner = self.inner.clone();
        blocking(move || {
            let mut w = lock(&inner.writer);
            w.delete_all_documents().map_err(backend_err)?;
            inner.commit(&mut w)
        })
        .await
    }

    async fn search(&self, request: &SearchRequest) -> SearchResult<SearchResponse> {
        let inner = self.inner.clone();
        let request = request.clone();
        blocking(move || inner.search(&request)).await
    }

    async fn count(&self) -> SearchResult<u64> {
        Ok(self.inner.reader.searcher().num_docs())
    }

    async fn fingerprint(&self) -> SearchResult<Option<String>> {
        Ok(lock(&self.inner.payload).clone())
    }

    async fn set_fingerprint(&self, fingerprint: &str) -> SearchResult<()> {
        *lock(&self.inner.payload) = Some(fingerprint.to_string());
        let inner = self.inner.clone();
        blocking(move || {
            let mut w = lock(&inner.writer);
            inner.commit(&mut w)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_split_and_unbalanced_quotes_are_text() {
        assert_eq!(
            split_quotes(r#"稀土 "永磁 材料" 回收"#),
            vec![
                (false, "稀土 ".to_string()),
                (true, "永磁 材料".to_string()),
                (false, " 回收".to_string())
            ]
        );
        assert_eq!(
            split_quotes(r#"稀土 "永磁"#),
            vec![(false, "稀土 ".to_string()), (false, "永磁".to_string())]
        );
        assert_eq!(split_quotes(r#"""""#), Vec::<(bool, String)>::new());
    }

    /// The contract's test document, without a summary.
    fn doc(id: i64, title: &str) -> SearchDoc {
        super::super::contract::doc(id, title, "")
    }

    /// Ids found for each of `queries` on a small index opened with `config`.
    async fn found(
        config: &crate::search::config::SearchConfig,
        queries: &[&str],
    ) -> Vec<Vec<i64>> {
        let dir = tempfile::tempdir().expect("tmp");
        let index = TantivyIndex::open_configured(dir.path(), config, 15_000_000, 1).expect("open");
        index
            .apply(
                vec![
                    doc(1, "电动汽车充电桩智能调度系统"),
                    doc(2, "奶牛乳房炎快速诊断试剂盒"),
                    doc(3, "一种稀土抛光粉的制备方法"),
                ],
                Vec::new(),
            )
            .await
            .expect("apply");
        let mut out = Vec::new();
        for q in queries {
            let r = index
                .search(&SearchRequest {
                    text: q.to_string(),
                    filters: Filters::default(),
                    visibility: Visibility::Published,
                    facets: Vec::new(),
                    sort: Sort::Relevance,
                    offset: 0,
                    limit: 10,
                    highlight: false,
                    match_any: false,
                })
                .await
                .expect("search");
            out.push(r.hits.iter().map(|h| h.id).collect());
        }
        out
    }

    #[tokio::test]
    async fn configured_abbreviations_and_bilingual_pairs_reach_the_query() {
        use crate::search::config::SearchConfig;
        let queries = ["EV", "ev 调度", "mastitis test"];
        let plain = SearchConfig {
            mine_abbreviations: false,
            ..SearchConfig::default()
        };
        let none: Vec<Vec<i64>> = vec![vec![], vec![1], vec![]];
        assert_eq!(found(&plain, &queries).await, none);
        let configured = SearchConfig {
            abbreviations: vec![vec!["EV".into(), "电动汽车".into()]],
            bilingual: vec![vec!["mastitis".into(), "乳房炎".into()]],
            ..plain
        };
        assert_eq!(
            found(&configured, &queries).await,
            vec![vec![1], vec![1], vec![2]]
        );
    }

    /// The first five hits of `text` over `docs` with the type facet asked, after checking that
    /// the facet counts what the total counts; and the total.
    async fn top_and_total(docs: Vec<SearchDoc>, text: &str) -> (Vec<i64>, u64) {
        let dir = tempfile::tempdir().expect("tmp");
        let config = crate::search::config::SearchConfig::default();
        let index =
            TantivyIndex::open_configured(dir.path(), &config, 15_000_000, 1).expect("open");
        index.apply(docs, Vec::new()).await.expect("apply");
        let r = index
            .search(&SearchRequest {
                text: text.into(),
                filters: Filters::default(),
                visibility: Visibility::Published,
                facets: vec![crate::search::index::Facet::Type],
                sort: Sort::Relevance,
                offset: 0,
                limit: 5,
                highlight: false,
                match_any: false,
            })
            .await
            .expect("search");
        let type_count: u64 = r.facets[0].values.iter().map(|(_, n)| n).sum();
        assert_eq!(type_count, r.total, "facets count what the total counts");
        (r.hits.iter().map(|h| h.id).collect(), r.total)
    }

    /// `count` records titled `title`, numbered from `from`.
    fn many(from: i64, count: i64, title: &str) -> Vec<SearchDoc> {
        (from..from + count).map(|i| doc(i, title)).collect()
    }

    #[tokio::test]
    async fn enough_records_with_every_word_are_the_answer_else_any_word_matches() {
        // `count` records hold 稀土 and 抛光粉, 100 more only 稀土.
        let both = |count: i64| {
            let mut docs = many(1, count, "一种稀土抛光粉的制备方法");
            docs.extend(many(10_000, 100, "稀土永磁电机"));
            top_and_total(docs, "稀土 抛光粉")
        };
        let few = STRICT_ENOUGH as i64 - 1;
        assert_eq!(both(few).await.1, few as u64 + 100);
        let enough = STRICT_ENOUGH as i64;
        assert_eq!(both(enough).await.1, enough as u64);
    }

    #[test]
    fn choices_are_every_subset_of_the_size_once() {
        assert_eq!(choices(3, 2), vec![vec![0, 1], vec![0, 2], vec![1, 2]]);
        assert_eq!(choices(4, 4), vec![vec![0, 1, 2, 3]]);
        for (n, m) in [(6, 4), (8, 6), (5, 1)] {
            let c = choices(n, m);
            assert_eq!(c.len(), choices_count(n, m));
            let distinct: HashSet<&Vec<usize>> = c.iter().collect();
            assert_eq!(distinct.len(), c.len());
            assert!(c
                .iter()
                .all(|p| p.len() == m && p.windows(2).all(|w| w[0] < w[1])));
        }
    }

    #[tokio::test]
    async fn with_three_words_enough_records_holding_two_are_the_answer_best_first() {
        // Five records hold all three words, `count` two of them, 100 only one.
        let tiers = |count: i64| {
            let mut docs = many(1, 5, "稀土抛光粉 电机");
            docs.extend(many(100, count, "一种稀土抛光粉的制备方法"));
            docs.extend(many(10_000, 100, "永磁同步电机控制器"));
            top_and_total(docs, "稀土 抛光粉 电机")
        };
        let enough = STRICT_ENOUGH as i64 - 5;
        let (mut top, total) = tiers(enough).await;
        assert_eq!(
            total, STRICT_ENOUGH as u64,
            "the records holding two words or more"
        );
        top.sort_unstable();
        assert_eq!(top, vec![1, 2, 3, 4, 5], "every word first");
        let (mut top, total) = tiers(enough - 1).await;
        assert_eq!(total, STRICT_ENOUGH as u64 - 1 + 100, "too few: any word");
        top.sort_unstable();
        assert_eq!(top, vec![1, 2, 3, 4, 5], "every word first");
    }

    #[test]
    fn synonyms_fire_on_whole_words_only() {
        let a = QueryAnalyzer::new(tokenizer::jieba(
            &super::super::collections::default_vocabulary(),
        ));
        let s = Synonyms::new(
            &[
                vec!["锂电池".into(), "锂离子电池".into()],
                vec!["AI".into(), "人工智能".into()],
                vec!["光伏".into(), "太阳能电池".into()],
            ],
            &a,
        );
        assert_eq!(
            s.split(a.words("锂电池正极材料")),
            vec![Span::Group(0), Span::Word("正极材料".into())]
        );
        assert_eq!(
            s.split(a.words("rain ai")),
            vec![Span::Word("rain".into()), Span::Group(1)]
        );
        assert_eq!(
            s.split(a.words("光伏组件")),
            vec![Span::Word("光伏组件".into())]
        );
    }
}
