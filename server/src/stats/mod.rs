//! The statistics centre: counts by thematic collection, type, organisation, region and month;
//! needs and their match rate; the matching funnel and event outcomes; harvest freshness; page
//! views counted without personal data. Each table is
//! also a CSV download (`GET /stats/{table}.csv`, platform admins).

pub mod engagement;
pub mod graphql;
pub mod http;
pub mod service;
pub mod views;
