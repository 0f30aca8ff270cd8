//! Role-based access: admin permissions from groups, orchestrator route checks, explained
//! decisions.

mod decision;
mod grants;
mod group_map;
mod policy;
mod routes;

pub use decision::{Decision, DenyReason, GrantSource};
pub use grants::Grants;
pub use group_map::{GroupMap, VARIABLE as GROUP_MAP_VARIABLE};
pub use policy::{RbacPolicy, DEFAULT_ADMIN_PERMISSIONS};
pub use routes::{Route, RouteTable, CONFIGURABLE_ROUTES, FIXED_ROUTES};
