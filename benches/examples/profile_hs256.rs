//! A loop of impersonation (HS256) verifications for a profiler: `perf record` this binary.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use incidentfox_auth_benches::impersonation_fixture;
use std::hint::black_box;

fn main() {
    let (verifier, token, now) = impersonation_fixture();
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        black_box(verifier.verify_cached_at(black_box(&token), now).unwrap());
    }
    let per = started.elapsed().as_secs_f64() / rounds as f64;
    println!("{:.3} µs per verification", per * 1e6);
}
