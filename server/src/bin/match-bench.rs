//! `match-bench`: top-20 latency of `matchesForNeed` over a store made by `transferhub generate`
//! and indexed by `transferhub reindex`, in process (no HTTP), plus the background recompute cost
//! per changed record. Needs come from the development set (real listing text and codes).
//! Run through `bench/matching.sh`, which builds the store; figures go to BENCHMARKS.md.
//!
//! `match-bench DEVSET.json ROUNDS` with `DATABASE_URL` and `TRANSFERHUB_STORAGE__DATA_DIR` set.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::time::Instant;
use transferhub_schema::entity::{achievement, match_outbox, need, organisation};
use transferhub_schema::enums::{NeedStatus, TransferMode};
use transferhub_server::app::config::Config;
use transferhub_server::matching::{eval, recompute, Matching};
use transferhub_server::search::Search;

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("match-bench: {e}");
        std::process::exit(2);
    }
}

async fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .cloned()
        .unwrap_or_else(|| "tests/fixtures/matching_dev.json".into());
    let rounds: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    let config = Config::load(None).map_err(|e| e.to_string())?;
    let db = transferhub_server::db::connect(&config)
        .await
        .map_err(|e| e.to_string())?;
    transferhub_server::db::migrate(&db)
        .await
        .map_err(|e| e.to_string())?;
    let search = Search::open(db.clone(), &config).map_err(|e| e.to_string())?;
    let docs = search.index().count().await.map_err(|e| e.to_string())?;
    let matching = Matching::new(db.clone(), search.clone(), config.matching.clone());
    let set = eval::load(std::path::Path::new(&path)).map_err(|e| e.message())?;
    let org = organisation::Entity::find()
        .one(&db)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the store has no organisation; run `transferhub generate` first")?;
    let now = Utc::now();
    let needs: Vec<need::Model> = set
        .needs
        .iter()
        .enumerate()
        .map(|(i, n)| need::Model {
            id: -(i as i64) - 1,
            organisation_id: org.id,
            title: n.title.clone(),
            title_en: None,
            description: n.description.clone(),
            keywords: serde_json::to_string(&n.keywords).unwrap_or_default(),
            industry_code: n.industry.clone(),
            industry_section: n.industry.as_ref().map(|c| c.chars().take(1).collect()),
            industry_division: n.industry.as_ref().map(|c| c.chars().take(3).collect()),
            industry_group: n.industry.as_ref().map(|c| c.chars().take(4).collect()),
            ipc_codes: serde_json::to_string(&n.ipc).unwrap_or_default(),
            required_trl: n.required_trl,
            transfer_modes: TransferMode::mask(&n.modes),
            budget_min_yuan: None,
            budget_max_yuan: n.budget_max,
            region_code: n.region.clone(),
            deadline: None,
            contact_name: None,
            status: NeedStatus::Open,
            created_at: now,
            updated_at: now,
        })
        .collect();
    // Warm-up: one pass, untimed (page cache, segmenter).
    for n in &needs {
        matching
            .matcher
            .for_need(n, 20)
            .await
            .map_err(|e| e.message())?;
    }
    let mut lat = Vec::new();
    let mut returned = 0usize;
    for _ in 0..rounds {
        for n in &needs {
            let t = Instant::now();
            let r = matching
                .matcher
                .for_need(n, 20)
                .await
                .map_err(|e| e.message())?;
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
            returned += r.matches.len();
        }
    }
    lat.sort_by(f64::total_cmp);
    println!(
        "RESULT matches_for_need documents={docs} queries={} top=20 p50_ms={:.2} p90_ms={:.2} p99_ms={:.2} max_ms={:.2} mean_returned={:.1}",
        lat.len(),
        pct(&lat, 0.5),
        pct(&lat, 0.9),
        pct(&lat, 0.99),
        lat.last().copied().unwrap_or(0.0),
        returned as f64 / lat.len().max(1) as f64
    );
    // Background recompute: the dev-set needs inserted as real open needs, plus the same
    // number of existing achievements marked changed; the worker's batches are timed.
    match_outbox::Entity::delete_many()
        .exec(&db)
        .await
        .map_err(|e| e.to_string())?;
    let mut need_ids = Vec::new();
    for n in &needs {
        let mut m: need::ActiveModel = n.clone().into();
        m.id = sea_orm::ActiveValue::NotSet;
        let saved = m.insert(&db).await.map_err(|e| e.to_string())?;
        need_ids.push(saved.id);
    }
    transferhub_server::changes::need_changed(&db, &need_ids)
        .await
        .map_err(|e| e.to_string())?;
    let t = Instant::now();
    let mut records = 0;
    loop {
        let r = recompute::drain_once(&matching, 50)
            .await
            .map_err(|e| e.message())?;
        if r.rows == 0 {
            break;
        }
        records += r.records;
    }
    let need_ms = t.elapsed().as_secs_f64() * 1000.0 / records.max(1) as f64;
    let ach_ids: Vec<i64> = achievement::Entity::find()
        .select_only()
        .column(achievement::Column::Id)
        .order_by_desc(achievement::Column::Id)
        .limit(needs.len() as u64)
        .into_tuple()
        .all(&db)
        .await
        .map_err(|e| e.to_string())?;
    transferhub_server::changes::achievement_changed(&db, &ach_ids)
        .await
        .map_err(|e| e.to_string())?;
    let open = need::Entity::find()
        .select_only()
        .column(need::Column::Id)
        .into_tuple::<i64>()
        .all(&db)
        .await
        .map_err(|e| e.to_string())?
        .len();
    let t = Instant::now();
    let mut arecords = 0;
    loop {
        let r = recompute::drain_once(&matching, 50)
            .await
            .map_err(|e| e.message())?;
        if r.rows == 0 {
            break;
        }
        arecords += r.records;
    }
    let ach_ms = t.elapsed().as_secs_f64() * 1000.0 / arecords.max(1) as f64;
    println!(
        "RESULT recompute changed_needs={records} ms_per_need={need_ms:.2} changed_achievements={arecords} ms_per_achievement={ach_ms:.2} open_needs={open}"
    );
    // Leave the store as found.
    need::Entity::delete_many()
        .filter(sea_orm::ColumnTrait::is_in(&need::Column::Id, need_ids))
        .exec(&db)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}
