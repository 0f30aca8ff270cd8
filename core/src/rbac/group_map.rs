//! `ADMIN_GROUP_PERMISSIONS_JSON`: group → permissions, parsed strictly.
//!
//! The services fall back to `{}` when the JSON is invalid; with the default `admin:*` that
//! quietly leaves every admin a superuser while the operator believes groups restrict them. Here
//! every problem is reported at load, naming the group and the value.

use crate::config::split_csv;
use crate::jose::json::{parse_value, JsonError};
use crate::permissions::Permission;
use crate::text::clip;
use serde_json::Value;
use std::collections::HashMap;

/// The variable this map is read from.
pub const VARIABLE: &str = "ADMIN_GROUP_PERMISSIONS_JSON";

/// Groups mapped to the permissions they bring, in the order the document lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupMap {
    order: Vec<String>,
    permissions: HashMap<String, Vec<Permission>>,
}

impl GroupMap {
    /// Builds a map from parsed entries; a repeated group keeps its first entry.
    pub fn new(entries: impl IntoIterator<Item = (String, Vec<Permission>)>) -> GroupMap {
        let mut map = GroupMap::default();
        for (group, permissions) in entries {
            if !map.permissions.contains_key(&group) {
                map.order.push(group.clone());
                map.permissions.insert(group, permissions);
            }
        }
        map
    }

    /// Parses the JSON document; `Err` lists every problem, each naming the group and value.
    ///
    /// Values may be a list of permission strings or one CSV string (`"a:b, c:d"`).
    pub fn parse(document: &str) -> Result<GroupMap, Vec<String>> {
        let value = parse_value(document.as_bytes()).map_err(|e| {
            vec![match e {
                JsonError::Syntax => format!("{VARIABLE} is not valid json"),
                other => format!("{VARIABLE} {other}"),
            }]
        })?;
        let Value::Object(object) = value else {
            return Err(vec![format!(
                "{VARIABLE} must be a json object mapping groups to permissions, got {}",
                kind(&value)
            )]);
        };
        let mut problems = Vec::new();
        let mut entries = Vec::new();
        for (group, value) in &object {
            if group.trim().is_empty() {
                problems.push(format!("{VARIABLE} has an empty group name"));
                continue;
            }
            match group_permissions(group, value) {
                Ok(permissions) => entries.push((group.clone(), permissions)),
                Err(mut found) => problems.append(&mut found),
            }
        }
        if problems.is_empty() {
            Ok(GroupMap::new(entries))
        } else {
            Err(problems)
        }
    }

    /// The permissions `group` brings (empty when unmapped).
    pub fn permissions(&self, group: &str) -> &[Permission] {
        self.permissions.get(group).map_or(&[], Vec::as_slice)
    }

    /// The mapped groups, in document order.
    pub fn groups(&self) -> &[String] {
        &self.order
    }
}

fn group_permissions(group: &str, value: &Value) -> Result<Vec<Permission>, Vec<String>> {
    let group = clip(group);
    let mut problems = Vec::new();
    let items: Vec<String> = match value {
        Value::String(csv) => split_csv(csv),
        Value::Array(list) => list
            .iter()
            .filter_map(|item| match item {
                Value::String(s) => Some(s.clone()),
                other => {
                    problems.push(format!(
                        "{VARIABLE}: group `{group}` lists {} `{}`, which is not a permission string",
                        kind(other),
                        clip(&other.to_string())
                    ));
                    None
                }
            })
            .collect(),
        other => {
            return Err(vec![format!(
                "{VARIABLE}: group `{group}` maps to {} `{}`; expected a list of permissions or a csv string",
                kind(other),
                clip(&other.to_string())
            )])
        }
    };
    let mut permissions = Vec::new();
    for item in items {
        match Permission::parse(&item) {
            Ok(p) => permissions.push(p),
            Err(e) => problems.push(format!(
                "{VARIABLE}: group `{group}` value `{}`: {}",
                clip(&item),
                e.message()
            )),
        }
    }
    if problems.is_empty() {
        Ok(permissions)
    } else {
        Err(problems)
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_csv_strings() {
        let map = GroupMap::parse(r#"{"sre": ["admin:provision", "admin:agent:run"], "ops": " admin:read , ,admin:x:* "}"#)
            .unwrap_or_else(|e| unreachable!("{e:?}"));
        assert_eq!(map.permissions("sre").len(), 2);
        let ops: Vec<&str> = map
            .permissions("ops")
            .iter()
            .map(Permission::as_str)
            .collect();
        assert_eq!(ops, ["admin:read", "admin:x:*"]);
        assert!(map.permissions("nobody").is_empty());
        assert_eq!(map.groups(), ["sre", "ops"]);
    }

    #[test]
    fn every_problem_names_group_and_value() {
        let problems = GroupMap::parse(r#"{"sre": ["admin::x", 5], "ops": 7, "dev": "a b"}"#)
            .err()
            .unwrap_or_default();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems
            .iter()
            .any(|p| p.contains("`sre`") && p.contains("`admin::x`")));
        assert!(problems
            .iter()
            .any(|p| p.contains("`sre`") && p.contains("`5`")));
        assert!(problems
            .iter()
            .any(|p| p.contains("`ops`") && p.contains("`7`")));
        assert!(problems
            .iter()
            .any(|p| p.contains("`dev`") && p.contains("`a b`")));
    }

    #[test]
    fn refuses_what_the_services_silently_ignore() {
        for bad in [
            "",
            "not json",
            "[]",
            "\"admin:*\"",
            "null",
            r#"{"a": [], "a": []}"#,
            r#"{"": []}"#,
        ] {
            assert!(GroupMap::parse(bad).is_err(), "{bad}");
        }
        assert!(GroupMap::parse("{}").is_ok_and(|m| m.groups().is_empty()));
    }
}
