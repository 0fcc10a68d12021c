//! sea-orm entities, a file per table. Relations are declared where queries follow them.

pub mod achievement;
pub mod api_token;
pub mod audit_log;
pub mod event;
pub mod event_meeting;
pub mod event_participant;
pub mod event_session;
pub mod harvest_run;
pub mod invitation;
pub mod login_state;
pub mod match_feedback;
pub mod match_outbox;
pub mod match_suggestion;
pub mod membership;
pub mod need;
pub mod organisation;
pub mod patent;
pub mod rejected_record;
pub mod search_outbox;
pub mod session;
pub mod source;
pub mod source_record;
pub mod user;
