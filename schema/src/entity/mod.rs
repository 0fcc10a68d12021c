//! sea-orm entities, a file per table. Relations are declared where queries follow them.

pub mod achievement;
pub mod achievement_view;
pub mod api_token;
pub mod audit_log;
pub mod harvest_run;
pub mod link;
pub mod link_check;
pub mod membership;
pub mod need;
pub mod organisation;
pub mod patent;
pub mod record_review;
pub mod rejected_record;
pub mod search_outbox;
pub mod source;
pub mod source_record;
pub mod user;
