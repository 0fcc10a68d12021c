//! The GraphQL schema: domain query/mutation objects merged into one root, `node` and `viewer`,
//! the data loaders, and the depth/complexity limits. The SDL printed from here is kept in
//! `schema/transferhub.graphql` and a test fails on drift.

use crate::app::config::Config;
use crate::auth::graphql::{viewer, AuthMutation, AuthQuery};
use crate::auth::session::SessionInfo;

use crate::catalog::graphql::{Achievement, CatalogMutation, CatalogQuery, Organisation};
use crate::error::AppError;
use crate::events::graphql::{EventsMutation, EventsQuery, EventsSubscription};
use crate::loaders::Loaders;
use crate::matching::graphql::{MatchingMutation, MatchingQuery, MatchingSubscription};
use crate::matching::Matching;
use crate::needs::graphql::{Need, NeedsMutation, NeedsQuery};
use crate::relay;
use crate::search::graphql::SearchQuery;
use crate::search::Search;
use crate::sources::graphql::{SourcesMutation, SourcesQuery, SourcesSubscription};
use crate::sources::harvest::Harvester;
use async_graphql::{
    Context, Interface, MergedObject, MergedSubscription, Object, Schema, SimpleObject, ID,
};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use transferhub_schema::enums::Role;

/// The executable schema type.
pub type HubSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Every query root field, merged from the domains.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    CoreQuery,
    CatalogQuery,
    NeedsQuery,
    SourcesQuery,
    SearchQuery,
    AuthQuery,
    MatchingQuery,
    EventsQuery,
    crate::links::graphql::LinksQuery,
    crate::stats::graphql::StatsQuery,
    crate::sources::governance_graphql::GovernanceQuery,
    crate::organisations::graphql::OrganisationsQuery,
    crate::people::graphql::PeopleQuery,
    crate::deals::graphql::DealsQuery,
);

/// Every mutation, merged from the domains.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    CatalogMutation,
    NeedsMutation,
    SourcesMutation,
    AuthMutation,
    MatchingMutation,
    EventsMutation,
    crate::links::graphql::LinksMutation,
    crate::sources::governance_graphql::GovernanceMutation,
    crate::organisations::graphql::OrganisationsMutation,
    crate::people::graphql::PeopleMutation,
    crate::deals::graphql::DealsMutation,
);

/// Every subscription, merged from the domains.
#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(
    SourcesSubscription,
    MatchingSubscription,
    EventsSubscription,
);

/// Anything addressable by a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id."))]
pub enum Node {
    /// A technology achievement.
    Achievement(Achievement),
    /// A technology need.
    Need(Need),
    /// An organisation.
    Organisation(Organisation),
    /// A person (null when hidden from the caller).
    Person(crate::people::graphql::Person),
}

/// Who the request is authenticated as.
#[derive(SimpleObject)]
pub struct ViewerInfo {
    /// Name given to the token.
    pub token_name: String,
    /// Role granted.
    pub role: Role,
    /// Organisation the token acts for.
    pub organisation: Organisation,
    /// For browser sessions: the token to send back in `X-CSRF-Token` on every POST.
    pub csrf_token: Option<String>,
    /// For browser sessions: the logged-in person's e-mail.
    pub email: Option<String>,
    /// The logged-in person behind a browser session or person token, with their whole
    /// profile (null for organisation tokens and API keys).
    pub person: Option<crate::people::graphql::Person>,
}

/// The logged-in person of a browser session, with or without an organisation.
#[derive(SimpleObject)]
pub struct Account {
    /// The person's e-mail (from the OpenID provider).
    pub email: Option<String>,
    /// The person's name as the provider gave it.
    pub display_name: String,
    /// The token to send back in `X-CSRF-Token` on every POST.
    pub csrf_token: String,
    /// False until the person belongs to an organisation (then `viewer` is null and the front
    /// end offers to apply for one with `createOrganisation`).
    pub has_organisation: bool,
}

/// `node`, `viewer` and `account`.
#[derive(Default)]
pub struct CoreQuery;

#[Object]
impl CoreQuery {
    /// Fetches any object by its global id.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let viewer = viewer(ctx);
        let Some((kind, n)) = relay::decode_any(&id) else {
            return Err(AppError::bad_input("id", "not a valid global id").into());
        };
        Ok(match kind.as_str() {
            "Achievement" => Some(Node::Achievement(Achievement(
                crate::catalog::service::get(db, viewer, n).await?,
            ))),
            "Need" => Some(Node::Need(Need(crate::needs::service::get(db, n).await?))),
            "Organisation" => {
                let org = ctx
                    .data::<Loaders>()?
                    .organisations
                    .load_one(n)
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("organisation {n}")))?;
                Some(Node::Organisation(Organisation(org)))
            }
            "Person" => {
                let asker = crate::people::graphql::asker(ctx);
                crate::people::service::get(db, &asker, n)
                    .await?
                    .map(|p| Node::Person(crate::people::graphql::Person(p)))
            }
            _ => return Err(AppError::bad_input("id", "not a valid global id").into()),
        })
    }

    /// The authenticated caller, or null for anonymous requests.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ViewerInfo>> {
        let Some(v) = viewer(ctx) else {
            return Ok(None);
        };
        let org = ctx
            .data::<Loaders>()?
            .organisations
            .load_one(v.organisation_id)
            .await?
            .ok_or_else(|| AppError::NotFound("organisation".into()))?;
        let session = ctx.data_opt::<SessionInfo>();
        let person = crate::people::service::me(db_of(ctx)?, &crate::people::graphql::asker(ctx))
            .await?
            .map(crate::people::graphql::Person);
        Ok(Some(ViewerInfo {
            token_name: v.token_name.clone(),
            role: v.role,
            organisation: Organisation(org),
            csrf_token: session.map(|s| s.session.csrf_token.clone()),
            email: session.and_then(|s| s.user.email.clone()),
            person,
        }))
    }

    /// The logged-in person of a browser session, also before they belong to an organisation
    /// (when `viewer` is null); null for anonymous callers, tokens and API keys.
    async fn account(&self, ctx: &Context<'_>) -> Option<Account> {
        let s = ctx.data_opt::<SessionInfo>()?;
        Some(Account {
            email: s.user.email.clone(),
            display_name: s.user.display_name.clone(),
            csrf_token: s.session.csrf_token.clone(),
            has_organisation: viewer(ctx).is_some(),
        })
    }
}

fn db_of<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
}

/// Builds the schema with limits from configuration.
pub fn build_schema(
    db: DatabaseConnection,
    config: Arc<Config>,
    harvester: Harvester,
    search: Arc<Search>,
    matching: Matching,
    views: crate::stats::views::ViewCounter,
    events: crate::events::updates::EventBus,
) -> HubSchema {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .data(db)
    .data(harvester)
    .data(search)
    .data(matching)
    .data(views)
    .data(events)
    .data(crate::links::LinkServices::new(&config))
    .data(crate::auth::graphql::AuthProviders::from_config(&config))
    .limit_complexity(config.server.graphql_complexity_limit)
    .limit_recursive_depth(32)
    .extension(crate::auth::cost::RoleLimits {
        schema_depth: config.server.graphql_depth_limit,
        depth: config.auth.anonymous_depth_limit,
        complexity: config.auth.anonymous_complexity_limit,
    })
    .finish()
}

/// The SDL as published.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .finish()
    .sdl()
}

#[cfg(test)]
mod tests {
    #[test]
    fn published_sdl_matches_the_server() {
        let current = super::sdl();
        let published = transferhub_schema::GRAPHQL_SDL;
        assert!(
            current == published,
            "schema/transferhub.graphql is stale; run `cargo run -p transferhub-server -- schema > schema/transferhub.graphql`"
        );
    }
}
