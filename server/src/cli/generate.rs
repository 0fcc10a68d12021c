//! `transferhub generate`: deterministic synthetic achievements and needs, either bulk-inserted
//! into the configured store (benchmarks) or written as JSONL (`--out`) for `import`.

use super::CliError;
use crate::app::config::Config;
use crate::demo::generate::{self, Owners};
use crate::demo::{demo_set, seed_organisations};
use anyhow::Context;
use chrono::{TimeZone, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QuerySelect, Set, Statement};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;
use transferhub_schema::entity::{achievement, need, patent};
use transferhub_schema::enums::{AchievementStatus, OrganisationKind, PatentType, TransferMode};
use transferhub_schema::types::{IndustryCode, PatentApplicationNumber, PatentKind};

/// Flags of `generate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Number of achievements.
    #[arg(long, default_value_t = 0)]
    achievements: u64,
    /// Number of needs.
    #[arg(long, default_value_t = 0)]
    needs: u64,
    /// Seed; the same seed gives the same records.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write JSONL here instead of inserting into the database.
    #[arg(long)]
    out: Option<PathBuf>,
}

const BATCH: usize = 500;

/// Generates and stores (or writes) the records, reporting the rate.
pub async fn run(config: &Config, args: Args) -> Result<(), CliError> {
    if args.achievements == 0 && args.needs == 0 {
        return Err(CliError::Usage(
            "nothing to generate: give --achievements N and/or --needs M".into(),
        ));
    }
    let set = demo_set()?;
    let owners = Owners {
        institutions: set
            .organisations
            .iter()
            .filter(|o| {
                matches!(
                    o.kind,
                    OrganisationKind::University | OrganisationKind::Institute
                )
            })
            .map(|o| o.key.clone())
            .collect(),
        firms: set
            .organisations
            .iter()
            .filter(|o| o.kind == OrganisationKind::Firm)
            .map(|o| o.key.clone())
            .collect(),
    };
    let started = Instant::now();
    if let Some(path) = args.out {
        let file = std::fs::File::create(&path)
            .map_err(|e| CliError::Usage(format!("cannot create {}: {e}", path.display())))?;
        let mut w = std::io::BufWriter::new(file);
        let mut rng = generate::rng(args.seed);
        for i in 0..args.achievements {
            let a = generate::achievement(&mut rng, i, &owners);
            let mut v = serde_json::to_value(&a).context("serialise")?;
            v["kind"] = "achievement".into();
            writeln!(w, "{v}").context("write")?;
        }
        for i in 0..args.needs {
            let n = generate::need(&mut rng, i, &owners);
            let mut v = serde_json::to_value(&n).context("serialise")?;
            v["kind"] = "need".into();
            writeln!(w, "{v}").context("write")?;
        }
        w.flush().context("write")?;
        println!(
            "wrote {} achievements and {} needs to {} in {:.1}s",
            args.achievements,
            args.needs,
            path.display(),
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let db = super::open_store(config).await?;
    let (orgs, _) = seed_organisations(&db, &set.organisations).await?;
    let org_id = |key: &str| orgs.get(key).map(|o| o.id).unwrap_or_default();
    insert_achievements(&db, &args, &owners, &org_id).await?;
    let achievements_done = started.elapsed();
    insert_needs(&db, &args, &owners, &org_id).await?;
    if config.is_postgres() {
        for t in ["achievements", "patents", "needs"] {
            db.execute(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE((SELECT MAX(id) FROM {t}), 1))"),
            ))
            .await?;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "inserted {} achievements ({:.0}/s) and {} needs in {:.1}s",
        args.achievements,
        args.achievements as f64 / achievements_done.as_secs_f64().max(1e-9),
        args.needs,
        secs
    );
    Ok(())
}

async fn next_id<E: EntityTrait>(db: &DatabaseConnection, col: E::Column) -> Result<i64, CliError> {
    let max: Option<Option<i64>> = E::find()
        .select_only()
        .column_as(sea_orm::sea_query::Expr::col(col).max(), "m")
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0) + 1)
}

async fn insert_achievements(
    db: &DatabaseConnection,
    args: &Args,
    owners: &Owners,
    org_id: &dyn Fn(&str) -> i64,
) -> Result<(), CliError> {
    let start = next_id::<achievement::Entity>(db, achievement::Column::Id).await?;
    // Continue the index where earlier runs stopped so patent numbers stay unique.
    let mut rng = generate::rng(args.seed ^ start as u64);
    let now = Utc::now();
    let mut i = 0u64;
    while i < args.achievements {
        let n = (args.achievements - i).min(BATCH as u64);
        let mut rows = Vec::with_capacity(n as usize);
        let mut patents = Vec::new();
        for k in 0..n {
            let idx = start as u64 + i + k;
            let id = idx as i64;
            let a = generate::achievement(&mut rng, idx, owners);
            let code = a
                .industry_code
                .as_deref()
                .and_then(|c| IndustryCode::parse(c).ok());
            let [code, section, division, group] = crate::validate::industry_levels(code.as_ref());
            for p in &a.patents {
                let kind = PatentApplicationNumber::parse(&p.application_number)
                    .map(|n| n.kind())
                    .unwrap_or(PatentKind::Invention);
                patents.push(patent::ActiveModel {
                    achievement_id: Set(Some(id)),
                    application_number: Set(p.application_number.clone()),
                    publication_number: Set(p.publication_number.clone()),
                    patent_type: Set(match kind {
                        PatentKind::UtilityModel | PatentKind::PctUtilityModel => {
                            PatentType::UtilityModel
                        }
                        PatentKind::Design => PatentType::Design,
                        _ => PatentType::Invention,
                    }),
                    granted: Set(p.granted.unwrap_or(false)),
                    created_at: Set(now),
                    ..Default::default()
                });
            }
            let published = (a.status == AchievementStatus::Published).then(|| {
                a.published_on
                    .and_then(|d| d.and_hms_opt(9, 0, 0))
                    .map_or(now, |t| Utc.from_utc_datetime(&t))
            });
            rows.push(achievement::ActiveModel {
                id: Set(id),
                organisation_id: Set(org_id(&a.org)),
                title: Set(a.title),
                title_en: Set(a.title_en),
                achievement_type: Set(a.achievement_type),
                inventors: Set(serde_json::to_string(&a.inventors).unwrap_or_default()),
                summary: Set(a.summary),
                summary_en: Set(a.summary_en),
                keywords: Set(serde_json::to_string(&a.keywords).unwrap_or_default()),
                industry_code: Set(code),
                industry_section: Set(section),
                industry_division: Set(division),
                industry_group: Set(group),
                ipc_codes: Set(serde_json::to_string(&a.ipc_codes).unwrap_or_default()),
                trl: Set(a.trl),
                transfer_modes: Set(TransferMode::mask(&a.transfer_modes)),
                asking_price_yuan: Set(a.asking_price_yuan),
                contact_name: Set(a.contact_name),
                contact_phone: Set(a.contact_phone),
                contact_email: Set(a.contact_email),
                region_code: Set(a.region_code),
                status: Set(a.status),
                published_at: Set(published),
                source_key: Set(Some("generate".into())),
                source_record_id: Set(Some(idx.to_string())),
                provenance: Set(format!(
                    "[{{\"source\":\"generate\",\"recordId\":\"{idx}\"}}]"
                )),
                created_at: Set(now),
                updated_at: Set(now),
            });
        }
        let tx = crate::db::begin_write(db).await?;
        achievement::Entity::insert_many(rows).exec(&tx).await?;
        if !patents.is_empty() {
            patent::Entity::insert_many(patents)
                .on_conflict(
                    OnConflict::column(patent::Column::ApplicationNumber)
                        .do_nothing()
                        .to_owned(),
                )
                .do_nothing()
                .exec(&tx)
                .await?;
        }
        tx.commit().await?;
        // A bulk loader: nothing is queued per record (`transferhub reindex` indexes them, as
        // the benchmarks do); the commit still goes through the one after-commit hook.
        crate::changes::committed();
        i += n;
        if i.is_multiple_of(100_000) || i == args.achievements {
            tracing::info!(
                done = i,
                total = args.achievements,
                "achievements generated"
            );
        }
    }
    Ok(())
}

async fn insert_needs(
    db: &DatabaseConnection,
    args: &Args,
    owners: &Owners,
    org_id: &dyn Fn(&str) -> i64,
) -> Result<(), CliError> {
    let start = next_id::<need::Entity>(db, need::Column::Id).await?;
    let mut rng = generate::rng(args.seed.wrapping_add(1) ^ start as u64);
    let now = Utc::now();
    let mut i = 0u64;
    while i < args.needs {
        let n = (args.needs - i).min(BATCH as u64);
        let mut rows = Vec::with_capacity(n as usize);
        for k in 0..n {
            let idx = start as u64 + i + k;
            let d = generate::need(&mut rng, idx, owners);
            let code = d
                .industry_code
                .as_deref()
                .and_then(|c| IndustryCode::parse(c).ok());
            let [code, section, division, group] = crate::validate::industry_levels(code.as_ref());
            rows.push(need::ActiveModel {
                id: Set(idx as i64),
                organisation_id: Set(org_id(&d.org)),
                title: Set(d.title),
                title_en: Set(d.title_en),
                description: Set(d.description),
                keywords: Set(serde_json::to_string(&d.keywords).unwrap_or_default()),
                industry_code: Set(code),
                industry_section: Set(section),
                industry_division: Set(division),
                industry_group: Set(group),
                ipc_codes: Set(serde_json::to_string(&d.ipc_codes).unwrap_or_default()),
                required_trl: Set(d.required_trl),
                transfer_modes: Set(TransferMode::mask(&d.transfer_modes)),
                budget_min_yuan: Set(d.budget_min_yuan),
                budget_max_yuan: Set(d.budget_max_yuan),
                region_code: Set(d.region_code),
                deadline: Set(d.deadline),
                contact_name: Set(d.contact_name),
                status: Set(d.status),
                created_at: Set(now),
                updated_at: Set(now),
            });
        }
        need::Entity::insert_many(rows).exec(db).await?;
        i += n;
    }
    Ok(())
}
