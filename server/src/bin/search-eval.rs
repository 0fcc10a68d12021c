//! `search-eval`: generates the labelled relevance set (`transferhub_server::evalset`), loads it
//! into a throwaway store and the hub's embedded index, and prints per-category nDCG@10,
//! recall@20, MRR and zero-result rates for the hub, plain BM25 over jieba words and SQLite FTS5
//! trigram, all computed in the same run, on the held-out part unless told otherwise.
//!
//! `cargo run --release -p transferhub-server --bin search-eval -- [--part heldout|tuning|all] [--seed N]
//! [--meilisearch URL]`: with `--meilisearch` (key from `MEILISEARCH_KEY`), the same set is also
//! loaded into a fresh index on that Meilisearch server and evaluated the same way, in the same run.

use std::sync::Arc;
use transferhub_server::evalset::{self, Part};
use transferhub_server::search::config::SearchConfig;
use transferhub_server::search::eval;
use transferhub_server::search::meili_backend::MeiliIndex;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut part = Part::HeldOut;
    let mut seed = evalset::SEED;
    let mut meili: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--part" => match args.next().as_deref().and_then(Part::parse) {
                Some(p) => part = p,
                None => usage(),
            },
            "--seed" => match args.next().and_then(|s| s.parse().ok()) {
                Some(s) => seed = s,
                None => usage(),
            },
            "--meilisearch" => match args.next() {
                Some(u) => meili = Some(u),
                None => usage(),
            },
            _ => usage(),
        }
    }
    if let Err(e) = run(part, seed, meili.as_deref()).await {
        eprintln!("search-eval: {e}");
        std::process::exit(1);
    }
}

fn usage() -> ! {
    eprintln!("usage: search-eval [--part heldout|tuning|all] [--seed N] [--meilisearch URL]");
    std::process::exit(2);
}

async fn run(part: Part, seed: u64, meili: Option<&str>) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let bench = eval::load_generated(dir.path(), seed)
        .await
        .map_err(|e| e.message())?;
    println!(
        "generated set seed {seed}: {} achievements, {} queries, {} needs; part {part:?}",
        bench.set.dev.achievements.len(),
        bench.set.queries.len(),
        bench.set.dev.needs.len()
    );
    let rows = bench.search(part).await.map_err(|e| e.message())?;
    println!("{}", eval::markdown("search (embedded index)", &rows));
    if let Some(url) = meili {
        let key = std::env::var("MEILISEARCH_KEY").unwrap_or_default();
        // A fresh index per run: nothing left from an earlier run can count.
        let uid = format!("search_eval_{}_{}", seed, std::process::id());
        let index = MeiliIndex::new(url, &key, &uid, &SearchConfig::default().synonyms)
            .map_err(|e| e.to_string())?;
        let rows = bench
            .search_on(Arc::new(index), part)
            .await
            .map_err(|e| e.message())?;
        println!(
            "{}",
            eval::markdown(
                &format!("search (Meilisearch at {url}, index {uid})"),
                &rows
            )
        );
    }
    Ok(())
}
