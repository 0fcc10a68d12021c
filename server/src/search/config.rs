//! `[search]`: the backend, the vocabulary, the query term lists (abbreviations, bilingual
//! pairs) and the thematic collections, and the indexer's pace; composed into the whole configuration by `app/config.rs`.

use serde::{Deserialize, Serialize};

/// `[search]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// `embedded` (tantivy) or `meilisearch`.
    pub backend: String,
    /// Meilisearch URL when that backend is chosen.
    pub meilisearch_url: String,
    /// Meilisearch API key (secret).
    pub meilisearch_key: String,
    /// Meilisearch index uid holding the achievements.
    pub meilisearch_index: String,
    /// Groups of equivalent terms; a query for one finds the others (锂电池 ↔ 锂离子电池).
    pub synonyms: Vec<Vec<String>>,
    /// Industry words the Chinese segmenter must keep whole (钕铁硼, 锂离子电池, 蒙药 …).
    pub vocabulary: Vec<String>,
    /// Abbreviations as `[short form, full term, …]` (`["锂电", "锂电池"]`): a query holding
    /// the short form also finds the full terms. Added to the table mined from the index; a
    /// configured short form replaces what was mined for it.
    pub abbreviations: Vec<Vec<String>>,
    /// Mine contractions from the index's own words (锂电 for 锂离子电池); `false` keeps only
    /// the configured `abbreviations`.
    pub mine_abbreviations: bool,
    /// English → Chinese pairs (`["lithium battery", "锂电池"]`) added to the built-in
    /// bilingual list for English and mixed queries; a configured English phrase replaces the
    /// built-in one.
    pub bilingual: Vec<Vec<String>>,
    /// Add English → Chinese pairs mined from records that carry both a Chinese and an English
    /// title (phrases and words seen together in at least three records, linked one to one).
    pub mine_bilingual: bool,
    /// Thematic collections (专题数据库); the six Inner Mongolia clusters by default.
    pub collections: Vec<CollectionConfig>,
    /// Outbox rows the background indexer takes per batch.
    pub indexer_batch: usize,
    /// How often the indexer looks for changes written by other processes.
    pub indexer_poll_ms: u64,
    /// Embedded index only: outbox rows older than this are deleted (every replica reads the
    /// outbox as a log with its own cursor; a replica away longer rebuilds its index).
    pub outbox_retention_secs: u64,
    /// Embedded index only: how long after being written an outbox row is still looked for
    /// below the cursor (a row from a transaction that committed after later rows did).
    pub outbox_settle_secs: u64,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            backend: "embedded".into(),
            meilisearch_url: String::new(),
            meilisearch_key: String::new(),
            meilisearch_index: "achievements".into(),
            synonyms: super::collections::default_synonyms(),
            vocabulary: super::collections::default_vocabulary(),
            abbreviations: Vec::new(),
            mine_abbreviations: true,
            bilingual: Vec::new(),
            mine_bilingual: true,
            collections: super::collections::default_collections(),
            indexer_batch: 500,
            indexer_poll_ms: 1000,
            outbox_retention_secs: 7 * 86400,
            outbox_settle_secs: 300,
        }
    }
}

/// One `[[search.collections]]` entry: a record belongs when any criterion matches.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct CollectionConfig {
    /// Stable key used in filters and `collection(key)`.
    pub key: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// One-line Chinese description.
    pub description_zh: String,
    /// GB/T 4754 code prefixes (`C38`, `D4415`); a record's industry code starting with one matches.
    pub industry_prefixes: Vec<String>,
    /// IPC prefixes (`H01M`, `A61K 36`); any of a record's IPC symbols starting with one matches.
    pub ipc_prefixes: Vec<String>,
    /// Words; a record whose title or keywords contain one matches.
    pub keywords: Vec<String>,
}

impl SearchConfig {
    /// Checks `[search]` at load time (the backend, the outbox windows, the collections,
    /// synonyms, abbreviations and bilingual pairs), so a typo fails `serve` instead of the first search.
    pub fn validate(&self) -> Result<(), String> {
        if !matches!(self.backend.as_str(), "embedded" | "meilisearch") {
            return Err("search.backend must be \"embedded\" or \"meilisearch\"".into());
        }
        if self.outbox_retention_secs < 2 * self.outbox_settle_secs.max(1) {
            return Err(
                "search.outbox_retention_secs must be at least twice search.outbox_settle_secs"
                    .into(),
            );
        }
        super::collections::validate_config(self)?;
        super::understand::validate_config(self)
    }
}

#[cfg(test)]
mod tests {
    use crate::app::config::tests::env;
    use crate::app::config::Config;

    #[test]
    fn abbreviations_and_bilingual_terms_come_from_the_file_and_print_back() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("hub.toml");
        std::fs::write(
            &path,
            "[search]\nabbreviations = [[\"锂电\", \"锂电池\"], [\"超容\", \"超级电容器\"]]\nmine_abbreviations = false\nbilingual = [[\"lithium battery\", \"锂电池\"]]\nmine_bilingual = false\n",
        )
        .expect("write");
        let c = Config::load_with_env(Some(&path), &[]).expect("load");
        assert_eq!(c.search.abbreviations.len(), 2);
        assert_eq!(c.search.abbreviations[1], vec!["超容", "超级电容器"]);
        assert!(!c.search.mine_abbreviations && !c.search.mine_bilingual);
        assert_eq!(c.search.bilingual, vec![vec!["lithium battery", "锂电池"]]);
        std::fs::write(&path, c.to_masked_toml()).expect("write");
        let again = Config::load_with_env(Some(&path), &[]).expect("printed config loads");
        assert_eq!(again.search.abbreviations, c.search.abbreviations);
        assert_eq!(again.search.bilingual, c.search.bilingual);
        assert!(!again.search.mine_abbreviations && !again.search.mine_bilingual);
        let defaults = Config::load_with_env(None, &[]).expect("defaults");
        assert!(defaults.search.mine_abbreviations && defaults.search.mine_bilingual);
        assert!(defaults.search.abbreviations.is_empty() && defaults.search.bilingual.is_empty());
        let e = Config::load_with_env(
            None,
            &env(&[("TRANSFERHUB_SEARCH__ABBREVIATIONS", "[[\"锂电\"]]")]),
        )
        .expect_err("no full term");
        assert!(e.to_string().contains("search.abbreviations[0]"), "{e}");
        let e = Config::load_with_env(
            None,
            &env(&[("TRANSFERHUB_SEARCH__BILINGUAL", "[[\"锂电\", \"锂电池\"]]")]),
        )
        .expect_err("not English");
        assert!(e.to_string().contains("search.bilingual[0]"), "{e}");
    }

    #[test]
    fn collections_and_synonyms_come_from_the_file_and_print_back() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("hub.toml");
        std::fs::write(
            &path,
            "[search]\nsynonyms = [[\"乳业\", \"奶业\"]]\n\n[[search.collections]]\nkey = \"dairy\"\nname_zh = \"乳业\"\nindustry_prefixes = [\"C144\"]\n",
        )
        .expect("write");
        let c = Config::load_with_env(Some(&path), &[]).expect("load");
        assert_eq!(c.search.collections.len(), 1);
        assert_eq!(c.search.collections[0].key, "dairy");
        assert_eq!(
            c.search.synonyms,
            vec![vec!["乳业".to_string(), "奶业".to_string()]]
        );
        let printed = Config::default().to_masked_toml();
        std::fs::write(&path, printed).expect("write");
        let again = Config::load_with_env(Some(&path), &[]).expect("printed config loads");
        assert_eq!(again.search.collections.len(), 6);
        std::fs::write(
            &path,
            "[[search.collections]]\nkey = \"x\"\nname_zh = \"空\"\n",
        )
        .expect("write");
        let e = Config::load_with_env(Some(&path), &[]).expect_err("no criteria");
        assert!(e.to_string().contains("search.collections[0]"), "{e}");
    }
}
