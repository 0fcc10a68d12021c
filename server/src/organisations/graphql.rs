//! GraphQL of organisations joining the hub: `createOrganisation`, `resubmitOrganisation`,
//! `verifyOrganisation`, `mergeOrganisations`, `deactivateOrganisation` (API.md names) and the
//! verification queue
//! `organisationApplications`. Resolvers decode ids and call the service, which asks the policy.

use super::service::{self, Application, By, OrganisationDecision, Person};
use crate::auth::graphql::viewer;
use crate::auth::policy;
use crate::catalog::graphql::Organisation;
use crate::relay::{self, IdCursor};
use async_graphql::connection::{Connection, ConnectionNameType, Edge, EdgeNameType, EmptyFields};
use async_graphql::{Context, InputObject, Object, OutputType, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use transferhub_schema::entity::organisation;
use transferhub_schema::enums::{OrganisationKind, OrganisationStatus};

/// Who is calling: the viewer, and the logged-in person (browser session or person token).
fn by<'a>(ctx: &'a Context<'_>) -> By<'a> {
    By::Caller(viewer(ctx), ctx.data_opt::<Person>().copied())
}

/// The application behind an organisation's verification (its members and platform admins).
pub struct OrganisationApplication(organisation::Model);

impl OrganisationApplication {
    /// The application when the caller may see it: members of the organisation, platform
    /// admins, and the person who applied (also in the payload of their own application, before
    /// their session acts for the organisation).
    pub fn for_caller(ctx: &Context<'_>, org: &organisation::Model) -> Option<Self> {
        let applicant = ctx
            .data_opt::<Person>()
            .is_some_and(|p| Some(p.user_id) == org.applied_by_user_id);
        (applicant || policy::sees_unpublished(viewer(ctx), org.id)).then(|| Self(org.clone()))
    }
}

/// An uploaded business licence.
#[derive(SimpleObject)]
pub struct BusinessLicence {
    /// Public id of the upload.
    pub id: String,
    /// Download path (`GET /files/{id}`; members of the organisation and platform admins).
    pub url: String,
    /// File name.
    pub file_name: String,
    /// Detected type: application/pdf or an image type.
    pub content_type: String,
}

#[Object]
impl OrganisationApplication {
    /// Postal address.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    /// Contact person.
    async fn contact_name(&self) -> Option<&str> {
        self.0.contact_name.as_deref()
    }
    /// Contact telephone.
    async fn contact_phone(&self) -> Option<&str> {
        self.0.contact_phone.as_deref()
    }
    /// Contact e-mail.
    async fn contact_email(&self) -> Option<&str> {
        self.0.contact_email.as_deref()
    }
    /// The business licence upload, if one was given.
    async fn business_licence(&self, ctx: &Context<'_>) -> Result<Option<BusinessLicence>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(service::licence(db, &self.0)
            .await?
            .map(|f| BusinessLicence {
                url: format!("/files/{}", f.public_id),
                id: f.public_id,
                file_name: f.file_name,
                content_type: f.content_type,
            }))
    }
    /// When the application was last (re)submitted.
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    /// When a platform admin last decided.
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }
    /// The reason of the rejection (REJECTED organisations).
    async fn rejection_reason(&self) -> Option<&str> {
        self.0.rejection_reason.as_deref()
    }
    /// When a platform admin deactivated the organisation.
    async fn deactivated_at(&self) -> Option<DateTime<Utc>> {
        self.0.deactivated_at
    }
    /// Why it was deactivated.
    async fn deactivation_reason(&self) -> Option<&str> {
        self.0.deactivation_reason.as_deref()
    }
}

/// Input of `createOrganisation`.
#[derive(InputObject)]
pub struct CreateOrganisationInput {
    /// Kind (PORTAL only by platform admins).
    pub kind: OrganisationKind,
    /// Chinese name.
    pub name_zh: String,
    /// English name (also makes the organisation's key).
    pub name_en: String,
    /// 统一社会信用代码 (18 characters with its check character); required for universities,
    /// institutes, firms and agencies.
    pub credit_code: Option<String>,
    /// GB/T 2260 region code (six digits); required in applications.
    pub region_code: Option<String>,
    /// Postal address; required in applications.
    pub address: Option<String>,
    /// Contact person; required in applications.
    pub contact_name: Option<String>,
    /// Contact telephone (this or the e-mail is required in applications).
    pub contact_phone: Option<String>,
    /// Contact e-mail.
    pub contact_email: Option<String>,
    /// Id of the business licence upload (`POST /files`), a PDF or an image.
    pub business_licence_file: Option<String>,
    /// Platform admins only: e-mail of the person invited as the organisation's first admin.
    pub admin_email: Option<String>,
}

/// Input of `resubmitOrganisation`: the fields to fix; those left out stay as they are.
#[derive(InputObject, Default)]
pub struct ResubmitOrganisationInput {
    /// Kind.
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
    /// Id of the business licence upload (`POST /files`), a PDF or an image.
    pub business_licence_file: Option<String>,
}

/// Input of `verifyOrganisation`.
#[derive(InputObject)]
pub struct VerifyOrganisationInput {
    /// The organisation's global id.
    pub id: ID,
    /// Approve or reject.
    pub decision: OrganisationDecision,
    /// Why (required when rejecting; the applicant sees it).
    pub reason: Option<String>,
}

/// Input of `mergeOrganisations`.
#[derive(InputObject)]
pub struct MergeOrganisationsInput {
    /// The organisation that stays (global id).
    pub survivor: ID,
    /// The duplicate whose records move to the survivor; it stays deactivated (global id).
    pub merged: ID,
    /// Why (kept in the audit log and the duplicate's deactivation reason).
    pub reason: Option<String>,
}

/// Rows a merge moved from one column.
#[derive(SimpleObject)]
pub struct MovedRecords {
    /// Table.
    pub table: String,
    /// Column that referenced the duplicate.
    pub column: String,
    /// Rows moved.
    pub count: u64,
}

/// Result of `mergeOrganisations`.
#[derive(SimpleObject)]
pub struct MergeOrganisationsPayload {
    /// The organisation that stays.
    pub survivor: Organisation,
    /// The duplicate, deactivated.
    pub merged: Organisation,
    /// What moved, per referencing column (columns with no rows are left out).
    pub moved: Vec<MovedRecords>,
    /// Memberships dropped because the person was already in the survivor.
    pub duplicate_memberships: u64,
}

/// Result of the organisation mutations.
#[derive(SimpleObject)]
pub struct OrganisationPayload {
    /// The organisation as stored.
    pub organisation: Organisation,
}

fn payload(org: organisation::Model) -> OrganisationPayload {
    OrganisationPayload {
        organisation: Organisation(org),
    }
}

/// Counts for the verification queue.
pub struct ApplicationCount(OrganisationStatus);

#[Object]
impl ApplicationCount {
    /// Organisations in the status asked for.
    #[graphql(complexity = 10)]
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(service::count_applications(db, viewer(ctx), self.0).await?)
    }
}

/// Names the verification queue's connection apart from the public organisation list.
pub struct ApplicationQueueName;

impl ConnectionNameType for ApplicationQueueName {
    fn type_name<T: OutputType>() -> String {
        "OrganisationApplicationConnection".into()
    }
}

/// Names the verification queue's edges.
pub struct ApplicationQueueEdgeName;

impl EdgeNameType for ApplicationQueueEdgeName {
    fn type_name<T: OutputType>() -> String {
        "OrganisationApplicationEdge".into()
    }
}

/// The verification queue as a Relay connection.
pub type ApplicationQueue = Connection<
    IdCursor,
    Organisation,
    ApplicationCount,
    EmptyFields,
    ApplicationQueueName,
    ApplicationQueueEdgeName,
>;

/// Organisation queries.
#[derive(Default)]
pub struct OrganisationsQuery;

#[Object]
impl OrganisationsQuery {
    /// The verification queue (platform admins): organisations in `status` (PENDING unless
    /// asked otherwise), oldest application first.
    #[graphql(complexity = "5 + first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn organisation_applications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "OrganisationStatus::Pending")] status: OrganisationStatus,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ApplicationQueue> {
        let db = ctx.data::<DatabaseConnection>()?;
        let first = relay::page_size(first)?;
        let after = relay::parse_after(after.as_deref())?;
        let (rows, more) = service::applications(db, viewer(ctx), status, after, first).await?;
        let mut conn: ApplicationQueue =
            Connection::with_additional_fields(after.is_some(), more, ApplicationCount(status));
        conn.edges.extend(
            rows.into_iter()
                .map(|o| Edge::new(IdCursor(o.id), Organisation(o))),
        );
        Ok(conn)
    }
}

/// Organisation mutations.
#[derive(Default)]
pub struct OrganisationsMutation;

#[Object]
impl OrganisationsMutation {
    /// Creates an organisation. A logged-in person without an organisation applies: it is
    /// PENDING until a platform admin verifies it, and the person becomes its org admin. A
    /// platform admin creates it VERIFIED (optionally inviting its first admin).
    async fn create_organisation(
        &self,
        ctx: &Context<'_>,
        input: CreateOrganisationInput,
    ) -> Result<OrganisationPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let app = Application {
            kind: Some(input.kind),
            name_zh: Some(input.name_zh),
            name_en: Some(input.name_en),
            credit_code: input.credit_code,
            region_code: input.region_code,
            address: input.address,
            contact_name: input.contact_name,
            contact_phone: input.contact_phone,
            contact_email: input.contact_email,
            business_licence_file: input.business_licence_file,
        };
        let org = service::create(db, by(ctx), app, input.admin_email.as_deref()).await?;
        Ok(payload(org))
    }

    /// Fixes a PENDING or REJECTED application and submits it again (its org admins); it is
    /// PENDING afterwards.
    async fn resubmit_organisation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ResubmitOrganisationInput,
    ) -> Result<OrganisationPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&id, "Organisation", "id")?;
        let app = Application {
            kind: input.kind,
            name_zh: input.name_zh,
            name_en: input.name_en,
            credit_code: input.credit_code,
            region_code: input.region_code,
            address: input.address,
            contact_name: input.contact_name,
            contact_phone: input.contact_phone,
            contact_email: input.contact_email,
            business_licence_file: input.business_licence_file,
        };
        Ok(payload(service::resubmit(db, by(ctx), n, app).await?))
    }

    /// Approves a PENDING organisation, or rejects it with a reason (platform admins).
    async fn verify_organisation(
        &self,
        ctx: &Context<'_>,
        input: VerifyOrganisationInput,
    ) -> Result<OrganisationPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&input.id, "Organisation", "input.id")?;
        Ok(payload(
            service::verify(db, by(ctx), n, input.decision, input.reason.as_deref()).await?,
        ))
    }

    /// Merges a duplicate organisation into another (platform admins): every record that
    /// references the duplicate moves to the survivor in one transaction, audited with the
    /// counts; the duplicate stays deactivated.
    async fn merge_organisations(
        &self,
        ctx: &Context<'_>,
        input: MergeOrganisationsInput,
    ) -> Result<MergeOrganisationsPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let survivor = relay::decode_id(&input.survivor, "Organisation", "input.survivor")?;
        let merged = relay::decode_id(&input.merged, "Organisation", "input.merged")?;
        let done = service::merge(db, by(ctx), survivor, merged, input.reason.as_deref()).await?;
        Ok(MergeOrganisationsPayload {
            survivor: Organisation(done.survivor),
            merged: Organisation(done.merged),
            moved: done
                .moved
                .into_iter()
                .filter(|(_, _, n)| *n > 0)
                .map(|(t, c, n)| MovedRecords {
                    table: t.to_string(),
                    column: c.to_string(),
                    count: n,
                })
                .collect(),
            duplicate_memberships: done.duplicate_memberships,
        })
    }

    /// Deactivates an organisation with a reason (platform admins): it publishes nothing more
    /// and its members' sessions and tokens stop acting for it.
    async fn deactivate_organisation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> Result<OrganisationPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&id, "Organisation", "id")?;
        Ok(payload(service::deactivate(db, by(ctx), n, &reason).await?))
    }

    /// Reactivates a deactivated organisation with a reason (platform admins); a merged
    /// duplicate stays deactivated (CONFLICT).
    async fn reactivate_organisation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> Result<OrganisationPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&id, "Organisation", "id")?;
        Ok(payload(service::reactivate(db, by(ctx), n, &reason).await?))
    }
}
