//! Strict JSON for token headers, claims and key sets.
//!
//! `serde_json` keeps the last of two members with the same name; two parsers disagreeing on which
//! one counts is a classic confusion attack, so duplicates are an error here. Nesting is capped so
//! that a small token cannot make the parser recurse deeply.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

/// Deepest nesting accepted: the outer object is level 1.
pub const MAX_DEPTH: usize = 32;

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// Not valid JSON (or not UTF-8).
    Syntax,
    /// A member name appears twice in one object.
    DuplicateMember(String),
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Valid JSON, but not an object.
    NotAnObject,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonError::Syntax => f.write_str("is not valid json"),
            JsonError::DuplicateMember(name) => {
                write!(f, "has a duplicate member `{}`", crate::text::clip(name))
            }
            JsonError::TooDeep => write!(f, "is nested deeper than {MAX_DEPTH} levels"),
            JsonError::NotAnObject => f.write_str("is not a json object"),
        }
    }
}

/// Parses `bytes` as one JSON object under the strict rules.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, JsonError> {
    match parse_value(bytes)? {
        Value::Object(map) => Ok(map),
        _ => Err(JsonError::NotAnObject),
    }
}

/// Parses `bytes` as any JSON value under the strict rules.
pub fn parse_value(bytes: &[u8]) -> Result<Value, JsonError> {
    strictly(bytes, |deserializer, failure| {
        StrictSeed { depth: 0, failure }.deserialize(deserializer)
    })
}

type SliceDeserializer<'de> = serde_json::Deserializer<serde_json::de::SliceRead<'de>>;

/// Runs `parse` over `bytes`: the rule that failed, when one did, is the error (serde's own error
/// can only carry a string); then any other parse error or input left after the value is a
/// syntax error.
fn strictly<'de, T>(
    bytes: &'de [u8],
    parse: impl FnOnce(&mut SliceDeserializer<'de>, &mut Option<JsonError>) -> serde_json::Result<T>,
) -> Result<T, JsonError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let mut failure = None;
    let parsed = parse(&mut deserializer, &mut failure);
    match (parsed, failure) {
        (_, Some(failure)) => Err(failure),
        (Err(_), None) => Err(JsonError::Syntax),
        (Ok(parsed), None) => {
            deserializer.end().map_err(|_| JsonError::Syntax)?;
            Ok(parsed)
        }
    }
}

/// One member of an object: its name, borrowed from the document unless it holds an escape.
pub type Member<'a> = (Cow<'a, str>, Value);

/// Parses `bytes` as one JSON object under the strict rules, like [`parse_object`] and with the
/// same verdict and error for every input, but keeps the members in document order without
/// building a map: no name is copied or hashed. For checks that read a claim set once.
pub fn parse_members(bytes: &[u8]) -> Result<Vec<Member<'_>>, JsonError> {
    let starts_an_object = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if !starts_an_object {
        // Not an object, or not JSON: whichever error the map parser gives.
        return Err(parse_object(bytes).err().unwrap_or(JsonError::NotAnObject));
    }
    strictly(bytes, |deserializer, failure| {
        TopLevel { failure }.deserialize(deserializer)
    })
}

/// Up to this many members, a duplicate is found by comparing with each earlier name, which for
/// a claim set's dozen members is cheaper than hashing; past it, a set of the names takes over.
const SCAN_LIMIT: usize = 16;

/// The outer object of [`parse_members`]: the same rules as [`StrictSeed`]'s `visit_map` (a
/// duplicate is refused before its value is read), its values parsed by [`StrictSeed`] itself.
struct TopLevel<'a> {
    failure: &'a mut Option<JsonError>,
}

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = Vec<Member<'de>>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = Vec<Member<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut outer = StrictSeed {
            depth: 0,
            failure: self.failure,
        };
        let mut inside = outer.enter()?;
        let mut members: Vec<Member<'de>> = Vec::with_capacity(12);
        let mut names: Option<HashSet<Cow<'de, str>>> = None;
        while let Some(name) = map.next_key_seed(Name)? {
            let duplicate = match &mut names {
                Some(names) => !names.insert(name.clone()),
                None => members.iter().any(|(seen, _)| *seen == name),
            };
            if duplicate {
                *inside.failure = Some(JsonError::DuplicateMember(name.into_owned()));
                return Err(de::Error::custom("duplicate member"));
            }
            let value = map.next_value_seed(inside.child())?;
            members.push((name, value));
            if names.is_none() && members.len() >= SCAN_LIMIT {
                names = Some(members.iter().map(|(n, _)| n.clone()).collect());
            }
        }
        Ok(members)
    }
}

/// A member name, borrowed when the document holds it without escapes.
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// Builds a `Value` while enforcing the rules; the precise failure is left in `failure` because
/// serde's error type can only carry a string.
struct StrictSeed<'a> {
    depth: usize,
    failure: &'a mut Option<JsonError>,
}

impl<'de> DeserializeSeed<'de> for StrictSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl StrictSeed<'_> {
    /// Enters a container: every array or object counts one level, empty or not.
    fn enter<E: de::Error>(&mut self) -> Result<StrictSeed<'_>, E> {
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            *self.failure = Some(JsonError::TooDeep);
            return Err(E::custom("too deep"));
        }
        Ok(StrictSeed {
            depth,
            failure: self.failure,
        })
    }

    /// A seed for a child value at the same container depth.
    fn child(&mut self) -> StrictSeed<'_> {
        StrictSeed {
            depth: self.depth,
            failure: self.failure,
        }
    }
}

impl<'de> Visitor<'de> for StrictSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Value, A::Error> {
        let mut inside = self.enter()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(inside.child())? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Value, A::Error> {
        let mut inside = self.enter()?;
        // Claim sets and JWKs have about this many members; growing from zero reallocates thrice.
        let mut members = Map::with_capacity(8);
        while let Some(name) = map.next_key::<String>()? {
            // One hash lookup both finds a duplicate and reserves the slot.
            match members.entry(name) {
                serde_json::map::Entry::Occupied(taken) => {
                    *inside.failure = Some(JsonError::DuplicateMember(taken.key().clone()));
                    return Err(de::Error::custom("duplicate member"));
                }
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(map.next_value_seed(inside.child())?);
                }
            }
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_objects() {
        let map = parse_object(br#"{"a":1,"b":[true,null,"x",1.5]}"#);
        assert!(map.is_ok_and(|m| m.len() == 2));
    }

    #[test]
    fn rejects_duplicates_at_any_depth() {
        assert_eq!(
            parse_object(br#"{"a":1,"a":2}"#),
            Err(JsonError::DuplicateMember("a".into()))
        );
        assert_eq!(
            parse_object(br#"{"x":{"b":1,"b":1}}"#),
            Err(JsonError::DuplicateMember("b".into()))
        );
    }

    #[test]
    fn caps_nesting() {
        let ok = format!("{}{}", "[".repeat(31), "]".repeat(31));
        let ok = format!("{{\"a\":{ok}}}");
        assert!(parse_object(ok.as_bytes()).is_ok());
        let deep = format!("{}{}", "[".repeat(32), "]".repeat(32));
        let deep = format!("{{\"a\":{deep}}}");
        assert_eq!(parse_object(deep.as_bytes()), Err(JsonError::TooDeep));
        // Empty objects count as a level too.
        let objects = format!("{}{{}}{}", "{\"a\":".repeat(32), "}".repeat(32));
        assert_eq!(parse_object(objects.as_bytes()), Err(JsonError::TooDeep));
        let objects = format!("{}{{}}{}", "{\"a\":".repeat(31), "}".repeat(31));
        assert!(parse_object(objects.as_bytes()).is_ok());
    }

    /// `parse_members` must give `parse_object`'s verdict, error and members for every input.
    fn agree(bytes: &[u8]) -> std::result::Result<(), String> {
        match (parse_object(bytes), parse_members(bytes)) {
            (Ok(map), Ok(members)) => {
                let from_map: Vec<(&str, &Value)> =
                    map.iter().map(|(k, v)| (k.as_str(), v)).collect();
                let listed: Vec<(&str, &Value)> =
                    members.iter().map(|(k, v)| (k.as_ref(), v)).collect();
                if from_map == listed {
                    Ok(())
                } else {
                    Err(format!("members differ: {from_map:?} against {listed:?}"))
                }
            }
            (Err(a), Err(b)) if a == b => Ok(()),
            (a, b) => Err(format!("map parser {a:?}, member parser {b:?}")),
        }
    }

    #[test]
    fn members_agree_with_the_map_parser_on_chosen_cases() {
        let cases: &[&[u8]] = &[
            br#"{"a":1,"b":[true,null,"x",1.5],"c":{"d":{}}}"#,
            br#"{"a":1,"\u0061":2}"#,
            br#"{"a\"b":1,"a\"b":2}"#,
            br#"{"a":1,"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
            br#"{"x":{"b":1,"b":1}}"#,
            br#" {} "#,
            br#"{} x"#,
            br#"[1,{"a":1,"a":2}]"#,
            br#"[1]"#,
            b"",
            b"   ",
            b"{\"a\":\xff}",
            b"{\"a\":1e999}",
            br#"{"a":1,}"#,
            br#"{"a":1"#,
        ];
        for case in cases {
            assert_eq!(agree(case), Ok(()), "{}", String::from_utf8_lossy(case));
        }
        let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        let wide = format!("{{{}}}", many.join(","));
        assert_eq!(agree(wide.as_bytes()), Ok(()));
        let repeated = format!("{{{},\"k3\":0}}", many.join(","));
        assert_eq!(
            parse_members(repeated.as_bytes()),
            Err(JsonError::DuplicateMember("k3".into()))
        );
    }

    proptest::proptest! {
        #[test]
        fn members_agree_with_the_map_parser_on_any_text(text in r#"[ {}\[\]":,ab1\\u0061.eE+-]{0,48}"#) {
            proptest::prop_assert_eq!(agree(text.as_bytes()), Ok(()));
        }

        #[test]
        fn members_agree_with_the_map_parser_on_objects(
            members in proptest::collection::vec((r#"(a|b|\\u0061|c\\"|k[0-9]{1,2})"#, "(1|\"s\"|\\[1,2\\]|\\{\"a\":1,\"a\":2\\}|null|-0.5e3)"), 0..40),
        ) {
            let body: Vec<String> = members.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let text = format!("{{{}}}", body.join(","));
            proptest::prop_assert_eq!(agree(text.as_bytes()), Ok(()));
        }
    }

    #[test]
    fn rejects_non_objects_and_trailing_garbage() {
        assert_eq!(parse_object(b"[1]"), Err(JsonError::NotAnObject));
        assert_eq!(parse_object(b"{} x"), Err(JsonError::Syntax));
        assert_eq!(parse_object(b"{\"a\":\xff}"), Err(JsonError::Syntax));
    }
}
