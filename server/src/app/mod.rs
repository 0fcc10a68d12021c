//! The running application: configuration, shared state, the HTTP router and shutdown.

pub mod config;
pub mod cors;
pub mod router;
pub mod security_headers;
pub mod shutdown;
pub mod state;
