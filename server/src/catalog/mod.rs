//! The achievement catalog (科技成果) and the organisations that own it.

pub mod graphql;
pub mod service;
