//! Matchmaking events (对接活动): events with sessions, registration, meeting requests, the
//! optimising scheduler, agendas (GraphQL and iCalendar), check-in and outcomes.

pub mod scheduler;
