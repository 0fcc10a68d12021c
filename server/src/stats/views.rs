//! Page views of achievements, counted without personal data: a counter per achievement per
//! UTC day is incremented when `achievement(id)` is resolved for a published record. No
//! address, token, user or time of day is stored.

use chrono::Utc;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use transferhub_schema::entity::achievement_view;

/// Adds one view of `achievement_id` today. Failures are logged, never returned: counting
/// must not break reading.
pub async fn record<C: ConnectionTrait>(db: &C, achievement_id: i64) {
    let day = Utc::now().format("%Y-%m-%d").to_string();
    let row = achievement_view::ActiveModel {
        achievement_id: Set(achievement_id),
        day: Set(day),
        views: Set(1),
        ..Default::default()
    };
    let result = achievement_view::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                achievement_view::Column::AchievementId,
                achievement_view::Column::Day,
            ])
            .value(
                achievement_view::Column::Views,
                Expr::col((achievement_view::Entity, achievement_view::Column::Views)).add(1),
            )
            .to_owned(),
        )
        .exec_without_returning(db)
        .await;
    if let Err(e) = result {
        tracing::warn!(achievement.id = achievement_id, error = %e, "page view not counted");
    }
}
