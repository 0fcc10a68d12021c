//! Errors that stop a harvest (as opposed to [`crate::RecordError`], which rejects one record).

/// Why a connector could not go on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConnectorError {
    /// The network or the peer failed; worth retrying later.
    #[error("transport error: {0}")]
    Transport(String),
    /// The source answered with an HTTP status that is not success.
    #[error("HTTP {status} from {url}")]
    Http {
        /// Status code.
        status: u16,
        /// URL asked.
        url: String,
        /// Retry-After in seconds, if sent.
        retry_after_secs: Option<u64>,
    },
    /// The source answered something that cannot be parsed at all (not one record: the page).
    #[error("malformed response: {0}")]
    Malformed(String),
    /// The source refused the request with a protocol error (e.g. OAI-PMH badArgument).
    #[error("protocol error {code}: {message}")]
    Protocol {
        /// Protocol error code.
        code: String,
        /// Message from the source.
        message: String,
    },
    /// The resume point is no longer valid; the harvester restarts from its last safe datestamp.
    #[error("resume point rejected by the source: {0}")]
    BadResumePoint(String),
    /// The source configuration (URL, mapping file, path) is wrong.
    #[error("bad source configuration: {0}")]
    Config(String),
    /// A local file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        message: String,
    },
}
