#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The shared permission and RBAC vectors (`testdata/vectors/permissions.json`, `rbac.json`),
//! also run by the Python and Node suites.

use incidentfox_auth::config::FromEnv;
use incidentfox_auth::rbac::{GrantSource, Grants, RbacPolicy, RouteTable};
use incidentfox_auth::{AuthKind, ErrorCode, Permission, PermissionSet, Principal, Role};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

#[path = "support/vectors.rs"]
mod vectors;

/// Fewest cases each file must hold, so that an emptied or truncated file fails.
const MIN_PERMISSION_CASES: usize = 70;
const MIN_RBAC_CASES: usize = 20;

/// The cases under `key`, checking that each has a name not used before in the file.
fn cases<'a>(doc: &'a Value, file: &str, key: &str, names: &mut HashSet<String>) -> &'a [Value] {
    let list = doc[key]
        .as_array()
        .unwrap_or_else(|| panic!("{file}: `{key}` must be a list"));
    for case in list {
        let name = case["name"]
            .as_str()
            .unwrap_or_else(|| panic!("{file}: a `{key}` case has no name: {case}"));
        assert!(
            names.insert(name.to_owned()),
            "{file}: duplicate case name `{name}`"
        );
    }
    list
}

fn string(case: &Value, key: &str) -> String {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("case `{}`: `{key}` must be a string", case["name"]))
        .to_owned()
}

fn strings(case: &Value, key: &str) -> Vec<String> {
    case[key]
        .as_array()
        .unwrap_or_else(|| panic!("case `{}`: `{key}` must be a list", case["name"]))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("case `{}`: `{key}` holds {v}", case["name"]))
                .to_owned()
        })
        .collect()
}

fn env(case: &Value) -> HashMap<String, String> {
    case["env"]
        .as_object()
        .unwrap_or_else(|| panic!("case `{}`: `env` must be an object", case["name"]))
        .iter()
        .map(|(k, v)| {
            let v = v
                .as_str()
                .unwrap_or_else(|| panic!("case `{}`: env `{k}` must be a string", case["name"]));
            (k.clone(), v.to_owned())
        })
        .collect()
}

fn permission(name: &str, value: &str) -> Permission {
    Permission::parse(value).unwrap_or_else(|e| panic!("case `{name}`: `{value}`: {e}"))
}

/// Runs every case, collecting failures so that one run reports all of them.
fn run(cases: &[Value], check: impl Fn(&Value) -> Result<(), String>) -> Vec<String> {
    cases
        .iter()
        .filter_map(|case| {
            check(case)
                .err()
                .map(|why| format!("`{}`: {why}", case["name"].as_str().unwrap_or("?")))
        })
        .collect()
}

fn parse_case(case: &Value) -> Result<(), String> {
    let value = string(case, "permission");
    let valid = case["valid"].as_bool().expect("`valid` must be a boolean");
    match (Permission::parse(&value), valid) {
        (Ok(_), true) => Ok(()),
        (Err(e), false) if e.code() == ErrorCode::InvalidPermission => Ok(()),
        (Err(e), false) => Err(format!("expected invalid_permission, got {}", e.code())),
        (Ok(_), false) => Err("accepted, expected invalid".to_owned()),
        (Err(e), true) => Err(format!("rejected, expected valid: {e}")),
    }
}

fn match_case(case: &Value) -> Result<(), String> {
    let name = string(case, "name");
    let grants: Vec<Permission> = strings(case, "grants")
        .iter()
        .map(|g| permission(&name, g))
        .collect();
    let required = permission(&name, &string(case, "required"));
    let allowed = case["allowed"]
        .as_bool()
        .expect("`allowed` must be a boolean");
    let expected = case["matched_grant"].as_str();
    if allowed != expected.is_some() {
        return Err("`allowed` and `matched_grant` disagree in the vector".to_owned());
    }
    let set = PermissionSet::new(grants.iter().cloned());
    let compiled = set.matching_grant(&required).map(Permission::as_str);
    // The plain reading of the rules must agree with the compiled set.
    let reference = grants
        .iter()
        .find(|g| g.grants(&required))
        .map(Permission::as_str);
    if compiled != expected || reference != expected || set.grants(&required) != allowed {
        return Err(format!(
            "expected {expected:?}, compiled set gave {compiled:?}, reference gave {reference:?}"
        ));
    }
    Ok(())
}

fn route_case(case: &Value) -> Result<(), String> {
    let name = string(case, "name");
    let (role, kind) = match string(case, "role").as_str() {
        "admin" => (Role::Admin, AuthKind::AdminToken),
        "team" => (Role::Team, AuthKind::TeamToken),
        other => panic!("case `{name}`: unknown role `{other}`"),
    };
    let grants = strings(case, "grants")
        .iter()
        .map(|g| permission(&name, g))
        .collect::<Vec<_>>();
    let principal = Principal::new(
        role,
        kind,
        true,
        Grants::from_source(grants, GrantSource::Explicit),
    );
    let outcome = RouteTable::from_env_source(&env(case))
        .and_then(|table| table.authorize(&principal, &string(case, "route")));
    let got = match outcome {
        Ok(decision) => decision.to_json(),
        Err(e) => json!({ "error": e.code().to_string() }),
    };
    if got == case["expect"] {
        Ok(())
    } else {
        Err(format!("expected {}, got {got}", case["expect"]))
    }
}

fn rbac_case(case: &Value) -> Result<(), String> {
    let expect = &case["expect"];
    let outcome = RbacPolicy::from_env_source(&env(case));
    match (outcome, expect["error"].as_str()) {
        (Ok(policy), None) => {
            let grants = policy.resolve(&strings(case, "groups"));
            let permissions: Vec<&str> = grants.permissions().iter().map(|p| p.as_str()).collect();
            let sources: Vec<String> = grants.iter().map(|(_, s)| s.to_string()).collect();
            let got = json!({ "permissions": permissions, "sources": sources });
            if &got == expect {
                Ok(())
            } else {
                Err(format!("expected {expect}, got {got}"))
            }
        }
        (Ok(policy), Some(code)) => Err(format!(
            "expected {code}, got a policy granting {:?}",
            policy.defaults()
        )),
        (Err(e), None) => Err(format!("expected a policy, got {}: {}", e.code(), e)),
        (Err(e), Some(code)) => {
            if e.code().to_string() != code {
                return Err(format!(
                    "expected {code}, got {}: {}",
                    e.code(),
                    e.message()
                ));
            }
            let missing: Vec<String> = strings(expect, "message_contains")
                .into_iter()
                .filter(|needle| !e.message().contains(needle.as_str()))
                .collect();
            if missing.is_empty() {
                Ok(())
            } else {
                Err(format!("message lacks {missing:?}: {}", e.message()))
            }
        }
    }
}

fn report(file: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{file}: {} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn permission_vectors() {
    let file = "permissions.json";
    let doc = vectors::load(file);
    let mut names = HashSet::new();
    let parse = cases(&doc, file, "parse", &mut names);
    let matching = cases(&doc, file, "match", &mut names);
    let routes = cases(&doc, file, "routes", &mut names);
    let total = parse.len() + matching.len() + routes.len();
    assert!(
        total >= MIN_PERMISSION_CASES,
        "{file}: {total} cases, expected at least {MIN_PERMISSION_CASES}"
    );
    for (key, list) in [("parse", parse), ("match", matching), ("routes", routes)] {
        assert!(!list.is_empty(), "{file}: `{key}` has no case");
    }
    let mut failures = run(parse, parse_case);
    failures.extend(run(matching, match_case));
    failures.extend(run(routes, route_case));
    report(file, &failures);
}

#[test]
fn rbac_vectors() {
    let file = "rbac.json";
    let doc = vectors::load(file);
    let list = cases(&doc, file, "cases", &mut HashSet::new());
    assert!(
        list.len() >= MIN_RBAC_CASES,
        "{file}: {} cases, expected at least {MIN_RBAC_CASES}",
        list.len()
    );
    report(file, &run(list, rbac_case));
}
