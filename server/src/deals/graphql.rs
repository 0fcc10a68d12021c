//! GraphQL objects, inputs, queries and mutations for deals and their private threads.

use super::service::{self, DealQuery, Interest};
use crate::auth::graphql::viewer;
use crate::catalog::graphql::{Achievement, Organisation};
use crate::error::AppError;
use crate::loaders::Loaders;
use crate::needs::graphql::Need;
use crate::relay::{self, IdCursor};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use transferhub_schema::entity::{deal, deal_message};
use transferhub_schema::enums::DealStatus;

/// A deal (交易) between a buyer and the owner of an achievement; only the parties and platform
/// admins see it.
pub struct Deal(pub deal::Model);

async fn org(ctx: &Context<'_>, id: i64) -> Result<Organisation> {
    let o = ctx
        .data::<Loaders>()?
        .organisations
        .load_one(id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("organisation {id} missing")))?;
    Ok(Organisation(o))
}

#[Object]
impl Deal {
    /// Opaque global id.
    async fn id(&self) -> ID {
        relay::encode_id("Deal", self.0.id)
    }
    /// Where the deal stands.
    async fn status(&self) -> DealStatus {
        self.0.status
    }
    /// The achievement dealt in.
    async fn achievement(&self, ctx: &Context<'_>) -> Result<Achievement> {
        let a = ctx
            .data::<Loaders>()?
            .achievements
            .load_one(self.0.achievement_id)
            .await?
            .ok_or_else(|| AppError::Internal("deal without achievement".into()))?;
        Ok(Achievement(a))
    }
    /// The buyer's need the deal answers, if any.
    async fn need(&self, ctx: &Context<'_>) -> Result<Option<Need>> {
        match self.0.need_id {
            Some(id) => Ok(ctx.data::<Loaders>()?.needs.load_one(id).await?.map(Need)),
            None => Ok(None),
        }
    }
    /// The organisation that expressed interest.
    async fn buyer(&self, ctx: &Context<'_>) -> Result<Organisation> {
        org(ctx, self.0.buyer_organisation_id).await
    }
    /// The achievement's owner.
    async fn seller(&self, ctx: &Context<'_>) -> Result<Organisation> {
        org(ctx, self.0.seller_organisation_id).await
    }
    /// True when the deal came from a match suggestion.
    async fn from_match(&self) -> bool {
        self.0.match_suggestion_id.is_some()
    }
    /// The private thread, oldest first.
    async fn messages(&self, ctx: &Context<'_>) -> Result<Vec<DealMessage>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let reads = service::reads(db, self.0.id).await?;
        let rows = service::messages(db, self.0.id).await?;
        Ok(rows
            .into_iter()
            .map(|m| {
                let read_by_other_party = reads.iter().any(|r| {
                    r.organisation_id != m.author_organisation_id && r.last_read_message_id >= m.id
                });
                DealMessage {
                    row: m,
                    read_by_other_party,
                }
            })
            .collect())
    }
    /// Messages of the other party the viewer's organisation has not read yet.
    async fn unread_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let db = ctx.data::<DatabaseConnection>()?;
        let Some(v) = viewer(ctx) else {
            return Ok(0);
        };
        Ok(service::unread_count(db, self.0.id, v.organisation_id).await?)
    }
    /// When the newest message was written.
    async fn last_message_at(&self, ctx: &Context<'_>) -> Result<Option<DateTime<Utc>>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(service::last_message(db, self.0.id)
            .await?
            .map(|m| m.created_at))
    }
    /// Opened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One message of a deal's thread.
pub struct DealMessage {
    row: deal_message::Model,
    read_by_other_party: bool,
}

#[Object]
impl DealMessage {
    /// Opaque global id.
    async fn id(&self) -> ID {
        relay::encode_id("DealMessage", self.row.id)
    }
    /// The text.
    async fn body(&self) -> &str {
        &self.row.body
    }
    /// The author's organisation (buyer or seller).
    async fn author_organisation(&self, ctx: &Context<'_>) -> Result<Organisation> {
        org(ctx, self.row.author_organisation_id).await
    }
    /// The file id (`POST /files`) of the attachment, if any.
    async fn attachment(&self) -> Option<&str> {
        self.row.attachment_file_id.as_deref()
    }
    /// True once the other party has read this message (read receipt).
    async fn read_by_other_party(&self) -> bool {
        self.read_by_other_party
    }
    /// Written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
}

/// Filters for deal lists.
#[derive(InputObject, Default)]
pub struct DealFilter {
    /// Only deals in this state.
    pub status: Option<DealStatus>,
    /// Only deals where this organisation (key) is a party.
    pub organisation: Option<String>,
}

/// Counts for a deals connection, computed only when asked for.
pub struct DealCount {
    query: DealQuery,
}

#[Object]
impl DealCount {
    /// Number of the viewer's deals matching the filter.
    #[graphql(complexity = 10)]
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let db = ctx.data::<DatabaseConnection>()?;
        let cond = service::condition(db, viewer(ctx), &self.query).await?;
        Ok(service::count(db, cond).await?)
    }
}

/// Deal queries; a deal is visible to its parties and platform admins only.
#[derive(Default)]
pub struct DealsQuery;

#[Object]
impl DealsQuery {
    /// The viewer's organisation's deals (platform admins: all), newest first.
    #[graphql(complexity = "5 + first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn deals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<DealFilter>,
    ) -> Result<Connection<IdCursor, Deal, DealCount>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let first = relay::page_size(first)?;
        let after = relay::parse_after(after.as_deref())?;
        let f = filter.unwrap_or_default();
        let q = DealQuery {
            status: f.status,
            organisation: f.organisation,
        };
        let cond = service::condition(db, viewer(ctx), &q).await?;
        let (rows, more) = service::list(db, cond, after, first).await?;
        let mut conn =
            Connection::with_additional_fields(after.is_some(), more, DealCount { query: q });
        conn.edges
            .extend(rows.into_iter().map(|d| Edge::new(IdCursor(d.id), Deal(d))));
        Ok(conn)
    }

    /// One deal by global id; NOT_FOUND unless the viewer is a party or a platform admin.
    async fn deal(&self, ctx: &Context<'_>, id: ID) -> Result<Deal> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&id, "Deal", "id")?;
        Ok(Deal(service::get(db, viewer(ctx), n).await?))
    }
}

/// Interest in an achievement: opens a deal with its owner.
#[derive(InputObject)]
pub struct ExpressInterestInput {
    /// A PUBLISHED achievement of another organisation.
    pub achievement_id: ID,
    /// The buyer's own need it answers, if any.
    pub need_id: Option<ID>,
    /// The first message (1–5000 characters).
    pub message: String,
}

/// A message for a deal's thread.
#[derive(InputObject)]
pub struct SendDealMessageInput {
    /// The deal.
    pub deal_id: ID,
    /// The text (1–5000 characters).
    pub body: String,
    /// A file id from `POST /files`, uploaded by the sender's organisation.
    pub attachment: Option<String>,
}

/// The deal after a change.
#[derive(SimpleObject)]
pub struct DealPayload {
    /// The deal.
    pub deal: Deal,
}

/// The deal and the message just sent.
#[derive(SimpleObject)]
pub struct SendDealMessagePayload {
    /// The deal after the message.
    pub deal: Deal,
    /// The new message.
    pub message: DealMessage,
}

/// Deal mutations; each needs a bearer token or session and is audited.
#[derive(Default)]
pub struct DealsMutation;

#[Object]
impl DealsMutation {
    /// Opens a deal on another organisation's published achievement, with a first message.
    async fn express_interest(
        &self,
        ctx: &Context<'_>,
        input: ExpressInterestInput,
    ) -> Result<DealPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let achievement_id =
            relay::decode_id(&input.achievement_id, "Achievement", "input.achievementId")?;
        let need_id = match &input.need_id {
            Some(id) => Some(relay::decode_id(id, "Need", "input.needId")?),
            None => None,
        };
        let d = service::express_interest(
            db,
            viewer(ctx),
            Interest {
                achievement_id,
                need_id,
                message: input.message,
            },
        )
        .await?;
        Ok(DealPayload { deal: Deal(d) })
    }

    /// Writes in a deal's thread (its parties only).
    async fn send_deal_message(
        &self,
        ctx: &Context<'_>,
        input: SendDealMessageInput,
    ) -> Result<SendDealMessagePayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let id = relay::decode_id(&input.deal_id, "Deal", "input.dealId")?;
        let (d, m) = service::send_message(
            db,
            viewer(ctx),
            id,
            &input.body,
            input.attachment.as_deref(),
        )
        .await?;
        Ok(SendDealMessagePayload {
            deal: Deal(d),
            message: DealMessage {
                row: m,
                read_by_other_party: false,
            },
        })
    }

    /// Marks every message of the deal read for the viewer's organisation.
    async fn mark_deal_read(&self, ctx: &Context<'_>, deal_id: ID) -> Result<DealPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let id = relay::decode_id(&deal_id, "Deal", "dealId")?;
        Ok(DealPayload {
            deal: Deal(service::mark_read(db, viewer(ctx), id).await?),
        })
    }

    /// Ends an open deal (either party), with a reason.
    async fn withdraw_deal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> Result<DealPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&id, "Deal", "id")?;
        Ok(DealPayload {
            deal: Deal(service::withdraw(db, viewer(ctx), n, &reason).await?),
        })
    }
}
