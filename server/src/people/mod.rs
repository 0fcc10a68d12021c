//! People (issue 19): each person's profile — title (职称), fields as IPC and GB/T 4754 codes,
//! expertise keywords, languages, a short bio — and what of it the public sees. `service.rs`
//! holds the rules and all SQL, `graphql.rs` the `Person` type, `person(id)`, `me` and
//! `updateMyProfile`.

pub mod graphql;
pub mod service;
