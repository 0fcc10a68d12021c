//! Catalog logic over sea-orm, free of GraphQL types: listing with filters and keyset paging,
//! visibility, validated creation and updates, publication state changes, audit entries.

use crate::audit;
use crate::auth::policy::{self, Action, Visibility};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::filters;
use crate::paging::{keyset_page, Order};
use crate::validate;
use chrono::{DateTime, Utc};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};
use transferhub_schema::entity::{achievement, organisation, patent};
use transferhub_schema::enums::{
    AchievementStatus, AchievementType, OrganisationKind, OrganisationStatus, PatentType,
    TransferMode,
};
use transferhub_schema::types::PatentKind;

/// Filters accepted by `achievements(filter)`.
#[derive(Debug, Clone, Default)]
pub struct AchievementQuery {
    /// Organisation key.
    pub organisation: Option<String>,
    /// Achievement type.
    pub achievement_type: Option<AchievementType>,
    /// Publication status.
    pub status: Option<AchievementStatus>,
    /// GB/T 4754 code at any level.
    pub industry: Option<String>,
    /// Lowest TRL.
    pub maturity_min: Option<i32>,
    /// Highest TRL.
    pub maturity_max: Option<i32>,
    /// Offered transfer mode.
    pub transfer_mode: Option<TransferMode>,
    /// GB/T 2260 code at any level.
    pub region: Option<String>,
    /// Changed at or after.
    pub updated_since: Option<DateTime<Utc>>,
}

/// Achievement fields as submitted, before validation.
#[derive(Debug, Clone, Default)]
pub struct AchievementDraft {
    /// 成果名称
    pub title: Option<String>,
    /// English title.
    pub title_en: Option<Option<String>>,
    /// 成果类型
    pub achievement_type: Option<AchievementType>,
    /// 完成人
    pub inventors: Option<Vec<String>>,
    /// 成果简介
    pub summary: Option<String>,
    /// English summary.
    pub summary_en: Option<Option<String>>,
    /// 关键词
    pub keywords: Option<Vec<String>>,
    /// GB/T 4754.
    pub industry_code: Option<Option<String>>,
    /// IPC symbols.
    pub ipc_codes: Option<Vec<String>>,
    /// TRL.
    pub maturity: Option<Option<i32>>,
    /// 转化方式
    pub transfer_modes: Option<Vec<TransferMode>>,
    /// Yuan; `Some(None)` = 面议.
    pub asking_price_yuan: Option<Option<i64>>,
    /// 联系人
    pub contact_name: Option<Option<String>>,
    /// Phone.
    pub contact_phone: Option<Option<String>>,
    /// E-mail.
    pub contact_email: Option<Option<String>>,
    /// GB/T 2260.
    pub region_code: Option<Option<String>>,
    /// Patents (replaces the set when given).
    pub patents: Option<Vec<PatentDraft>>,
}

/// One patent as submitted.
#[derive(Debug, Clone, Default)]
pub struct PatentDraft {
    /// Application number in any accepted spelling.
    pub application_number: String,
    /// Publication number.
    pub publication_number: Option<String>,
    /// Granted, when known; otherwise derived from the publication kind code.
    pub granted: Option<bool>,
}

/// The policy's visibility rule ([`Visibility`]) as SQL.
fn visible(viewer: Option<&Viewer>) -> Condition {
    let published = achievement::Column::Status.eq(AchievementStatus::Published);
    match Visibility::of(viewer) {
        Visibility::All => Condition::all(),
        Visibility::PublishedOrOrganisation(org) => Condition::any()
            .add(published)
            .add(achievement::Column::OrganisationId.eq(org)),
        Visibility::Published => Condition::all().add(published),
    }
}

/// Builds the SQL condition for a query as seen by `viewer`.
pub async fn condition(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    q: &AchievementQuery,
) -> AppResult<Condition> {
    use achievement::Column as A;
    Ok(
        filters::ListFilter::new(Condition::all().add(visible(viewer)))
            .organisation(db, A::OrganisationId, q.organisation.as_deref())
            .await?
            .equals(A::AchievementType, q.achievement_type)
            .equals(A::Status, q.status)
            .industry(q.industry.as_deref())?
            .maturity(A::Trl, q.maturity_min, q.maturity_max)?
            .transfer_mode(A::TransferModes, q.transfer_mode)
            .region(q.region.as_deref())?
            .updated_since(A::UpdatedAt, q.updated_since)
            .build(),
    )
}

/// One page of achievements, newest first, after the keyset `after`; the bool says whether more follow.
pub async fn list(
    db: &DatabaseConnection,
    cond: Condition,
    after: Option<i64>,
    first: usize,
) -> AppResult<(Vec<achievement::Model>, bool)> {
    keyset_page(
        db,
        achievement::Entity::find().filter(cond),
        achievement::Column::Id,
        Order::NewestFirst,
        after,
        first,
    )
    .await
}

/// Number of achievements matching a condition (reused for a few seconds; see `count_cache`).
pub async fn count(db: &DatabaseConnection, cond: Condition) -> AppResult<u64> {
    use sea_orm::QueryTrait;
    let select = achievement::Entity::find().filter(cond);
    let key = select.build(db.get_database_backend()).to_string();
    if let Some(n) = crate::changes::count_cache::get(&key) {
        return Ok(n);
    }
    let generation = crate::changes::count_cache::generation();
    let n = select.count(db).await?;
    crate::changes::count_cache::put(key, generation, n);
    Ok(n)
}

/// One achievement if it exists and the viewer may see it.
pub async fn get(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    id: i64,
) -> AppResult<achievement::Model> {
    let a = achievement::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("achievement {id}")))?;
    if !Visibility::of(viewer).admits(a.status, a.organisation_id) {
        return Err(AppError::NotFound(format!("achievement {id}")));
    }
    Ok(a)
}

/// The public list: verified, active organisations (applications are in the verification queue,
/// `organisationApplications`).
fn organisations_of_kind(kind: Option<OrganisationKind>) -> sea_orm::Select<organisation::Entity> {
    let mut s = organisation::Entity::find()
        .filter(organisation::Column::Status.eq(OrganisationStatus::Verified))
        .filter(organisation::Column::DeactivatedAt.is_null());
    if let Some(k) = kind {
        s = s.filter(organisation::Column::Kind.eq(k));
    }
    s
}

/// Organisations (of one kind, if given), in id order, one keyset page.
pub async fn organisations(
    db: &DatabaseConnection,
    kind: Option<OrganisationKind>,
    after: Option<i64>,
    first: usize,
) -> AppResult<(Vec<organisation::Model>, bool)> {
    keyset_page(
        db,
        organisations_of_kind(kind),
        organisation::Column::Id,
        Order::OldestFirst,
        after,
        first,
    )
    .await
}

/// How many organisations (of one kind, if given) there are: `organisations.totalCount`.
pub async fn count_organisations(
    db: &DatabaseConnection,
    kind: Option<OrganisationKind>,
) -> AppResult<u64> {
    Ok(organisations_of_kind(kind).count(db).await?)
}

/// The Chinese names of the organisations with these keys (facet labels).
pub async fn organisation_names(
    db: &DatabaseConnection,
    keys: Vec<String>,
) -> AppResult<std::collections::HashMap<String, String>> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Key.is_in(keys))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.key, o.name_zh))
        .collect())
}

/// Looks an organisation up by its public key.
pub async fn find_org_by_key<C: ConnectionTrait>(
    db: &C,
    key: &str,
) -> AppResult<Option<organisation::Model>> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Key.eq(key.trim()))
        .one(db)
        .await?)
}

/// The organisation a mutation acts for: the one named, or the viewer's own.
pub async fn target_org(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    key: Option<&str>,
) -> AppResult<organisation::Model> {
    let v = viewer
        .ok_or_else(|| AppError::Unauthenticated("this mutation needs a bearer token".into()))?;
    let key = key.unwrap_or(&v.organisation_key);
    find_org_by_key(db, key).await?.ok_or_else(|| {
        AppError::bad_input(
            "input.organisation",
            format!("no organisation with key {key:?}"),
        )
    })
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// Validated patents ready to store.
struct ValidPatent {
    application_number: String,
    publication_number: Option<String>,
    patent_type: PatentType,
    granted: bool,
}

fn validate_patents(drafts: &[PatentDraft]) -> AppResult<Vec<ValidPatent>> {
    if drafts.len() > 50 {
        return Err(AppError::bad_input(
            "input.patents",
            "at most 50 patents per achievement",
        ));
    }
    let mut out: Vec<ValidPatent> = Vec::new();
    for (i, p) in drafts.iter().enumerate() {
        let app = validate::application_number(
            &format!("input.patents[{i}].applicationNumber"),
            &p.application_number,
        )?;
        let publication = validate::publication_number(
            &format!("input.patents[{i}].publicationNumber"),
            p.publication_number.as_deref(),
        )?;
        let patent_type = match app.kind() {
            PatentKind::Invention | PatentKind::PctInvention => PatentType::Invention,
            PatentKind::UtilityModel | PatentKind::PctUtilityModel => PatentType::UtilityModel,
            PatentKind::Design => PatentType::Design,
        };
        let granted = p.granted.unwrap_or_else(|| {
            publication
                .as_ref()
                .is_some_and(|n| matches!(n.kind_code(), 'B' | 'C' | 'U' | 'Y' | 'S' | 'D'))
        });
        if out.iter().any(|o| o.application_number == app.as_str()) {
            return Err(AppError::bad_input(
                format!("input.patents[{i}].applicationNumber"),
                format!("{} is listed twice", app.as_str()),
            ));
        }
        out.push(ValidPatent {
            application_number: app.as_str().to_string(),
            publication_number: publication.map(|p| p.as_str().to_string()),
            patent_type,
            granted,
        });
    }
    Ok(out)
}

/// Applies a draft onto an active model, validating every given field.
fn apply(draft: &AchievementDraft, m: &mut achievement::ActiveModel) -> AppResult<()> {
    if let Some(t) = &draft.title {
        m.title = Set(validate::required_text("input.title", t, 200)?);
    }
    if let Some(t) = &draft.title_en {
        m.title_en = Set(validate::optional_text("input.titleEn", t.as_deref(), 300)?);
    }
    if let Some(t) = draft.achievement_type {
        m.achievement_type = Set(t);
    }
    if let Some(v) = &draft.inventors {
        m.inventors = Set(json_list(&validate::string_list(
            "input.inventors",
            v,
            50,
            50,
        )?));
    }
    if let Some(s) = &draft.summary {
        m.summary = Set(validate::required_text("input.summary", s, 5000)?);
    }
    if let Some(s) = &draft.summary_en {
        m.summary_en = Set(validate::optional_text(
            "input.summaryEn",
            s.as_deref(),
            8000,
        )?);
    }
    if let Some(v) = &draft.keywords {
        m.keywords = Set(json_list(&validate::string_list(
            "input.keywords",
            v,
            20,
            30,
        )?));
    }
    if let Some(c) = &draft.industry_code {
        let code = validate::industry("input.industryCode", c.as_deref())?;
        let [code, section, division, group] = validate::industry_levels(code.as_ref());
        m.industry_code = Set(code);
        m.industry_section = Set(section);
        m.industry_division = Set(division);
        m.industry_group = Set(group);
    }
    if let Some(v) = &draft.ipc_codes {
        m.ipc_codes = Set(json_list(&validate::ipc_list("input.ipcCodes", v)?));
    }
    if let Some(t) = draft.maturity {
        m.trl = Set(validate::trl("input.maturity", t)?);
    }
    if let Some(modes) = &draft.transfer_modes {
        m.transfer_modes = Set(TransferMode::mask(modes));
    }
    if let Some(p) = draft.asking_price_yuan {
        m.asking_price_yuan = Set(validate::money("input.askingPriceYuan", p)?);
    }
    if let Some(v) = &draft.contact_name {
        m.contact_name = Set(validate::optional_text(
            "input.contactName",
            v.as_deref(),
            50,
        )?);
    }
    if let Some(v) = &draft.contact_phone {
        m.contact_phone = Set(validate::optional_text(
            "input.contactPhone",
            v.as_deref(),
            40,
        )?);
    }
    if let Some(v) = &draft.contact_email {
        let e = validate::optional_text("input.contactEmail", v.as_deref(), 120)?;
        if e.as_deref().is_some_and(|e| !e.contains('@')) {
            return Err(AppError::bad_input(
                "input.contactEmail",
                "is not an e-mail address",
            ));
        }
        m.contact_email = Set(e);
    }
    if let Some(v) = &draft.region_code {
        m.region_code = Set(
            validate::region("input.regionCode", v.as_deref())?.map(|r| r.as_str().to_string())
        );
    }
    Ok(())
}

/// Replaces the patents linked to an achievement; a number already linked elsewhere is CONFLICT.
async fn replace_patents<C: ConnectionTrait>(
    tx: &C,
    achievement_id: i64,
    patents: Vec<ValidPatent>,
) -> AppResult<()> {
    let numbers: Vec<String> = patents
        .iter()
        .map(|p| p.application_number.clone())
        .collect();
    if let Some(other) = patent::Entity::find()
        .filter(patent::Column::ApplicationNumber.is_in(numbers.clone()))
        .filter(
            Condition::any()
                .add(patent::Column::AchievementId.ne(achievement_id))
                .add(patent::Column::AchievementId.is_null()),
        )
        .one(tx)
        .await?
    {
        return Err(AppError::Conflict(format!(
            "patent {} is already linked to another achievement",
            other.application_number
        )));
    }
    patent::Entity::delete_many()
        .filter(patent::Column::AchievementId.eq(achievement_id))
        .exec(tx)
        .await?;
    let now = Utc::now();
    if !patents.is_empty() {
        patent::Entity::insert_many(patents.into_iter().map(|p| patent::ActiveModel {
            achievement_id: Set(Some(achievement_id)),
            application_number: Set(p.application_number),
            publication_number: Set(p.publication_number),
            patent_type: Set(p.patent_type),
            granted: Set(p.granted),
            created_at: Set(now),
            ..Default::default()
        }))
        .exec(tx)
        .await?;
    }
    Ok(())
}

/// Where a new achievement comes from and in which state it starts.
pub struct Origin {
    /// Starting status.
    pub status: AchievementStatus,
    /// Publication time when it starts published.
    pub published_at: Option<DateTime<Utc>>,
    /// Source key (`seed-demo`, a connector source) or `None` for the API.
    pub source_key: Option<String>,
    /// Record id inside that source.
    pub source_record_id: Option<String>,
}

/// Validates a complete draft and inserts it with its patents, inside the caller's transaction.
pub async fn insert<C: ConnectionTrait>(
    tx: &C,
    org: &organisation::Model,
    draft: &AchievementDraft,
    origin: Origin,
) -> AppResult<achievement::Model> {
    let Prepared { model: m, patents } = prepare(org, draft, origin)?;
    let saved = m.insert(tx).await?;
    replace_patents(tx, saved.id, patents).await?;
    crate::changes::achievement_changed(tx, &[saved.id]).await?;
    Ok(saved)
}

/// A new achievement validated by [`prepare`], not stored yet.
pub struct Prepared {
    model: achievement::ActiveModel,
    patents: Vec<ValidPatent>,
}

/// Validates a complete draft for insertion, as [`insert`] does, without touching the store.
pub fn prepare(
    org: &organisation::Model,
    draft: &AchievementDraft,
    origin: Origin,
) -> AppResult<Prepared> {
    for (present, field) in [
        (draft.title.is_some(), "input.title"),
        (draft.summary.is_some(), "input.summary"),
        (draft.achievement_type.is_some(), "input.type"),
    ] {
        if !present {
            return Err(AppError::bad_input(field, "is required"));
        }
    }
    let now = Utc::now();
    let provenance = serde_json::json!([{
        "source": origin.source_key.clone().unwrap_or_else(|| "api".into()),
        "recordId": origin.source_record_id,
        "receivedAt": now,
    }]);
    let mut m = achievement::ActiveModel {
        organisation_id: Set(org.id),
        title_en: Set(None),
        inventors: Set("[]".into()),
        summary_en: Set(None),
        keywords: Set("[]".into()),
        industry_code: Set(None),
        industry_section: Set(None),
        industry_division: Set(None),
        industry_group: Set(None),
        ipc_codes: Set("[]".into()),
        trl: Set(None),
        transfer_modes: Set(0),
        asking_price_yuan: Set(None),
        contact_name: Set(None),
        contact_phone: Set(None),
        contact_email: Set(None),
        region_code: Set(org.region_code.clone()),
        status: Set(origin.status),
        published_at: Set(origin.published_at),
        source_key: Set(origin.source_key),
        source_record_id: Set(origin.source_record_id),
        provenance: Set(provenance.to_string()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(draft, &mut m)?;
    let patents = validate_patents(draft.patents.as_deref().unwrap_or_default())?;
    Ok(Prepared { model: m, patents })
}

/// Inserts prepared achievements — several per statement — with their patents and queued
/// changes (`changes::achievement_changed`), inside the caller's transaction; returns their ids in the given order. For callers
/// that know none of the application numbers is in the store or shared between two of them
/// (the harvester reads a page's patents up front): there is no conflict lookup and no patent
/// set to replace, and a number that does turn up is still refused by the unique index.
pub async fn insert_new_many<C: ConnectionTrait>(
    tx: &C,
    prepared: Vec<Prepared>,
) -> AppResult<Vec<i64>> {
    use sea_orm::{sea_query::Query, Iterable, QueryTrait};
    // Bind parameters per statement: under SQLite's 32766 and PostgreSQL's 65535.
    const MAX_PARAMS: usize = 30_000;
    let per_statement = MAX_PARAMS / achievement::Column::iter().count();
    let backend = tx.get_database_backend();
    let mut ids = Vec::with_capacity(prepared.len());
    let mut patents = Vec::new();
    let mut rest = prepared.into_iter().peekable();
    while rest.peek().is_some() {
        let chunk: Vec<Prepared> = rest.by_ref().take(per_statement).collect();
        let expected: Vec<Option<String>> = chunk
            .iter()
            .map(|p| p.model.source_record_id.clone().take().flatten())
            .collect();
        let mut models = Vec::with_capacity(chunk.len());
        let mut chunk_patents = Vec::with_capacity(chunk.len());
        for p in chunk {
            models.push(p.model);
            chunk_patents.push(p.patents);
        }
        let mut insert = achievement::Entity::insert_many(models).into_query();
        insert.returning(
            Query::returning()
                .columns([achievement::Column::Id, achievement::Column::SourceRecordId]),
        );
        let mut rows = tx
            .query_all(backend.build(&insert))
            .await?
            .into_iter()
            .map(|r| {
                Ok((
                    r.try_get::<i64>("", "id")?,
                    r.try_get::<Option<String>>("", "source_record_id")?,
                ))
            })
            .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
        // Rows take ascending ids in VALUES order; RETURNING's order is not promised.
        rows.sort_by_key(|r| r.0);
        if rows.len() != expected.len()
            || rows
                .iter()
                .zip(&expected)
                .any(|((_, got), want)| got != want)
        {
            return Err(AppError::Internal(
                "inserted achievements came back out of order".into(),
            ));
        }
        for ((id, _), list) in rows.into_iter().zip(chunk_patents) {
            ids.push(id);
            patents.extend(list.into_iter().map(|p| (id, p)));
        }
    }
    let now = Utc::now();
    let mut rest = patents.into_iter().peekable();
    while rest.peek().is_some() {
        let chunk: Vec<patent::ActiveModel> = rest
            .by_ref()
            .take(MAX_PARAMS / patent::Column::iter().count())
            .map(|(id, p)| patent::ActiveModel {
                achievement_id: Set(Some(id)),
                application_number: Set(p.application_number),
                publication_number: Set(p.publication_number),
                patent_type: Set(p.patent_type),
                granted: Set(p.granted),
                created_at: Set(now),
                ..Default::default()
            })
            .collect();
        patent::Entity::insert_many(chunk)
            .exec_without_returning(tx)
            .await?;
    }
    crate::changes::achievement_changed(tx, &ids).await?;
    Ok(ids)
}

/// Creates a draft achievement for `org_key` (or the viewer's organisation).
pub async fn create(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    org_key: Option<&str>,
    draft: AchievementDraft,
) -> AppResult<achievement::Model> {
    let org = target_org(db, viewer, org_key).await?;
    policy::require(viewer, Action::WriteAchievements, org.id)?;
    let tx = crate::db::begin_write(db).await?;
    let origin = Origin {
        status: AchievementStatus::Draft,
        published_at: None,
        source_key: None,
        source_record_id: None,
    };
    let saved = insert(&tx, &org, &draft, origin).await?;
    audit::record(
        &tx,
        viewer,
        "achievement.create",
        "achievement",
        Some(saved.id),
        Some(org.id),
        serde_json::json!({ "title": saved.title }),
    )
    .await?;
    tx.commit().await?;
    crate::changes::committed();
    Ok(saved)
}

/// Loads an achievement for change, enforcing the policy; invisible ones are NOT_FOUND.
async fn for_change(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    id: i64,
) -> AppResult<achievement::Model> {
    let a = achievement::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("achievement {id}")))?;
    policy::require(viewer, Action::WriteAchievements, a.organisation_id)?;
    Ok(a)
}

/// Changes the given fields of an achievement.
pub async fn update(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    id: i64,
    draft: AchievementDraft,
) -> AppResult<achievement::Model> {
    let current = for_change(db, viewer, id).await?;
    let mut m: achievement::ActiveModel = current.clone().into();
    apply(&draft, &mut m)?;
    let patents = draft.patents.as_deref().map(validate_patents).transpose()?;
    m.updated_at = Set(Utc::now());
    let tx = crate::db::begin_write(db).await?;
    let saved = m.update(&tx).await?;
    crate::changes::achievement_changed(&tx, &[id]).await?;
    if let Some(p) = patents {
        replace_patents(&tx, id, p).await?;
    }
    audit::record(
        &tx,
        viewer,
        "achievement.update",
        "achievement",
        Some(id),
        Some(current.organisation_id),
        serde_json::json!({ "fields": draft_fields(&draft) }),
    )
    .await?;
    tx.commit().await?;
    crate::changes::committed();
    Ok(saved)
}

fn draft_fields(d: &AchievementDraft) -> Vec<&'static str> {
    [
        (d.title.is_some(), "title"),
        (d.title_en.is_some(), "titleEn"),
        (d.achievement_type.is_some(), "type"),
        (d.inventors.is_some(), "inventors"),
        (d.summary.is_some(), "summary"),
        (d.summary_en.is_some(), "summaryEn"),
        (d.keywords.is_some(), "keywords"),
        (d.industry_code.is_some(), "industryCode"),
        (d.ipc_codes.is_some(), "ipcCodes"),
        (d.maturity.is_some(), "maturity"),
        (d.transfer_modes.is_some(), "transferModes"),
        (d.asking_price_yuan.is_some(), "askingPriceYuan"),
        (d.contact_name.is_some(), "contactName"),
        (d.contact_phone.is_some(), "contactPhone"),
        (d.contact_email.is_some(), "contactEmail"),
        (d.region_code.is_some(), "regionCode"),
        (d.patents.is_some(), "patents"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect()
}

/// Moves an achievement to `to` (PUBLISHED or WITHDRAWN), refusing transitions that make no sense.
pub async fn set_status(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    id: i64,
    to: AchievementStatus,
) -> AppResult<achievement::Model> {
    let current = for_change(db, viewer, id).await?;
    if to == AchievementStatus::Published {
        crate::organisations::service::require_publishing(db, current.organisation_id).await?;
    }
    let allowed = match to {
        AchievementStatus::Published => current.status != AchievementStatus::Published,
        AchievementStatus::Withdrawn => current.status == AchievementStatus::Published,
        AchievementStatus::Draft => false,
    };
    if !allowed {
        return Err(AppError::Conflict(format!(
            "achievement {id} is {:?} and cannot become {:?}",
            current.status, to
        )));
    }
    let now = Utc::now();
    let mut m: achievement::ActiveModel = current.clone().into();
    m.status = Set(to);
    m.updated_at = Set(now);
    if to == AchievementStatus::Published {
        m.published_at = Set(Some(now));
    }
    let tx = crate::db::begin_write(db).await?;
    let saved = m.update(&tx).await?;
    crate::changes::achievement_changed(&tx, &[id]).await?;
    let action = if to == AchievementStatus::Published {
        "achievement.publish"
    } else {
        "achievement.withdraw"
    };
    audit::record(
        &tx,
        viewer,
        action,
        "achievement",
        Some(id),
        Some(current.organisation_id),
        serde_json::json!({ "from": current.status, "to": to }),
    )
    .await?;
    tx.commit().await?;
    crate::changes::committed();
    Ok(saved)
}

/// Applies a harvested draft to an existing achievement inside the caller's transaction: fields
/// given are replaced; patents are only added (several sources may feed one achievement, so one
/// source must not drop another's patents). No policy check: the harvester owns the record.
pub async fn refresh_from_source<C: ConnectionTrait>(
    tx: &C,
    id: i64,
    draft: &AchievementDraft,
    provenance: Option<serde_json::Value>,
) -> AppResult<achievement::Model> {
    let current = achievement::Entity::find_by_id(id)
        .one(tx)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("achievement {id}")))?;
    let mut m: achievement::ActiveModel = current.clone().into();
    let mut fields = draft.clone();
    let patents = validate_patents(fields.patents.take().as_deref().unwrap_or_default())?;
    apply(&fields, &mut m)?;
    if let Some(entry) = provenance {
        let mut list: Vec<serde_json::Value> =
            serde_json::from_str(&current.provenance).unwrap_or_default();
        let key = (entry.get("source").cloned(), entry.get("recordId").cloned());
        list.retain(|e| (e.get("source").cloned(), e.get("recordId").cloned()) != key);
        list.push(entry);
        m.provenance = Set(serde_json::Value::Array(list).to_string());
    }
    m.updated_at = Set(Utc::now());
    let saved = m.update(tx).await?;
    crate::changes::achievement_changed(tx, &[id]).await?;
    let known: Vec<String> = patent::Entity::find()
        .filter(
            patent::Column::ApplicationNumber
                .is_in(patents.iter().map(|p| p.application_number.clone())),
        )
        .all(tx)
        .await?
        .into_iter()
        .map(|p| p.application_number)
        .collect();
    let now = Utc::now();
    let fresh: Vec<patent::ActiveModel> = patents
        .into_iter()
        .filter(|p| !known.contains(&p.application_number))
        .map(|p| patent::ActiveModel {
            achievement_id: Set(Some(id)),
            application_number: Set(p.application_number),
            publication_number: Set(p.publication_number),
            patent_type: Set(p.patent_type),
            granted: Set(p.granted),
            created_at: Set(now),
            ..Default::default()
        })
        .collect();
    if !fresh.is_empty() {
        patent::Entity::insert_many(fresh).exec(tx).await?;
    }
    Ok(saved)
}

/// The achievement already holding any of these (normalised) application numbers, if one does.
pub async fn find_by_patent_numbers<C: ConnectionTrait>(
    tx: &C,
    numbers: &[String],
) -> AppResult<Option<i64>> {
    if numbers.is_empty() {
        return Ok(None);
    }
    Ok(patent::Entity::find()
        .filter(patent::Column::ApplicationNumber.is_in(numbers.iter().cloned()))
        .filter(patent::Column::AchievementId.is_not_null())
        .one(tx)
        .await?
        .and_then(|p| p.achievement_id))
}

/// Sets the publication status of an achievement from a source (harvest deletions, reviews).
pub async fn set_status_in<C: ConnectionTrait>(
    tx: &C,
    id: i64,
    to: AchievementStatus,
) -> AppResult<()> {
    let Some(current) = achievement::Entity::find_by_id(id).one(tx).await? else {
        return Ok(());
    };
    if current.status == to {
        return Ok(());
    }
    let now = Utc::now();
    let mut m: achievement::ActiveModel = current.into();
    m.status = Set(to);
    m.updated_at = Set(now);
    if to == AchievementStatus::Published {
        m.published_at = Set(Some(now));
    }
    m.update(tx).await?;
    crate::changes::achievement_changed(tx, &[id]).await?;
    Ok(())
}
