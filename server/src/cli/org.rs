//! `transferhub org create|verify|reject|merge|deactivate|reactivate|list`: the platform admin's organisation
//! commands, through the same service (and audit log, actor `cli`) as GraphQL.

use super::CliError;
use crate::app::config::Config;
use crate::organisations::service::{self, Application, By, OrganisationDecision};
use clap::Subcommand;
use transferhub_schema::enums::{OrganisationKind, OrganisationStatus};

/// Organisation subcommands.
#[derive(Subcommand, Debug)]
pub enum OrgCommand {
    /// Create a VERIFIED organisation; prints its key.
    Create {
        /// university, institute, firm, agency, organiser or portal.
        #[arg(long)]
        kind: String,
        /// Chinese name.
        #[arg(long)]
        name_zh: String,
        /// English name (the key is made from it).
        #[arg(long)]
        name_en: String,
        /// 统一社会信用代码 (required for universities, institutes, firms and agencies).
        #[arg(long)]
        credit_code: Option<String>,
        /// GB/T 2260 region code.
        #[arg(long)]
        region: Option<String>,
        /// Postal address.
        #[arg(long)]
        address: Option<String>,
        /// Contact person.
        #[arg(long)]
        contact_name: Option<String>,
        /// Contact telephone.
        #[arg(long)]
        contact_phone: Option<String>,
        /// Contact e-mail.
        #[arg(long)]
        contact_email: Option<String>,
        /// Invite this e-mail as the organisation's first org admin (joins on first login).
        #[arg(long)]
        admin_email: Option<String>,
    },
    /// Approve a PENDING organisation.
    Verify {
        /// Organisation key.
        key: String,
    },
    /// Reject a PENDING organisation with a reason.
    Reject {
        /// Organisation key.
        key: String,
        /// Why (the applicant sees it).
        #[arg(long)]
        reason: String,
    },
    /// Merge a duplicate organisation into another: every record moves to the survivor, the
    /// duplicate is deactivated; prints what moved.
    Merge {
        /// Key of the organisation that stays.
        survivor: String,
        /// Key of the duplicate.
        duplicate: String,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Deactivate an organisation with a reason.
    Deactivate {
        /// Organisation key.
        key: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Reactivate a deactivated organisation with a reason (not a merged duplicate).
    Reactivate {
        /// Organisation key.
        key: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// List organisations in a status (the verification queue by default): key, kind, credit
    /// code, Chinese name, one per line.
    List {
        /// pending, verified or rejected.
        #[arg(long, default_value = "pending")]
        status: String,
    },
}

fn kind(s: &str) -> Result<OrganisationKind, CliError> {
    Ok(match s.trim().to_ascii_lowercase().as_str() {
        "university" => OrganisationKind::University,
        "institute" => OrganisationKind::Institute,
        "firm" => OrganisationKind::Firm,
        "agency" => OrganisationKind::Agency,
        "organiser" | "organizer" => OrganisationKind::Organiser,
        "portal" => OrganisationKind::Portal,
        other => {
            return Err(CliError::Usage(format!(
            "unknown kind {other:?}; use university, institute, firm, agency, organiser or portal"
        )))
        }
    })
}

fn status(s: &str) -> Result<OrganisationStatus, CliError> {
    Ok(match s.trim().to_ascii_lowercase().as_str() {
        "pending" => OrganisationStatus::Pending,
        "verified" => OrganisationStatus::Verified,
        "rejected" => OrganisationStatus::Rejected,
        other => {
            return Err(CliError::Usage(format!(
                "unknown status {other:?}; use pending, verified or rejected"
            )))
        }
    })
}

/// Runs an organisation subcommand.
pub async fn run(config: &Config, cmd: OrgCommand) -> Result<(), CliError> {
    match cmd {
        OrgCommand::Create {
            kind: k,
            name_zh,
            name_en,
            credit_code,
            region,
            address,
            contact_name,
            contact_phone,
            contact_email,
            admin_email,
        } => {
            let app = Application {
                kind: Some(kind(&k)?),
                name_zh: Some(name_zh),
                name_en: Some(name_en),
                credit_code,
                region_code: region,
                address,
                contact_name,
                contact_phone,
                contact_email,
                business_licence_file: None,
            };
            let db = super::open_store(config).await?;
            let org = service::create(&db, By::Cli, app, admin_email.as_deref()).await?;
            println!("{}", org.key);
        }
        OrgCommand::Verify { key } => {
            let db = super::open_store(config).await?;
            let org = service::by_key(&db, &key).await?;
            service::verify(&db, By::Cli, org.id, OrganisationDecision::Approve, None).await?;
            println!("{key}: VERIFIED");
        }
        OrgCommand::Reject { key, reason } => {
            let db = super::open_store(config).await?;
            let org = service::by_key(&db, &key).await?;
            service::verify(
                &db,
                By::Cli,
                org.id,
                OrganisationDecision::Reject,
                Some(&reason),
            )
            .await?;
            println!("{key}: REJECTED");
        }
        OrgCommand::Merge {
            survivor,
            duplicate,
            reason,
        } => {
            let db = super::open_store(config).await?;
            let s = service::by_key(&db, &survivor).await?;
            let d = service::by_key(&db, &duplicate).await?;
            let done = service::merge(&db, By::Cli, s.id, d.id, reason.as_deref()).await?;
            for (table, column, n) in done.moved.iter().filter(|(_, _, n)| *n > 0) {
                println!("{table}.{column}\t{n}");
            }
            println!("{duplicate} merged into {survivor}");
        }
        OrgCommand::Deactivate { key, reason } => {
            let db = super::open_store(config).await?;
            let org = service::by_key(&db, &key).await?;
            service::deactivate(&db, By::Cli, org.id, &reason).await?;
            println!("{key}: deactivated");
        }
        OrgCommand::Reactivate { key, reason } => {
            let db = super::open_store(config).await?;
            let org = service::by_key(&db, &key).await?;
            service::reactivate(&db, By::Cli, org.id, &reason).await?;
            println!("{key}: reactivated");
        }
        OrgCommand::List { status: s } => {
            let s = status(&s)?;
            let db = super::open_store(config).await?;
            let mut after = None;
            loop {
                let (rows, more) = service::queue(&db, s, after, 100).await?;
                for o in &rows {
                    println!(
                        "{}\t{:?}\t{}\t{}",
                        o.key,
                        o.kind,
                        o.credit_code.as_deref().unwrap_or("-"),
                        o.name_zh
                    );
                }
                after = rows.last().map(|o| o.id);
                if !more || after.is_none() {
                    break;
                }
            }
        }
    }
    Ok(())
}
