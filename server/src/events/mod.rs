//! Matchmaking events (对接活动): events with sessions, registration, meeting requests and
//! suggestions, the optimising scheduler, agendas (GraphQL and iCalendar), check-in, outcomes
//! and live updates.

pub mod agenda;
pub mod checkin;
pub mod graphql;
pub mod meetings;
pub mod registration;
pub mod scheduler;
pub mod scheduling;
pub mod service;
pub mod slots;
pub mod stats;
pub mod suggest;
pub mod updates;
