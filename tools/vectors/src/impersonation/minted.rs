use super::*;

/// Tokens this library mints (default TTLs 900 s and 1800 s, minimum 60 s).
pub(super) fn minted(x: &Ctx, cases: &mut Vec<Value>) {
    let Ctx { ours, stranger, .. } = x;
    let iat = x.iat;
    cases.push(
        Case::new(
            "minted_impersonation_with_email",
            "team impersonation token minted by the library, default TTL",
            &x.mint(ours, Some(EMAIL), None, iat),
        )
        .expect(minted_impersonation(
            Some(EMAIL),
            DEFAULT_AUDIENCE,
            iat,
            900,
        )),
    );
    cases.push(
        Case::new(
            "minted_impersonation_without_email",
            "minted without an email: the claim is written as null and /auth/me omits it",
            &x.mint(ours, None, None, iat),
        )
        .expect(minted_impersonation(None, DEFAULT_AUDIENCE, iat, 900)),
    );
    cases.push(
        Case::new(
            "minted_impersonation_ttl_30_raised_to_60",
            "a requested TTL of 30 s is raised to the 60 s minimum",
            &x.mint(ours, Some(EMAIL), Some(30), iat),
        )
        .expect(minted_impersonation(Some(EMAIL), DEFAULT_AUDIENCE, iat, 60)),
    );
    cases.push(
        Case::new(
            "minted_impersonation_ttl_0_raised_to_60",
            "a requested TTL of 0 is raised to 60 s; issued 59 s ago, one second is left",
            &x.mint(ours, Some(EMAIL), Some(0), NOW - 59),
        )
        .expect(minted_impersonation(
            Some(EMAIL),
            DEFAULT_AUDIENCE,
            NOW - 59,
            60,
        )),
    );
    cases.push(
        Case::new(
            "minted_impersonation_ttl_raised_then_expired",
            "a TTL raised to 60 s still ends 60 s after iat (issued 60 s ago: expired)",
            &x.mint(ours, Some(EMAIL), Some(30), NOW - 60),
        )
        .invalid("token_expired"),
    );
    cases.push(
        Case::new(
            "minted_impersonation_ttl_3600",
            "a requested TTL above the minimum is kept",
            &x.mint(ours, Some(EMAIL), Some(3600), iat),
        )
        .expect(minted_impersonation(
            Some(EMAIL),
            DEFAULT_AUDIENCE,
            iat,
            3600,
        )),
    );
    cases.push(
        Case::new(
            "minted_visitor",
            "visitor token minted by the library, default TTL 1800 s, no email claim",
            &x.mint_visitor(ours, None, iat),
        )
        .expect(minted_visitor(DEFAULT_AUDIENCE, iat, 1800)),
    );
    cases.push(
        Case::new(
            "minted_visitor_ttl_10_raised_to_60",
            "a visitor TTL of 10 s is raised to 60 s",
            &x.mint_visitor(ours, Some(10), iat),
        )
        .expect(minted_visitor(DEFAULT_AUDIENCE, iat, 60)),
    );
    cases.push(
        Case::new(
            "minted_visitor_expired",
            "visitor token issued 1800 s ago expires exactly now",
            &x.mint_visitor(ours, None, NOW - 1800),
        )
        .invalid("token_expired"),
    );
    cases.push(
        Case::new(
            "minted_impersonation_expired",
            "expired 100 s ago",
            &x.mint(ours, Some(EMAIL), None, NOW - 1000),
        )
        .invalid("token_expired"),
    );
    cases.push(
        Case::new(
            "minted_impersonation_expires_exactly_now",
            "now == exp is expired (leeway 0)",
            &x.mint(ours, Some(EMAIL), None, NOW - 900),
        )
        .invalid("token_expired"),
    );
    cases.push(
        Case::new(
            "minted_impersonation_one_second_left",
            "now == exp - 1 is still valid",
            &x.mint(ours, Some(EMAIL), None, NOW - 899),
        )
        .expect(minted_impersonation(
            Some(EMAIL),
            DEFAULT_AUDIENCE,
            NOW - 899,
            900,
        )),
    );
    let later = x.mint(ours, Some(EMAIL), None, iat);
    cases.push(
        Case::new(
            "minted_impersonation_verified_half_a_second_before_exp",
            "a case `now` half a second before exp: still valid",
            &later,
        )
        .now(json!(NOW as f64 + 869.5))
        .expect(valid_impersonation(Some(EMAIL))),
    );
    cases.push(
        Case::new(
            "minted_impersonation_verified_at_exp",
            "a case `now` equal to exp: expired",
            &later,
        )
        .now(json!(NOW + 870))
        .invalid("token_expired"),
    );
    cases.push(
        Case::new(
            "minted_impersonation_issued_now",
            "iat == now is not in the future",
            &x.mint(ours, Some(EMAIL), None, NOW),
        )
        .expect(minted_impersonation(
            Some(EMAIL),
            DEFAULT_AUDIENCE,
            NOW,
            900,
        )),
    );
    cases.push(
        Case::new(
            "minted_impersonation_issued_in_future",
            "iat one second after now (leeway 0)",
            &x.mint(ours, Some(EMAIL), None, NOW + 1),
        )
        .invalid("token_issued_in_future"),
    );
    cases.push(
        Case::new(
            "wrong_secret",
            "minted with another secret",
            &x.mint(stranger, Some(EMAIL), None, iat),
        )
        .invalid("invalid_signature"),
    );
}

/// Audiences: configured, legacy (only with the switch), custom.
pub(super) fn audiences(x: &Ctx, cases: &mut Vec<Value>) {
    let Ctx {
        ours,
        legacy,
        custom,
        legacy_on,
        custom_on,
        ..
    } = x;
    let iat = x.iat;
    let legacy_token = x.mint(legacy, Some(EMAIL), None, iat);
    cases.push(
        Case::new(
            "legacy_audience_rejected_by_default",
            "audience incidentfox-config-service without the legacy switch",
            &legacy_token,
        )
        .invalid("invalid_audience"),
    );
    cases.push(
        Case::new(
            "legacy_audience_accepted_with_switch",
            "audience incidentfox-config-service with accept_legacy_audience",
            &legacy_token,
        )
        .config(legacy_on.clone())
        .expect(minted_impersonation(Some(EMAIL), LEGACY_AUDIENCE, iat, 900)),
    );
    cases.push(
        Case::new(
            "legacy_audience_visitor_accepted_with_switch",
            "legacy-audience visitor token with accept_legacy_audience",
            &x.mint_visitor(legacy, None, iat),
        )
        .config(legacy_on.clone())
        .expect(minted_visitor(LEGACY_AUDIENCE, iat, 1800)),
    );
    cases.push(
        Case::new(
            "default_audience_accepted_with_legacy_switch",
            "the legacy switch adds an audience, it does not replace the configured one",
            &x.mint(ours, Some(EMAIL), None, iat),
        )
        .config(legacy_on.clone())
        .expect(valid_impersonation(Some(EMAIL))),
    );
    let custom_token = x.mint(custom, Some(EMAIL), None, iat);
    cases.push(
        Case::new(
            "custom_audience_accepted",
            "minted and verified with a configured custom audience",
            &custom_token,
        )
        .config(custom_on.clone())
        .expect(minted_impersonation(Some(EMAIL), CUSTOM_AUDIENCE, iat, 900)),
    );
    cases.push(
        Case::new(
            "custom_audience_rejected_by_default_config",
            "a custom-audience token under the default audience",
            &custom_token,
        )
        .invalid("invalid_audience"),
    );
    cases.push(
        Case::new(
            "default_audience_rejected_under_custom_audience",
            "a default-audience token when a custom audience is configured",
            &x.mint(ours, Some(EMAIL), None, iat),
        )
        .config(custom_on.clone())
        .invalid("invalid_audience"),
    );
    cases.push(
        Case::new(
            "legacy_audience_accepted_with_custom_audience_and_switch",
            "custom audience plus the legacy switch accepts the legacy audience",
            &legacy_token,
        )
        .config(json!({"audience": CUSTOM_AUDIENCE, "accept_legacy_audience": true}))
        .expect(valid_impersonation(Some(EMAIL))),
    );
}
