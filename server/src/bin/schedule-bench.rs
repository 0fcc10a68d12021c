//! Runs the meeting scheduler on an instance in JSON (the format of
//! `transferhub_server::events::scheduler::Instance`) and prints the result as JSON: total
//! priority, placed/unplaced counts, a simple upper bound, and timings over several runs. The
//! schedule is verified before anything is printed. Used by `bench/schedule/run.sh`.

use std::time::Instant;
use transferhub_server::events::scheduler::{schedule, Instance};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: schedule-bench INSTANCE.json [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = std::env::args()
        .nth(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    let inst: Instance = match serde_json::from_str(&text) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{path} is not a scheduler instance: {e}");
            std::process::exit(2);
        }
    };
    let mut times = Vec::new();
    let mut result = None;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let s = match schedule(&inst) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("invalid instance: {e}");
                std::process::exit(2);
            }
        };
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        result = Some(s);
    }
    let Some(s) = result else { return };
    if let Err(e) = s.verify(&inst) {
        eprintln!("infeasible schedule: {e}");
        std::process::exit(1);
    }
    times.sort_by(f64::total_cmp);
    let out = serde_json::json!({
        "total_priority": s.total_priority,
        "placed": s.placements.iter().flatten().count(),
        "unplaced": s.unplaced.len(),
        "upper_bound": inst.upper_bound(),
        "median_ms": times[times.len() / 2],
        "max_ms": times[times.len() - 1],
        "runs": times.len(),
        "verified": true,
    });
    println!("{out}");
}
