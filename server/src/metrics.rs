//! Prometheus text metrics for `/metrics`: request counts by route and status, and a latency
//! histogram. Kept in-process with atomics and one small map; no exporter dependency needed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

const BUCKETS_MS: [u64; 10] = [1, 2, 5, 10, 20, 50, 100, 250, 1000, 5000];

/// Counters shared by the request middleware.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    buckets: [AtomicU64; BUCKETS_MS.len()],
    count: AtomicU64,
    sum_us: AtomicU64,
}

impl Metrics {
    /// Records one finished request.
    pub fn observe(&self, route: &str, status: u16, elapsed: Duration) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((route.to_string(), status)).or_default() += 1;
        }
        let ms = elapsed.as_millis() as u64;
        for (i, b) in BUCKETS_MS.iter().enumerate() {
            if ms <= *b {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_us
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    /// Renders the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::from(
            "# HELP transferhub_http_requests_total HTTP requests by route and status.\n\
             # TYPE transferhub_http_requests_total counter\n",
        );
        if let Ok(m) = self.requests.lock() {
            for ((route, status), n) in m.iter() {
                out.push_str(&format!(
                    "transferhub_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}\n"
                ));
            }
        }
        out.push_str(
            "# HELP transferhub_http_request_duration_seconds HTTP request latency.\n\
             # TYPE transferhub_http_request_duration_seconds histogram\n",
        );
        for (i, b) in BUCKETS_MS.iter().enumerate() {
            out.push_str(&format!(
                "transferhub_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                *b as f64 / 1000.0,
                self.buckets[i].load(Ordering::Relaxed)
            ));
        }
        let count = self.count.load(Ordering::Relaxed);
        out.push_str(&format!(
            "transferhub_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}\n\
             transferhub_http_request_duration_seconds_sum {}\n\
             transferhub_http_request_duration_seconds_count {count}\n",
            self.sum_us.load(Ordering::Relaxed) as f64 / 1e6
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_cumulative_buckets() {
        let m = Metrics::default();
        m.observe("/graphql", 200, Duration::from_millis(3));
        m.observe("/graphql", 200, Duration::from_millis(30));
        let text = m.render();
        assert!(
            text.contains("route=\"/graphql\",status=\"200\"} 2"),
            "{text}"
        );
        assert!(text.contains("le=\"0.005\"} 1"), "{text}");
        assert!(text.contains("le=\"0.05\"} 2"), "{text}");
        assert!(text.contains("_count 2"), "{text}");
    }
}
