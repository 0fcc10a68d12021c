//! Need logic over sea-orm: listing with filters, validated creation and updates, closing.
//! Needs are public once posted (open or closed), so listings apply no visibility rule.

use crate::audit;
use crate::auth::policy::{self, Action};
use crate::auth::Viewer;
use crate::catalog::service::target_org;
use crate::error::{AppError, AppResult};
use crate::filters;
use crate::paging::{keyset_page, Order};
use crate::validate;
use chrono::{DateTime, NaiveDate, Utc};

use sea_orm::{
    ActiveModelTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};
use transferhub_schema::entity::{need, organisation};
use transferhub_schema::enums::{NeedStatus, TransferMode};

/// Filters accepted by `needs(filter)`.
#[derive(Debug, Clone, Default)]
pub struct NeedQuery {
    /// Organisation key.
    pub organisation: Option<String>,
    /// Open or closed.
    pub status: Option<NeedStatus>,
    /// GB/T 4754 at any level.
    pub industry: Option<String>,
    /// Lowest required TRL.
    pub maturity_min: Option<i32>,
    /// Highest required TRL.
    pub maturity_max: Option<i32>,
    /// Wanted transfer mode.
    pub transfer_mode: Option<TransferMode>,
    /// GB/T 2260 at any level.
    pub region: Option<String>,
    /// Changed at or after.
    pub updated_since: Option<DateTime<Utc>>,
}

/// Need fields as submitted; `Some(None)` clears a nullable field.
#[derive(Debug, Clone, Default)]
pub struct NeedDraft {
    /// Title.
    pub title: Option<String>,
    /// English title.
    pub title_en: Option<Option<String>>,
    /// Description.
    pub description: Option<String>,
    /// Keywords.
    pub keywords: Option<Vec<String>>,
    /// GB/T 4754.
    pub industry_code: Option<Option<String>>,
    /// IPC symbols.
    pub ipc_codes: Option<Vec<String>>,
    /// Required TRL.
    pub required_maturity: Option<Option<i32>>,
    /// Wanted transfer modes.
    pub transfer_modes: Option<Vec<TransferMode>>,
    /// Budget lower bound (yuan).
    pub budget_min_yuan: Option<Option<i64>>,
    /// Budget upper bound (yuan).
    pub budget_max_yuan: Option<Option<i64>>,
    /// GB/T 2260.
    pub region_code: Option<Option<String>>,
    /// Deadline.
    pub deadline: Option<Option<NaiveDate>>,
    /// Contact person.
    pub contact_name: Option<Option<String>>,
}

/// Builds the SQL condition for a need query.
pub async fn condition(db: &DatabaseConnection, q: &NeedQuery) -> AppResult<Condition> {
    use need::Column as N;
    Ok(filters::ListFilter::new(Condition::all())
        .organisation(db, N::OrganisationId, q.organisation.as_deref())
        .await?
        .equals(N::Status, q.status)
        .industry(q.industry.as_deref())?
        .maturity(N::RequiredTrl, q.maturity_min, q.maturity_max)?
        .transfer_mode(N::TransferModes, q.transfer_mode)
        .region(q.region.as_deref())?
        .updated_since(N::UpdatedAt, q.updated_since)
        .build())
}

/// One page of needs, newest first.
pub async fn list(
    db: &DatabaseConnection,
    cond: Condition,
    after: Option<i64>,
    first: usize,
) -> AppResult<(Vec<need::Model>, bool)> {
    keyset_page(
        db,
        need::Entity::find().filter(cond),
        need::Column::Id,
        Order::NewestFirst,
        after,
        first,
    )
    .await
}

/// Number of needs matching a condition.
pub async fn count(db: &DatabaseConnection, cond: Condition) -> AppResult<u64> {
    Ok(need::Entity::find().filter(cond).count(db).await?)
}

/// One need.
pub async fn get(db: &DatabaseConnection, id: i64) -> AppResult<need::Model> {
    need::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("need {id}")))
}

fn apply(d: &NeedDraft, m: &mut need::ActiveModel) -> AppResult<()> {
    if let Some(t) = &d.title {
        m.title = Set(validate::required_text("input.title", t, 200)?);
    }
    if let Some(t) = &d.title_en {
        m.title_en = Set(validate::optional_text("input.titleEn", t.as_deref(), 300)?);
    }
    if let Some(t) = &d.description {
        m.description = Set(validate::required_text("input.description", t, 5000)?);
    }
    if let Some(v) = &d.keywords {
        let list = validate::string_list("input.keywords", v, 20, 30)?;
        m.keywords = Set(serde_json::to_string(&list).unwrap_or_else(|_| "[]".into()));
    }
    if let Some(c) = &d.industry_code {
        let code = validate::industry("input.industryCode", c.as_deref())?;
        let [code, section, division, group] = validate::industry_levels(code.as_ref());
        m.industry_code = Set(code);
        m.industry_section = Set(section);
        m.industry_division = Set(division);
        m.industry_group = Set(group);
    }
    if let Some(v) = &d.ipc_codes {
        let list = validate::ipc_list("input.ipcCodes", v)?;
        m.ipc_codes = Set(serde_json::to_string(&list).unwrap_or_else(|_| "[]".into()));
    }
    if let Some(t) = d.required_maturity {
        m.required_trl = Set(validate::trl("input.requiredMaturity", t)?);
    }
    if let Some(modes) = &d.transfer_modes {
        m.transfer_modes = Set(TransferMode::mask(modes));
    }
    if let Some(v) = d.budget_min_yuan {
        m.budget_min_yuan = Set(validate::money("input.budgetMinYuan", v)?);
    }
    if let Some(v) = d.budget_max_yuan {
        m.budget_max_yuan = Set(validate::money("input.budgetMaxYuan", v)?);
    }
    if let (Some(Some(min)), Some(Some(max))) = (
        m.budget_min_yuan.try_as_ref(),
        m.budget_max_yuan.try_as_ref(),
    ) {
        if min > max {
            return Err(AppError::bad_input(
                "input.budgetMinYuan",
                "must not exceed budgetMaxYuan",
            ));
        }
    }
    if let Some(v) = &d.region_code {
        m.region_code = Set(
            validate::region("input.regionCode", v.as_deref())?.map(|r| r.as_str().to_string())
        );
    }
    if let Some(v) = d.deadline {
        if v.is_some_and(|day| day < Utc::now().date_naive()) {
            return Err(AppError::bad_input(
                "input.deadline",
                "must not be in the past",
            ));
        }
        m.deadline = Set(v);
    }
    if let Some(v) = &d.contact_name {
        m.contact_name = Set(validate::optional_text(
            "input.contactName",
            v.as_deref(),
            50,
        )?);
    }
    Ok(())
}

/// Validates a complete draft and inserts it, inside the caller's transaction.
pub async fn insert<C: ConnectionTrait>(
    tx: &C,
    org: &organisation::Model,
    draft: &NeedDraft,
    status: NeedStatus,
) -> AppResult<need::Model> {
    if draft.title.is_none() {
        return Err(AppError::bad_input("input.title", "is required"));
    }
    if draft.description.is_none() {
        return Err(AppError::bad_input("input.description", "is required"));
    }
    let now = Utc::now();
    let mut m = need::ActiveModel {
        organisation_id: Set(org.id),
        title_en: Set(None),
        keywords: Set("[]".into()),
        industry_code: Set(None),
        industry_section: Set(None),
        industry_division: Set(None),
        industry_group: Set(None),
        ipc_codes: Set("[]".into()),
        required_trl: Set(None),
        transfer_modes: Set(0),
        budget_min_yuan: Set(None),
        budget_max_yuan: Set(None),
        region_code: Set(org.region_code.clone()),
        deadline: Set(None),
        contact_name: Set(None),
        status: Set(status),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(draft, &mut m)?;
    Ok(m.insert(tx).await?)
}

/// Posts a new open need for `org_key` (or the viewer's organisation).
pub async fn create(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    org_key: Option<&str>,
    draft: NeedDraft,
) -> AppResult<need::Model> {
    let org = target_org(db, viewer, org_key).await?;
    policy::require(viewer, Action::WriteNeeds, org.id)?;
    // A need is public once posted (there is no draft need): only verified organisations post.
    policy::may_publish(&org)?;
    let tx = crate::db::begin_write(db).await?;
    let saved = insert(&tx, &org, &draft, NeedStatus::Open).await?;
    crate::changes::need_changed(&tx, &[saved.id]).await?;
    audit::record(
        &tx,
        viewer,
        "need.create",
        "need",
        Some(saved.id),
        Some(org.id),
        serde_json::json!({ "title": saved.title }),
    )
    .await?;
    tx.commit().await?;
    crate::changes::committed();
    Ok(saved)
}

/// Changes the given fields of a need.
pub async fn update(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    id: i64,
    draft: NeedDraft,
) -> AppResult<need::Model> {
    let current = get(db, id).await?;
    policy::require(viewer, Action::WriteNeeds, current.organisation_id)?;
    let mut m: need::ActiveModel = current.clone().into();
    apply(&draft, &mut m)?;
    m.updated_at = Set(Utc::now());
    let tx = crate::db::begin_write(db).await?;
    let saved = m.update(&tx).await?;
    crate::changes::need_changed(&tx, &[id]).await?;
    audit::record(
        &tx,
        viewer,
        "need.update",
        "need",
        Some(id),
        Some(current.organisation_id),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    crate::changes::committed();
    Ok(saved)
}

/// Closes an open need.
pub async fn close(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    id: i64,
) -> AppResult<need::Model> {
    let current = get(db, id).await?;
    policy::require(viewer, Action::WriteNeeds, current.organisation_id)?;
    if current.status == NeedStatus::Closed {
        return Err(AppError::Conflict(format!("need {id} is already closed")));
    }
    let mut m: need::ActiveModel = current.clone().into();
    m.status = Set(NeedStatus::Closed);
    m.updated_at = Set(Utc::now());
    let tx = crate::db::begin_write(db).await?;
    let saved = m.update(&tx).await?;
    crate::changes::need_changed(&tx, &[id]).await?;
    audit::record(
        &tx,
        viewer,
        "need.close",
        "need",
        Some(id),
        Some(current.organisation_id),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    crate::changes::committed();
    Ok(saved)
}
