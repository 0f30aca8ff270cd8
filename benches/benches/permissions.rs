//! `PermissionSet::grants` on sets of 5, 50 and 500 grants with wildcards: the time per check
//! should not grow with the number of grants. And building grants: de-duplicating and resolving
//! 1,000 and 10,000 grants should grow linearly, and a repeat resolution of the same group list
//! should cost a lookup.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use incidentfox_auth::rbac::GroupMap;
use incidentfox_auth::{GrantSource, Grants, Permission, PermissionSet, RbacPolicy};
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

/// `size` distinct grants spread over 20 groups that overlap by half, so resolution also drops
/// about as many repeats as it keeps; the admin is in every group.
fn policy(size: usize) -> (RbacPolicy, Vec<String>) {
    let all: Vec<Permission> = (0..size)
        .map(|i| Permission::parse(&format!("svc{}:area{i}:*", i % 97)).unwrap())
        .collect();
    let per_group = size / 10;
    let map = (0..20).map(|g| {
        let start = (g * per_group / 2) % size;
        let slice: Vec<Permission> = (0..per_group)
            .map(|i| all[(start + i) % size].clone())
            .collect();
        (format!("group-{g}"), slice)
    });
    let groups = (0..20).map(|g| format!("group-{g}")).collect();
    (
        RbacPolicy::new(
            vec![Permission::parse("admin:*").unwrap()],
            GroupMap::new(map),
        ),
        groups,
    )
}

fn build(c: &mut Criterion) {
    let mut group = c.benchmark_group("build");
    group.sample_size(20);
    for size in [1_000, 10_000] {
        // Every grant twice, from two sources: half of the input is repeats.
        let input: Vec<(Permission, GrantSource)> = (0..size)
            .map(|i| Permission::parse(&format!("svc{}:area{i}:*", i % 97)).unwrap())
            .flat_map(|p| {
                [
                    (p.clone(), GrantSource::Default),
                    (p, GrantSource::Group("sre".into())),
                ]
            })
            .collect();
        group.bench_with_input(BenchmarkId::new("dedupe", size), &input, |b, input| {
            b.iter(|| Grants::new(black_box(input).iter().cloned()))
        });
        let (policy, groups) = policy(size);
        group.bench_with_input(BenchmarkId::new("resolve", size), &groups, |b, groups| {
            b.iter(|| black_box(&policy).resolve_uncached(black_box(groups)))
        });
        policy.resolve(&groups);
        group.bench_with_input(
            BenchmarkId::new("resolve cached", size),
            &groups,
            |b, groups| b.iter(|| black_box(&policy).resolve(black_box(groups))),
        );
    }
    group.finish();
}

criterion_group!(benches, bench, build);
criterion_main!(benches);
