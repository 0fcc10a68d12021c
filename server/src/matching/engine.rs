//! The matcher: candidates for a need come from the search index (BM25 over the jieba-segmented
//! achievements, words as a bag) plus, when the need names an industry, the same query inside
//! that industry, or, for a need with codes but no words, the industry or IPC alone. Candidates
//! are then re-ranked by the weighted checks and pair feedback. Needs for an achievement are
//! ranked over the open needs with the same segmenter and a small BM25, since the index holds
//! achievements only.

use super::explain::Explanation;
use super::features::{self, json_list, AchievementFacts, Direction, NeedFacts};
use super::score::{self, Bm25, PairFeedback};
use super::terms;
use crate::error::AppResult;
use crate::matching::config::MatchingConfig;
use crate::search::index::{Filters, SearchRequest, Sort, Visibility};
use crate::search::tokenizer::{self, QueryAnalyzer};
use crate::search::Search;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use transferhub_schema::entity::{achievement, match_feedback, need};
use transferhub_schema::enums::{AchievementStatus, NeedStatus};

/// Terms taken from a need for the index query.
const NEED_TERMS: usize = 12;
/// Terms taken from an achievement for ranking needs.
const ACHIEVEMENT_TERMS: usize = 20;

/// Why a list is empty or was ranked without text.
pub const REASON_NO_SIGNAL: &str = "需求没有可匹配的文字（标题、描述、关键词中没有有效词语），也没有行业或 IPC 代码，无法推荐成果；请补充技术关键词或分类代码。 / The need has no matchable words and no industry or IPC code.";
/// Codes only.
pub const REASON_CODES_ONLY: &str = "需求没有可匹配的文字，仅按行业/IPC 代码及成熟度、转化方式等条件排序。 / No matchable words: ranked by codes and constraints only.";
/// Nothing found.
pub const REASON_NONE_FOUND: &str =
    "暂未找到相关的已发布成果。 / No published achievement matches yet.";
/// Achievement without words or codes.
pub const REASON_ACHIEVEMENT_NO_SIGNAL: &str = "成果没有可匹配的文字，也没有行业或 IPC 代码，无法推荐需求。 / The achievement has no matchable words and no codes.";
/// No open need matches.
pub const REASON_NO_NEEDS: &str = "暂未找到相关的开放需求。 / No open need matches yet.";

/// One ranked candidate.
#[derive(Debug, Clone)]
pub struct Scored<T> {
    /// The candidate record.
    pub record: T,
    /// 0..=1.
    pub score: f64,
    /// Why.
    pub explanation: Explanation,
}

/// A ranked list, with a reason when it is empty or ranked without text.
#[derive(Debug, Clone)]
pub struct Ranking<T> {
    /// Best first.
    pub matches: Vec<Scored<T>>,
    /// Set when the list is empty or the query record had no words.
    pub reason: Option<String>,
}

/// An inventor behind matching achievements.
#[derive(Debug, Clone)]
pub struct Expert {
    /// 完成人 name.
    pub name: String,
    /// Organisation of the achievements.
    pub organisation_id: i64,
    /// Sum of the scores of their matching achievements.
    pub score: f64,
    /// Their matching achievements, best first.
    pub achievements: Vec<achievement::Model>,
}

type NeedBag = (DateTime<Utc>, Arc<Vec<String>>);

/// The matching engine of one process.
pub struct Matcher {
    db: DatabaseConnection,
    search: Arc<Search>,
    config: MatchingConfig,
    analyzer: QueryAnalyzer,
    need_bags: Mutex<HashMap<i64, NeedBag>>,
}

impl Matcher {
    /// A matcher over the store and search index with `config`'s weights.
    pub fn new(db: DatabaseConnection, search: Arc<Search>, config: MatchingConfig) -> Self {
        let analyzer = QueryAnalyzer::new(tokenizer::jieba(&search.config().vocabulary));
        Self {
            db,
            search,
            config,
            analyzer,
            need_bags: Mutex::new(HashMap::new()),
        }
    }

    /// The weights in use.
    pub fn config(&self) -> &MatchingConfig {
        &self.config
    }

    /// The store.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The words a need is matched on.
    pub fn need_terms(&self, n: &need::Model) -> Vec<String> {
        terms::extract(
            &self.analyzer,
            &json_list(&n.keywords),
            &[&n.title, &n.description],
            NEED_TERMS,
        )
    }

    /// The words an achievement is matched on.
    pub fn achievement_terms(&self, a: &achievement::Model) -> Vec<String> {
        terms::extract(
            &self.analyzer,
            &json_list(&a.keywords),
            &[&a.title, &a.summary],
            ACHIEVEMENT_TERMS,
        )
    }

    async fn index_hits(
        &self,
        text: &str,
        filters: Filters,
        limit: usize,
    ) -> AppResult<Vec<(i64, f64)>> {
        let req = SearchRequest {
            text: text.to_string(),
            filters,
            visibility: Visibility::Published,
            facets: Vec::new(),
            sort: Sort::Relevance,
            offset: 0,
            limit,
            highlight: false,
            match_any: true,
        };
        let res = self.search.index().search(&req).await?;
        Ok(res.hits.into_iter().map(|h| (h.id, h.score)).collect())
    }

    /// Candidate achievements with their raw text scores (0 for code-only candidates).
    async fn need_candidates(
        &self,
        n: &need::Model,
        terms: &[String],
    ) -> AppResult<HashMap<i64, f64>> {
        let pool = self.config.candidates;
        let mut out: HashMap<i64, f64> = HashMap::new();
        let text = terms.join(" ");
        let division = n.industry_division.clone().or_else(|| {
            n.industry_code
                .as_ref()
                .map(|c| c.chars().take(3).collect())
        });
        if !terms.is_empty() {
            for (id, s) in self.index_hits(&text, Filters::default(), pool).await? {
                out.insert(id, s);
            }
        }
        if let Some(div) = division {
            let filters = Filters {
                industry: Some(div),
                ..Default::default()
            };
            for (id, s) in self.index_hits(&text, filters, pool / 2).await? {
                let e = out.entry(id).or_insert(s);
                *e = e.max(s);
            }
        }
        // Records of the need's own industry that share no word with it (other wording for the
        // same technology): the newest few, ranked by the structured checks alone.
        let own = n
            .industry_code
            .clone()
            .or_else(|| n.industry_division.clone());
        if let (Some(code), false) = (own, terms.is_empty()) {
            let filters = Filters {
                industry: Some(code),
                ..Default::default()
            };
            for (id, _) in self.index_hits("", filters, (pool / 4).max(1)).await? {
                out.entry(id).or_insert(0.0);
            }
        }
        let ipcs = json_list(&n.ipc_codes);
        if terms.is_empty() && !ipcs.is_empty() {
            // The index keeps no IPC field; a bounded scan of the store finds code-only matches.
            let mut cond = sea_orm::Condition::any();
            for i in &ipcs {
                let sub: String = i.chars().take(4).collect();
                cond = cond.add(achievement::Column::IpcCodes.contains(format!("\"{sub}")));
            }
            let ids: Vec<i64> = achievement::Entity::find()
                .select_only()
                .column(achievement::Column::Id)
                .filter(achievement::Column::Status.eq(AchievementStatus::Published))
                .filter(cond)
                .order_by_desc(achievement::Column::Id)
                .limit(pool as u64)
                .into_tuple()
                .all(&self.db)
                .await?;
            for id in ids {
                out.entry(id).or_insert(0.0);
            }
        }
        Ok(out)
    }

    /// Achievements for a need, best first (`first` of them), with explanations.
    pub async fn for_need(
        &self,
        n: &need::Model,
        first: usize,
    ) -> AppResult<Ranking<achievement::Model>> {
        let terms = self.need_terms(n);
        let has_codes = n.industry_code.is_some()
            || n.industry_division.is_some()
            || !json_list(&n.ipc_codes).is_empty();
        if terms.is_empty() && !has_codes {
            return Ok(Ranking {
                matches: Vec::new(),
                reason: Some(REASON_NO_SIGNAL.into()),
            });
        }
        let cands = self.need_candidates(n, &terms).await?;
        let rows: Vec<achievement::Model> = if cands.is_empty() {
            Vec::new()
        } else {
            achievement::Entity::find()
                .filter(achievement::Column::Id.is_in(cands.keys().copied()))
                .filter(achievement::Column::Status.eq(AchievementStatus::Published))
                .all(&self.db)
                .await?
        };
        let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
        let pairs = self.pair_feedback(&[n.id], &ids).await?;
        let orgs: HashSet<i64> = rows.iter().map(|a| a.organisation_id).collect();
        let resp = self
            .responsiveness(orgs, Direction::AchievementsForNeed)
            .await?;
        let max_text = cands.values().copied().fold(0.0f64, f64::max);
        let nf = NeedFacts::from(n);
        let now = Utc::now();
        let mut scored: Vec<Scored<achievement::Model>> = rows
            .into_iter()
            .map(|a| {
                let raw = cands.get(&a.id).copied().unwrap_or(0.0);
                let text = if max_text > 0.0 { raw / max_text } else { 0.0 };
                let af = AchievementFacts::from(&a);
                let (checks, codes) = features::compare(
                    &nf,
                    &af,
                    Direction::AchievementsForNeed,
                    resp.get(&a.organisation_id).copied().unwrap_or((0, 0)),
                    now,
                );
                let hay = format!("{} {} {}", a.title, a.keywords, a.summary);
                let fb = pairs.get(&(n.id, a.id)).copied().unwrap_or_default();
                let s = score::adjust(score::combine(&self.config, text, &checks), fb);
                Scored {
                    explanation: Explanation {
                        matched_terms: terms::matched_in(&terms, &hay),
                        matched_codes: codes,
                        constraints: checks,
                        text_score: text,
                    },
                    score: s,
                    record: a,
                }
            })
            .collect();
        sort_and_cut(&mut scored, first);
        let reason = if scored.is_empty() {
            Some(REASON_NONE_FOUND.into())
        } else if terms.is_empty() {
            Some(REASON_CODES_ONLY.into())
        } else {
            None
        };
        Ok(Ranking {
            matches: scored,
            reason,
        })
    }

    /// Text-only BM25 from the search index, the baseline the evaluation compares against.
    pub async fn text_only_for_need(&self, n: &need::Model, first: usize) -> AppResult<Vec<i64>> {
        let terms = self.need_terms(n);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .index_hits(&terms.join(" "), Filters::default(), first)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    }

    fn need_bag(&self, n: &need::Model) -> Arc<Vec<String>> {
        let mut cache = match self.need_bags.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        if let Some((at, bag)) = cache.get(&n.id) {
            if *at == n.updated_at {
                return bag.clone();
            }
        }
        let bag = Arc::new(terms::bag(
            &self.analyzer,
            &json_list(&n.keywords),
            &[&n.title, &n.description],
        ));
        cache.insert(n.id, (n.updated_at, bag.clone()));
        bag
    }

    /// Open needs for an achievement, best first, with explanations.
    pub async fn for_achievement(
        &self,
        a: &achievement::Model,
        first: usize,
    ) -> AppResult<Ranking<need::Model>> {
        let terms = self.achievement_terms(a);
        let af = AchievementFacts::from(a);
        if terms.is_empty() && af.industry.is_none() && af.ipc.is_empty() {
            return Ok(Ranking {
                matches: Vec::new(),
                reason: Some(REASON_ACHIEVEMENT_NO_SIGNAL.into()),
            });
        }
        let needs = need::Entity::find()
            .filter(need::Column::Status.eq(NeedStatus::Open))
            .order_by_desc(need::Column::Id)
            .limit(self.config.max_needs_scanned as u64)
            .all(&self.db)
            .await?;
        let bags: Vec<Vec<String>> = needs.iter().map(|n| (*self.need_bag(n)).clone()).collect();
        let bm = Bm25::new(&bags);
        let raw: Vec<f64> = (0..needs.len()).map(|i| bm.score(i, &terms)).collect();
        let max_text = raw.iter().copied().fold(0.0f64, f64::max);
        let orgs: HashSet<i64> = needs.iter().map(|n| n.organisation_id).collect();
        let resp = self
            .responsiveness(orgs, Direction::NeedsForAchievement)
            .await?;
        let need_ids: Vec<i64> = needs.iter().map(|n| n.id).collect();
        let pairs = self.pair_feedback(&need_ids, &[a.id]).await?;
        let now = Utc::now();
        let mut scored: Vec<Scored<need::Model>> = Vec::new();
        for (i, n) in needs.into_iter().enumerate() {
            let text = if max_text > 0.0 {
                raw[i] / max_text
            } else {
                0.0
            };
            let nf = NeedFacts::from(&n);
            let (checks, codes) = features::compare(
                &nf,
                &af,
                Direction::NeedsForAchievement,
                resp.get(&n.organisation_id).copied().unwrap_or((0, 0)),
                now,
            );
            // A need sharing neither words nor codes is no suggestion, however compatible.
            if text == 0.0 && codes.is_empty() {
                continue;
            }
            let fb = pairs.get(&(n.id, a.id)).copied().unwrap_or_default();
            let s = score::adjust(score::combine(&self.config, text, &checks), fb);
            let hay = format!("{} {} {}", n.title, n.keywords, n.description);
            scored.push(Scored {
                explanation: Explanation {
                    matched_terms: terms::matched_in(&terms, &hay),
                    matched_codes: codes,
                    constraints: checks,
                    text_score: text,
                },
                score: s,
                record: n,
            });
        }
        sort_and_cut(&mut scored, first);
        let reason = if scored.is_empty() {
            Some(REASON_NO_NEEDS.into())
        } else {
            None
        };
        Ok(Ranking {
            matches: scored,
            reason,
        })
    }

    /// Inventors behind the matching achievements, by the sum of their matches' scores.
    pub fn experts(matches: &[Scored<achievement::Model>], first: usize) -> Vec<Expert> {
        let mut by: HashMap<(String, i64), Expert> = HashMap::new();
        for m in matches {
            for name in json_list(&m.record.inventors) {
                let name = name.trim().to_string();
                if name.is_empty() {
                    continue;
                }
                let e = by
                    .entry((name.clone(), m.record.organisation_id))
                    .or_insert_with(|| Expert {
                        name,
                        organisation_id: m.record.organisation_id,
                        score: 0.0,
                        achievements: Vec::new(),
                    });
                e.score += m.score;
                e.achievements.push(m.record.clone());
            }
        }
        let mut out: Vec<Expert> = by.into_values().collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.name.cmp(&b.name)));
        out.truncate(first);
        out
    }

    async fn pair_feedback(
        &self,
        needs: &[i64],
        achievements: &[i64],
    ) -> AppResult<HashMap<(i64, i64), PairFeedback>> {
        if needs.is_empty() || achievements.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(i64, i64, String)> = match_feedback::Entity::find()
            .select_only()
            .column(match_feedback::Column::NeedId)
            .column(match_feedback::Column::AchievementId)
            .column(match_feedback::Column::Kind)
            .filter(match_feedback::Column::NeedId.is_in(needs.iter().copied()))
            .filter(match_feedback::Column::AchievementId.is_in(achievements.iter().copied()))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut out: HashMap<(i64, i64), PairFeedback> = HashMap::new();
        for (n, a, kind) in rows {
            let f = out.entry((n, a)).or_default();
            match kind.as_str() {
                "INTERESTED" => f.interested = true,
                "NOT_RELEVANT" => f.not_relevant = true,
                "CONTACTED" => f.contacted = true,
                _ => {}
            }
        }
        Ok(out)
    }

    /// Feedback counts on the candidate owners' side of past suggestions.
    async fn responsiveness(
        &self,
        orgs: HashSet<i64>,
        dir: Direction,
    ) -> AppResult<HashMap<i64, features::Responsiveness>> {
        if orgs.is_empty() {
            return Ok(HashMap::new());
        }
        let col = match dir {
            Direction::AchievementsForNeed => match_feedback::Column::AchievementOrganisationId,
            Direction::NeedsForAchievement => match_feedback::Column::NeedOrganisationId,
        };
        let rows: Vec<(i64, String, i64)> = match_feedback::Entity::find()
            .select_only()
            .column(col)
            .column(match_feedback::Column::Kind)
            .column_as(match_feedback::Column::Id.count(), "n")
            .filter(col.is_in(orgs))
            .group_by(col)
            .group_by(match_feedback::Column::Kind)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut out: HashMap<i64, features::Responsiveness> = HashMap::new();
        for (org, kind, n) in rows {
            let e = out.entry(org).or_default();
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            e.1 = e.1.saturating_add(n);
            if kind != "NOT_RELEVANT" {
                e.0 = e.0.saturating_add(n);
            }
        }
        Ok(out)
    }
}

/// Best first, except that a candidate missing a stated requirement of the need ranks below
/// every candidate meeting them all (`explain::REQUIREMENTS`).
fn sort_and_cut<T>(v: &mut Vec<Scored<T>>, first: usize) {
    v.sort_by(|a, b| {
        let (ma, mb) = (
            a.explanation.unmet().is_empty(),
            b.explanation.unmet().is_empty(),
        );
        mb.cmp(&ma).then(b.score.total_cmp(&a.score))
    });
    v.truncate(first);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::features::{maturity, modes, price};
    use transferhub_schema::enums::TransferMode;

    fn scored(id: i32, score: f64, checks: Vec<features::Check>) -> Scored<i32> {
        Scored {
            record: id,
            score,
            explanation: Explanation {
                constraints: checks,
                ..Default::default()
            },
        }
    }

    #[test]
    fn a_candidate_missing_a_stated_requirement_ranks_below_every_one_meeting_them() {
        let lic = TransferMode::Licence.bit();
        let asg = TransferMode::Assignment.bit();
        let mut v = vec![
            scored(1, 0.95, vec![maturity(Some(7), Some(5))]),
            scored(2, 0.90, vec![modes(lic, asg)]),
            scored(3, 0.85, vec![price((None, Some(100_000)), Some(900_000))]),
            scored(4, 0.30, vec![maturity(Some(7), Some(8)), modes(lic, lic)]),
            scored(5, 0.20, vec![maturity(None, Some(3))]),
        ];
        sort_and_cut(&mut v, 10);
        let order: Vec<i32> = v.iter().map(|s| s.record).collect();
        assert_eq!(order, vec![4, 5, 1, 2, 3]);
        let reasons: Vec<String> = v.iter().map(|s| s.explanation.summary()).collect();
        assert!(
            reasons[2].contains("不满足需求条件: 成熟度 TRL 5 < 需求 TRL 7"),
            "{}",
            reasons[2]
        );
        assert!(
            reasons[3].contains("不满足需求条件: 转化方式"),
            "{}",
            reasons[3]
        );
        assert!(
            reasons[4].contains("不满足需求条件: 价格"),
            "{}",
            reasons[4]
        );
        assert!(!reasons[0].contains("不满足"), "{}", reasons[0]);
    }
}
