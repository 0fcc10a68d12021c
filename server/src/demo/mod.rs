//! The realistic Chinese demo data set (`seed-demo`, `serve --demo`) and the deterministic
//! synthetic generator (`generate`). The demo records go through the same validation as the API.

pub mod events;
pub mod generate;
pub mod people;

use crate::catalog::service::{self as catalog, AchievementDraft, Origin, PatentDraft};
use crate::error::{AppError, AppResult};
use crate::needs::service::{self as needs, NeedDraft};
use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set,
};
use serde::{Deserialize, Serialize};
use transferhub_schema::entity::{achievement, need, organisation};
use transferhub_schema::enums::{
    AchievementStatus, AchievementType, NeedStatus, OrganisationKind, TransferMode,
};

/// Source key stamped on demo records, so reseeding finds them.
pub const DEMO_SOURCE: &str = "seed-demo";

const ORGANISATIONS: &str = include_str!("data/organisations.json");
const ACHIEVEMENTS: &str = include_str!("data/achievements.json");
const NEEDS: &str = include_str!("data/needs.json");

/// An organisation in the demo file.
#[derive(Debug, Deserialize)]
pub struct DemoOrganisation {
    /// Key.
    pub key: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Kind.
    pub kind: OrganisationKind,
    /// Region.
    pub region_code: Option<String>,
    /// Web site.
    pub website: Option<String>,
    /// Description.
    pub description_zh: Option<String>,
    /// E-mail domain.
    pub email_domain: Option<String>,
}

/// A patent in the demo file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoPatent {
    /// Application number.
    pub application_number: String,
    /// Publication number.
    pub publication_number: Option<String>,
    /// Granted.
    pub granted: Option<bool>,
}

/// An achievement in the demo file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoAchievement {
    /// Owning organisation key.
    pub org: String,
    /// Title.
    pub title: String,
    /// English title.
    pub title_en: Option<String>,
    /// Type.
    pub achievement_type: AchievementType,
    /// Inventors.
    #[serde(default)]
    pub inventors: Vec<String>,
    /// Summary.
    pub summary: String,
    /// English summary.
    pub summary_en: Option<String>,
    /// Keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// GB/T 4754.
    pub industry_code: Option<String>,
    /// IPC.
    #[serde(default)]
    pub ipc_codes: Vec<String>,
    /// TRL.
    pub trl: Option<i32>,
    /// Transfer modes.
    #[serde(default)]
    pub transfer_modes: Vec<TransferMode>,
    /// Price (null = 面议).
    pub asking_price_yuan: Option<i64>,
    /// Contact.
    pub contact_name: Option<String>,
    /// Phone.
    pub contact_phone: Option<String>,
    /// E-mail.
    pub contact_email: Option<String>,
    /// Region.
    pub region_code: Option<String>,
    /// Status.
    pub status: AchievementStatus,
    /// Publication day.
    pub published_on: Option<NaiveDate>,
    /// Patents.
    #[serde(default)]
    pub patents: Vec<DemoPatent>,
}

/// A need in the demo file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoNeed {
    /// Posting firm key.
    pub org: String,
    /// Title.
    pub title: String,
    /// English title.
    pub title_en: Option<String>,
    /// Description.
    pub description: String,
    /// GB/T 4754.
    pub industry_code: Option<String>,
    /// IPC.
    #[serde(default)]
    pub ipc_codes: Vec<String>,
    /// Required TRL.
    pub required_trl: Option<i32>,
    /// Transfer modes.
    #[serde(default)]
    pub transfer_modes: Vec<TransferMode>,
    /// Budget lower bound.
    pub budget_min_yuan: Option<i64>,
    /// Budget upper bound.
    pub budget_max_yuan: Option<i64>,
    /// Region.
    pub region_code: Option<String>,
    /// Deadline.
    pub deadline: Option<NaiveDate>,
    /// Status.
    pub status: NeedStatus,
    /// Keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Contact.
    pub contact_name: Option<String>,
}

/// The parsed demo files.
pub struct DemoSet {
    /// Organisations.
    pub organisations: Vec<DemoOrganisation>,
    /// Achievements.
    pub achievements: Vec<DemoAchievement>,
    /// Needs.
    pub needs: Vec<DemoNeed>,
}

/// Parses the embedded demo files.
pub fn demo_set() -> AppResult<DemoSet> {
    let parse = |name: &str, e: serde_json::Error| AppError::Internal(format!("demo {name}: {e}"));
    Ok(DemoSet {
        organisations: serde_json::from_str(ORGANISATIONS)
            .map_err(|e| parse("organisations", e))?,
        achievements: serde_json::from_str(ACHIEVEMENTS).map_err(|e| parse("achievements", e))?,
        needs: serde_json::from_str(NEEDS).map_err(|e| parse("needs", e))?,
    })
}

impl DemoAchievement {
    fn draft(&self) -> AchievementDraft {
        AchievementDraft {
            title: Some(self.title.clone()),
            title_en: Some(self.title_en.clone()),
            achievement_type: Some(self.achievement_type),
            inventors: Some(self.inventors.clone()),
            summary: Some(self.summary.clone()),
            summary_en: Some(self.summary_en.clone()),
            keywords: Some(self.keywords.clone()),
            industry_code: Some(self.industry_code.clone()),
            ipc_codes: Some(self.ipc_codes.clone()),
            maturity: Some(self.trl),
            transfer_modes: Some(self.transfer_modes.clone()),
            asking_price_yuan: Some(self.asking_price_yuan),
            contact_name: Some(self.contact_name.clone()),
            contact_phone: Some(self.contact_phone.clone()),
            contact_email: Some(self.contact_email.clone()),
            region_code: self.region_code.clone().map(Some),
            patents: Some(
                self.patents
                    .iter()
                    .map(|p| PatentDraft {
                        application_number: p.application_number.clone(),
                        publication_number: p.publication_number.clone(),
                        granted: p.granted,
                    })
                    .collect(),
            ),
        }
    }
}

impl DemoNeed {
    fn draft(&self) -> NeedDraft {
        NeedDraft {
            title: Some(self.title.clone()),
            title_en: Some(self.title_en.clone()),
            description: Some(self.description.clone()),
            keywords: Some(self.keywords.clone()),
            industry_code: Some(self.industry_code.clone()),
            ipc_codes: Some(self.ipc_codes.clone()),
            required_maturity: Some(self.required_trl),
            transfer_modes: Some(self.transfer_modes.clone()),
            budget_min_yuan: Some(self.budget_min_yuan),
            budget_max_yuan: Some(self.budget_max_yuan),
            region_code: self.region_code.clone().map(Some),
            // Demo deadlines are fixed dates; the not-in-the-past rule is for live input.
            deadline: None,
            contact_name: Some(self.contact_name.clone()),
        }
    }
}

/// What a seeding run added.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Organisations added.
    pub organisations: usize,
    /// Achievements added.
    pub achievements: usize,
    /// Needs added.
    pub needs: usize,
    /// Invitations for the demo personas added.
    pub invitations: usize,
    /// Demo matchmaking events added.
    pub events: usize,
    /// Demo people (with profiles) added.
    pub people: usize,
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "demo data: {} organisations, {} achievements, {} needs, {} invitations, {} events, {} people added",
            self.organisations, self.achievements, self.needs, self.invitations, self.events, self.people
        )
    }
}

/// Seeds the demo set; records already present (by key, or by source id) are left alone.
pub async fn seed(db: &DatabaseConnection) -> AppResult<SeedReport> {
    let set = demo_set()?;
    let mut report = SeedReport::default();
    let tx = crate::db::begin_write(db).await?;
    let now = Utc::now();
    let (orgs, added) = seed_organisations(&tx, &set.organisations).await?;
    report.organisations = added;
    seed_records(&tx, &set, &orgs, now, &mut report).await?;
    tx.commit().await?;
    crate::changes::committed();
    crate::links::seed_demo(db).await?;
    report.invitations = events::seed_invitations(db).await?;
    report.events = events::seed_event(db).await?;
    report.people = people::seed_people(db).await?;
    Ok(report)
}

/// Inserts the demo organisations that are missing; returns all of them by key and the number added.
pub async fn seed_organisations<C: sea_orm::ConnectionTrait>(
    tx: &C,
    list: &[DemoOrganisation],
) -> AppResult<(
    std::collections::HashMap<String, organisation::Model>,
    usize,
)> {
    let now = Utc::now();
    let mut added = 0;
    let mut orgs = std::collections::HashMap::new();
    for o in list {
        let existing = catalog::find_org_by_key(tx, &o.key).await?;
        let model = match existing {
            Some(m) => m,
            None => {
                added += 1;
                organisation::ActiveModel {
                    key: Set(o.key.clone()),
                    name_zh: Set(o.name_zh.clone()),
                    name_en: Set(o.name_en.clone()),
                    kind: Set(o.kind),
                    region_code: Set(o.region_code.clone()),
                    website: Set(o.website.clone()),
                    description_zh: Set(o.description_zh.clone()),
                    email_domain: Set(o.email_domain.clone()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(tx)
                .await?
            }
        };
        orgs.insert(o.key.clone(), model);
    }
    Ok((orgs, added))
}

async fn seed_records<C: sea_orm::ConnectionTrait>(
    tx: &C,
    set: &DemoSet,
    orgs: &std::collections::HashMap<String, organisation::Model>,
    now: chrono::DateTime<Utc>,
    report: &mut SeedReport,
) -> AppResult<()> {
    let org = |key: &str| {
        orgs.get(key).ok_or_else(|| {
            AppError::Internal(format!("demo record names unknown organisation {key}"))
        })
    };
    for a in &set.achievements {
        let exists = achievement::Entity::find()
            .filter(achievement::Column::SourceKey.eq(DEMO_SOURCE))
            .filter(achievement::Column::SourceRecordId.eq(a.title.as_str()))
            .count(tx)
            .await?
            > 0;
        if exists {
            continue;
        }
        let origin = Origin {
            status: a.status,
            published_at: (a.status == AchievementStatus::Published).then(|| {
                a.published_on
                    .and_then(|d| d.and_hms_opt(9, 0, 0))
                    .map_or(now, |t| Utc.from_utc_datetime(&t))
            }),
            source_key: Some(DEMO_SOURCE.into()),
            source_record_id: Some(a.title.clone()),
        };
        catalog::insert(tx, org(&a.org)?, &a.draft(), origin)
            .await
            .map_err(|e| {
                AppError::Internal(format!("demo achievement {:?}: {}", a.title, e.message()))
            })?;
        report.achievements += 1;
    }
    for n in &set.needs {
        let o = org(&n.org)?;
        let exists = need::Entity::find()
            .filter(need::Column::OrganisationId.eq(o.id))
            .filter(need::Column::Title.eq(n.title.as_str()))
            .count(tx)
            .await?
            > 0;
        if exists {
            continue;
        }
        let saved = needs::insert(tx, o, &n.draft(), n.status)
            .await
            .map_err(|e| AppError::Internal(format!("demo need {:?}: {}", n.title, e.message())))?;
        let mut m: need::ActiveModel = saved.into();
        m.deadline = Set(n.deadline);
        m.update(tx).await?;
        report.needs += 1;
    }
    Ok(())
}

/// Seeds only when the store holds no achievements (what `serve --demo` does).
pub async fn seed_if_empty(db: &DatabaseConnection) -> AppResult<Option<SeedReport>> {
    if achievement::Entity::find().count(db).await? > 0 {
        return Ok(None);
    }
    seed(db).await.map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_set_is_large_and_well_formed() {
        let set = demo_set().expect("parse");
        assert!(set.achievements.len() >= 200, "{}", set.achievements.len());
        assert!(set.needs.len() >= 100, "{}", set.needs.len());
        for key in ["imu", "imau", "imut", "immu", "imnu", "imust", "naas"] {
            assert!(
                set.organisations.iter().any(|o| o.key == key),
                "missing {key}"
            );
        }
    }

    #[tokio::test]
    async fn seeding_validates_every_record_and_is_idempotent() {
        let db = crate::db::memory().await.expect("db");
        let first = seed(&db).await.expect("seed");
        let set = demo_set().expect("parse");
        assert_eq!(first.achievements, set.achievements.len());
        assert_eq!(first.needs, set.needs.len());
        assert_eq!(first.invitations, events::DEMO_INVITATIONS.len());
        assert_eq!(first.events, 1, "the demo matchmaking event");
        assert_eq!(first.people, people::DEMO_PEOPLE.len());
        let again = seed(&db).await.expect("reseed");
        assert_eq!(again, SeedReport::default());
    }
}
