//! The TransferHub server as a library: the `transferhub` binary is a thin `main.rs` over
//! [`cli::run`], and the end-to-end tests drive the same code.

pub mod app;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod changes;
pub mod cli;
pub mod cluster;
pub mod db;
pub mod deals;
pub mod demo;
pub mod error;
pub mod evalset;
pub mod events;
pub mod files;
pub mod filters;
pub mod graphql;
pub mod links;
pub mod loaders;
pub mod matching;
pub mod metrics;
pub mod needs;
pub mod organisations;
pub mod outbound;
pub mod outbox;
pub mod paging;
pub mod people;
pub mod relay;
pub mod search;
pub mod sources;
pub mod stats;
pub mod telemetry;
pub mod validate;
