//! Who is calling (`Viewer`), how bearer tokens are made and checked, and the one policy that
//! decides what a viewer may change.

pub mod policy;
pub mod token;

use transferhub_schema::enums::Role;

/// The authenticated caller of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// Token row id, for the audit log.
    pub token_id: i64,
    /// Token name given at creation.
    pub token_name: String,
    /// Organisation the token acts for.
    pub organisation_id: i64,
    /// That organisation's key.
    pub organisation_key: String,
    /// Role granted.
    pub role: Role,
}

impl Viewer {
    /// The actor string written to the audit log.
    pub fn actor(&self) -> String {
        format!("token:{}", self.token_id)
    }
}
