//! sea-orm entities, a file per table. Relations are declared where queries follow them.

pub mod achievement;
pub mod api_token;
pub mod audit_log;
pub mod membership;
pub mod need;
pub mod organisation;
pub mod patent;
pub mod user;
