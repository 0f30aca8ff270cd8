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
    strictly_over(serde_json::Deserializer::from_slice(bytes), parse)
}

/// [`strictly`] over any input.
fn strictly_over<'de, R: serde_json::de::Read<'de>, T>(
    mut deserializer: serde_json::Deserializer<R>,
    parse: impl FnOnce(
        &mut serde_json::Deserializer<R>,
        &mut Option<JsonError>,
    ) -> serde_json::Result<T>,
) -> Result<T, JsonError> {
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
/// duplicate is refused before its value is read, by [`Names::check`]), its values parsed by
/// [`StrictSeed`] itself.
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
        let depth = enter(0, self.failure)?;
        let mut members: Vec<Member<'de>> = Vec::with_capacity(12);
        Names::check(&mut map, self.failure, |map, name, failure| {
            let value = map.next_value_seed(StrictSeed { depth, failure })?;
            members.push((name.clone(), value));
            Ok(())
        })?;
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
        Ok(StrictSeed {
            depth: enter(self.depth, self.failure)?,
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
            // The map is itself the set of names seen: one hash lookup both finds a duplicate
            // and reserves the slot, where `Names::check` would look each name up twice.
            match members.entry(name) {
                serde_json::map::Entry::Occupied(taken) => {
                    return Err(duplicate_member(taken.key().clone(), inside.failure));
                }
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(map.next_value_seed(inside.child())?);
                }
            }
        }
        Ok(Value::Object(members))
    }
}

/// A member's value as the fixed-field readers keep it: scalars and strings (borrowed from the
/// document unless escaped) as they are, an array as its string items (`None` for any other
/// item), an object as only its kind. Whatever is not kept is still parsed under every rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Slot<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number, as `serde_json::Value::as_f64` would read it.
    Number(f64),
    /// A string.
    Str(Cow<'a, str>),
    /// An array: each item a string, or `None`.
    Array(Vec<Option<Cow<'a, str>>>),
    /// An object.
    Object,
}

/// The members a fixed-field reader keeps: `slot` names where a member's value goes, `None`
/// for a member that is only checked.
pub(crate) trait Fields<'de> {
    /// Where the value of the member `name` goes, if it is kept.
    fn slot(&mut self, name: &str) -> Option<&mut Option<Slot<'de>>>;
}

/// Parses `bytes` as one JSON object under the strict rules, with [`parse_object`]'s verdict and
/// error for every input, keeping only the members `fields` asks for: no map, no `Value`, and
/// no copy of a string that holds no escape.
pub(crate) fn parse_fields<'de, F: Fields<'de>>(
    bytes: &'de [u8],
    fields: &mut F,
) -> Result<(), JsonError> {
    let starts_an_object = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if !starts_an_object {
        return Err(parse_object(bytes).err().unwrap_or(JsonError::NotAnObject));
    }
    // A document that is UTF-8 as a whole is read as text: serde_json then skips the UTF-8
    // check of each string, which is all that differs between the two readers. Any other
    // document is read as bytes, so that the first rule it breaks is still the one reported.
    match std::str::from_utf8(bytes) {
        Ok(text) => strictly_over(serde_json::Deserializer::from_str(text), |d, failure| {
            FieldsSeed { fields, failure }.deserialize(d)
        }),
        Err(_) => strictly(bytes, |d, failure| {
            FieldsSeed { fields, failure }.deserialize(d)
        }),
    }
}

/// The outer object of [`parse_fields`]: [`TopLevel`]'s rules, with the values kept as
/// [`Slot`]s or only checked.
struct FieldsSeed<'f, 'a, F> {
    fields: &'f mut F,
    failure: &'a mut Option<JsonError>,
}

impl<'de, F: Fields<'de>> DeserializeSeed<'de> for FieldsSeed<'_, '_, F> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, F: Fields<'de>> Visitor<'de> for FieldsSeed<'_, '_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let depth = enter(0, self.failure)?;
        let fields = self.fields;
        Names::check(&mut map, self.failure, |map, name, failure| {
            match fields.slot(name) {
                Some(slot) => *slot = Some(map.next_value_seed(SlotSeed { depth, failure })?),
                None => map.next_value_seed(Checked { depth, failure })?,
            }
            Ok(())
        })
    }
}

/// The duplicate check of an object's member names, shared by every reader but the map
/// builder, whose map does the same.
struct Names;

impl Names {
    /// Reads every member of `map`: its name, refused when repeated before its value is read,
    /// then its value through `value`.
    fn check<'de, A: MapAccess<'de>>(
        map: &mut A,
        failure: &mut Option<JsonError>,
        mut value: impl FnMut(&mut A, &Cow<'de, str>, &mut Option<JsonError>) -> Result<(), A::Error>,
    ) -> Result<(), A::Error> {
        // The first names live on the stack: most objects have fewer, and need no allocation.
        let mut seen: [Cow<'de, str>; SCAN_LIMIT] = Default::default();
        let mut count = 0;
        let mut set: Option<HashSet<Cow<'de, str>>> = None;
        while let Some(name) = map.next_key_seed(Name)? {
            let duplicate = match &mut set {
                Some(set) => !set.insert(name.clone()),
                None => seen.iter().take(count).any(|s| *s == name),
            };
            if duplicate {
                return Err(duplicate_member(name.into_owned(), failure));
            }
            value(map, &name, failure)?;
            if set.is_none() {
                if let Some(slot) = seen.get_mut(count) {
                    *slot = name;
                    count += 1;
                }
                if count >= SCAN_LIMIT {
                    set = Some(seen.iter_mut().map(std::mem::take).collect());
                }
            }
        }
        Ok(())
    }
}

/// Refuses the member `name`, met twice in one object.
fn duplicate_member<E: de::Error>(name: String, failure: &mut Option<JsonError>) -> E {
    *failure = Some(JsonError::DuplicateMember(name));
    E::custom("duplicate member")
}

/// Enters a container one level below `depth`: every array or object counts one level.
fn enter<E: de::Error>(depth: usize, failure: &mut Option<JsonError>) -> Result<usize, E> {
    let depth = depth + 1;
    if depth > MAX_DEPTH {
        *failure = Some(JsonError::TooDeep);
        return Err(E::custom("too deep"));
    }
    Ok(depth)
}

/// A value parsed under [`StrictSeed`]'s rules and kept as a [`Slot`].
struct SlotSeed<'a> {
    depth: usize,
    failure: &'a mut Option<JsonError>,
}

impl<'de> DeserializeSeed<'de> for SlotSeed<'_> {
    type Value = Slot<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Slot<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SlotSeed<'_> {
    type Value = Slot<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Slot<'de>, E> {
        Ok(Slot::Bool)
    }
    fn visit_i64<E>(self, v: i64) -> Result<Slot<'de>, E> {
        Ok(Slot::Number(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Slot<'de>, E> {
        Ok(Slot::Number(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Slot<'de>, E> {
        finite(v).map(Slot::Number)
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Slot<'de>, E> {
        Ok(Slot::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Slot<'de>, E> {
        Ok(Slot::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Slot<'de>, E> {
        Ok(Slot::Str(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Slot<'de>, E> {
        Ok(Slot::Null)
    }
    fn visit_none<E>(self) -> Result<Slot<'de>, E> {
        Ok(Slot::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Slot<'de>, A::Error> {
        let depth = enter(self.depth, self.failure)?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Item {
            depth,
            failure: self.failure,
        })? {
            items.push(item);
        }
        Ok(Slot::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Slot<'de>, A::Error> {
        Checked {
            depth: self.depth,
            failure: self.failure,
        }
        .visit_map(map)
        .map(|()| Slot::Object)
    }
}

/// An item of an array kept as a [`Slot`]: the string it is, or `None` once checked.
struct Item<'a> {
    depth: usize,
    failure: &'a mut Option<JsonError>,
}

impl<'de> DeserializeSeed<'de> for Item<'_> {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Item<'_> {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        finite(v).map(|_| None)
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Checked {
            depth: self.depth,
            failure: self.failure,
        }
        .visit_seq(seq)
        .map(|()| None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Checked {
            depth: self.depth,
            failure: self.failure,
        }
        .visit_map(map)
        .map(|()| None)
    }
}

/// A value parsed under [`StrictSeed`]'s rules (strings, numbers, nesting, duplicates) and then
/// dropped: nothing is built.
struct Checked<'a> {
    depth: usize,
    failure: &'a mut Option<JsonError>,
}

impl<'de> DeserializeSeed<'de> for Checked<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        // `deserialize_any`, not `deserialize_ignored_any`: the latter skips strings without
        // the checks `StrictSeed` gets from parsing them.
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Checked<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        finite(v).map(|_| ())
    }
    fn visit_borrowed_str<E>(self, _: &'de str) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let depth = enter(self.depth, self.failure)?;
        while seq
            .next_element_seed(Checked {
                depth,
                failure: self.failure,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let depth = enter(self.depth, self.failure)?;
        Names::check(&mut map, self.failure, |map, _, failure| {
            map.next_value_seed(Checked { depth, failure })
        })
    }
}

/// `StrictSeed`'s number rule: a value `serde_json::Number` cannot hold is refused.
fn finite<E: de::Error>(v: f64) -> Result<f64, E> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(E::custom("non-finite number"))
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

    /// Keeps every member, to compare [`parse_fields`] with the map parser.
    #[derive(Default)]
    struct Everything<'a>(Vec<(String, Option<Slot<'a>>)>);

    impl<'a> Fields<'a> for Everything<'a> {
        fn slot(&mut self, name: &str) -> Option<&mut Option<Slot<'a>>> {
            self.0.push((name.to_owned(), None));
            self.0.last_mut().map(|(_, slot)| slot)
        }
    }

    /// Keeps only `a`, so that every other member goes through the checking-only reader.
    #[derive(Default)]
    struct OnlyA<'a>(Option<Slot<'a>>);

    impl<'a> Fields<'a> for OnlyA<'a> {
        fn slot(&mut self, name: &str) -> Option<&mut Option<Slot<'a>>> {
            (name == "a").then_some(&mut self.0)
        }
    }

    /// What a [`Slot`] must hold for a map parser's value.
    fn slot_of(value: &Value) -> Slot<'_> {
        match value {
            Value::Null => Slot::Null,
            Value::Bool(_) => Slot::Bool,
            Value::Number(n) => Slot::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Slot::Str(Cow::Borrowed(s)),
            Value::Array(items) => Slot::Array(
                items
                    .iter()
                    .map(|v| v.as_str().map(Cow::Borrowed))
                    .collect(),
            ),
            Value::Object(_) => Slot::Object,
        }
    }

    /// `parse_fields` must give `parse_object`'s verdict and error for every input, whichever
    /// members it keeps, and keep each member as the map holds it.
    fn fields_agree(bytes: &[u8]) -> std::result::Result<(), String> {
        let mut all = Everything::default();
        let mut only_a = OnlyA::default();
        let (kept, checked) = (
            parse_fields(bytes, &mut all),
            parse_fields(bytes, &mut only_a),
        );
        match (parse_object(bytes), kept, checked) {
            (Ok(map), Ok(()), Ok(())) => {
                let from_map: Vec<(&str, Option<Slot<'_>>)> = map
                    .iter()
                    .map(|(k, v)| (k.as_str(), Some(slot_of(v))))
                    .collect();
                let listed: Vec<(&str, Option<Slot<'_>>)> =
                    all.0.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                let a = map.get("a").map(slot_of);
                if from_map != listed {
                    Err(format!("members differ: {from_map:?} against {listed:?}"))
                } else if a != only_a.0 {
                    Err(format!("`a` differs: {a:?} against {:?}", only_a.0))
                } else {
                    Ok(())
                }
            }
            (Err(a), Err(b), Err(c)) if a == b && b == c => Ok(()),
            (a, b, c) => Err(format!(
                "map parser {a:?}, keeping everything {b:?}, keeping `a` {c:?}"
            )),
        }
    }

    #[test]
    fn fields_agree_with_the_map_parser_on_chosen_cases() {
        let cases: &[&[u8]] = &[
            br#"{"a":1,"b":[true,null,"x",1.5],"c":{"d":{}}}"#,
            br#"{"a":1,"\u0061":2}"#,
            br#"{"\u0061":[1,"x",[2],{"b":1}],"b":"\u00e9\n"}"#,
            br#"{"a\"b":1,"a\"b":2}"#,
            br#"{"a":1,"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
            br#"{"b":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
            br#"{"b":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
            br#"{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
            br#"{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
            br#"{"x":{"b":1,"b":1}}"#,
            br#"{"a":{"b":1,"b":1}}"#,
            br#"{"a":[{"b":1,"b":1}]}"#,
            br#"{"a":18446744073709551615,"b":-9223372036854775808,"c":1e308}"#,
            br#"{"a":123456789012345678901234567890}"#,
            br#" {} "#,
            br#"{} x"#,
            br#"{"a":1} {"#,
            br#"[1,{"a":1,"a":2}]"#,
            br#"[1]"#,
            br#""a""#,
            br#"1"#,
            br#"null"#,
            b"",
            b"   ",
            b"{\"a\":\xff}",
            b"{\"b\":\"\xff\"}",
            b"{\"b\":\"\x01\"}",
            br#"{"b":"\ud800"}"#,
            br#"{"b":"\ud83d\ude00"}"#,
            b"{\"a\":1e999}",
            b"{\"b\":-1e999}",
            br#"{"a":1,}"#,
            br#"{"a":1"#,
            br#"{"a":01}"#,
        ];
        for case in cases {
            assert_eq!(
                fields_agree(case),
                Ok(()),
                "{}",
                String::from_utf8_lossy(case)
            );
        }
        let many: Vec<String> = (0..40)
            .map(|i| format!("\"k{i}\":{{\"k{i}\":{i}}}"))
            .collect();
        let wide = format!("{{{}}}", many.join(","));
        assert_eq!(fields_agree(wide.as_bytes()), Ok(()));
        let repeated = format!("{{{},\"k3\":0}}", many.join(","));
        assert_eq!(fields_agree(repeated.as_bytes()), Ok(()));
        let inner = format!("{{\"a\":{{{},\"k39\":0}}}}", many.join(","));
        assert_eq!(fields_agree(inner.as_bytes()), Ok(()));
    }

    proptest::proptest! {
        #[test]
        fn fields_agree_with_the_map_parser_on_any_text(text in r#"[ {}\[\]":,ab1\\u0061.eE+-]{0,48}"#) {
            proptest::prop_assert_eq!(fields_agree(text.as_bytes()), Ok(()));
        }

        #[test]
        fn fields_agree_with_the_map_parser_on_any_bytes(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            proptest::prop_assert_eq!(fields_agree(&bytes), Ok(()));
        }

        #[test]
        fn fields_agree_with_the_map_parser_on_objects(
            members in proptest::collection::vec((r#"(a|b|\\u0061|c\\"|k[0-9]{1,2})"#, "(1|\"s\"|\"\\\\u00e9\"|\\[1,\"x\",\\[\\]\\]|\\{\"a\":1,\"a\":2\\}|\\{\"a\":\\{\"b\":\\[\\]\\}\\}|null|true|-0.5e3|1e400|18446744073709551616)"), 0..40),
            trailing in "( |x|,|\\}|)",
        ) {
            let body: Vec<String> = members.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let text = format!("{{{}}}{trailing}", body.join(","));
            proptest::prop_assert_eq!(fields_agree(text.as_bytes()), Ok(()));
        }
    }

    #[test]
    fn rejects_non_objects_and_trailing_garbage() {
        assert_eq!(parse_object(b"[1]"), Err(JsonError::NotAnObject));
        assert_eq!(parse_object(b"{} x"), Err(JsonError::Syntax));
        assert_eq!(parse_object(b"{\"a\":\xff}"), Err(JsonError::Syntax));
    }
}
