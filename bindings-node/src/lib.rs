//! The native addon of `@incidentfox/auth`: the incidentfox-auth core for Node.
//!
//! Bindings hold no policy: every class wraps a core type and every function converts arguments
//! and errors, nothing else. Failures become JS `Error`s with `code` (`ERR_TOKEN_EXPIRED`) and
//! `status` (the HTTP status hint), built in `errors.rs`. Calls that may touch the network or a
//! store return Promises that run on napi's tokio runtime; the CPU-only ones are synchronous.
//! The hand-written layer in `lib/` wraps this module (see `lib/index.js`).

// Under `cfg(test)` napi-derive leaves out the registration of free functions, so the exported
// ones would look unused to the lint (clippy `--all-targets` builds that configuration).
#![cfg_attr(test, allow(dead_code))]

mod authenticator;
mod convert;
mod errors;
mod impersonation;
mod js_calls;
mod login;
mod observe;
mod oidc;
mod rbac;
mod runtime;
mod stores;
mod team_tokens;

pub use errors::{error_codes, ErrorCodeInfo};

// mimalloc instead of the system allocator for the addon's own allocations: a verification
// allocates and frees dozens of small strings and maps, and glibc's malloc, shared with V8 and
// trimmed back to the OS between bursts, spent a third of a `verifySync` in malloc, free and
// page faults. Nothing allocated here is freed by Node or the other way round (Node-API copies).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
