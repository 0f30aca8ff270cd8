//! A loop of OIDC verifications for a profiler: `perf record` this binary. The first argument
//! is the algorithm (`RS256`, `ES256` or `EdDSA`), the second the number of rounds.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use incidentfox_auth::Algorithm;
use incidentfox_auth_benches::{oidc_fixture, OIDC_NOW};
use std::hint::black_box;

fn main() {
    let mut args = std::env::args().skip(1);
    let alg = Algorithm::parse_list(&[args.next().unwrap_or_else(|| "RS256".into())]).unwrap()[0];
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let (validator, token, _) = oidc_fixture(alg);
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        black_box(
            validator
                .verify_cached_at(black_box(&token), OIDC_NOW)
                .unwrap(),
        );
    }
    let per = started.elapsed().as_secs_f64() / rounds as f64;
    println!("{:.3} µs per verification", per * 1e6);
}
