//! The OIDC claim rules (issuer, audience, required claims, `max_age`) and the identity read
//! from verified claims; the registered-claim readers they stand on live in `jose::claims`.

use super::config::{ClaimNames, OidcConfig};
use crate::error::{err, ErrorCode, Result};
use crate::jose::claims::{
    audience_claim, check_times, date_claim, groups, identifier, missing, optional_text,
    text_claim, Claim, Claims,
};
use crate::jose::json::{Fields, Slot};
use crate::text::clip;
use crate::time::at_or_before;
use serde::Serialize;

/// Who a verified token speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Identity {
    /// The subject claim.
    pub subject: String,
    /// The email claim, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The groups claim as a list (a single string counts as one group; absent is empty).
    pub groups: Vec<String>,
    /// The organisation claim, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// The team claim, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_node_id: Option<String>,
}

/// Every OIDC claim rule, in this order: registered claim types, required claims, issuer,
/// audience, times, `max_age`. Over a parsed map or over [`OidcFields`]: the same rules.
pub(crate) fn check_oidc_claims(claims: &impl Claims, config: &OidcConfig, now: f64) -> Result<()> {
    // Types first, so a wrongly typed claim is reported as such rather than as missing.
    for name in ["exp", "nbf", "iat"] {
        date_claim(claims.claim(name), name)?;
    }
    for name in ["iss", "sub", "jti"] {
        text_claim(claims.claim(name), name)?;
    }
    let aud = audience_claim(claims.claim("aud"))?;
    for name in config.required() {
        if claims.claim(name).is_none() {
            return Err(missing(name));
        }
    }
    let subject = &config.claims.subject;
    if let Some(value) = text_claim(claims.claim(subject), subject)? {
        identifier(subject, value)?;
    }
    match text_claim(claims.claim("iss"), "iss")? {
        None => return Err(missing("iss")),
        Some(iss) if iss != config.issuer => {
            return Err(err(
                ErrorCode::InvalidIssuer,
                format!("issuer `{}` is not the configured issuer", clip(iss)),
            ))
        }
        Some(_) => {}
    }
    let Some(aud) = aud else {
        return Err(missing("aud"));
    };
    if !aud.iter().any(|a| config.audiences.iter().any(|c| c == a)) {
        return Err(err(
            ErrorCode::InvalidAudience,
            "audience does not include a configured audience",
        ));
    }
    check_times(claims, now, config.leeway)?;
    if let Some(max_age) = config.max_age {
        let iat = date_claim(claims.claim("iat"), "iat")?.ok_or_else(|| missing("iat"))?;
        if !at_or_before(now - iat, max_age.as_secs_f64() + config.leeway) {
            return Err(err(
                ErrorCode::TokenExpired,
                "token is older than the configured max_age (`iat`)",
            ));
        }
    }
    Ok(())
}

/// Reads the identity from verified claims with the configured names.
pub(crate) fn identity(claims: &impl Claims, names: &ClaimNames) -> Result<Identity> {
    let subject = text_claim(claims.claim(&names.subject), &names.subject)?
        .ok_or_else(|| missing(&names.subject))?
        .to_owned();
    let text = |name: &str| -> Result<Option<String>> {
        Ok(optional_text(claims.claim(name), name)?.map(str::to_owned))
    };
    Ok(Identity {
        subject,
        email: text(&names.email)?,
        groups: groups(claims, &names.groups)?,
        org_id: text(&names.org_id)?,
        team_node_id: text(&names.team_node_id)?,
    })
}

/// Most distinct claim names [`OidcFields`] keeps; a configuration whose rules read more (many
/// required claims) is read through the parsed map instead.
const FIELD_SLOTS: usize = 16;

/// The claim names the rules and the identity read under one configuration, each once: the
/// members [`OidcFields`] keeps.
#[derive(Debug)]
pub(crate) struct FieldPlan {
    names: Vec<String>,
}

impl FieldPlan {
    /// The plan for `config`, or `None` when its rules need the parsed map: the groups claim is a
    /// JSON pointer (a nested member), or the rules read more than [`FIELD_SLOTS`] names.
    pub(crate) fn of(config: &OidcConfig) -> Option<FieldPlan> {
        let names = &config.claims;
        if names.groups.starts_with('/') {
            return None;
        }
        let mut plan: Vec<String> = Vec::new();
        // Every name `check_oidc_claims` and `identity` look up: a name missing here would read
        // as an absent claim.
        let read = ["exp", "nbf", "iat", "iss", "sub", "jti", "aud"]
            .into_iter()
            .chain(config.required())
            .chain([
                names.subject.as_str(),
                names.email.as_str(),
                names.groups.as_str(),
                names.org_id.as_str(),
                names.team_node_id.as_str(),
            ]);
        for name in read {
            if !plan.iter().any(|n| n == name) {
                plan.push(name.to_owned());
            }
        }
        (plan.len() <= FIELD_SLOTS).then_some(FieldPlan { names: plan })
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

/// The members a [`FieldPlan`] names, kept by `json::parse_fields` in one pass over the claims:
/// no map and no copy of an unescaped string. Every name the rules read is in the plan, so a
/// member it does not keep is one the rules never ask for.
pub(crate) struct OidcFields<'p, 'de> {
    plan: &'p FieldPlan,
    slots: [Option<Slot<'de>>; FIELD_SLOTS],
}

impl<'p> OidcFields<'p, '_> {
    /// Empty slots for `plan`'s names.
    pub(crate) fn new(plan: &'p FieldPlan) -> Self {
        OidcFields {
            plan,
            slots: Default::default(),
        }
    }
}

impl<'de> Fields<'de> for OidcFields<'_, 'de> {
    fn slot(&mut self, name: &str) -> Option<&mut Option<Slot<'de>>> {
        let index = self.plan.index(name)?;
        self.slots.get_mut(index)
    }
}

impl Claims for OidcFields<'_, '_> {
    fn claim(&self, name: &str) -> Option<Claim<'_>> {
        let index = self.plan.index(name)?;
        self.slots.get(index)?.as_ref().map(Claim::of_slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map, Value};

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn required_claims_add_to_exp_and_the_subject() {
        let config = OidcConfig::new(
            "https://idp",
            "aud",
            crate::oidc::KeySource::Inline(String::new()),
        )
        .with_required_claims(vec!["email".into()]);
        let base =
            json!({"iss": "https://idp", "aud": "aud", "sub": "u", "email": "e", "exp": 2000});
        let without = |name: &str| {
            let mut claims = map(base.clone());
            claims.remove(name);
            check_oidc_claims(&claims, &config, 1000.0)
                .err()
                .map(|e| (e.code(), e.message().to_owned()))
        };
        assert_eq!(
            check_oidc_claims(&map(base.clone()), &config, 1000.0).ok(),
            Some(())
        );
        for name in ["exp", "sub", "email"] {
            let refused = without(name);
            assert_eq!(
                refused.as_ref().map(|r| r.0),
                Some(ErrorCode::MissingClaim),
                "{name}"
            );
            assert!(refused.is_some_and(|r| r.1.contains(name)), "{name}");
        }
        // Only the named opt-out drops `exp`.
        let optional = config.with_exp_optional(true);
        let mut claims = map(base);
        claims.remove("exp");
        assert_eq!(check_oidc_claims(&claims, &optional, 1000.0).ok(), Some(()));
    }

    #[test]
    fn a_subject_must_be_a_clean_identifier() {
        let config = OidcConfig::new(
            "https://idp",
            "aud",
            crate::oidc::KeySource::Inline(String::new()),
        );
        for subject in ["alice\u{0}admin", "alice\nadmin", "", "  ", "a\u{7f}"] {
            let claims =
                map(json!({"iss": "https://idp", "aud": "aud", "sub": subject, "exp": 2000}));
            let refused = check_oidc_claims(&claims, &config, 1000.0).err();
            assert_eq!(
                refused.map(|e| e.code()),
                Some(ErrorCode::InvalidClaim),
                "{subject:?}"
            );
        }
        let named = config.with_claim_names(ClaimNames {
            subject: "oid".into(),
            ..ClaimNames::default()
        });
        let claims = map(
            json!({"iss": "https://idp", "aud": "aud", "sub": "x", "oid": "a\u{0}", "exp": 2000}),
        );
        assert!(check_oidc_claims(&claims, &named, 1000.0).is_err());
    }

    mod readers_agree {
        use super::*;
        use crate::jose::json;
        use proptest::prelude::*;

        /// A claim value of any JSON type, with the edge cases the rules care about.
        fn value() -> impl Strategy<Value = Value> {
            prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                (900i64..1100).prop_map(|n| json!(n)),
                (900.0f64..1100.0).prop_map(|n| json!(n)),
                prop::sample::select(vec![
                    "https://idp",
                    "aud",
                    "other",
                    "u",
                    "",
                    " ",
                    "a\u{0}b",
                    "x\ny"
                ])
                .prop_map(|s| json!(s)),
                prop::collection::vec(
                    prop_oneof![
                        prop::sample::select(vec!["aud", "g1", "other"]).prop_map(|s| json!(s)),
                        Just(json!(1)),
                        Just(Value::Null),
                    ],
                    0..3
                )
                .prop_map(Value::Array),
                Just(json!({"nested": ["g"]})),
            ]
        }

        const NAMES: [&str; 14] = [
            "exp",
            "nbf",
            "iat",
            "iss",
            "sub",
            "jti",
            "aud",
            "email",
            "groups",
            "org_id",
            "team_node_id",
            "oid",
            "roles",
            "extra",
        ];

        fn claims() -> impl Strategy<Value = Map<String, Value>> {
            prop::collection::vec(prop::option::of(value()), NAMES.len()).prop_map(|values| {
                NAMES
                    .iter()
                    .zip(values)
                    .filter_map(|(name, value)| Some(((*name).to_owned(), value?)))
                    .collect()
            })
        }

        fn config() -> impl Strategy<Value = OidcConfig> {
            (
                prop::sample::select(vec!["sub", "oid", "email"]),
                prop::sample::select(vec!["groups", "roles", "email"]),
                prop::sample::subsequence(vec!["email", "org_id", "extra", "jti"], 0..3),
                any::<bool>(),
                prop::option::of(50u64..200),
            )
                .prop_map(|(subject, groups, required, exp_optional, max_age)| {
                    let config = OidcConfig::new(
                        "https://idp",
                        "aud",
                        crate::oidc::KeySource::Inline(String::new()),
                    )
                    .with_claim_names(ClaimNames {
                        subject: subject.into(),
                        groups: groups.into(),
                        ..ClaimNames::default()
                    })
                    .with_required_claims(required.into_iter().map(str::to_owned).collect())
                    .with_exp_optional(exp_optional);
                    match max_age {
                        Some(secs) => config.with_max_age(std::time::Duration::from_secs(secs)),
                        None => config,
                    }
                })
        }

        type Outcome = std::result::Result<Identity, (ErrorCode, String)>;

        fn outcome(result: Result<Identity>) -> Outcome {
            result.map_err(|e| (e.code(), e.message().to_owned()))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]

            /// The one-pass reader and the parsed map give the same verdict, error and identity.
            #[test]
            fn fields_and_map_agree(claims in claims(), config in config(), now in 950.0f64..1050.0) {
                let payload = serde_json::to_vec(&claims).unwrap_or_default();
                let plan = FieldPlan::of(&config);
                prop_assert!(plan.is_some());
                let plan = plan.unwrap_or(FieldPlan { names: Vec::new() });
                let mut fields = OidcFields::new(&plan);
                prop_assert!(json::parse_fields(&payload, &mut fields).is_ok());
                let by_fields = outcome(
                    check_oidc_claims(&fields, &config, now)
                        .and_then(|()| identity(&fields, &config.claims)),
                );
                let by_map = outcome(
                    check_oidc_claims(&claims, &config, now)
                        .and_then(|()| identity(&claims, &config.claims)),
                );
                prop_assert_eq!(by_fields, by_map);
            }
        }

        #[test]
        fn a_pointer_or_many_names_use_the_map() {
            let config = || {
                OidcConfig::new(
                    "https://idp",
                    "aud",
                    crate::oidc::KeySource::Inline(String::new()),
                )
            };
            assert!(FieldPlan::of(&config()).is_some());
            assert!(FieldPlan::of(&config().with_groups_claim("/realm_access/roles")).is_none());
            let many = (0..FIELD_SLOTS).map(|i| format!("c{i}")).collect();
            assert!(FieldPlan::of(&config().with_required_claims(many)).is_none());
        }
    }
}
