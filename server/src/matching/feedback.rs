//! Feedback on suggestions (感兴趣 / 不相关 / 已联系): validated, authorised through the one
//! policy (either side of the pair may give it), stored, and fed back into ranking; the need is
//! queued for recompute so its stored suggestions reflect the feedback.

use crate::auth::policy::{self, Action};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use async_graphql::Enum;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use transferhub_schema::entity::{achievement, match_feedback, need};

/// What someone says about a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum FeedbackKind {
    /// 感兴趣: worth following up.
    Interested,
    /// 不相关: wrong suggestion; ranked last from now on.
    NotRelevant,
    /// 已联系: the parties are in touch.
    Contacted,
}

impl FeedbackKind {
    /// Stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Interested => "INTERESTED",
            Self::NotRelevant => "NOT_RELEVANT",
            Self::Contacted => "CONTACTED",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "INTERESTED" => Some(Self::Interested),
            "NOT_RELEVANT" => Some(Self::NotRelevant),
            "CONTACTED" => Some(Self::Contacted),
            _ => None,
        }
    }
}

/// Longest note accepted, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// Stores feedback on the pair (`need_id`, `achievement_id`).
pub async fn record(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    need_id: i64,
    achievement_id: i64,
    kind: FeedbackKind,
    note: Option<String>,
) -> AppResult<match_feedback::Model> {
    let v = viewer
        .ok_or_else(|| AppError::Unauthenticated("this mutation needs a bearer token".into()))?;
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
    {
        return Err(AppError::bad_input(
            "input.note",
            format!("at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    let n = need::Entity::find_by_id(need_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("need {need_id}")))?;
    let a = achievement::Entity::find_by_id(achievement_id)
        .one(db)
        .await?
        .filter(|a| policy::Visibility::of(viewer).admits(a.status, a.organisation_id))
        .ok_or_else(|| AppError::NotFound(format!("achievement {achievement_id}")))?;
    // Either party of the pair may say what they think of it.
    if policy::require(viewer, Action::RecordMatchFeedback, n.organisation_id).is_err() {
        policy::require(viewer, Action::RecordMatchFeedback, a.organisation_id)?;
    }
    let tx = crate::db::begin_write(db).await?;
    let saved = match_feedback::ActiveModel {
        need_id: Set(n.id),
        achievement_id: Set(a.id),
        kind: Set(kind.as_str().into()),
        need_organisation_id: Set(n.organisation_id),
        achievement_organisation_id: Set(a.organisation_id),
        given_by_organisation_id: Set(v.organisation_id),
        token_id: Set(v.token_id),
        note: Set(note),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    crate::audit::record(
        &tx,
        viewer,
        "match_feedback.record",
        "match_feedback",
        Some(saved.id),
        Some(v.organisation_id),
        serde_json::json!({ "need_id": n.id, "achievement_id": a.id, "kind": kind.as_str() }),
    )
    .await?;
    crate::changes::need_changed(&tx, &[n.id]).await?;
    tx.commit().await?;
    crate::changes::committed();
    Ok(saved)
}

/// The newest feedback an organisation gave on one pair, for showing it back on the pair.
pub async fn latest_by(
    db: &DatabaseConnection,
    need_id: i64,
    achievement_id: i64,
    organisation_id: i64,
) -> AppResult<Option<match_feedback::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    Ok(match_feedback::Entity::find()
        .filter(match_feedback::Column::NeedId.eq(need_id))
        .filter(match_feedback::Column::AchievementId.eq(achievement_id))
        .filter(match_feedback::Column::GivenByOrganisationId.eq(organisation_id))
        .order_by_desc(match_feedback::Column::CreatedAt)
        .order_by_desc(match_feedback::Column::Id)
        .one(db)
        .await?)
}
