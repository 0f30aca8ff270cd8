//! Impersonation (HS256) verification in the core, with the verified-token cache off: the work
//! behind Node's `verifySync` and Python's `verify_cached` of a new token: the Rust figure of the
//! HS256 row of `make bench-compare`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use incidentfox_auth_benches::impersonation_fixture;
use std::hint::black_box;

fn impersonation(c: &mut Criterion) {
    let (verifier, token, now) = impersonation_fixture();
    // The group and name match verify.rs's rows, so `make bench-compare` reads this as the Rust
    // figure of the HS256 row (an impersonation token of the config service's claims).
    let mut group = c.benchmark_group("HS256");
    group.bench_function("incidentfox-auth verify", |b| {
        b.iter(|| verifier.verify_cached_at(black_box(&token), now).unwrap())
    });
    group.finish();
}

criterion_group!(benches, impersonation);
criterion_main!(benches);
