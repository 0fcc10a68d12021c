//! A short-lived cache of the catalog's `totalCount` results. Counting tens of thousands of index
//! entries per listing request dominates latency at national scale; listings repeat the same few
//! filters, so a count is reused for a few seconds. Every committed change
//! ([`super::committed`]) bumps a generation and so empties the cache, so a user never sees their
//! own change missing from a total. On PostgreSQL the change is also announced to the other
//! replicas (`LISTEN/NOTIFY`, channel [`crate::cluster::notify::CATALOG_CHANGED`]), which bump
//! theirs when it arrives; the TTL only bounds how long a lost notification can leave a stale
//! count.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

/// How long a count is reused.
pub const TTL: Duration = Duration::from_secs(10);
const MAX_ENTRIES: usize = 4096;

static GENERATION: AtomicU64 = AtomicU64::new(0);
/// Cached counts by query: (generation, computed at, count).
type Entries = HashMap<String, (u64, Instant, u64)>;

static ENTRIES: LazyLock<Mutex<Entries>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// Empties this process's cache (after every committed change, and when another replica says it
/// committed one).
pub fn invalidate() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// A cached count for `key`, if fresh.
pub fn get(key: &str) -> Option<u64> {
    let generation = GENERATION.load(Ordering::SeqCst);
    let map = ENTRIES.lock().ok()?;
    match map.get(key) {
        Some((g, at, n)) if *g == generation && at.elapsed() < TTL => Some(*n),
        _ => None,
    }
}

/// Stores a count computed at `generation` (read before counting, so a write during the
/// count makes the entry stale at once).
pub fn put(key: String, generation: u64, count: u64) {
    if let Ok(mut map) = ENTRIES.lock() {
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, (g, at, _)| *g == generation && at.elapsed() < TTL);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(key, (generation, Instant::now(), count));
    }
}

/// The current generation.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_invalidate_cached_counts() {
        let g = generation();
        put("k-test".into(), g, 7);
        assert_eq!(get("k-test"), Some(7));
        invalidate();
        assert_eq!(get("k-test"), None);
        put("k-test".into(), g, 9);
        assert_eq!(
            get("k-test"),
            None,
            "a count from an older generation is stale"
        );
    }
}
