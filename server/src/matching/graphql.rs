//! GraphQL for matching: `matchesForNeed`, `matchesForAchievement` (score + explanation, experts),
//! `recordMatchFeedback`, and the `newMatches` subscription. Resolvers are short: the engine,
//! feedback and recompute modules do the work.

use super::engine::{Matcher, Ranking, Scored};
use super::explain::Explanation;
use super::features::CheckKind;
use super::feedback::{self, FeedbackKind};
use super::Matching;
use crate::auth::graphql::viewer;
use crate::catalog::graphql::{Achievement, Organisation};
use crate::error::AppError;
use crate::loaders::Loaders;
use crate::needs::graphql::Need;
use crate::relay;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject, Subscription, ID};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use sea_orm::DatabaseConnection;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;
use transferhub_schema::entity::{achievement, need};

/// Most matches one call returns.
pub const MAX_MATCHES: usize = 50;
/// Matches returned when `first` is omitted.
pub const DEFAULT_MATCHES: usize = 10;
/// Experts listed with a need's matches.
pub const EXPERTS: usize = 10;

fn first_of(first: Option<i32>) -> Result<usize, AppError> {
    match first {
        None => Ok(DEFAULT_MATCHES),
        Some(n) if n < 1 => Err(AppError::bad_input("first", "must be at least 1")),
        Some(n) if n as usize > MAX_MATCHES => Err(AppError::bad_input(
            "first",
            format!("at most {MAX_MATCHES} matches per call"),
        )),
        Some(n) => Ok(n as usize),
    }
}

/// One constraint of a match, met or missed, in words.
#[derive(SimpleObject)]
pub struct MatchConstraint {
    /// What was compared.
    pub kind: CheckKind,
    /// True met, false missed, null when a side gives no data.
    pub met: Option<bool>,
    /// 0..1 contribution before weighting; null when not decidable.
    pub value: Option<f64>,
    /// The sentence, e.g. `成熟度 TRL 6 ≥ 需求 TRL 5 ✓`, `转化方式: 许可 ✓`.
    pub text: String,
}

/// Why a pair was suggested.
#[derive(SimpleObject)]
pub struct MatchExplanation {
    /// One line: shared terms, shared codes, decided constraints.
    pub summary: String,
    /// Words of the query record found in the suggestion.
    pub matched_terms: Vec<String>,
    /// Classification codes both share.
    pub matched_codes: Vec<String>,
    /// Each constraint.
    pub constraints: Vec<MatchConstraint>,
    /// Text relevance 0..1, relative to the best text match.
    pub text_score: f64,
    /// The need's stated requirements this pair misses (minimum maturity, transfer modes,
    /// budget); such a pair ranks below every pair that meets them.
    pub unmet_requirements: Vec<CheckKind>,
}

impl From<Explanation> for MatchExplanation {
    fn from(e: Explanation) -> Self {
        Self {
            summary: e.summary(),
            unmet_requirements: e.unmet().iter().map(|c| c.kind).collect(),
            matched_terms: e.matched_terms,
            matched_codes: e.matched_codes,
            text_score: e.text_score,
            constraints: e
                .constraints
                .into_iter()
                .map(|c| MatchConstraint {
                    kind: c.kind,
                    met: c.met,
                    value: c.value,
                    text: c.text,
                })
                .collect(),
        }
    }
}

/// An achievement suggested for a need.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct AchievementMatch {
    /// The need asked about.
    #[graphql(skip)]
    pub need_id: i64,
    /// The suggestion.
    pub achievement: Achievement,
    /// 0..1, higher is better.
    pub score: f64,
    /// Why.
    pub explanation: MatchExplanation,
}

/// A need suggested for an achievement.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct NeedMatch {
    /// The achievement asked about.
    #[graphql(skip)]
    pub achievement_id: i64,
    /// The suggestion.
    pub need: Need,
    /// 0..1, higher is better.
    pub score: f64,
    /// Why.
    pub explanation: MatchExplanation,
}

#[async_graphql::ComplexObject]
impl AchievementMatch {
    /// The latest feedback the caller's organisation gave on this pair (null when anonymous
    /// or none), so a page can show and undo what was said.
    async fn viewer_feedback(&self, ctx: &Context<'_>) -> Result<Option<MatchFeedback>> {
        latest_feedback(ctx, self.need_id, self.achievement.0.id).await
    }
}

#[async_graphql::ComplexObject]
impl NeedMatch {
    /// The latest feedback the caller's organisation gave on this pair (null when anonymous
    /// or none).
    async fn viewer_feedback(&self, ctx: &Context<'_>) -> Result<Option<MatchFeedback>> {
        latest_feedback(ctx, self.need.0.id, self.achievement_id).await
    }
}

async fn latest_feedback(
    ctx: &Context<'_>,
    need_id: i64,
    achievement_id: i64,
) -> Result<Option<MatchFeedback>> {
    let Some(v) = viewer(ctx) else {
        return Ok(None);
    };
    let db = ctx.data::<DatabaseConnection>()?;
    Ok(
        feedback::latest_by(db, need_id, achievement_id, v.organisation_id)
            .await?
            .map(|f| MatchFeedback {
                id: relay::encode_id("MatchFeedback", f.id),
                kind: FeedbackKind::parse(&f.kind).unwrap_or(FeedbackKind::Interested),
                note: f.note,
                created_at: f.created_at,
            }),
    )
}

/// An inventor (完成人) behind matching achievements, someone to talk to.
#[derive(SimpleObject)]
pub struct ExpertSuggestion {
    /// Name as listed.
    pub name: String,
    /// Their organisation.
    pub organisation: Organisation,
    /// Sum of their matching achievements' scores.
    pub score: f64,
    /// Their matching achievements, best first.
    pub achievements: Vec<Achievement>,
}

/// Achievements for a need.
#[derive(SimpleObject)]
pub struct AchievementMatches {
    /// Best first.
    pub matches: Vec<AchievementMatch>,
    /// Set when the list is empty or was ranked without text (Chinese, then English).
    pub reason: Option<String>,
    /// Inventors behind the matches.
    pub experts: Vec<ExpertSuggestion>,
}

/// Needs for an achievement.
#[derive(SimpleObject)]
pub struct NeedMatches {
    /// Best first.
    pub matches: Vec<NeedMatch>,
    /// Set when the list is empty (Chinese, then English).
    pub reason: Option<String>,
}

/// Stored feedback.
#[derive(SimpleObject)]
pub struct MatchFeedback {
    /// Opaque id.
    pub id: ID,
    /// What was said.
    pub kind: FeedbackKind,
    /// Free text.
    pub note: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Feedback on a suggested pair.
#[derive(InputObject)]
pub struct RecordMatchFeedbackInput {
    /// The need of the pair.
    pub need_id: ID,
    /// The achievement of the pair.
    pub achievement_id: ID,
    /// Interested, not relevant or contacted.
    pub kind: FeedbackKind,
    /// Optional note (≤ 500 characters).
    pub note: Option<String>,
}

/// Result of `recordMatchFeedback`.
#[derive(SimpleObject)]
pub struct RecordMatchFeedbackPayload {
    /// The stored feedback.
    pub feedback: MatchFeedback,
}

/// A pair suggested for the first time.
#[derive(SimpleObject)]
pub struct NewMatchEvent {
    /// The need.
    pub need_id: ID,
    /// The achievement.
    pub achievement_id: ID,
    /// Score when found.
    pub score: f64,
    /// One-line explanation.
    pub summary: String,
}

async fn organisation(ctx: &Context<'_>, id: i64) -> Result<Organisation> {
    Ok(Organisation(
        ctx.data::<Loaders>()?
            .organisations
            .load_one(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("organisation {id}")))?,
    ))
}

fn achievement_matches(need_id: i64, r: Vec<Scored<achievement::Model>>) -> Vec<AchievementMatch> {
    r.into_iter()
        .map(|s| AchievementMatch {
            need_id,
            achievement: Achievement(s.record),
            score: s.score,
            explanation: s.explanation.into(),
        })
        .collect()
}

fn need_matches(achievement_id: i64, r: Ranking<need::Model>) -> NeedMatches {
    NeedMatches {
        matches: r
            .matches
            .into_iter()
            .map(|s| NeedMatch {
                achievement_id,
                need: Need(s.record),
                score: s.score,
                explanation: s.explanation.into(),
            })
            .collect(),
        reason: r.reason,
    }
}

/// Matching queries.
#[derive(Default)]
pub struct MatchingQuery;

#[Object]
impl MatchingQuery {
    /// Published achievements that answer a need, best first, each with score and explanation,
    /// plus the inventors behind them. A need without usable words is matched on its codes; one
    /// with neither gets an empty list and a `reason`.
    async fn matches_for_need(
        &self,
        ctx: &Context<'_>,
        need_id: ID,
        first: Option<i32>,
    ) -> Result<AchievementMatches> {
        let id = relay::decode_id(&need_id, "Need", "needId")?;
        let first = first_of(first)?;
        let db = ctx.data::<DatabaseConnection>()?;
        let n = crate::needs::service::get(db, id).await?;
        let ranking = ctx.data::<Matching>()?.matcher.for_need(&n, first).await?;
        let mut experts = Vec::new();
        for e in Matcher::experts(&ranking.matches, EXPERTS) {
            experts.push(ExpertSuggestion {
                organisation: organisation(ctx, e.organisation_id).await?,
                name: e.name,
                score: e.score,
                achievements: e.achievements.into_iter().map(Achievement).collect(),
            });
        }
        Ok(AchievementMatches {
            matches: achievement_matches(id, ranking.matches),
            reason: ranking.reason,
            experts,
        })
    }

    /// Open needs an achievement answers, best first, each with score and explanation.
    async fn matches_for_achievement(
        &self,
        ctx: &Context<'_>,
        achievement_id: ID,
        first: Option<i32>,
    ) -> Result<NeedMatches> {
        let id = relay::decode_id(&achievement_id, "Achievement", "achievementId")?;
        let first = first_of(first)?;
        let db = ctx.data::<DatabaseConnection>()?;
        let a = crate::catalog::service::get(db, viewer(ctx), id).await?;
        let ranking = ctx
            .data::<Matching>()?
            .matcher
            .for_achievement(&a, first)
            .await?;
        Ok(need_matches(id, ranking))
    }
}

/// Matching mutations.
#[derive(Default)]
pub struct MatchingMutation;

#[Object]
impl MatchingMutation {
    /// Records what a party of a suggested pair thinks of it; later rankings use it.
    async fn record_match_feedback(
        &self,
        ctx: &Context<'_>,
        input: RecordMatchFeedbackInput,
    ) -> Result<RecordMatchFeedbackPayload> {
        let need_id = relay::decode_id(&input.need_id, "Need", "input.needId")?;
        let achievement_id =
            relay::decode_id(&input.achievement_id, "Achievement", "input.achievementId")?;
        let db = ctx.data::<DatabaseConnection>()?;
        let saved = feedback::record(
            db,
            viewer(ctx),
            need_id,
            achievement_id,
            input.kind,
            input.note,
        )
        .await?;
        Ok(RecordMatchFeedbackPayload {
            feedback: MatchFeedback {
                id: relay::encode_id("MatchFeedback", saved.id),
                kind: FeedbackKind::parse(&saved.kind).unwrap_or(input.kind),
                note: saved.note,
                created_at: saved.created_at,
            },
        })
    }
}

/// Matching subscriptions.
#[derive(Default)]
pub struct MatchingSubscription;

#[Subscription]
impl MatchingSubscription {
    /// Pairs suggested for the first time for a need or for an achievement (give exactly one).
    async fn new_matches(
        &self,
        ctx: &Context<'_>,
        need_id: Option<ID>,
        achievement_id: Option<ID>,
    ) -> Result<impl Stream<Item = NewMatchEvent>> {
        let (need, ach) = match (&need_id, &achievement_id) {
            (Some(n), None) => (Some(relay::decode_id(n, "Need", "needId")?), None),
            (None, Some(a)) => (
                None,
                Some(relay::decode_id(a, "Achievement", "achievementId")?),
            ),
            _ => {
                return Err(AppError::bad_input(
                    "needId",
                    "give exactly one of needId and achievementId",
                )
                .into())
            }
        };
        let db = ctx.data::<DatabaseConnection>()?;
        if let Some(n) = need {
            crate::needs::service::get(db, n).await?;
        }
        if let Some(a) = ach {
            crate::catalog::service::get(db, viewer(ctx), a).await?;
        }
        let rx = ctx.data::<Matching>()?.live.subscribe();
        Ok(BroadcastStream::new(rx).filter_map(move |e| match e {
            Ok(e)
                if need.is_none_or(|n| n == e.need_id)
                    && ach.is_none_or(|a| a == e.achievement_id) =>
            {
                Some(NewMatchEvent {
                    need_id: relay::encode_id("Need", e.need_id),
                    achievement_id: relay::encode_id("Achievement", e.achievement_id),
                    score: e.score,
                    summary: e.summary,
                })
            }
            _ => None,
        }))
    }
}
