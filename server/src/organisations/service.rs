//! Organisation applications, verification and deactivation: all SQL of the domain. Every
//! mutation writes its audit entry inside its own transaction.

use crate::audit;
use crate::auth::policy::{self, Action};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::paging::{keyset_page, Order};
use crate::validate;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};
use transferhub_schema::entity::{invitation, membership, organisation, uploaded_file, user};
use transferhub_schema::enums::{OrganisationKind, OrganisationStatus, Role};

/// The logged-in person (browser session or person token).
pub use crate::auth::Person;

/// Who is acting.
#[derive(Debug, Clone, Copy)]
pub enum By<'a> {
    /// The command line: runs with the store's own credentials (audit actor `cli`).
    Cli,
    /// A GraphQL caller: the viewer (when acting for an organisation) and the logged-in person
    /// (browser sessions).
    Caller(Option<&'a Viewer>, Option<Person>),
}

impl By<'_> {
    /// The policy's answer; the CLI may do anything.
    fn require(&self, action: Action, org_id: i64) -> AppResult<()> {
        match self {
            By::Cli => Ok(()),
            By::Caller(v, _) => policy::require(*v, action, org_id),
        }
    }

    /// The audit actor: `cli`, the viewer's, or `user:<id>` for a person without organisation.
    fn actor(&self) -> String {
        match self {
            By::Cli => "cli".into(),
            By::Caller(Some(v), _) => v.actor(),
            By::Caller(None, Some(p)) => format!("user:{}", p.user_id),
            By::Caller(None, None) => "anonymous".into(),
        }
    }

    async fn audit<C: ConnectionTrait>(
        &self,
        tx: &C,
        action: &str,
        org_id: i64,
        detail: serde_json::Value,
    ) -> AppResult<()> {
        audit::record_as(
            tx,
            &self.actor(),
            action,
            "organisation",
            Some(org_id),
            Some(org_id),
            detail,
        )
        .await?;
        Ok(())
    }
}

/// An application's fields as submitted; `None` leaves a field as it is on resubmission.
#[derive(Debug, Clone, Default)]
pub struct Application {
    /// Kind of organisation.
    pub kind: Option<OrganisationKind>,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// English name.
    pub name_en: Option<String>,
    /// 统一社会信用代码.
    pub credit_code: Option<String>,
    /// GB/T 2260 region code.
    pub region_code: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Contact telephone.
    pub contact_phone: Option<String>,
    /// Contact e-mail.
    pub contact_email: Option<String>,
    /// Public id of the business licence upload (`POST /files`), PDF or image.
    pub business_licence_file: Option<String>,
}

/// A platform admin's decision on a PENDING organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum OrganisationDecision {
    /// Verified: it may publish.
    Approve,
    /// Rejected with a reason; its admin may fix and resubmit.
    Reject,
}

/// Kinds that carry a 统一社会信用代码 (DOMAIN.md): required in their applications.
pub fn carries_credit_code(kind: OrganisationKind) -> bool {
    matches!(
        kind,
        OrganisationKind::University
            | OrganisationKind::Institute
            | OrganisationKind::Firm
            | OrganisationKind::Agency
    )
}

/// Longest names, addresses and reasons accepted (characters).
const MAX_NAME: usize = 200;
const MAX_ADDRESS: usize = 500;
const MAX_CONTACT: usize = 100;
const MAX_REASON: usize = 2000;

/// The checked fields of a complete application.
#[derive(Debug, Clone)]
struct Checked {
    kind: OrganisationKind,
    name_zh: String,
    name_en: String,
    credit_code: Option<String>,
    region_code: Option<String>,
    address: Option<String>,
    contact_name: Option<String>,
    contact_phone: Option<String>,
    contact_email: Option<String>,
}

/// Checks an application (merged over `current` on resubmission). Applications by people must
/// be complete (region, address, a contact with a phone or an e-mail); platform admins may leave
/// those for later. The credit code is required for every kind that carries one.
fn check(
    app: &Application,
    current: Option<&organisation::Model>,
    complete: bool,
) -> AppResult<Checked> {
    let pick = |given: &Option<String>, stored: Option<&Option<String>>| -> Option<String> {
        match given {
            Some(v) => Some(v.clone()),
            None => stored.and_then(|s| s.clone()),
        }
    };
    let kind = app
        .kind
        .or(current.map(|c| c.kind))
        .ok_or_else(|| AppError::bad_input("input.kind", "must be given"))?;
    if complete && kind == OrganisationKind::Portal {
        return Err(AppError::bad_input(
            "input.kind",
            "portals are set up by platform admins; apply as a university, institute, firm, agency or organiser",
        ));
    }
    let name_zh = validate::required_text(
        "input.nameZh",
        &pick(
            &app.name_zh,
            current.map(|c| Some(c.name_zh.clone())).as_ref(),
        )
        .unwrap_or_default(),
        MAX_NAME,
    )?;
    let name_en = validate::required_text(
        "input.nameEn",
        &pick(
            &app.name_en,
            current.map(|c| Some(c.name_en.clone())).as_ref(),
        )
        .unwrap_or_default(),
        MAX_NAME,
    )?;
    let credit_code = match pick(&app.credit_code, current.map(|c| &c.credit_code)) {
        Some(v) if !v.trim().is_empty() => Some(validate::credit_code("input.creditCode", &v)?),
        _ if carries_credit_code(kind) => {
            return Err(AppError::bad_input(
                "input.creditCode",
                format!("is required for a {kind:?} (统一社会信用代码, 18 characters)"),
            ))
        }
        _ => None,
    };
    let region_code = validate::region(
        "input.regionCode",
        pick(&app.region_code, current.map(|c| &c.region_code)).as_deref(),
    )?
    .map(|r| r.as_str().to_string());
    let address = validate::optional_text(
        "input.address",
        pick(&app.address, current.map(|c| &c.address)).as_deref(),
        MAX_ADDRESS,
    )?;
    let contact_name = validate::optional_text(
        "input.contactName",
        pick(&app.contact_name, current.map(|c| &c.contact_name)).as_deref(),
        MAX_CONTACT,
    )?;
    let contact_phone = validate::optional_text(
        "input.contactPhone",
        pick(&app.contact_phone, current.map(|c| &c.contact_phone)).as_deref(),
        40,
    )?;
    if let Some(p) = &contact_phone {
        if !p
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'))
            || !p.chars().any(|c| c.is_ascii_digit())
        {
            return Err(AppError::bad_input(
                "input.contactPhone",
                "may contain only digits, spaces, +, - and parentheses",
            ));
        }
    }
    let contact_email = validate::optional_text(
        "input.contactEmail",
        pick(&app.contact_email, current.map(|c| &c.contact_email)).as_deref(),
        254,
    )?
    .map(|e| e.to_lowercase());
    if let Some(e) = &contact_email {
        if !plausible_email(e) {
            return Err(AppError::bad_input(
                "input.contactEmail",
                "is not an e-mail address",
            ));
        }
    }
    if complete {
        if region_code.is_none() {
            return Err(AppError::bad_input(
                "input.regionCode",
                "is required (GB/T 2260, six digits, e.g. 150100)",
            ));
        }
        if address.is_none() {
            return Err(AppError::bad_input("input.address", "is required"));
        }
        if contact_name.is_none() {
            return Err(AppError::bad_input("input.contactName", "is required"));
        }
        if contact_phone.is_none() && contact_email.is_none() {
            return Err(AppError::bad_input(
                "input.contactPhone",
                "give a contact phone or a contact e-mail",
            ));
        }
    }
    Ok(Checked {
        kind,
        name_zh,
        name_en,
        credit_code,
        region_code,
        address,
        contact_name,
        contact_phone,
        contact_email,
    })
}

fn plausible_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// A public key for a new organisation from its English name (`inner-mongolia-dairy`), made
/// unique with a numeric suffix.
async fn fresh_key<C: ConnectionTrait>(db: &C, name_en: &str) -> AppResult<String> {
    let mut base = String::new();
    for c in name_en.chars() {
        if c.is_ascii_alphanumeric() {
            base.push(c.to_ascii_lowercase());
        } else if !base.is_empty() && !base.ends_with('-') {
            base.push('-');
        }
        if base.len() >= 40 {
            break;
        }
    }
    let base = base.trim_end_matches('-');
    let base = if base.is_empty() { "org" } else { base };
    for n in 1..=1000 {
        let key = if n == 1 {
            base.to_string()
        } else {
            format!("{base}-{n}")
        };
        let taken = organisation::Entity::find()
            .filter(organisation::Column::Key.eq(key.as_str()))
            .count(db)
            .await?;
        if taken == 0 {
            return Ok(key);
        }
    }
    Err(AppError::Conflict(format!(
        "no free organisation key for {base:?}"
    )))
}

/// Refuses a credit code another live organisation (pending or verified, not deactivated) holds.
async fn check_code_free<C: ConnectionTrait>(
    db: &C,
    code: Option<&str>,
    except: Option<i64>,
) -> AppResult<()> {
    let Some(code) = code else {
        return Ok(());
    };
    let mut q = organisation::Entity::find()
        .filter(organisation::Column::CreditCode.eq(code))
        .filter(organisation::Column::Status.ne(OrganisationStatus::Rejected))
        .filter(organisation::Column::DeactivatedAt.is_null());
    if let Some(id) = except {
        q = q.filter(organisation::Column::Id.ne(id));
    }
    if let Some(other) = q.one(db).await? {
        return Err(AppError::Conflict(format!(
            "统一社会信用代码 {code} is already held by organisation {}; ask a platform admin to add you to it",
            other.key
        )));
    }
    Ok(())
}

/// Resolves a business licence upload: it must exist, be a PDF or an image, and belong to the
/// organisation or have been uploaded by the same actor.
async fn licence_file<C: ConnectionTrait>(
    db: &C,
    public_id: &str,
    org_id: Option<i64>,
    actor: &str,
) -> AppResult<i64> {
    let field = "input.businessLicenceFile";
    let f = uploaded_file::Entity::find()
        .filter(uploaded_file::Column::PublicId.eq(public_id.trim()))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(field, "no such upload (use the id POST /files returned)")
        })?;
    if Some(f.organisation_id) != org_id && f.uploaded_by != actor {
        return Err(AppError::bad_input(
            field,
            "no such upload (use the id POST /files returned)",
        ));
    }
    if !(f.content_type == "application/pdf" || f.content_type.starts_with("image/")) {
        return Err(AppError::bad_input(
            field,
            format!(
                "the business licence must be a PDF or an image, not {}",
                f.content_type
            ),
        ));
    }
    Ok(f.id)
}

/// Creates an organisation. A logged-in person without an organisation applies: the
/// organisation is PENDING, the person becomes its org admin, and their session acts for it
/// from the next request. A platform admin (or the CLI) creates it VERIFIED at once, optionally
/// inviting its first org admin by e-mail.
pub async fn create(
    db: &DatabaseConnection,
    by: By<'_>,
    app: Application,
    admin_email: Option<&str>,
) -> AppResult<organisation::Model> {
    let applicant = match by {
        By::Cli => None,
        By::Caller(Some(v), person) => {
            if v.role != Role::PlatformAdmin && person.is_some() {
                return Err(AppError::Conflict(format!(
                    "你已属于机构 {0} / you already act for organisation {0}; only people without an organisation apply for one",
                    v.organisation_key
                )));
            }
            by.require(Action::VerifyOrganisations, v.organisation_id)?;
            None
        }
        By::Caller(None, Some(p)) => Some(p),
        By::Caller(None, None) => {
            return Err(AppError::Unauthenticated(
                "请先登录 / log in to apply for an organisation".into(),
            ))
        }
    };
    if applicant.is_some() && admin_email.is_some() {
        return Err(AppError::bad_input(
            "input.adminEmail",
            "only platform admins name an organisation's first admin; you become its admin",
        ));
    }
    let admin_email = admin_email
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_lowercase);
    if let Some(e) = &admin_email {
        if !plausible_email(e) {
            return Err(AppError::bad_input(
                "input.adminEmail",
                "is not an e-mail address",
            ));
        }
    }
    let c = check(&app, None, applicant.is_some())?;
    let tx = crate::db::begin_write(db).await?;
    if let Some(p) = applicant {
        if let Some(m) = membership::Entity::find()
            .filter(membership::Column::UserId.eq(p.user_id))
            .one(&tx)
            .await?
        {
            return Err(AppError::Conflict(format!(
                "你已属于一个机构 / you already belong to organisation {}; only people without an organisation apply for one",
                m.organisation_id
            )));
        }
        if user::Entity::find_by_id(p.user_id)
            .one(&tx)
            .await?
            .is_none()
        {
            return Err(AppError::Unauthenticated("unknown person".into()));
        }
    }
    check_code_free(&tx, c.credit_code.as_deref(), None).await?;
    let licence = match &app.business_licence_file {
        Some(f) if !f.trim().is_empty() => Some(licence_file(&tx, f, None, &by.actor()).await?),
        _ => None,
    };
    let now = Utc::now();
    let key = fresh_key(&tx, &c.name_en).await?;
    let pending = applicant.is_some();
    let org = organisation::ActiveModel {
        key: Set(key),
        name_zh: Set(c.name_zh),
        name_en: Set(c.name_en),
        kind: Set(c.kind),
        region_code: Set(c.region_code),
        created_at: Set(now),
        updated_at: Set(now),
        status: Set(if pending {
            OrganisationStatus::Pending
        } else {
            OrganisationStatus::Verified
        }),
        credit_code: Set(c.credit_code),
        address: Set(c.address),
        contact_name: Set(c.contact_name),
        contact_phone: Set(c.contact_phone),
        contact_email: Set(c.contact_email),
        business_licence_file_id: Set(licence),
        applied_by_user_id: Set(applicant.map(|p| p.user_id)),
        submitted_at: Set(Some(now)),
        reviewed_at: Set((!pending).then_some(now)),
        reviewed_by: Set((!pending).then(|| by.actor())),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    if let Some(p) = applicant {
        membership::ActiveModel {
            user_id: Set(p.user_id),
            organisation_id: Set(org.id),
            role: Set(Role::OrgAdmin),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        if let Some(sid) = p.session_id {
            crate::auth::session::act_for(&tx, sid, org.id, Role::OrgAdmin).await?;
        }
    }
    if let Some(e) = &admin_email {
        invitation::ActiveModel {
            organisation_id: Set(org.id),
            email: Set(e.clone()),
            role: Set(Role::OrgAdmin),
            invited_by: Set(by.actor()),
            created_at: Set(now),
            accepted_at: Set(None),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    by.audit(
        &tx,
        if pending {
            "organisation.apply"
        } else {
            "organisation.create"
        },
        org.id,
        serde_json::json!({
            "key": org.key,
            "kind": org.kind,
            "nameZh": org.name_zh,
            "creditCode": org.credit_code,
            "status": org.status,
            "adminEmail": admin_email,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(org)
}

/// Loads an organisation by row id; NOT_FOUND when there is none.
pub async fn get<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<organisation::Model> {
    organisation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("organisation {id}")))
}

/// Loads an organisation by its public key; NOT_FOUND when there is none.
pub async fn by_key<C: ConnectionTrait>(db: &C, key: &str) -> AppResult<organisation::Model> {
    organisation::Entity::find()
        .filter(organisation::Column::Key.eq(key.trim()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("organisation {key:?}")))
}

/// Fixes fields of a PENDING or REJECTED application (its org admins); it is PENDING again
/// afterwards, and the last rejection reason is cleared (the audit log keeps it).
pub async fn resubmit(
    db: &DatabaseConnection,
    by: By<'_>,
    id: i64,
    app: Application,
) -> AppResult<organisation::Model> {
    let current = get(db, id).await?;
    by.require(Action::ManageOrganisation, current.id)?;
    if current.status == OrganisationStatus::Verified {
        return Err(AppError::Conflict(format!(
            "organisation {} is already verified; there is nothing to resubmit",
            current.key
        )));
    }
    if current.deactivated_at.is_some() {
        return Err(AppError::Conflict(format!(
            "organisation {} is deactivated",
            current.key
        )));
    }
    let c = check(&app, Some(&current), true)?;
    let tx = crate::db::begin_write(db).await?;
    check_code_free(&tx, c.credit_code.as_deref(), Some(current.id)).await?;
    let licence = match &app.business_licence_file {
        Some(f) if !f.trim().is_empty() => {
            Some(licence_file(&tx, f, Some(current.id), &by.actor()).await?)
        }
        _ => current.business_licence_file_id,
    };
    let now = Utc::now();
    let mut m: organisation::ActiveModel = current.clone().into();
    m.kind = Set(c.kind);
    m.name_zh = Set(c.name_zh);
    m.name_en = Set(c.name_en);
    m.credit_code = Set(c.credit_code);
    m.region_code = Set(c.region_code);
    m.address = Set(c.address);
    m.contact_name = Set(c.contact_name);
    m.contact_phone = Set(c.contact_phone);
    m.contact_email = Set(c.contact_email);
    m.business_licence_file_id = Set(licence);
    m.status = Set(OrganisationStatus::Pending);
    m.rejection_reason = Set(None);
    m.submitted_at = Set(Some(now));
    m.updated_at = Set(now);
    let saved = m.update(&tx).await?;
    by.audit(
        &tx,
        "organisation.resubmit",
        saved.id,
        serde_json::json!({
            "from": current.status,
            "fields": application_fields(&app),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

fn application_fields(a: &Application) -> Vec<&'static str> {
    [
        (a.kind.is_some(), "kind"),
        (a.name_zh.is_some(), "nameZh"),
        (a.name_en.is_some(), "nameEn"),
        (a.credit_code.is_some(), "creditCode"),
        (a.region_code.is_some(), "regionCode"),
        (a.address.is_some(), "address"),
        (a.contact_name.is_some(), "contactName"),
        (a.contact_phone.is_some(), "contactPhone"),
        (a.contact_email.is_some(), "contactEmail"),
        (a.business_licence_file.is_some(), "businessLicenceFile"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect()
}

/// A platform admin's decision on a PENDING organisation: approve, or reject with a reason
/// (required).
pub async fn verify(
    db: &DatabaseConnection,
    by: By<'_>,
    id: i64,
    decision: OrganisationDecision,
    reason: Option<&str>,
) -> AppResult<organisation::Model> {
    let current = get(db, id).await?;
    by.require(Action::VerifyOrganisations, current.id)?;
    let reason = match decision {
        OrganisationDecision::Reject => Some(validate::required_text(
            "input.reason",
            reason.unwrap_or_default(),
            MAX_REASON,
        )?),
        OrganisationDecision::Approve => {
            validate::optional_text("input.reason", reason, MAX_REASON)?
        }
    };
    if current.status != OrganisationStatus::Pending {
        return Err(AppError::Conflict(format!(
            "organisation {} is {:?}, not PENDING; only pending applications are decided",
            current.key, current.status
        )));
    }
    let now = Utc::now();
    let mut m: organisation::ActiveModel = current.clone().into();
    m.status = Set(match decision {
        OrganisationDecision::Approve => OrganisationStatus::Verified,
        OrganisationDecision::Reject => OrganisationStatus::Rejected,
    });
    m.rejection_reason = Set(match decision {
        OrganisationDecision::Approve => None,
        OrganisationDecision::Reject => reason.clone(),
    });
    m.reviewed_at = Set(Some(now));
    m.reviewed_by = Set(Some(by.actor()));
    m.updated_at = Set(now);
    let tx = crate::db::begin_write(db).await?;
    let saved = m.update(&tx).await?;
    by.audit(
        &tx,
        match decision {
            OrganisationDecision::Approve => "organisation.verify",
            OrganisationDecision::Reject => "organisation.reject",
        },
        saved.id,
        serde_json::json!({ "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Deactivates an organisation with a reason (platform admins): it publishes nothing more and
/// its members' sessions and tokens stop acting for it.
pub async fn deactivate(
    db: &DatabaseConnection,
    by: By<'_>,
    id: i64,
    reason: &str,
) -> AppResult<organisation::Model> {
    set_active(db, by, id, reason, false).await
}

/// Reactivates a deactivated organisation with a reason (platform admins): its tokens and its
/// members' sessions act again and it publishes again (if verified). A merged duplicate stays
/// deactivated: its records live in the survivor.
pub async fn reactivate(
    db: &DatabaseConnection,
    by: By<'_>,
    id: i64,
    reason: &str,
) -> AppResult<organisation::Model> {
    set_active(db, by, id, reason, true).await
}

/// Deactivation and reactivation: one audited state change with a required reason.
async fn set_active(
    db: &DatabaseConnection,
    by: By<'_>,
    id: i64,
    reason: &str,
    active: bool,
) -> AppResult<organisation::Model> {
    let current = get(db, id).await?;
    by.require(Action::VerifyOrganisations, current.id)?;
    let reason = validate::required_text("input.reason", reason, MAX_REASON)?;
    if current.deactivated_at.is_none() == active {
        let state = if active {
            "active"
        } else {
            "already deactivated"
        };
        return Err(AppError::Conflict(format!(
            "organisation {} is {state}",
            current.key
        )));
    }
    if active && current.merged_into_id.is_some() {
        return Err(AppError::Conflict(format!(
            "organisation {} was merged into another: its records are there; it stays deactivated",
            current.key
        )));
    }
    let now = Utc::now();
    let mut m: organisation::ActiveModel = current.into();
    m.deactivated_at = Set((!active).then_some(now));
    m.deactivation_reason = Set((!active).then(|| reason.clone()));
    m.updated_at = Set(now);
    let tx = crate::db::begin_write(db).await?;
    let saved = m.update(&tx).await?;
    let action = if active {
        "organisation.reactivate"
    } else {
        "organisation.deactivate"
    };
    by.audit(
        &tx,
        action,
        saved.id,
        serde_json::json!({ "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Every column that references an organisation, as (table, column): a merge moves them all.
/// The end-to-end merge test fails when the schema has a column ending in `organisation_id` (or
/// `organiser_id`, `merged_into_id`) that is not listed here.
pub const REFERENCES: [(&str, &str); 19] = [
    ("achievements", "organisation_id"),
    ("needs", "organisation_id"),
    ("api_tokens", "organisation_id"),
    ("memberships", "organisation_id"),
    ("invitations", "organisation_id"),
    ("sessions", "organisation_id"),
    ("sources", "organisation_id"),
    ("uploaded_files", "organisation_id"),
    ("events", "organiser_id"),
    ("event_participants", "organisation_id"),
    ("match_feedback", "need_organisation_id"),
    ("match_feedback", "achievement_organisation_id"),
    ("match_feedback", "given_by_organisation_id"),
    ("audit_log", "organisation_id"),
    ("organisations", "merged_into_id"),
    ("deals", "buyer_organisation_id"),
    ("deals", "seller_organisation_id"),
    ("deal_messages", "author_organisation_id"),
    ("deal_reads", "organisation_id"),
];

/// What a merge did.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The surviving organisation.
    pub survivor: organisation::Model,
    /// The duplicate, now deactivated and `merged_into` the survivor.
    pub merged: organisation::Model,
    /// Rows moved per (table, column), in [`REFERENCES`] order.
    pub moved: Vec<(&'static str, &'static str, u64)>,
    /// Memberships of people already in the survivor, dropped as duplicates.
    pub duplicate_memberships: u64,
}

/// Merges the duplicate `merged_id` into `survivor_id` (platform admins): in one transaction
/// every record referencing the duplicate ([`REFERENCES`]) moves to the survivor, a person in
/// both keeps the survivor's membership, and the duplicate stays deactivated with
/// `merged_into_id` (so old links and the audit trail still resolve). Refused (CONFLICT) when
/// both are registered for the same event: one registration must be cancelled first; and when
/// the duplicate has an open deal or any deal with the survivor: those are settled first.
pub async fn merge(
    db: &DatabaseConnection,
    by: By<'_>,
    survivor_id: i64,
    merged_id: i64,
    reason: Option<&str>,
) -> AppResult<Merged> {
    use sea_orm::sea_query::{Alias, Expr, Query};
    use sea_orm::Condition;
    use transferhub_schema::entity::{deal, event_participant};
    let survivor = get(db, survivor_id).await?;
    by.require(Action::VerifyOrganisations, survivor.id)?;
    let duplicate = get(db, merged_id).await?;
    let reason = validate::optional_text("input.reason", reason, MAX_REASON)?;
    if survivor.id == duplicate.id {
        return Err(AppError::bad_input(
            "input.merged",
            "an organisation cannot be merged into itself",
        ));
    }
    if survivor.deactivated_at.is_some() {
        return Err(AppError::Conflict(format!(
            "organisation {} is deactivated and cannot survive a merge",
            survivor.key
        )));
    }
    if duplicate.merged_into_id.is_some() {
        return Err(AppError::Conflict(format!(
            "organisation {} was already merged",
            duplicate.key
        )));
    }
    let tx = crate::db::begin_write(db).await?;
    let events_of = |org: i64| {
        event_participant::Entity::find().filter(event_participant::Column::OrganisationId.eq(org))
    };
    let survivor_events: Vec<i64> = events_of(survivor.id)
        .all(&tx)
        .await?
        .into_iter()
        .map(|p| p.event_id)
        .collect();
    let shared: Vec<i64> = events_of(duplicate.id)
        .all(&tx)
        .await?
        .into_iter()
        .map(|p| p.event_id)
        .filter(|e| survivor_events.contains(e))
        .collect();
    if !shared.is_empty() {
        return Err(AppError::Conflict(format!(
            "both organisations are registered for event(s) {shared:?}; cancel one registration before merging"
        )));
    }
    // Deals: an open one is keyed by its buyer (one open deal per achievement and buyer), and a
    // deal between the two would become a deal with itself; both are settled before merging.
    let dup_deals = deal::Entity::find().filter(
        Condition::any()
            .add(deal::Column::BuyerOrganisationId.eq(duplicate.id))
            .add(deal::Column::SellerOrganisationId.eq(duplicate.id)),
    );
    let open = dup_deals
        .clone()
        .filter(deal::Column::OpenKey.is_not_null())
        .count(&tx)
        .await?;
    let between = dup_deals
        .filter(
            Condition::any()
                .add(deal::Column::BuyerOrganisationId.eq(survivor.id))
                .add(deal::Column::SellerOrganisationId.eq(survivor.id)),
        )
        .count(&tx)
        .await?;
    if open > 0 || between > 0 {
        return Err(AppError::Conflict(format!(
            "organisation {} has {open} open deal(s) and {between} deal(s) with {}; withdraw or close them before merging (先处理交易再合并)",
            duplicate.key, survivor.key
        )));
    }
    let survivor_people: Vec<i64> = membership::Entity::find()
        .filter(membership::Column::OrganisationId.eq(survivor.id))
        .all(&tx)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let duplicate_memberships = membership::Entity::delete_many()
        .filter(membership::Column::OrganisationId.eq(duplicate.id))
        .filter(membership::Column::UserId.is_in(survivor_people))
        .exec(&tx)
        .await?
        .rows_affected;
    let ids_of = |table: &str| {
        Query::select()
            .column(Alias::new("id"))
            .from(Alias::new(table))
            .and_where(Expr::col(Alias::new("organisation_id")).eq(duplicate.id))
            .to_owned()
    };
    let backend = tx.get_database_backend();
    let mut moved_ids: Vec<Vec<i64>> = Vec::new();
    for table in ["achievements", "needs"] {
        let rows = tx.query_all(backend.build(&ids_of(table))).await?;
        moved_ids.push(
            rows.iter()
                .filter_map(|r| r.try_get::<i64>("", "id").ok())
                .collect(),
        );
    }
    let mut moved = Vec::with_capacity(REFERENCES.len());
    for (table, column) in REFERENCES {
        let stmt = Query::update()
            .table(Alias::new(table))
            .value(Alias::new(column), survivor.id)
            .and_where(Expr::col(Alias::new(column)).eq(duplicate.id))
            .to_owned();
        let n = tx.execute(backend.build(&stmt)).await?.rows_affected();
        moved.push((table, column, n));
    }
    crate::changes::achievement_changed(&tx, &moved_ids[0]).await?;
    crate::changes::need_changed(&tx, &moved_ids[1]).await?;
    let now = Utc::now();
    let mut m: organisation::ActiveModel = duplicate.clone().into();
    m.merged_into_id = Set(Some(survivor.id));
    if duplicate.deactivated_at.is_none() {
        m.deactivated_at = Set(Some(now));
    }
    m.deactivation_reason = Set(Some(match &reason {
        Some(r) => format!("merged into {}: {r}", survivor.key),
        None => format!("merged into {}", survivor.key),
    }));
    m.updated_at = Set(now);
    let merged = m.update(&tx).await?;
    let detail: serde_json::Map<String, serde_json::Value> = moved
        .iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|(t, c, n)| (format!("{t}.{c}"), serde_json::Value::from(*n)))
        .collect();
    by.audit(
        &tx,
        "organisation.merge",
        survivor.id,
        serde_json::json!({
            "merged": duplicate.key,
            "mergedId": duplicate.id,
            "reason": reason,
            "moved": detail,
            "duplicateMemberships": duplicate_memberships,
        }),
    )
    .await?;
    tx.commit().await?;
    crate::changes::committed();
    let survivor = get(db, survivor.id).await?;
    Ok(Merged {
        survivor,
        merged,
        moved,
        duplicate_memberships,
    })
}

/// The verification queue (platform admins): organisations in `status` (PENDING by default),
/// oldest first.
pub async fn applications(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    status: OrganisationStatus,
    after: Option<i64>,
    first: usize,
) -> AppResult<(Vec<organisation::Model>, bool)> {
    policy::require(viewer, Action::VerifyOrganisations, 0)?;
    queue(db, status, after, first).await
}

/// Organisations in `status`, oldest first, without a policy check (the CLI).
pub async fn queue(
    db: &DatabaseConnection,
    status: OrganisationStatus,
    after: Option<i64>,
    first: usize,
) -> AppResult<(Vec<organisation::Model>, bool)> {
    keyset_page(
        db,
        organisation::Entity::find().filter(organisation::Column::Status.eq(status)),
        organisation::Column::Id,
        Order::OldestFirst,
        after,
        first,
    )
    .await
}

/// How many organisations are in `status` (the queue's `totalCount`; platform admins).
pub async fn count_applications(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    status: OrganisationStatus,
) -> AppResult<u64> {
    policy::require(viewer, Action::VerifyOrganisations, 0)?;
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Status.eq(status))
        .count(db)
        .await?)
}

/// Refuses unless organisation `org_id` may publish (VERIFIED and not deactivated): asked by
/// every service that makes a record public.
pub async fn require_publishing<C: ConnectionTrait>(db: &C, org_id: i64) -> AppResult<()> {
    policy::may_publish(&get(db, org_id).await?)
}

/// The business licence upload of an organisation, if any.
pub async fn licence<C: ConnectionTrait>(
    db: &C,
    org: &organisation::Model,
) -> AppResult<Option<uploaded_file::Model>> {
    match org.business_licence_file_id {
        Some(id) => Ok(uploaded_file::Entity::find_by_id(id).one(db).await?),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn firm() -> Application {
        Application {
            kind: Some(OrganisationKind::Firm),
            name_zh: Some("内蒙古草原乳业有限公司".into()),
            name_en: Some("Inner Mongolia Grassland Dairy Co., Ltd.".into()),
            credit_code: Some("91350100M000100Y43".into()),
            region_code: Some("150100".into()),
            address: Some("呼和浩特市赛罕区大学西街 1 号".into()),
            contact_name: Some("王经理".into()),
            contact_phone: Some("0471-1234567".into()),
            contact_email: None,
            business_licence_file: None,
        }
    }

    #[test]
    fn complete_applications_need_region_address_contact_and_the_code() {
        assert!(check(&firm(), None, true).is_ok());
        let field = |a: Application| match check(&a, None, true).expect_err("refused") {
            AppError::BadInput { field, .. } => field,
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(
            field(Application {
                credit_code: None,
                ..firm()
            }),
            "input.creditCode"
        );
        assert_eq!(
            field(Application {
                credit_code: Some("91350100M000100Y44".into()),
                ..firm()
            }),
            "input.creditCode"
        );
        assert_eq!(
            field(Application {
                region_code: None,
                ..firm()
            }),
            "input.regionCode"
        );
        assert_eq!(
            field(Application {
                contact_phone: None,
                ..firm()
            }),
            "input.contactPhone"
        );
        assert_eq!(
            field(Application {
                kind: Some(OrganisationKind::Portal),
                ..firm()
            }),
            "input.kind"
        );
        // Organisers need no code; admins may leave the contact for later.
        let organiser = Application {
            kind: Some(OrganisationKind::Organiser),
            credit_code: None,
            ..firm()
        };
        assert!(check(&organiser, None, true).is_ok());
        let bare = Application {
            kind: Some(OrganisationKind::Firm),
            name_zh: Some("某公司".into()),
            name_en: Some("Some Co".into()),
            credit_code: Some("9144030071526726XG".into()),
            ..Default::default()
        };
        assert!(check(&bare, None, false).is_ok());
    }
}
