//! Deal logic over sea-orm: opening a deal (`expressInterest`), the private thread, read
//! receipts, withdrawal and the party-only listings. A deal is seen only by its two parties'
//! members and platform admins; to anyone else it does not exist (NOT_FOUND, nothing leaked).

use crate::audit;
use crate::auth::policy::{self, Action, Visibility};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::organisations;
use crate::paging::{keyset_page, Order};
use crate::validate;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use transferhub_schema::entity::{
    achievement, deal, deal_message, deal_read, match_suggestion, need, uploaded_file,
};
use transferhub_schema::enums::{AchievementStatus, DealStatus, Role};

/// Longest message body, in characters.
pub const MAX_BODY_CHARS: usize = 5000;
/// Longest withdrawal reason, in characters.
pub const MAX_REASON_CHARS: usize = 1000;

/// What `expressInterest` submits.
#[derive(Debug, Clone)]
pub struct Interest {
    /// The achievement wanted.
    pub achievement_id: i64,
    /// The buyer's need it answers, if any.
    pub need_id: Option<i64>,
    /// The first message of the thread.
    pub message: String,
}

/// Filters accepted by `deals(filter)`.
#[derive(Debug, Clone, Default)]
pub struct DealQuery {
    /// Only deals in this state.
    pub status: Option<DealStatus>,
    /// Only deals where this organisation (key) is a party.
    pub organisation: Option<String>,
}

/// Checks a message body: 1–5000 characters after trimming, naming `field`.
pub fn message_body(field: &str, body: &str) -> AppResult<String> {
    validate::required_text(field, body, MAX_BODY_CHARS).map_err(|_| {
        AppError::bad_input(
            field,
            format!(
                "消息内容须为 1–{MAX_BODY_CHARS} 个字符 / the message must be 1–{MAX_BODY_CHARS} \
                 characters"
            ),
        )
    })
}

/// The `<achievement>:<buyer>` key that keeps one open deal per achievement and buyer.
pub fn open_key(achievement_id: i64, buyer_organisation_id: i64) -> String {
    format!("{achievement_id}:{buyer_organisation_id}")
}

fn signed_in(viewer: Option<&Viewer>) -> AppResult<&Viewer> {
    viewer.ok_or_else(|| AppError::Unauthenticated("deals need a bearer token or a session".into()))
}

/// True when the viewer may see this deal: a member of either party or a platform admin.
pub fn sees(viewer: &Viewer, d: &deal::Model) -> bool {
    viewer.role == Role::PlatformAdmin
        || viewer.organisation_id == d.buyer_organisation_id
        || viewer.organisation_id == d.seller_organisation_id
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("交易不存在 / deal {id} not found"))
}

/// One deal the viewer may see; NOT_FOUND otherwise (whether it exists or not).
pub async fn get<C: ConnectionTrait>(
    db: &C,
    viewer: Option<&Viewer>,
    id: i64,
) -> AppResult<deal::Model> {
    let v = signed_in(viewer)?;
    match deal::Entity::find_by_id(id).one(db).await? {
        Some(d) if sees(v, &d) => Ok(d),
        _ => Err(not_found(id)),
    }
}

/// The deal, with the viewer acting as one of its parties (their organisation's id).
async fn as_party<C: ConnectionTrait>(
    db: &C,
    viewer: Option<&Viewer>,
    id: i64,
) -> AppResult<(deal::Model, i64)> {
    let d = get(db, viewer, id).await?;
    let v = signed_in(viewer)?;
    let org = v.organisation_id;
    if org != d.buyer_organisation_id && org != d.seller_organisation_id {
        return Err(AppError::Forbidden(
            "只有交易双方可以操作 / only the deal's parties act on it".into(),
        ));
    }
    policy::require(viewer, Action::TakePartInDeals, org)?;
    Ok((d, org))
}

/// Opens a deal on a published achievement of another organisation, with its first message.
pub async fn express_interest(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    input: Interest,
) -> AppResult<deal::Model> {
    let v = signed_in(viewer)?;
    let buyer = v.organisation_id;
    policy::require(viewer, Action::TakePartInDeals, buyer)?;
    let body = message_body("input.message", &input.message)?;
    let ach = achievement::Entity::find_by_id(input.achievement_id)
        .one(db)
        .await?
        .filter(|a| Visibility::of(viewer).admits(a.status, a.organisation_id))
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "成果不存在 / achievement {} not found",
                input.achievement_id
            ))
        })?;
    if ach.organisation_id == buyer {
        return Err(AppError::bad_input(
            "input.achievementId",
            "不能对本机构的成果表达意向 / an organisation cannot open a deal on its own achievement",
        ));
    }
    if ach.status != AchievementStatus::Published {
        return Err(AppError::Conflict(format!(
            "成果未发布，不能洽谈 / achievement {} is not published",
            ach.id
        )));
    }
    // Opening a deal acts in public on the organisation's behalf: verified organisations only.
    organisations::service::require_publishing(db, buyer).await?;
    let mut suggestion = None;
    if let Some(need_id) = input.need_id {
        let n = need::Entity::find_by_id(need_id)
            .one(db)
            .await?
            .filter(|n| n.organisation_id == buyer)
            .ok_or_else(|| {
                AppError::bad_input(
                    "input.needId",
                    "须为本机构发布的需求 / must be a need posted by your organisation",
                )
            })?;
        suggestion = match_suggestion::Entity::find()
            .filter(match_suggestion::Column::NeedId.eq(n.id))
            .filter(match_suggestion::Column::AchievementId.eq(ach.id))
            .one(db)
            .await?
            .map(|s| s.id);
    }
    let key = open_key(ach.id, buyer);
    let tx = crate::db::begin_write(db).await?;
    if let Some(existing) = deal::Entity::find()
        .filter(deal::Column::OpenKey.eq(key.as_str()))
        .one(&tx)
        .await?
    {
        return Err(AppError::Conflict(format!(
            "已有进行中的交易 / an open deal {} already exists for this achievement and buyer",
            crate::relay::encode_id("Deal", existing.id).0
        )));
    }
    let now = Utc::now();
    let actor = v.actor();
    let saved = deal::ActiveModel {
        achievement_id: Set(ach.id),
        need_id: Set(input.need_id),
        buyer_organisation_id: Set(buyer),
        seller_organisation_id: Set(ach.organisation_id),
        opened_by: Set(actor.clone()),
        match_suggestion_id: Set(suggestion),
        status: Set(DealStatus::Intent),
        open_key: Set(Some(key)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    let first = insert_message(&tx, &saved, buyer, &actor, body, None).await?;
    mark(&tx, saved.id, buyer, first.id).await?;
    audit::record(
        &tx,
        viewer,
        "deal.open",
        "deal",
        Some(saved.id),
        Some(buyer),
        serde_json::json!({
            "achievement": ach.id,
            "seller": ach.organisation_id,
            "need": input.need_id,
            "match": suggestion,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

async fn insert_message<C: ConnectionTrait>(
    tx: &C,
    d: &deal::Model,
    org: i64,
    actor: &str,
    body: String,
    attachment: Option<String>,
) -> AppResult<deal_message::Model> {
    Ok(deal_message::ActiveModel {
        deal_id: Set(d.id),
        author_organisation_id: Set(org),
        author: Set(actor.to_string()),
        body: Set(body),
        attachment_file_id: Set(attachment),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(tx)
    .await?)
}

/// Records that `org` has read deal `deal_id` up to message `last` (never moves back).
async fn mark<C: ConnectionTrait>(tx: &C, deal_id: i64, org: i64, last: i64) -> AppResult<()> {
    let current = deal_read::Entity::find()
        .filter(deal_read::Column::DealId.eq(deal_id))
        .filter(deal_read::Column::OrganisationId.eq(org))
        .one(tx)
        .await?;
    match current {
        Some(r) if r.last_read_message_id >= last => {}
        Some(r) => {
            let mut m: deal_read::ActiveModel = r.into();
            m.last_read_message_id = Set(last);
            m.read_at = Set(Utc::now());
            m.update(tx).await?;
        }
        None => {
            deal_read::ActiveModel {
                deal_id: Set(deal_id),
                organisation_id: Set(org),
                last_read_message_id: Set(last),
                read_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
    }
    Ok(())
}

/// Adds a message to a deal's thread; the seller's first answer moves INTENT → NEGOTIATING.
pub async fn send_message(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    deal_id: i64,
    body: &str,
    attachment: Option<&str>,
) -> AppResult<(deal::Model, deal_message::Model)> {
    let (d, org) = as_party(db, viewer, deal_id).await?;
    let body = message_body("input.body", body)?;
    let attachment = match attachment.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(public_id) => uploaded_file::Entity::find()
            .filter(uploaded_file::Column::PublicId.eq(public_id))
            .filter(uploaded_file::Column::OrganisationId.eq(org))
            .one(db)
            .await?
            .ok_or_else(|| {
                AppError::bad_input(
                    "input.attachment",
                    "附件须为本机构上传的文件 / the attachment must be a file uploaded by your \
                         organisation (POST /files)",
                )
            })?
            .public_id
            .into(),
    };
    let v = signed_in(viewer)?;
    let tx = crate::db::begin_write(db).await?;
    // Re-read inside the transaction: a withdrawal may have landed meanwhile.
    let d = deal::Entity::find_by_id(d.id)
        .one(&tx)
        .await?
        .ok_or_else(|| not_found(deal_id))?;
    if !d.status.is_open() {
        return Err(AppError::Conflict(format!(
            "交易已结束，不能再发消息 / deal is {:?}: no more messages",
            d.status
        )));
    }
    let msg = insert_message(&tx, &d, org, &v.actor(), body, attachment).await?;
    mark(&tx, d.id, org, msg.id).await?;
    let mut m: deal::ActiveModel = d.clone().into();
    if org == d.seller_organisation_id && d.status == DealStatus::Intent {
        m.status = Set(DealStatus::Negotiating);
    }
    m.updated_at = Set(Utc::now());
    let saved = m.update(&tx).await?;
    audit::record(
        &tx,
        viewer,
        "deal.message",
        "deal",
        Some(d.id),
        Some(org),
        serde_json::json!({ "message": msg.id, "attachment": msg.attachment_file_id }),
    )
    .await?;
    tx.commit().await?;
    Ok((saved, msg))
}

/// Marks every message of the deal read for the viewer's organisation.
pub async fn mark_read(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    deal_id: i64,
) -> AppResult<deal::Model> {
    let (d, org) = as_party(db, viewer, deal_id).await?;
    let tx = crate::db::begin_write(db).await?;
    if let Some(last) = deal_message::Entity::find()
        .filter(deal_message::Column::DealId.eq(d.id))
        .order_by_desc(deal_message::Column::Id)
        .one(&tx)
        .await?
    {
        mark(&tx, d.id, org, last.id).await?;
    }
    audit::record(
        &tx,
        viewer,
        "deal.read",
        "deal",
        Some(d.id),
        Some(org),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(d)
}

/// Ends an open deal on either party's word, with a reason.
pub async fn withdraw(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    deal_id: i64,
    reason: &str,
) -> AppResult<deal::Model> {
    let (_, org) = as_party(db, viewer, deal_id).await?;
    let reason = validate::required_text("reason", reason, MAX_REASON_CHARS)?;
    let tx = crate::db::begin_write(db).await?;
    let d = deal::Entity::find_by_id(deal_id)
        .one(&tx)
        .await?
        .ok_or_else(|| not_found(deal_id))?;
    if !d.status.is_open() {
        return Err(AppError::Conflict(format!(
            "交易已结束 / deal is already {:?}",
            d.status
        )));
    }
    let mut m: deal::ActiveModel = d.into();
    m.status = Set(DealStatus::Withdrawn);
    m.open_key = Set(None);
    m.updated_at = Set(Utc::now());
    let saved = m.update(&tx).await?;
    audit::record(
        &tx,
        viewer,
        "deal.withdraw",
        "deal",
        Some(deal_id),
        Some(org),
        serde_json::json!({ "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// The SQL condition for a viewer's deal list: their organisation's deals (platform admins: all).
pub async fn condition(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    q: &DealQuery,
) -> AppResult<Condition> {
    let v = signed_in(viewer)?;
    let mut cond = Condition::all();
    if v.role != Role::PlatformAdmin {
        cond = cond.add(party(v.organisation_id));
    }
    if let Some(key) = q.organisation.as_deref() {
        let org = organisations::service::by_key(db, key)
            .await
            .map_err(|_| AppError::bad_input("filter.organisation", "unknown organisation key"))?;
        cond = cond.add(party(org.id));
    }
    if let Some(s) = q.status {
        cond = cond.add(deal::Column::Status.eq(s));
    }
    Ok(cond)
}

fn party(org: i64) -> Condition {
    Condition::any()
        .add(deal::Column::BuyerOrganisationId.eq(org))
        .add(deal::Column::SellerOrganisationId.eq(org))
}

/// One page of deals, newest first.
pub async fn list(
    db: &DatabaseConnection,
    cond: Condition,
    after: Option<i64>,
    first: usize,
) -> AppResult<(Vec<deal::Model>, bool)> {
    keyset_page(
        db,
        deal::Entity::find().filter(cond),
        deal::Column::Id,
        Order::NewestFirst,
        after,
        first,
    )
    .await
}

/// Number of deals matching a condition.
pub async fn count(db: &DatabaseConnection, cond: Condition) -> AppResult<u64> {
    Ok(deal::Entity::find().filter(cond).count(db).await?)
}

/// A deal's messages, oldest first.
pub async fn messages(
    db: &DatabaseConnection,
    deal_id: i64,
) -> AppResult<Vec<deal_message::Model>> {
    Ok(deal_message::Entity::find()
        .filter(deal_message::Column::DealId.eq(deal_id))
        .order_by_asc(deal_message::Column::Id)
        .all(db)
        .await?)
}

/// The read marks of a deal (one per party that has read).
pub async fn reads(db: &DatabaseConnection, deal_id: i64) -> AppResult<Vec<deal_read::Model>> {
    Ok(deal_read::Entity::find()
        .filter(deal_read::Column::DealId.eq(deal_id))
        .all(db)
        .await?)
}

/// Messages of the other party that `org` has not read yet.
pub async fn unread_count(db: &DatabaseConnection, deal_id: i64, org: i64) -> AppResult<u64> {
    let last = deal_read::Entity::find()
        .filter(deal_read::Column::DealId.eq(deal_id))
        .filter(deal_read::Column::OrganisationId.eq(org))
        .one(db)
        .await?
        .map(|r| r.last_read_message_id)
        .unwrap_or(0);
    Ok(deal_message::Entity::find()
        .filter(deal_message::Column::DealId.eq(deal_id))
        .filter(deal_message::Column::AuthorOrganisationId.ne(org))
        .filter(deal_message::Column::Id.gt(last))
        .count(db)
        .await?)
}

/// The newest message of a deal.
pub async fn last_message(
    db: &DatabaseConnection,
    deal_id: i64,
) -> AppResult<Option<deal_message::Model>> {
    Ok(deal_message::Entity::find()
        .filter(deal_message::Column::DealId.eq(deal_id))
        .order_by_desc(deal_message::Column::Id)
        .one(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_one_to_five_thousand_characters() {
        assert_eq!(
            message_body("input.body", "  你好  ").ok().as_deref(),
            Some("你好")
        );
        for bad in ["", "   ", &"字".repeat(MAX_BODY_CHARS + 1)] {
            match message_body("input.body", bad) {
                Err(AppError::BadInput { field, .. }) => assert_eq!(field, "input.body"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        assert!(message_body("input.body", &"字".repeat(MAX_BODY_CHARS)).is_ok());
    }

    #[test]
    fn the_open_key_names_achievement_and_buyer() {
        assert_eq!(open_key(7, 3), "7:3");
        assert_ne!(open_key(7, 3), open_key(3, 7));
    }

    #[test]
    fn only_withdrawn_and_closed_deals_are_ended() {
        assert!(DealStatus::Intent.is_open());
        assert!(DealStatus::Negotiating.is_open());
        assert!(!DealStatus::Withdrawn.is_open());
        assert!(!DealStatus::Closed.is_open());
    }
}
