//! The data contract of TransferHub: parsing newtypes for the domain's identifiers and codes,
//! the enums shared by the store and the API, the sea-orm entities and the one migration set
//! that runs on SQLite and PostgreSQL. It knows no transport and no source.

//!
//! Features: `db` (default) adds the sea-orm entities, the migrations and the enums' database
//! mapping; `graphql` (default) derives the enums' GraphQL types. The source connectors use
//! neither: they build with `default-features = false` and get only the types and enums.

#[cfg(feature = "db")]
pub mod entity;
pub mod enums;
#[cfg(feature = "db")]
pub mod migration;
pub mod types;

/// The published GraphQL SDL, kept in step with the server by a drift test.
pub const GRAPHQL_SDL: &str = include_str!("../transferhub.graphql");
