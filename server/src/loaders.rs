//! DataLoaders for every relation the GraphQL objects follow, so a page of achievements costs one
//! query for organisations and one for patents, not one per row (and a list of event suggestions
//! one query for participants, achievements and needs). Created per request.

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::HashMap;
use std::sync::Arc;
use transferhub_schema::entity::{
    achievement, event_participant, need, organisation, patent, user,
};

/// Loads organisations by id.
pub struct OrganisationLoader(pub DatabaseConnection);

impl Loader<i64> for OrganisationLoader {
    type Value = organisation::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|o| (o.id, o)).collect())
    }
}

/// Loads people (users) by id, e.g. the person of an event registration.
pub struct UserLoader(pub DatabaseConnection);

impl Loader<i64> for UserLoader {
    type Value = user::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = user::Entity::find()
            .filter(user::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|u| (u.id, u)).collect())
    }
}

/// Loads the patents of achievements by achievement id.
pub struct PatentsLoader(pub DatabaseConnection);

impl Loader<i64> for PatentsLoader {
    type Value = Vec<patent::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = patent::Entity::find()
            .filter(patent::Column::AchievementId.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        let mut out: HashMap<i64, Vec<patent::Model>> = HashMap::new();
        for p in rows {
            if let Some(a) = p.achievement_id {
                out.entry(a).or_default().push(p);
            }
        }
        Ok(out)
    }
}

/// Loads achievements by id, as stored: the caller applies `policy::Visibility` (a loader is
/// shared by the whole request, the visibility rule is the viewer's).
pub struct AchievementLoader(pub DatabaseConnection);

impl Loader<i64> for AchievementLoader {
    type Value = achievement::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = achievement::Entity::find()
            .filter(achievement::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|a| (a.id, a)).collect())
    }
}

/// Loads needs by id.
pub struct NeedLoader(pub DatabaseConnection);

impl Loader<i64> for NeedLoader {
    type Value = need::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = need::Entity::find()
            .filter(need::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|n| (n.id, n)).collect())
    }
}

/// Loads event participants by id (the two sides of meetings and suggestions).
pub struct ParticipantLoader(pub DatabaseConnection);

impl Loader<i64> for ParticipantLoader {
    type Value = event_participant::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = event_participant::Entity::find()
            .filter(event_participant::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|p| (p.id, p)).collect())
    }
}

/// Loads the people of organisations (with their profiles) by organisation id, for
/// `Organisation.people` and `Achievement.inventorPeople`; the caller applies
/// `people::service::card`.
pub struct MembersLoader(pub DatabaseConnection);

impl Loader<i64> for MembersLoader {
    type Value = Vec<crate::people::service::Stored>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        crate::people::service::members_of(&self.0, keys)
            .await
            .map_err(|e| match e {
                crate::error::AppError::Db(e) => Arc::new(e),
                other => Arc::new(sea_orm::DbErr::Custom(other.message())),
            })
    }
}

/// The loaders of one request.
pub struct Loaders {
    /// Organisations by id.
    pub organisations: DataLoader<OrganisationLoader>,
    /// Patents by achievement id.
    pub patents: DataLoader<PatentsLoader>,
    /// Achievements by id (visibility still to be checked).
    pub achievements: DataLoader<AchievementLoader>,
    /// Needs by id.
    pub needs: DataLoader<NeedLoader>,
    /// Event participants by id.
    pub participants: DataLoader<ParticipantLoader>,
    /// People by user id.
    pub users: DataLoader<UserLoader>,
    /// People of organisations by organisation id.
    pub members: DataLoader<MembersLoader>,
}

impl Loaders {
    /// Fresh loaders (per request, so caches never outlive a request).
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            organisations: DataLoader::new(OrganisationLoader(db.clone()), tokio::spawn),
            patents: DataLoader::new(PatentsLoader(db.clone()), tokio::spawn),
            achievements: DataLoader::new(AchievementLoader(db.clone()), tokio::spawn),
            needs: DataLoader::new(NeedLoader(db.clone()), tokio::spawn),
            participants: DataLoader::new(ParticipantLoader(db.clone()), tokio::spawn),
            users: DataLoader::new(UserLoader(db.clone()), tokio::spawn),
            members: DataLoader::new(MembersLoader(db.clone()), tokio::spawn),
        }
    }
}
