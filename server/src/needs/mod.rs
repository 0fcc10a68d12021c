//! Technology needs (技术需求) posted by firms.

pub mod graphql;
pub mod service;
