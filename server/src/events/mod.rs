//! Matchmaking events (对接活动): events with sessions, registration, meeting requests and
//! suggestions, the optimising scheduler, agendas (GraphQL and iCalendar), check-in, outcomes
//! and live updates.

pub mod agenda;
pub mod graphql;
pub mod scheduler;
pub mod service;
pub mod slots;
pub mod suggest;
pub mod updates;
