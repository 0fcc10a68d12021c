//! Search evaluation (issue 16): the generated set (`crate::evalset`) loaded into a store and the
//! hub's index, every query of one part ranked by the hub and, in the same run, by two
//! references built from the same records: plain BM25 (tantivy, the same jieba words, one OR of
//! the query's words over the text fields, no boosts, no expansion) and SQLite FTS5 with the
//! trigram tokenizer (the query's space-separated parts of three or more characters, all
//! required, FTS5's default). Per category: nDCG@10, recall@20, MRR and the zero-result rate.

use super::index::{Filters, SearchIndex, SearchRequest, Sort, Visibility};
use super::tokenizer::{self, ZH_EN};
use crate::error::{AppError, AppResult};
use crate::evalset::{EvalQuery, Part};
use crate::matching::eval::{mean, DevAchievement, Metrics, RECALL_AT};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::collections::{BTreeSet, HashMap};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, TantivyDocument, Term};

fn err(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("evaluation: {e}"))
}

/// Plain BM25 over jieba words: the floor the hub must not fall under.
pub struct PlainBm25 {
    index: Index,
    reader: IndexReader,
    key: Field,
    fields: Vec<Field>,
    analyzer: TextAnalyzer,
}

impl PlainBm25 {
    /// Indexes the records' title, keywords, summary and English fields, unweighted.
    pub fn build(records: &[DevAchievement]) -> AppResult<Self> {
        let mut b = Schema::builder();
        let key = b.add_text_field("key", STRING | STORED);
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ZH_EN)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let names = ["title", "keywords", "summary", "title_en", "summary_en"];
        let fields: Vec<Field> = names
            .iter()
            .map(|n| b.add_text_field(n, text.clone()))
            .collect();
        let index = Index::create_in_ram(b.build());
        let jieba = tokenizer::jieba(&crate::search::collections::default_vocabulary());
        index
            .tokenizers()
            .register(ZH_EN, tokenizer::zh_en_analyzer(jieba.clone()));
        let mut w = index.writer(15_000_000).map_err(err)?;
        for r in records {
            let mut d = TantivyDocument::default();
            d.add_text(key, &r.key);
            d.add_text(fields[0], &r.title);
            for k in &r.keywords {
                d.add_text(fields[1], k);
            }
            d.add_text(fields[2], &r.summary);
            if let Some(t) = &r.title_en {
                d.add_text(fields[3], t);
            }
            if let Some(t) = &r.summary_en {
                d.add_text(fields[4], t);
            }
            w.add_document(d).map_err(err)?;
        }
        w.commit().map_err(err)?;
        let reader = index.reader().map_err(err)?;
        Ok(Self {
            index,
            reader,
            key,
            fields,
            analyzer: tokenizer::zh_en_analyzer(jieba),
        })
    }

    /// The best `k` record keys for `text`.
    pub fn rank(&self, text: &str, k: usize) -> AppResult<Vec<String>> {
        let mut analyzer = self.analyzer.clone();
        let mut words = BTreeSet::new();
        let mut s = analyzer.token_stream(text);
        while let Some(t) = s.next() {
            words.insert(t.text.clone());
        }
        let clauses: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .flat_map(|w| {
                self.fields.iter().map(move |f| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(*f, w),
                        IndexRecordOption::WithFreqs,
                    ));
                    (Occur::Should, q)
                })
            })
            .collect();
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&BooleanQuery::new(clauses), &TopDocs::with_limit(k))
            .map_err(err)?;
        let _ = &self.index;
        let mut out = Vec::new();
        for (_, addr) in top {
            let d: TantivyDocument = searcher.doc(addr).map_err(err)?;
            if let Some(v) = d.get_first(self.key).and_then(|v| v.as_str()) {
                out.push(v.to_string());
            }
        }
        Ok(out)
    }
}

/// SQLite FTS5 with the trigram tokenizer, the other reference.
pub struct Fts5 {
    db: DatabaseConnection,
}

impl Fts5 {
    /// Loads the records into an FTS5 table of a SQLite store (the caller's throwaway file).
    pub async fn build(db: DatabaseConnection, records: &[DevAchievement]) -> AppResult<Self> {
        db.execute_unprepared(
            "CREATE VIRTUAL TABLE IF NOT EXISTS eval_fts USING fts5(key UNINDEXED, body, tokenize='trigram')",
        )
        .await?;
        db.execute_unprepared("DELETE FROM eval_fts").await?;
        for r in records {
            let body = format!(
                "{} {} {} {} {}",
                r.title,
                r.keywords.join(" "),
                r.summary,
                r.title_en.clone().unwrap_or_default(),
                r.summary_en.clone().unwrap_or_default()
            );
            db.execute(Statement::from_sql_and_values(
                db.get_database_backend(),
                "INSERT INTO eval_fts(key, body) VALUES (?, ?)",
                [r.key.clone().into(), body.into()],
            ))
            .await?;
        }
        Ok(Self { db })
    }

    /// The best `k` record keys for `text`.
    pub async fn rank(&self, text: &str, k: usize) -> AppResult<Vec<String>> {
        let parts: Vec<String> = text
            .split_whitespace()
            .filter(|p| p.chars().count() >= 3)
            .map(|p| format!("\"{}\"", p.replace('"', "\"\"")))
            .collect();
        if parts.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self
            .db
            .query_all(Statement::from_sql_and_values(
                self.db.get_database_backend(),
                "SELECT key FROM eval_fts WHERE eval_fts MATCH ? ORDER BY bm25(eval_fts) LIMIT ?",
                [parts.join(" ").into(), (k as i64).into()],
            ))
            .await?;
        Ok(rows
            .iter()
            .filter_map(|r| r.try_get::<String>("", "key").ok())
            .collect())
    }
}

/// One row of a report: a category and each ranker's figures.
#[derive(Debug, Clone)]
pub struct Row {
    /// Category (`all` for the whole part).
    pub category: String,
    /// The hub.
    pub hub: Metrics,
    /// Plain BM25.
    pub bm25: Metrics,
    /// FTS5 trigram (`None` when not computed).
    pub fts5: Option<Metrics>,
    /// Share of queries the hub found nothing for.
    pub hub_zero: f64,
    /// Share of queries plain BM25 found nothing for.
    pub bm25_zero: f64,
}

/// Prints a report as a Markdown table.
pub fn markdown(title: &str, rows: &[Row]) -> String {
    let mut s = format!(
        "{title}\n\n| category | queries | hub nDCG@10 | BM25 nDCG@10 | FTS5 nDCG@10 | hub/BM25 | hub recall@20 | BM25 recall@20 | hub MRR | BM25 MRR | hub zero-result | BM25 zero-result |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
    );
    for r in rows {
        let ratio = if r.bm25.ndcg10 > 0.0 {
            format!("{:.2}", r.hub.ndcg10 / r.bm25.ndcg10)
        } else {
            "–".into()
        };
        s.push_str(&format!(
            "| {} | {} | {:.3} | {:.3} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.2} | {:.2} |\n",
            r.category,
            r.hub.queries,
            r.hub.ndcg10,
            r.bm25.ndcg10,
            r.fts5.map_or("–".to_string(), |m| format!("{:.3}", m.ndcg10)),
            ratio,
            r.hub.recall20,
            r.bm25.recall20,
            r.hub.mrr,
            r.bm25.mrr,
            r.hub_zero,
            r.bm25_zero
        ));
    }
    s
}

/// One ranked query: its category, the rankings (hub, BM25, FTS5) and its labels.
pub type Run<'a> = (String, [Vec<String>; 3], &'a HashMap<String, u8>);

/// Groups runs by category into rows (plus `all` first); the third ranking of each run is
/// FTS5's when `with_fts5`.
pub fn rows(categories: &[&str], runs: &[Run<'_>], with_fts5: bool) -> Vec<Row> {
    let mut out = Vec::new();
    let all: Vec<&str> = std::iter::once("all")
        .chain(categories.iter().copied())
        .collect();
    for c in all {
        let sel: Vec<&Run<'_>> = runs
            .iter()
            .filter(|(cat, _, _)| c == "all" || cat == c)
            .collect();
        if sel.is_empty() {
            continue;
        }
        let of = |i: usize| {
            mean(
                &sel.iter()
                    .map(|(_, r, l)| (r[i].clone(), *l))
                    .collect::<Vec<_>>(),
            )
        };
        let zero = |i: usize| {
            sel.iter().filter(|(_, r, _)| r[i].is_empty()).count() as f64 / sel.len() as f64
        };
        out.push(Row {
            category: c.to_string(),
            hub: of(0),
            bm25: of(1),
            fts5: with_fts5.then(|| of(2)),
            hub_zero: zero(0),
            bm25_zero: zero(1),
        });
    }
    out
}

/// Ranks `queries` of `part` with the hub, plain BM25 and FTS5; `keys` maps row ids to keys.
pub async fn evaluate_search(
    hub: &dyn SearchIndex,
    keys: &HashMap<i64, String>,
    bm25: &PlainBm25,
    fts5: Option<&Fts5>,
    queries: &[EvalQuery],
    part: Part,
) -> AppResult<Vec<Row>> {
    let mut runs = Vec::new();
    for q in queries.iter().filter(|q| part.contains(&q.key)) {
        let req = SearchRequest {
            text: q.text.clone(),
            filters: Filters::default(),
            visibility: Visibility::Published,
            facets: Vec::new(),
            sort: Sort::Relevance,
            offset: 0,
            limit: RECALL_AT,
            highlight: false,
            match_any: false,
        };
        let hub_ranked: Vec<String> = hub
            .search(&req)
            .await?
            .hits
            .iter()
            .filter_map(|h| keys.get(&h.id).cloned())
            .collect();
        let b = bm25.rank(&q.text, RECALL_AT)?;
        if std::env::var_os("SEARCH_EVAL_VERBOSE").is_some() {
            let n = |r: &[String]| crate::matching::eval::ndcg_at(r, &q.relevant, 10);
            eprintln!(
                "{:<14} hub {:.3} bm25 {:.3}  {}",
                q.category,
                n(&hub_ranked),
                n(&b),
                q.text
            );
        }
        let f = match fts5 {
            Some(f) => f.rank(&q.text, RECALL_AT).await?,
            None => Vec::new(),
        };
        runs.push((q.category.clone(), [hub_ranked, b, f], &q.relevant));
    }
    Ok(rows(
        &crate::evalset::SEARCH_CATEGORIES,
        &runs,
        fts5.is_some(),
    ))
}

/// The generated set loaded once: a migrated SQLite store under `dir`, the hub's embedded index,
/// and both references.
pub struct Bench {
    /// The generated set.
    pub set: crate::evalset::EvalSet,
    /// Store and hub index.
    pub loaded: crate::matching::eval::Loaded,
    /// Plain BM25.
    pub bm25: PlainBm25,
    /// FTS5 trigram.
    pub fts5: Fts5,
}

/// Generates the set with `seed` and loads it under `dir` (a throwaway directory).
pub async fn load_generated(dir: &std::path::Path, seed: u64) -> AppResult<Bench> {
    let set = crate::evalset::generate(seed);
    let url = format!("sqlite://{}?mode=rwc", dir.join("eval.db").display());
    let db = sea_orm::Database::connect(&url).await?;
    crate::db::migrate(&db).await?;
    let loaded = crate::matching::eval::load_into(&db, &set.dev, &dir.join("index")).await?;
    let bm25 = PlainBm25::build(&set.dev.achievements)?;
    let fts5 = Fts5::build(db, &set.dev.achievements).await?;
    Ok(Bench {
        set,
        loaded,
        bm25,
        fts5,
    })
}

impl Bench {
    /// Search figures of `part` on the hub's own index.
    pub async fn search(&self, part: Part) -> AppResult<Vec<Row>> {
        self.search_figures(self.loaded.search.index(), part).await
    }

    /// The queries of `part` ranked by `index`, scored beside the references.
    async fn search_figures(&self, index: &dyn SearchIndex, part: Part) -> AppResult<Vec<Row>> {
        evaluate_search(
            index,
            &self.loaded.keys,
            &self.bm25,
            Some(&self.fts5),
            &self.set.queries,
            part,
        )
        .await
    }

    /// Search figures of `part` on another backend (Meilisearch) filled from the same store with
    /// the default settings: the same queries, references and grading as the embedded index.
    pub async fn search_on(
        &self,
        index: std::sync::Arc<dyn SearchIndex>,
        part: Part,
    ) -> AppResult<Vec<Row>> {
        let search = crate::search::service::Search::with_index(
            self.loaded.search.db().clone(),
            crate::search::config::SearchConfig::default(),
            index.clone(),
        );
        crate::search::service::rebuild(&search, 5000, |_| {}).await?;
        self.search_figures(index.as_ref(), part).await
    }

    /// Matching figures of `part` with `config`.
    pub async fn matching(
        &self,
        config: &crate::matching::config::MatchingConfig,
        part: Part,
    ) -> AppResult<Vec<Row>> {
        crate::matching::eval::evaluate_by_category(
            &self.loaded,
            config,
            &self.bm25,
            &crate::evalset::NEED_CATEGORIES,
            part,
        )
        .await
    }
}
