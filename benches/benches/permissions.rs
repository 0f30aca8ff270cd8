//! `PermissionSet::grants` on sets of 5, 50 and 500 grants with wildcards: the time per check
//! should not grow with the number of grants.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use incidentfox_auth::{Permission, PermissionSet};
use std::hint::black_box;

/// `size` grants shaped like real ones: literals, trailing and middle wildcards.
fn grants(size: usize) -> PermissionSet {
    let list = (0..size).map(|i| match i % 5 {
        0 => format!("svc{i}:read"),
        1 => format!("svc{i}:*"),
        2 => format!("team:t{i}:*:read"),
        3 => format!("admin:area{i}:write"),
        _ => format!("org:o{i}:team:*"),
    });
    PermissionSet::parse(list.chain(["admin:provision".to_owned()])).unwrap()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("grants");
    let required = [
        ("literal hit", Permission::parse("admin:provision").unwrap()),
        (
            "wildcard hit",
            Permission::parse("svc1:deploy:prod").unwrap(),
        ),
        ("miss", Permission::parse("admin:provision:read").unwrap()),
    ];
    for size in [5, 50, 500] {
        let set = grants(size);
        for (name, permission) in &required {
            group.bench_with_input(BenchmarkId::new(*name, size), permission, |b, p| {
                b.iter(|| black_box(&set).grants(black_box(p)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
