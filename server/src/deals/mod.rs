//! The deal room (交易, issue 20 first slice): a buyer's interest in an achievement opens a deal
//! with its owner; the parties talk in a private thread with attachments and read receipts, and
//! either party may withdraw.

pub mod graphql;
pub mod service;
