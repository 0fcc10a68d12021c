//! Cached match suggestions: the top pairs the background recompute found, kept so that a new
//! pair can be told apart from a known one (the `newMatches` subscription fires on new pairs).

use sea_orm::entity::prelude::*;

/// One suggested (need, achievement) pair with the score and explanation when computed.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "match_suggestions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub need_id: i64,
    pub achievement_id: i64,
    pub score: f64,
    /// JSON of the explanation (matched terms, codes, constraints).
    pub explanation: String,
    pub computed_at: DateTimeUtc,
}

/// No relation is followed from suggestions.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
