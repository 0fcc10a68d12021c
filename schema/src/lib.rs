//! The data contract of TransferHub: parsing newtypes for the domain's identifiers and codes,
//! the enums shared by the store and the API, the sea-orm entities and the one migration set
//! that runs on SQLite and PostgreSQL. It knows no transport and no source.

pub mod entity;
pub mod enums;
pub mod migration;
pub mod types;

/// The published GraphQL SDL, kept in step with the server by a drift test.
pub const GRAPHQL_SDL: &str = include_str!("../transferhub.graphql");
