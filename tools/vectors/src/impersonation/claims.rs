use super::*;

/// Required claims.
pub(super) fn required_claims(x: &Ctx, cases: &mut Vec<Value>) {
    let Ctx { crafter, .. } = x;
    for name in [
        "exp",
        "iat",
        "sub",
        "org_id",
        "team_node_id",
        "ifx_kind",
        "scope",
        "jti",
        "iss",
        "aud",
    ] {
        cases.push(
            Case::new(
                &format!("missing_{name}"),
                &format!("no `{name}` claim"),
                &crafter.token(&[(name, None)]),
            )
            .invalid("missing_claim"),
        );
    }
}

/// Issuer.
pub(super) fn issuer(x: &Ctx, cases: &mut Vec<Value>) {
    let Ctx { crafter, .. } = x;
    cases.push(
        Case::new(
            "wrong_issuer",
            "the OIDC issuer",
            &crafter.token(&[("iss", Some(json!("https://idp.incidentfox.test")))]),
        )
        .invalid("invalid_issuer"),
    );
    cases.push(
        Case::new(
            "issuer_with_suffix",
            "the issuer followed by more text",
            &crafter.token(&[("iss", Some(json!("incidentfox-config-service.evil")))]),
        )
        .invalid("invalid_issuer"),
    );
    cases.push(
        Case::new(
            "issuer_prefix",
            "a prefix of the issuer (PyJWT 2.10.0 accepted substrings: CVE-2024-53861)",
            &crafter.token(&[("iss", Some(json!("incidentfox-config")))]),
        )
        .invalid("invalid_issuer"),
    );
    cases.push(
        Case::new(
            "issuer_not_a_string",
            "the issuer inside a list",
            &crafter.token(&[("iss", Some(json!([ISSUER])))]),
        )
        .invalid("invalid_claim"),
    );
}

/// Kind and scope.
pub(super) fn kind_and_scope(x: &Ctx, cases: &mut Vec<Value>) {
    let Ctx { crafter, .. } = x;
    cases.push(
        Case::new(
            "ifx_kind_unknown",
            "ifx_kind team_admin",
            &crafter.token(&[("ifx_kind", Some(json!("team_admin")))]),
        )
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "crafted_visitor_without_session_id",
            "a visitor token without visitor_session_id",
            &crafter.token(&[
                ("sub", Some(json!(format!("visitor:{SESSION}")))),
                ("email", None),
                ("ifx_kind", Some(json!("visitor"))),
            ]),
        )
        .stricter("a visitor token names its session; the agent runtime's rules do not require it")
        .invalid("missing_claim"),
    );
    cases.push(
        Case::new(
            "crafted_visitor_subject_of_another_session",
            "a visitor token whose sub is not visitor:<its visitor_session_id>",
            &crafter.token(&[
                ("sub", Some(json!("visitor:vs-someone-else"))),
                ("email", None),
                ("ifx_kind", Some(json!("visitor"))),
                ("visitor_session_id", Some(json!(SESSION))),
            ]),
        )
        .stricter(
            "a visitor's subject is its session's; the agent runtime's rules do not compare them",
        )
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "crafted_visitor_subject_of_an_admin",
            "a visitor token whose sub is an admin's",
            &crafter.token(&[
                ("ifx_kind", Some(json!("visitor"))),
                ("visitor_session_id", Some(json!(SESSION))),
            ]),
        )
        .stricter(
            "a visitor's subject is its session's; the agent runtime's rules do not compare them",
        )
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "team_impersonation_with_a_visitor_session",
            "a team-impersonation token carrying visitor_session_id",
            &crafter.token(&[("visitor_session_id", Some(json!(SESSION)))]),
        )
        .stricter(
            "visitor_session_id belongs to visitor tokens; the agent runtime's rules ignore it",
        )
        .invalid("invalid_claim"),
    );
    for (name, claim, value) in [
        ("empty_sub", "sub", ""),
        ("blank_org_id", "org_id", "  "),
        ("empty_team_node_id", "team_node_id", ""),
        ("sub_with_a_nul", "sub", "admin@example.com\u{0}root"),
        (
            "org_id_with_a_line_break",
            "org_id",
            "org-acme\r\nX-Injected: 1",
        ),
    ] {
        cases.push(
            Case::new(
                name,
                &format!("`{claim}` is {value:?}"),
                &crafter.token(&[(claim, Some(json!(value)))]),
            )
            .stricter("identifiers are non-blank and free of control characters; the agent runtime's rules only require presence")
            .invalid("invalid_claim"),
        );
    }
    cases.push(
        Case::new(
            "scope_string_team_read",
            "a scope string is one scope",
            &crafter.token(&[("scope", Some(json!("team:read")))]),
        )
        .expect(valid_impersonation(Some(EMAIL))),
    );
    cases.push(
        Case::new(
            "scope_space_separated_string",
            "\"team:read agent:invoke\" is one scope, not team:read",
            &crafter.token(&[("scope", Some(json!("team:read agent:invoke")))]),
        )
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "scope_list_without_team_read",
            "scope [\"agent:invoke\"]",
            &crafter.token(&[("scope", Some(json!(["agent:invoke"])))]),
        )
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "scope_empty_list",
            "scope []",
            &crafter.token(&[("scope", Some(json!([])))]),
        )
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "scope_number",
            "scope 1",
            &crafter.token(&[("scope", Some(json!(1)))]),
        )
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "scope_list_with_a_non_string",
            "scope [\"team:read\", 7]",
            &crafter.token(&[("scope", Some(json!(["team:read", 7])))]),
        )
        .stricter("every scope must be a string; the agent runtime only looks for team:read")
        .invalid("invalid_claim"),
    );
}

/// Claim types.
pub(super) fn claim_types(x: &Ctx, cases: &mut Vec<Value>) {
    let Ctx { crafter, .. } = x;
    let base_payload = serde_json::to_string(&Crafter::base()).unwrap();
    cases.push(
        Case::new(
            "exp_numeric_string",
            "exp \"1700000870\"",
            &crafter.token(&[("exp", Some(json!((NOW + 870).to_string())))]),
        )
        .stricter("exp must be a number; PyJWT converts a numeric string with int()")
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "iat_numeric_string",
            "iat \"1699999970\"",
            &crafter.token(&[("iat", Some(json!((NOW - 30).to_string())))]),
        )
        .stricter("iat must be a number; PyJWT converts a numeric string with int()")
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "exp_null",
            "exp null is a wrongly typed claim, not an absent one",
            &crafter.token(&[("exp", Some(Value::Null))]),
        )
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "exp_fractional",
            "a fractional exp in the future",
            &crafter.token(&[("exp", Some(json!(NOW as f64 + 100.5)))]),
        )
        .expect(valid_impersonation(Some(EMAIL))),
    );
    cases.push(
        Case::new(
            "iat_half_a_second_in_future",
            "iat now + 0.5: compared without truncation",
            &crafter.token(&[("iat", Some(json!(NOW as f64 + 0.5)))]),
        )
        .stricter("NumericDates are compared without truncation; PyJWT truncates iat with int()")
        .invalid("token_issued_in_future"),
    );
    cases.push(
        Case::new(
            "nbf_in_future",
            "nbf one minute ahead",
            &crafter.token(&[("nbf", Some(json!(NOW + 60)))]),
        )
        .invalid("token_not_yet_valid"),
    );
    cases.push(
        Case::new(
            "org_id_number",
            "org_id 42",
            &crafter.token(&[("org_id", Some(json!(42)))]),
        )
        .stricter("org_id must be a string; the agent runtime only requires it to be present")
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "email_number",
            "email 7",
            &crafter.token(&[("email", Some(json!(7)))]),
        )
        .stricter("email must be a string or null; the agent runtime does not look at it")
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "aud_list_containing_audience",
            "aud may be a list; one match is enough",
            &crafter.token(&[("aud", Some(json!(["another-service", DEFAULT_AUDIENCE])))]),
        )
        .expect(valid_impersonation(Some(EMAIL))),
    );
    cases.push(
        Case::new(
            "aud_list_with_a_non_string",
            "aud [\"incidentfox-agent-runtime\", 1]",
            &crafter.token(&[("aud", Some(json!([DEFAULT_AUDIENCE, 1])))]),
        )
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "duplicate_member_in_claims",
            "org_id twice (org-evil, then org-acme)",
            &crafter.raw(
                r#"{"alg":"HS256","typ":"JWT"}"#,
                &base_payload.replacen(
                    r#""org_id":"org-acme""#,
                    r#""org_id":"org-evil","org_id":"org-acme""#,
                    1,
                ),
            ),
        )
        .stricter("duplicate JSON member names are refused; PyJWT's json.loads keeps the last")
        .invalid("token_malformed"),
    );
}

/// jti.
pub(super) fn jti(x: &Ctx, cases: &mut Vec<Value>) {
    let Ctx { crafter, .. } = x;
    cases.push(
        Case::new(
            "jti_64_chars",
            "64 characters fit impersonation_jtis.jti varchar(64)",
            &crafter.token(&[("jti", Some(json!("a".repeat(64))))]),
        )
        .expect(valid_impersonation(Some(EMAIL))),
    );
    cases.push(
        Case::new(
            "jti_65_chars",
            "one character more than impersonation_jtis.jti holds",
            &crafter.token(&[("jti", Some(json!("a".repeat(65))))]),
        )
        .stricter("jti is at most 64 characters (the varchar(64) column); PyJWT has no limit")
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "jti_number",
            "jti 12345",
            &crafter.token(&[("jti", Some(json!(12345)))]),
        )
        .invalid("invalid_claim"),
    );
}
