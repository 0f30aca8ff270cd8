//! Opaque team and org-admin tokens: `<token_id>.<secret>`.
//!
//! The format and the stored hash are fixed by the services' existing `team_tokens` rows
//! (docs/compatibility.md, "Opaque tokens"): `token_id` is the 32 lowercase hex of a UUID v4, `secret` is 32
//! random bytes as unpadded base64url (43 characters), and the row stores the lowercase hex
//! SHA-256 of the secret's UTF-8 bytes followed by the pepper's. That hash is kept exactly as it
//! is (plain SHA-256 of the concatenation, not HMAC) so that every row issued so far keeps
//! working during a rolling upgrade; what changes is that the comparison is constant time and
//! parsing is strict.
//!
//! The library never reads the table itself: the caller looks the row up by `token_id` and hands
//! it to [`check_stored`] as a [`StoredTeamToken`], or gives the request path a
//! [`TeamTokenLookup`] that does.

use crate::config::{EnvSource, ProcessEnv};
use crate::error::{err, ErrorCode, Result};
use crate::jose::b64;
use crate::random::{self, lower_hex};
use crate::secret::Secret;
use async_trait::async_trait;
use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::digest::{Context, Digest, SHA256};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;

/// The variable holding the pepper, as the services name it.
pub const PEPPER_ENV_VAR: &str = "TOKEN_PEPPER";

/// Length of `token_id`: a UUID v4 as 32 lowercase hex characters, no dashes.
pub const TOKEN_ID_LEN: usize = 32;

/// Length of the secret part: 32 bytes as unpadded base64url.
pub const SECRET_LEN: usize = 43;

/// Random bytes in the secret part.
pub const SECRET_BYTES: usize = 32;

/// Length of a whole token: id, dot, secret.
pub const TOKEN_LEN: usize = TOKEN_ID_LEN + 1 + SECRET_LEN;

/// Longest `token_id` accepted: ids the services stored by hand or with older code have other
/// shapes than a UUID's hex, and are still looked up (docs/compatibility.md, "Opaque tokens").
pub const MAX_TOKEN_ID_LEN: usize = 128;

/// Longest secret part accepted, for the same reason: `secrets.token_urlsafe(n)` for any `n` a
/// service used, bounded so that a presented token stays small.
pub const MAX_SECRET_LEN: usize = 512;

/// Length of a stored hash: SHA-256 as lowercase hex.
const HASH_HEX_LEN: usize = 64;

/// The one message for every credential mismatch, so the answer does not tell an attacker which
/// part of a guessed token was right.
const INVALID_TOKEN: &str = "invalid team token";

/// The server-side pepper mixed into every stored token hash (`TOKEN_PEPPER`).
///
/// Without it a leaked `team_tokens` table would let anyone test candidate secrets offline, so a
/// missing or empty pepper is a configuration error rather than an empty string hashed silently.
/// `Debug` never shows the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenPepper(Secret);

impl TokenPepper {
    /// Wraps a pepper; an empty one is `invalid_config`.
    ///
    /// The value is used byte for byte (not trimmed), because the stored hashes were computed
    /// over exactly those bytes.
    pub fn new(value: impl Into<String>) -> Result<Self> {
        let value = value.into();
        if value.is_empty() {
            return Err(missing_pepper());
        }
        Ok(TokenPepper(Secret::new(value)))
    }

    /// Reads `TOKEN_PEPPER` from the process environment.
    pub fn from_env() -> Result<Self> {
        Self::from_env_source(&ProcessEnv)
    }

    /// Reads `TOKEN_PEPPER` from `source`; missing or empty is `invalid_config` naming the
    /// variable (never a value).
    ///
    /// The raw value is read directly rather than through `EnvReader::text`, which trims: a
    /// pepper with surrounding whitespace must hash exactly as the services hash it.
    pub fn from_env_source(source: &dyn EnvSource) -> Result<Self> {
        match source.var(PEPPER_ENV_VAR) {
            Some(value) => Self::new(value),
            None => Err(missing_pepper()),
        }
    }

    /// The pepper's bytes, for hashing.
    fn bytes(&self) -> &[u8] {
        self.0.expose()
    }
}

fn missing_pepper() -> crate::error::Error {
    err(
        ErrorCode::InvalidConfig,
        format!("{PEPPER_ENV_VAR} is required to hash team tokens"),
    )
}

/// A freshly generated token: hand [`token`](Self::token) to the user once, store
/// [`token_id`](Self::token_id) and [`stored_hash`](Self::stored_hash).
///
/// `Debug` shows the id but never the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct GeneratedTeamToken {
    token_id: String,
    token: String,
}

impl GeneratedTeamToken {
    /// The public id (32 lowercase hex), the row's lookup key.
    pub fn token_id(&self) -> &str {
        &self.token_id
    }

    /// The whole token, `<token_id>.<secret>`, to be shown to the user exactly once.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The hash to store in `team_tokens.token_hash`: see [`hash_secret`].
    pub fn stored_hash(&self, pepper: &TokenPepper) -> String {
        hash_secret(self.secret(), pepper)
    }

    /// The secret part; the token is built by [`generate`] as id, dot, secret, so it starts
    /// right after the dot.
    fn secret(&self) -> &str {
        self.token.get(TOKEN_ID_LEN + 1..).unwrap_or_default()
    }
}

impl fmt::Debug for GeneratedTeamToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedTeamToken")
            .field("token_id", &self.token_id)
            .field("token", &format_args!("{}.<redacted>", self.token_id))
            .finish()
    }
}

/// Generates a new token from the system CSPRNG.
///
/// The id is a UUID v4 (version and variant bits set) as 32 lowercase hex, like the services'
/// `uuid4().hex`, so it stays indistinguishable from existing ids. Fails only if the system
/// random number generator does.
pub fn generate() -> Result<GeneratedTeamToken> {
    let token_id = random::uuid4_hex()?;
    let secret = random::bytes::<SECRET_BYTES>()?;
    let token = format!("{token_id}.{}", b64::encode(secret));
    Ok(GeneratedTeamToken { token_id, token })
}

/// The stored hash of a secret: lowercase hex SHA-256 of the secret's UTF-8 bytes followed by
/// the pepper's, exactly as the services compute it. Only the secret part of a token is
/// hashed; the id is the lookup key.
pub fn hash_secret(secret: &str, pepper: &TokenPepper) -> String {
    lower_hex(secret_digest(secret, pepper).as_ref())
}

fn secret_digest(secret: &str, pepper: &TokenPepper) -> Digest {
    // Two updates rather than a concatenated copy, so the secret is not duplicated in memory;
    // SHA-256 of the parts in sequence is SHA-256 of the concatenation.
    let mut context = Context::new(&SHA256);
    context.update(secret.as_bytes());
    context.update(pepper.bytes());
    context.finish()
}

/// A token that passed the format check: exactly one dot, and on each side of it a non-empty
/// run of URL-safe characters (ASCII letters, digits, `-`, `_`, `~`), the id at most
/// [`MAX_TOKEN_ID_LEN`] long and the secret at most [`MAX_SECRET_LEN`].
///
/// The services generate a 32-hex id and a 43-character base64url secret, but accept any id and
/// secret whose hash matches a row, so hand-seeded and older rows (`tokid.toksecret`) work; so
/// does this. Spellings cannot be confused: the row is found by the exact id and the secret is
/// hashed as the exact text presented, so two spellings are two tokens. `Debug` never shows the
/// secret.
#[derive(Clone, PartialEq, Eq)]
pub struct ParsedTeamToken {
    token_id: String,
    secret: String,
}

impl ParsedTeamToken {
    /// Parses `token`; over 16 KiB it is `token_too_large` before anything else is looked at,
    /// any other deviation is `token_malformed`, with a message that says which part is wrong but
    /// never quotes the token.
    pub fn parse(token: &str) -> Result<ParsedTeamToken> {
        // Before the token is scanned for its dot: an oversized one is `token_too_large`.
        crate::size_cap::check(token, crate::size_cap::MAX_TOKEN_BYTES)?;
        if token.is_empty() {
            return Err(malformed("empty team token"));
        }
        let Some((token_id, secret)) = token.split_once('.') else {
            return Err(malformed(
                "team token must be `<token_id>.<secret>` with exactly one dot",
            ));
        };
        if secret.contains('.') {
            return Err(malformed(
                "team token must be `<token_id>.<secret>` with exactly one dot",
            ));
        }
        if !is_url_safe(token_id, MAX_TOKEN_ID_LEN) {
            return Err(malformed(
                "team token id must be 1 to 128 URL-safe characters (letters, digits, `-`, `_`, `~`)",
            ));
        }
        if !is_url_safe(secret, MAX_SECRET_LEN) {
            return Err(malformed(
                "team token secret must be 1 to 512 URL-safe characters (letters, digits, `-`, `_`, `~`)",
            ));
        }
        Ok(ParsedTeamToken {
            token_id: token_id.to_owned(),
            secret: secret.to_owned(),
        })
    }

    /// The public id, the key to look the stored row up by.
    pub fn token_id(&self) -> &str {
        &self.token_id
    }

    /// The hash of this token's secret as it would be stored: see [`hash_secret`].
    pub fn stored_hash(&self, pepper: &TokenPepper) -> String {
        hash_secret(&self.secret, pepper)
    }
}

impl fmt::Debug for ParsedTeamToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParsedTeamToken")
            .field("token_id", &self.token_id)
            .field("secret", &format_args!("<redacted>"))
            .finish()
    }
}

fn malformed(message: &str) -> crate::error::Error {
    err(ErrorCode::TokenMalformed, message)
}

/// Whether `parsed`'s secret hashes to `stored_hash`, compared in constant time.
///
/// The services compare the hex strings with `!=`, which leaks how many leading characters
/// matched; here both sides are 32-byte digests compared with aws-lc-rs's constant-time check.
/// A stored hash that is not exactly 64 lowercase hex characters never matches.
pub fn verify_secret(parsed: &ParsedTeamToken, stored_hash: &str, pepper: &TokenPepper) -> bool {
    let presented = secret_digest(&parsed.secret, pepper);
    // Decoding the stored hash branches only on the stored value, never on the presented one,
    // so it tells an attacker nothing about their guess.
    match decode_hash(stored_hash) {
        Some(stored) => verify_slices_are_equal(presented.as_ref(), &stored).is_ok(),
        None => false,
    }
}

/// Whether a stored row was issued to a team or is an org-admin token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StoredTokenKind {
    /// A team token (`team_node_id` is set).
    Team,
    /// An org-admin token (no `team_node_id`).
    OrgAdmin,
}

/// The row a caller-supplied lookup returns for a `token_id` (the `team_tokens` table of
/// docs/compatibility.md, reduced to what the decision needs).
///
/// `Debug` redacts `token_hash`: with the pepper it would allow offline guessing.
#[derive(Clone, PartialEq)]
pub struct StoredTeamToken {
    /// The organisation the token belongs to.
    pub org_id: String,
    /// The team node, or `None` for an org-admin token.
    pub team_node_id: Option<String>,
    /// The row's token id (the lookup key).
    pub token_id: String,
    /// Lowercase hex SHA-256 of secret + pepper.
    pub token_hash: String,
    /// When the token was revoked (Unix seconds), or `None`.
    pub revoked_at: Option<f64>,
    /// When the token expires (Unix seconds), or `None` for never.
    pub expires_at: Option<f64>,
    /// Team or org-admin token.
    pub kind: StoredTokenKind,
}

impl StoredTeamToken {
    /// A row as a lookup hook written in another language returns it: an object with `org_id`,
    /// `token_id`, `token_hash` (strings), and optionally `team_node_id`, `revoked_at`,
    /// `expires_at` and `kind` (`team`, the default, or `org_admin`). A malformed row is
    /// `lookup_unavailable`: the lookup is broken, not the caller's token.
    ///
    /// Times are read strictly, because reading a value of the wrong shape as "absent" would
    /// accept a revoked or expired token: absent or `null` is no time; a number is Unix seconds;
    /// a string must be an RFC 3339 time with an offset (what `model_dump(mode="json")` and
    /// `Date.toISOString()` write); anything else (a boolean, an object, a string that is not a
    /// time, such as `"NaN"` or `"Invalid Date"`) is `lookup_unavailable`.
    ///
    /// Each member may also be spelt in camelCase ([`ROW_MEMBERS`]: `orgId`, `revokedAt`, ...),
    /// as a JS row mapped by hand is. A row holding both spellings of a member with different
    /// values (`revokedAt: null` beside a `revoked_at` time) is `lookup_unavailable`: neither may
    /// shadow the other.
    pub fn from_row(row: &serde_json::Value) -> Result<StoredTeamToken> {
        let bad = |what: &str| err(ErrorCode::LookupUnavailable, format!("lookup row: {what}"));
        let row = &snake_case_row(row)?;
        let text = |name: &str| row.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        // An optional text member: absent or null is none, a string is itself, anything else
        // is a broken row (never "none", which would change what kind of token it is).
        let optional_text = |name: &str| match row.get(name) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(&format!("`{name}` must be a string or null"))),
        };
        let time = |name: &str| row_time(row.get(name), name);
        Ok(StoredTeamToken {
            org_id: text("org_id").ok_or_else(|| bad("needs a string `org_id`"))?,
            team_node_id: optional_text("team_node_id")?,
            token_id: text("token_id").ok_or_else(|| bad("needs a string `token_id`"))?,
            token_hash: text("token_hash").ok_or_else(|| bad("needs a string `token_hash`"))?,
            revoked_at: time("revoked_at")?,
            expires_at: time("expires_at")?,
            kind: match optional_text("kind")?.as_deref() {
                None | Some("team") => StoredTokenKind::Team,
                Some("org_admin") => StoredTokenKind::OrgAdmin,
                Some(_) => return Err(bad("`kind` must be team or org_admin")),
            },
        })
    }
}

/// The members of a team-token lookup row, each as its snake_case name (a database column's)
/// and its camelCase one; [`StoredTeamToken::from_row`] reads either.
pub const ROW_MEMBERS: [(&str, &str); 7] = [
    ("org_id", "orgId"),
    ("team_node_id", "teamNodeId"),
    ("token_id", "tokenId"),
    ("token_hash", "tokenHash"),
    ("revoked_at", "revokedAt"),
    ("expires_at", "expiresAt"),
    ("kind", "kind"),
];

/// The members of `row` [`StoredTeamToken::from_row`] reads, under their snake_case names; a
/// member given in both spellings with different values is refused.
fn snake_case_row(row: &serde_json::Value) -> Result<serde_json::Value> {
    let mut out = serde_json::Map::new();
    for (snake, camel) in ROW_MEMBERS {
        let value = match (row.get(snake), row.get(camel)) {
            (Some(a), Some(b)) if a != b => {
                return Err(err(
                    ErrorCode::LookupUnavailable,
                    format!("lookup row: `{camel}` and `{snake}` disagree"),
                ))
            }
            (a, b) => a.or(b),
        };
        if let Some(value) = value {
            out.insert(snake.to_owned(), value.clone());
        }
    }
    Ok(serde_json::Value::Object(out))
}

/// A time member of a lookup row (see [`StoredTeamToken::from_row`]).
fn row_time(value: Option<&serde_json::Value>, name: &str) -> Result<Option<f64>> {
    use serde_json::Value;
    let bad = || {
        err(
            ErrorCode::LookupUnavailable,
            format!(
                "lookup row: `{name}` must be null, unix seconds or an rfc 3339 time with an offset"
            ),
        )
    };
    match value {
        None | Some(Value::Null) => Ok(None),
        // serde_json numbers are finite by construction.
        Some(Value::Number(n)) => n.as_f64().map(Some).ok_or_else(bad),
        Some(Value::String(s)) => chrono::DateTime::parse_from_rfc3339(s.trim())
            .map(|t| Some(t.timestamp() as f64 + f64::from(t.timestamp_subsec_nanos()) / 1e9))
            .map_err(|_| bad()),
        Some(_) => Err(bad()),
    }
}

impl fmt::Debug for StoredTeamToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredTeamToken")
            .field("org_id", &self.org_id)
            .field("team_node_id", &self.team_node_id)
            .field("token_id", &self.token_id)
            .field("token_hash", &format_args!("<redacted>"))
            .field("revoked_at", &self.revoked_at)
            .field("expires_at", &self.expires_at)
            .field("kind", &self.kind)
            .finish()
    }
}

/// Checks a presented token against its stored row at Unix time `now`.
///
/// In order: the ids must match and the secret must hash to the row's hash (both
/// `invalid_credentials`, one message); then a revoked row is `token_revoked` and a row with
/// `now >= expires_at` is `token_expired`. Revocation and expiry are reported only to someone
/// who holds the secret, so the status of a row cannot be probed with a guessed secret.
///
/// The id and hash comparisons are both computed before any decision, so the time taken does
/// not reveal which check failed.
pub fn check_stored(
    parsed: &ParsedTeamToken,
    row: &StoredTeamToken,
    pepper: &TokenPepper,
    now: f64,
) -> Result<()> {
    let id_matches =
        verify_slices_are_equal(parsed.token_id.as_bytes(), row.token_id.as_bytes()).is_ok();
    let hash_matches = verify_secret(parsed, &row.token_hash, pepper);
    if !(id_matches & hash_matches) {
        return Err(err(ErrorCode::InvalidCredentials, INVALID_TOKEN));
    }
    if row.revoked_at.is_some() {
        return Err(err(ErrorCode::TokenRevoked, "team token has been revoked"));
    }
    if let Some(expires_at) = row.expires_at {
        // Anything but "now is before expiry" (including a NaN on either side) is expired, so a
        // corrupt timestamp fails closed.
        if now.partial_cmp(&expires_at) != Some(Ordering::Less) {
            return Err(err(ErrorCode::TokenExpired, "team token has expired"));
        }
    }
    Ok(())
}

/// Non-empty, at most `max` bytes, each an RFC 3986 unreserved character other than `.` (the
/// separator).
fn is_url_safe(part: &str, max: usize) -> bool {
    !part.is_empty()
        && part.len() <= max
        && part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~'))
}

/// Decodes a 64-character lowercase hex SHA-256; `None` for any other spelling, so uppercase or
/// truncated rows never match.
fn decode_hash(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != HASH_HEX_LEN {
        return None;
    }
    let mut out = [0u8; 32];
    for (slot, pair) in out.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
        let [high, low] = pair else {
            return None;
        };
        *slot = (nibble(*high)? << 4) | nibble(*low)?;
    }
    Some(out)
}

fn nibble(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    }
}

// The lookup of stored rows sits with the rows it returns: the request path asks it, and the
// hooks layer wraps a caller's own.

/// Finds the stored row of a team or org-admin token by its `token_id` (the service's
/// `team_tokens` table, or wherever it keeps them). `Ok(None)` when there is no such token; an
/// error is passed through unchanged, so return the code the service should answer with.
#[async_trait]
pub trait TeamTokenLookup: Send + Sync + std::fmt::Debug {
    /// The row for `token_id`, if any.
    async fn lookup(&self, token_id: &str) -> Result<Option<StoredTeamToken>>;
}

/// A fixed set of rows in memory (tests, small deployments, the bindings' vector runners).
#[derive(Debug, Clone, Default)]
pub struct MemoryTeamTokens {
    rows: HashMap<String, StoredTeamToken>,
}

impl MemoryTeamTokens {
    /// Holds `rows`, keyed by their `token_id`.
    pub fn new(rows: impl IntoIterator<Item = StoredTeamToken>) -> Self {
        MemoryTeamTokens {
            rows: rows.into_iter().map(|r| (r.token_id.clone(), r)).collect(),
        }
    }
}

#[async_trait]
impl TeamTokenLookup for MemoryTeamTokens {
    async fn lookup(&self, token_id: &str) -> Result<Option<StoredTeamToken>> {
        Ok(self.rows.get(token_id).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use std::collections::HashMap;

    const ID: &str = "3f2a9c1e4b7d4e2f8a1c0d9e8f7a6b5c";
    const SECRET: &str = "kJ3v_Xq-8Zt0LmN4aB7cD1eF2gH5iK6jL9oP0qR3sTw";
    const PEPPER: &str = "s3cr3t-pepper";
    // Computed independently:
    // python3 -c 'import hashlib; print(hashlib.sha256(
    //     b"kJ3v_Xq-8Zt0LmN4aB7cD1eF2gH5iK6jL9oP0qR3sTws3cr3t-pepper").hexdigest())'
    const KNOWN_HASH: &str = "5e853d2fef1e92394e2cee927a4c12290fe4e2b54ba1034718c5ebaa40173997";
    const NOW: f64 = 1_700_000_000.0;

    fn pepper() -> Result<TokenPepper> {
        TokenPepper::new(PEPPER)
    }

    fn token() -> String {
        format!("{ID}.{SECRET}")
    }

    fn parsed() -> Result<ParsedTeamToken> {
        ParsedTeamToken::parse(&token())
    }

    /// The first `n` bytes of an ASCII constant (tests only slice ASCII).
    fn head(s: &str, n: usize) -> &str {
        s.get(..n).unwrap_or_default()
    }

    fn row() -> StoredTeamToken {
        StoredTeamToken {
            org_id: "org1".into(),
            team_node_id: Some("team1".into()),
            token_id: ID.into(),
            token_hash: KNOWN_HASH.into(),
            revoked_at: None,
            expires_at: None,
            kind: StoredTokenKind::Team,
        }
    }

    /// The error `check_stored` gives for `row` at `NOW`, if any.
    fn rejection(row: StoredTeamToken) -> Result<Option<Error>> {
        Ok(check_stored(&parsed()?, &row, &pepper()?, NOW).err())
    }

    #[test]
    fn hash_matches_the_known_answer() -> Result<()> {
        let p = pepper()?;
        assert_eq!(hash_secret(SECRET, &p), KNOWN_HASH);
        let parsed = parsed()?;
        assert_eq!(parsed.token_id(), ID);
        assert_eq!(parsed.stored_hash(&p), KNOWN_HASH);
        assert!(verify_secret(&parsed, KNOWN_HASH, &p));
        Ok(())
    }

    #[test]
    fn generate_parse_hash_verify_round_trip() -> Result<()> {
        let p = pepper()?;
        let generated = generate()?;
        let token = generated.token();
        assert_eq!(token.len(), TOKEN_LEN);
        assert!(token.starts_with(&format!("{}.", generated.token_id())));
        let id = generated.token_id();
        assert_eq!(id.get(12..13), Some("4"), "uuid version nibble");
        assert!(
            matches!(id.get(16..17), Some("8" | "9" | "a" | "b")),
            "uuid variant"
        );

        let parsed = ParsedTeamToken::parse(token)?;
        assert_eq!(parsed.token_id(), id);
        let stored = generated.stored_hash(&p);
        assert_eq!(stored, parsed.stored_hash(&p));
        let secret = token.get(TOKEN_ID_LEN + 1..).unwrap_or_default();
        assert_eq!(secret.len(), SECRET_LEN);
        assert_eq!(stored, hash_secret(secret, &p));
        assert!(verify_secret(&parsed, &stored, &p));
        assert!(!verify_secret(
            &parsed,
            &stored,
            &TokenPepper::new("other")?
        ));
        assert_eq!(
            check_stored(
                &parsed,
                &StoredTeamToken {
                    token_id: id.to_owned(),
                    token_hash: stored.clone(),
                    ..row()
                },
                &p,
                NOW
            ),
            Ok(())
        );

        let other = generate()?;
        assert_ne!(other.token(), generated.token());
        assert_ne!(other.token_id(), generated.token_id());
        Ok(())
    }

    #[test]
    fn malformed_tokens_are_rejected_without_echo() {
        let cases = [
            String::new(),
            ".".to_owned(),
            ID.to_owned(),
            format!(".{SECRET}"),
            format!("{ID}."),
            format!("{ID}.{SECRET}="),
            format!("{ID}.{SECRET}+"),
            format!("{ID}.{SECRET}/"),
            format!("{ID}.{SECRET}%41"),
            format!("{ID}.{SECRET}.x"),
            format!("{ID}..{SECRET}"),
            format!(" {ID}.{SECRET}"),
            format!("{ID}.{SECRET}\n"),
            format!("{ID}\u{e9}.{SECRET}"),
            format!("{}.{SECRET}", "a".repeat(MAX_TOKEN_ID_LEN + 1)),
            format!("{ID}.{}", "a".repeat(MAX_SECRET_LEN + 1)),
        ];
        for case in cases {
            let error = ParsedTeamToken::parse(&case).err();
            assert_eq!(
                error.as_ref().map(Error::code),
                Some(ErrorCode::TokenMalformed),
                "{case:?}"
            );
            let message = error.as_ref().map(Error::message).unwrap_or_default();
            assert!(!message.contains(head(SECRET, 16)), "{case:?}: {message}");
            assert!(!message.contains(head(ID, 16)), "{case:?}: {message}");
        }
    }

    #[test]
    fn legacy_shapes_parse_and_hash_their_exact_text() -> Result<()> {
        // Shapes the services accept: hand-seeded rows, uppercase ids, shorter and longer
        // secrets, the longest parts allowed.
        let long_id = "a".repeat(MAX_TOKEN_ID_LEN);
        let long_secret = "Z".repeat(MAX_SECRET_LEN);
        let cases = [
            ("tokid", "toksecret"),
            ("EBB404E7F423437091A79691EA4A22EE", SECRET),
            (ID, "secret"),
            ("t-1_x~", "s~_-9"),
            (long_id.as_str(), long_secret.as_str()),
        ];
        for (id, secret) in cases {
            let parsed = ParsedTeamToken::parse(&format!("{id}.{secret}"))?;
            assert_eq!(parsed.token_id(), id);
            assert_eq!(
                parsed.stored_hash(&pepper()?),
                hash_secret(secret, &pepper()?)
            );
            assert!(verify_secret(
                &parsed,
                &hash_secret(secret, &pepper()?),
                &pepper()?
            ));
        }
        Ok(())
    }

    #[test]
    fn debug_never_shows_the_secret() -> Result<()> {
        let generated = generate()?;
        let secret = generated
            .token()
            .get(TOKEN_ID_LEN + 1..)
            .unwrap_or_default();
        assert_eq!(secret.len(), SECRET_LEN);
        let shown = format!("{generated:?}");
        assert!(!shown.contains(secret), "{shown}");
        assert!(shown.contains(generated.token_id()));

        let shown = format!("{:?}", parsed()?);
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(shown.contains(ID));

        let shown = format!("{:?}", pepper()?);
        assert!(!shown.contains(PEPPER), "{shown}");

        let shown = format!("{:?}", row());
        assert!(!shown.contains(KNOWN_HASH), "{shown}");
        Ok(())
    }

    #[test]
    fn pepper_comes_from_token_pepper_byte_for_byte() -> Result<()> {
        let env: HashMap<&str, &str> = HashMap::from([("TOKEN_PEPPER", " spaced ")]);
        assert_eq!(TokenPepper::from_env_source(&env)?.bytes(), b" spaced ");

        for env in [
            HashMap::<&str, &str>::new(),
            HashMap::from([("TOKEN_PEPPER", "")]),
        ] {
            let error = TokenPepper::from_env_source(&env).err();
            assert_eq!(
                error.as_ref().map(Error::code),
                Some(ErrorCode::InvalidConfig)
            );
            let message = error.as_ref().map(Error::message).unwrap_or_default();
            assert!(message.contains("TOKEN_PEPPER"), "{message}");
        }
        Ok(())
    }

    #[test]
    fn stored_hash_must_be_exact_lowercase_hex() -> Result<()> {
        let parsed = parsed()?;
        let p = pepper()?;
        assert!(verify_secret(&parsed, KNOWN_HASH, &p));
        let last_flipped = format!("{}6", head(KNOWN_HASH, 63));
        for bad in [
            KNOWN_HASH.to_uppercase(),
            head(KNOWN_HASH, 63).to_owned(),
            format!("{KNOWN_HASH}0"),
            format!(" {KNOWN_HASH}"),
            last_flipped,
            String::new(),
            "zz".repeat(32),
        ] {
            assert!(!verify_secret(&parsed, &bad, &p), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn check_stored_accepts_live_rows() -> Result<()> {
        assert!(rejection(row())?.is_none());
        let org_admin = StoredTeamToken {
            expires_at: Some(NOW + 0.5),
            team_node_id: None,
            kind: StoredTokenKind::OrgAdmin,
            ..row()
        };
        assert!(rejection(org_admin)?.is_none());
        Ok(())
    }

    #[test]
    fn check_stored_rejects_wrong_id_hash_revoked_and_expired() -> Result<()> {
        let code = |row| rejection(row).map(|e| e.map(|e| e.code()));

        let wrong_id = StoredTeamToken {
            token_id: "0".repeat(32),
            ..row()
        };
        assert_eq!(code(wrong_id)?, Some(ErrorCode::InvalidCredentials));

        let wrong_hash = StoredTeamToken {
            token_hash: hash_secret(SECRET, &TokenPepper::new("other")?),
            ..row()
        };
        let error = rejection(wrong_hash)?;
        assert_eq!(
            error.as_ref().map(Error::code),
            Some(ErrorCode::InvalidCredentials)
        );
        assert_eq!(
            error.as_ref().map(Error::message),
            Some("invalid team token")
        );

        let revoked = StoredTeamToken {
            revoked_at: Some(NOW - 10.0),
            ..row()
        };
        assert_eq!(code(revoked)?, Some(ErrorCode::TokenRevoked));

        // Expired exactly at expires_at, as a JWT is at `exp`; a corrupt time fails closed.
        for expires_at in [NOW, NOW - 1.0, f64::NAN] {
            let expired = StoredTeamToken {
                expires_at: Some(expires_at),
                ..row()
            };
            assert_eq!(
                code(expired)?,
                Some(ErrorCode::TokenExpired),
                "{expires_at}"
            );
        }

        // A wrong secret never learns that the row is revoked or expired.
        let probe = StoredTeamToken {
            token_hash: "0".repeat(64),
            revoked_at: Some(NOW - 10.0),
            expires_at: Some(NOW - 10.0),
            ..row()
        };
        let error = rejection(probe)?;
        assert_eq!(
            error.as_ref().map(Error::code),
            Some(ErrorCode::InvalidCredentials)
        );
        let message = error.as_ref().map(Error::message).unwrap_or_default();
        assert!(!message.contains(head(SECRET, 16)), "{message}");
        assert!(!message.contains(PEPPER), "{message}");
        Ok(())
    }

    #[test]
    fn rows_from_other_languages() {
        let row = serde_json::json!({
            "org_id": "o", "token_id": "id", "token_hash": "h", "team_node_id": "t",
            "expires_at": 10.5,
        });
        let stored = StoredTeamToken::from_row(&row);
        assert!(stored
            .as_ref()
            .is_ok_and(|r| r.kind == StoredTokenKind::Team
                && r.team_node_id.as_deref() == Some("t")
                && r.expires_at == Some(10.5)
                && r.revoked_at.is_none()));
        let admin = serde_json::json!({"org_id": "o", "token_id": "id", "token_hash": "h", "kind": "org_admin"});
        assert!(
            StoredTeamToken::from_row(&admin).is_ok_and(|r| r.kind == StoredTokenKind::OrgAdmin)
        );
        for broken in [
            serde_json::json!({"token_id": "id", "token_hash": "h"}),
            serde_json::json!({"org_id": "o", "token_id": "id", "token_hash": "h", "kind": "root"}),
            serde_json::json!({"org_id": 1, "token_id": "id", "token_hash": "h"}),
            serde_json::json!({"org_id": "o", "token_id": "id", "token_hash": "h", "kind": 1}),
            serde_json::json!({"org_id": "o", "token_id": "id", "token_hash": "h", "team_node_id": 7}),
        ] {
            let code = StoredTeamToken::from_row(&broken).err().map(|e| e.code());
            assert_eq!(code, Some(ErrorCode::LookupUnavailable), "{broken}");
        }
    }

    #[test]
    fn rows_are_read_in_either_spelling_and_refused_when_the_two_disagree() {
        let camel = serde_json::json!({
            "orgId": "o", "teamNodeId": "t", "tokenId": "id", "tokenHash": "h",
            "revokedAt": null, "expiresAt": 10.5, "kind": "team",
        });
        let snake = serde_json::json!({
            "org_id": "o", "team_node_id": "t", "token_id": "id", "token_hash": "h",
            "revoked_at": null, "expires_at": 10.5, "kind": "team",
        });
        let read = StoredTeamToken::from_row(&snake).ok();
        assert!(read.is_some());
        assert_eq!(StoredTeamToken::from_row(&camel).ok(), read);
        // Both spellings agreeing is the same row.
        let mut both = snake.clone();
        if let (Some(out), Some(extra)) = (both.as_object_mut(), camel.as_object()) {
            out.extend(extra.clone());
        }
        assert_eq!(StoredTeamToken::from_row(&both).ok(), read);
        for (snake_name, camel_name, one, other) in [
            (
                "revoked_at",
                "revokedAt",
                serde_json::json!(null),
                serde_json::json!(5),
            ),
            (
                "expires_at",
                "expiresAt",
                serde_json::json!(10.5),
                serde_json::json!("2023-11-14T22:13:20Z"),
            ),
            (
                "org_id",
                "orgId",
                serde_json::json!("o"),
                serde_json::json!("p"),
            ),
        ] {
            let mut row = snake.clone();
            if let Some(out) = row.as_object_mut() {
                out.insert(snake_name.to_owned(), one);
                out.insert(camel_name.to_owned(), other);
            }
            let refused = StoredTeamToken::from_row(&row).err();
            assert_eq!(
                refused.as_ref().map(|e| e.code()),
                Some(ErrorCode::LookupUnavailable)
            );
            assert!(
                refused.is_some_and(|e| e.message().contains("disagree")),
                "{row}"
            );
        }
    }

    #[test]
    fn row_times_are_read_strictly() {
        let row = |name: &str, value: serde_json::Value| {
            let mut row = serde_json::json!({"org_id": "o", "token_id": "id", "token_hash": "h"});
            if let Some(object) = row.as_object_mut() {
                object.insert(name.to_owned(), value);
            }
            StoredTeamToken::from_row(&row)
        };
        for name in ["revoked_at", "expires_at"] {
            let time = |r: Result<StoredTeamToken>| {
                r.map(|r| {
                    if name == "revoked_at" {
                        r.revoked_at
                    } else {
                        r.expires_at
                    }
                })
            };
            assert_eq!(time(row(name, serde_json::Value::Null)).ok(), Some(None));
            assert_eq!(
                time(row(name, serde_json::json!(12.5))).ok(),
                Some(Some(12.5))
            );
            // What Pydantic's model_dump(mode="json") and Date.toISOString() write.
            for (text, seconds) in [
                ("2023-11-14T22:13:20Z", 1_700_000_000.0),
                ("2023-11-14T22:13:20.500Z", 1_700_000_000.5),
                ("2023-11-15T00:13:20+02:00", 1_700_000_000.0),
            ] {
                assert_eq!(
                    time(row(name, serde_json::json!(text))).ok(),
                    Some(Some(seconds))
                );
            }
            for broken in [
                serde_json::json!(true),
                serde_json::json!(false),
                serde_json::json!("NaN"),
                serde_json::json!("Invalid Date"),
                serde_json::json!(""),
                serde_json::json!("yesterday"),
                // No offset: which zone it meant is a guess, and a guess must not decide.
                serde_json::json!("2023-11-14T22:13:20"),
                serde_json::json!([]),
                serde_json::json!({}),
            ] {
                let code = row(name, broken.clone()).err().map(|e| e.code());
                assert_eq!(code, Some(ErrorCode::LookupUnavailable), "{name}: {broken}");
            }
        }
    }
}
