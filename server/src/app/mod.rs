//! The running application: configuration, shared state, the HTTP router and shutdown.

pub mod config;
pub mod router;
pub mod shutdown;
pub mod state;
