//! The evaluation harness: a labeled development set (needs with graded relevant achievements,
//! `tests/fixtures/matching_dev.json`), loaded into a store and a fresh embedded index, ranked by
//! the engine and by text-only BM25 from the same index, scored with nDCG@10, recall@20 and MRR.
//! `match-eval` prints the figures; a test asserts the engine beats the baseline.

use super::engine::Matcher;
use super::Matching;
use crate::error::{AppError, AppResult};
use crate::matching::config::MatchingConfig;
use crate::search::config::SearchConfig;
use crate::search::tantivy_backend::TantivyIndex;
use crate::search::{service as search_service, Search};
use chrono::{Duration, TimeZone, Utc};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use transferhub_schema::entity::{achievement, need, organisation};
use transferhub_schema::enums::{
    AchievementStatus, AchievementType, NeedStatus, OrganisationKind, TransferMode,
};

/// nDCG cut-off.
pub const NDCG_AT: usize = 10;
/// Recall cut-off (and list length).
pub const RECALL_AT: usize = 20;

/// The development set file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DevSet {
    /// Organisations owning the records.
    pub organisations: Vec<DevOrg>,
    /// The corpus.
    pub achievements: Vec<DevAchievement>,
    /// The labeled queries.
    pub needs: Vec<DevNeed>,
}

/// An organisation of the set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DevOrg {
    /// Key.
    pub key: String,
    /// Chinese name.
    pub name_zh: String,
    /// `UNIVERSITY` or `FIRM` …
    pub kind: OrganisationKind,
    /// GB/T 2260 code.
    pub region: String,
}

/// An achievement of the set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DevAchievement {
    /// Key the labels use.
    pub key: String,
    /// Owning organisation key.
    pub org: String,
    /// Cluster (for reports).
    pub cluster: String,
    /// 成果名称.
    pub title: String,
    /// 成果简介.
    pub summary: String,
    /// 关键词.
    pub keywords: Vec<String>,
    /// 完成人.
    pub inventors: Vec<String>,
    /// GB/T 4754 class.
    pub industry: Option<String>,
    /// IPC symbols.
    pub ipc: Vec<String>,
    /// TRL.
    pub trl: Option<i32>,
    /// Transfer modes.
    pub modes: Vec<TransferMode>,
    /// Asking price, `None` = 面议.
    pub price: Option<i64>,
    /// Region.
    pub region: Option<String>,
    /// Age in days.
    pub age_days: i64,
    /// English title, when the record has one.
    #[serde(default)]
    pub title_en: Option<String>,
    /// English summary, when the record has one.
    #[serde(default)]
    pub summary_en: Option<String>,
}

/// A labeled need of the set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DevNeed {
    /// Key.
    pub key: String,
    /// Owning organisation key.
    pub org: String,
    /// Cluster.
    pub cluster: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Keywords.
    pub keywords: Vec<String>,
    /// GB/T 4754 code.
    pub industry: Option<String>,
    /// IPC symbols.
    pub ipc: Vec<String>,
    /// Required TRL.
    pub required_trl: Option<i32>,
    /// Wanted modes.
    pub modes: Vec<TransferMode>,
    /// Budget ceiling, `None` = 面议.
    pub budget_max: Option<i64>,
    /// Region.
    pub region: Option<String>,
    /// Graded relevance: achievement key → 1 (related) or 2 (answers the need).
    pub relevant: HashMap<String, u8>,
}

/// Mean metrics over a set of queries.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Metrics {
    /// Mean nDCG@10 (gain 2^rel − 1).
    pub ndcg10: f64,
    /// Mean recall@20 of achievements with relevance ≥ 1.
    pub recall20: f64,
    /// Mean reciprocal rank of the first relevant achievement.
    pub mrr: f64,
    /// Queries.
    pub queries: usize,
}

/// nDCG@k of `ranked` ids against graded `labels`.
pub fn ndcg_at(ranked: &[String], labels: &HashMap<String, u8>, k: usize) -> f64 {
    let gain = |r: u8| 2f64.powi(i32::from(r)) - 1.0;
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, id)| gain(*labels.get(id).unwrap_or(&0)) / ((i + 2) as f64).log2())
        .sum();
    let mut ideal: Vec<u8> = labels.values().copied().filter(|r| *r > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, r)| gain(*r) / ((i + 2) as f64).log2())
        .sum();
    if idcg == 0.0 {
        0.0
    } else {
        dcg / idcg
    }
}

/// Recall@k of relevant (≥ 1) ids.
pub fn recall_at(ranked: &[String], labels: &HashMap<String, u8>, k: usize) -> f64 {
    let relevant = labels.values().filter(|r| **r > 0).count();
    if relevant == 0 {
        return 0.0;
    }
    let found = ranked
        .iter()
        .take(k)
        .filter(|id| labels.get(*id).is_some_and(|r| *r > 0))
        .count();
    found as f64 / relevant as f64
}

/// Reciprocal rank of the first relevant id, 0 when none.
pub fn reciprocal_rank(ranked: &[String], labels: &HashMap<String, u8>) -> f64 {
    ranked
        .iter()
        .position(|id| labels.get(id).is_some_and(|r| *r > 0))
        .map_or(0.0, |p| 1.0 / (p + 1) as f64)
}

/// Means of the three metrics over (ranking, labels) pairs.
pub fn mean(runs: &[(Vec<String>, &HashMap<String, u8>)]) -> Metrics {
    let n = runs.len().max(1) as f64;
    let mut m = Metrics {
        queries: runs.len(),
        ..Default::default()
    };
    for (ranked, labels) in runs {
        m.ndcg10 += ndcg_at(ranked, labels, NDCG_AT) / n;
        m.recall20 += recall_at(ranked, labels, RECALL_AT) / n;
        m.mrr += reciprocal_rank(ranked, labels) / n;
    }
    m
}

/// Regrades a set under the rule of issue 16: an achievement violating one of a need's stated
/// requirements (minimum TRL, acceptable transfer modes, budget ceiling; unknown values do not
/// violate) is not an answer to it, whatever its topic. The hand-labelled development set
/// predates the rule (33 of its 143 top-graded pairs violate one).
pub fn apply_requirements(set: &mut DevSet) {
    let by_key: HashMap<String, DevAchievement> = set
        .achievements
        .iter()
        .map(|a| (a.key.clone(), a.clone()))
        .collect();
    for n in &mut set.needs {
        let wanted = TransferMode::mask(&n.modes);
        n.relevant.retain(|k, _| {
            let Some(a) = by_key.get(k) else {
                return false;
            };
            let trl_ok = match (n.required_trl, a.trl) {
                (Some(r), Some(t)) => t >= r,
                _ => true,
            };
            let offered = TransferMode::mask(&a.modes);
            let modes_ok = wanted == 0 || offered == 0 || wanted & offered != 0;
            let price_ok = match (n.budget_max, a.price) {
                (Some(b), Some(p)) => p <= b,
                _ => true,
            };
            trl_ok && modes_ok && price_ok
        });
    }
}

/// Reads the development set.
pub fn load(path: &Path) -> AppResult<DevSet> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        AppError::bad_input("devset", format!("cannot read {}: {e}", path.display()))
    })?;
    serde_json::from_str(&text)
        .map_err(|e| AppError::bad_input("devset", format!("{}: {e}", path.display())))
}

/// The set loaded into a store and index, ready to rank.
pub struct Loaded {
    /// The search handle over the fresh index.
    pub search: Arc<Search>,
    /// Needs with their labels.
    pub needs: Vec<(need::Model, HashMap<String, u8>)>,
    /// `(key, category)` of each need, in the order of `needs` (the category is the dev set's
    /// `cluster`).
    pub need_keys: Vec<(String, String)>,
    /// Achievement row id → dev key.
    pub keys: HashMap<i64, String>,
}

fn levels(code: &Option<String>) -> [Option<String>; 3] {
    let take = |n: usize| {
        code.as_ref()
            .filter(|c| c.chars().count() >= n)
            .map(|c| c.chars().take(n).collect::<String>())
    };
    [take(1), take(3), take(4)]
}

/// Inserts the set into a migrated, empty store and indexes it under `index_dir`.
pub async fn load_into(
    db: &DatabaseConnection,
    set: &DevSet,
    index_dir: &Path,
) -> AppResult<Loaded> {
    let now = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let mut orgs: HashMap<String, i64> = HashMap::new();
    for o in &set.organisations {
        let saved = organisation::ActiveModel {
            key: Set(o.key.clone()),
            name_zh: Set(o.name_zh.clone()),
            name_en: Set(String::new()),
            kind: Set(o.kind),
            region_code: Set(Some(o.region.clone())),
            website: Set(None),
            description_zh: Set(None),
            email_domain: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        orgs.insert(o.key.clone(), saved.id);
    }
    let org = |k: &str| {
        orgs.get(k)
            .copied()
            .ok_or_else(|| AppError::bad_input("devset", format!("unknown organisation {k}")))
    };
    let mut keys = HashMap::new();
    for a in &set.achievements {
        let [section, division, group] = levels(&a.industry);
        let when = now - Duration::days(a.age_days);
        let saved = achievement::ActiveModel {
            organisation_id: Set(org(&a.org)?),
            title: Set(a.title.clone()),
            title_en: Set(a.title_en.clone()),
            achievement_type: Set(AchievementType::Patent),
            inventors: Set(serde_json::to_string(&a.inventors).unwrap_or_default()),
            summary: Set(a.summary.clone()),
            summary_en: Set(a.summary_en.clone()),
            keywords: Set(serde_json::to_string(&a.keywords).unwrap_or_default()),
            industry_code: Set(a.industry.clone()),
            industry_section: Set(section),
            industry_division: Set(division),
            industry_group: Set(group),
            ipc_codes: Set(serde_json::to_string(&a.ipc).unwrap_or_default()),
            trl: Set(a.trl),
            transfer_modes: Set(TransferMode::mask(&a.modes)),
            asking_price_yuan: Set(a.price),
            contact_name: Set(None),
            contact_phone: Set(None),
            contact_email: Set(None),
            region_code: Set(a.region.clone()),
            status: Set(AchievementStatus::Published),
            published_at: Set(Some(when)),
            source_key: Set(None),
            source_record_id: Set(None),
            provenance: Set("[]".into()),
            created_at: Set(when),
            updated_at: Set(when),
            ..Default::default()
        }
        .insert(db)
        .await?;
        keys.insert(saved.id, a.key.clone());
    }
    let mut needs = Vec::new();
    let mut need_keys = Vec::new();
    for n in &set.needs {
        need_keys.push((n.key.clone(), n.cluster.clone()));
        let [section, division, group] = levels(&n.industry);
        let saved = need::ActiveModel {
            organisation_id: Set(org(&n.org)?),
            title: Set(n.title.clone()),
            title_en: Set(None),
            description: Set(n.description.clone()),
            keywords: Set(serde_json::to_string(&n.keywords).unwrap_or_default()),
            industry_code: Set(n.industry.clone()),
            industry_section: Set(section),
            industry_division: Set(division),
            industry_group: Set(group),
            ipc_codes: Set(serde_json::to_string(&n.ipc).unwrap_or_default()),
            required_trl: Set(n.required_trl),
            transfer_modes: Set(TransferMode::mask(&n.modes)),
            budget_min_yuan: Set(None),
            budget_max_yuan: Set(n.budget_max),
            region_code: Set(n.region.clone()),
            deadline: Set(None),
            contact_name: Set(None),
            status: Set(NeedStatus::Open),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        needs.push((saved, n.relevant.clone()));
    }
    let config = SearchConfig::default();
    let index = TantivyIndex::open_configured(index_dir, &config, 64_000_000, 1)?;
    let search = Arc::new(Search::with_index(db.clone(), config, Arc::new(index)));
    search_service::rebuild(&search, 5000, |_| {}).await?;
    Ok(Loaded {
        search,
        needs,
        need_keys,
        keys,
    })
}

/// The engine's and the baseline's metrics on a loaded set, with `config`'s weights.
pub async fn evaluate(loaded: &Loaded, config: &MatchingConfig) -> AppResult<(Metrics, Metrics)> {
    let m = Matching::new(
        loaded.search.db().clone(),
        loaded.search.clone(),
        config.clone(),
    );
    let matcher: &Matcher = &m.matcher;
    let key = |id: i64| loaded.keys.get(&id).cloned().unwrap_or_default();
    let mut engine = Vec::new();
    let mut baseline = Vec::new();
    for (n, labels) in &loaded.needs {
        let r = matcher.for_need(n, RECALL_AT).await?;
        engine.push((r.matches.iter().map(|s| key(s.record.id)).collect(), labels));
        let b = matcher.text_only_for_need(n, RECALL_AT).await?;
        baseline.push((b.into_iter().map(key).collect(), labels));
    }
    Ok((mean(&engine), mean(&baseline)))
}

/// Per need category of `part`: the engine against plain BM25 over the need's words (title,
/// description, keywords as one query on an unweighted index of the same records).
pub async fn evaluate_by_category(
    loaded: &Loaded,
    config: &MatchingConfig,
    bm25: &crate::search::eval::PlainBm25,
    categories: &[&str],
    part: crate::evalset::Part,
) -> AppResult<Vec<crate::search::eval::Row>> {
    let m = Matching::new(
        loaded.search.db().clone(),
        loaded.search.clone(),
        config.clone(),
    );
    let key = |id: i64| loaded.keys.get(&id).cloned().unwrap_or_default();
    let mut runs = Vec::new();
    for ((n, labels), (k, category)) in loaded.needs.iter().zip(&loaded.need_keys) {
        if !part.contains(k) {
            continue;
        }
        let r = m.matcher.for_need(n, RECALL_AT).await?;
        let engine: Vec<String> = r.matches.iter().map(|s| key(s.record.id)).collect();
        let text = format!(
            "{} {} {}",
            n.title,
            n.description,
            features_keywords(&n.keywords).join(" ")
        );
        let b = bm25.rank(&text, RECALL_AT)?;
        runs.push((category.clone(), [engine, b, Vec::new()], labels));
    }
    Ok(crate::search::eval::rows(categories, &runs, false))
}

fn features_keywords(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, u8)]) -> HashMap<String, u8> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn perfect_ranking_scores_one() {
        let l = labels(&[("a", 2), ("b", 1)]);
        assert!((ndcg_at(&ids(&["a", "b", "x"]), &l, 10) - 1.0).abs() < 1e-12);
        assert_eq!(recall_at(&ids(&["a", "b"]), &l, 20), 1.0);
        assert_eq!(reciprocal_rank(&ids(&["a"]), &l), 1.0);
    }

    #[test]
    fn hand_computed_example() {
        // gains: b → 1 at rank 1, a → 3 at rank 3; ideal a(3), b(1).
        let l = labels(&[("a", 2), ("b", 1), ("c", 0)]);
        let r = ids(&["b", "c", "a"]);
        let dcg = 1.0 / 2f64.log2() + 3.0 / 4f64.log2();
        let idcg = 3.0 / 2f64.log2() + 1.0 / 3f64.log2();
        assert!((ndcg_at(&r, &l, 10) - dcg / idcg).abs() < 1e-12);
        assert_eq!(recall_at(&ids(&["c", "b"]), &l, 20), 0.5);
        assert_eq!(reciprocal_rank(&ids(&["c", "x", "a"]), &l), 1.0 / 3.0);
        assert_eq!(reciprocal_rank(&ids(&["c"]), &l), 0.0);
        // Cut-offs apply.
        assert_eq!(recall_at(&ids(&["c", "a"]), &l, 1), 0.0);
    }
}
