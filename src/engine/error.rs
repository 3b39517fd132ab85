//! What can stop the engine: the input the store refuses, a failing API call of the
//! engine itself (the Job controller stand-in), a controller error or a setting it
//! cannot use. The messages are the ones the CLI prints after `error: `.

use crate::world::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// An input object the store refuses (no kind, no name, a kind it cannot key).
    #[error("cluster object #{index}: {source}")]
    Load {
        /// 1-based position in the input.
        index: usize,
        #[source]
        source: ApiError,
    },
    /// An object of a cluster snapshot (or an `-f` file over it) the store refuses.
    #[error("loading {object}: {source}")]
    LoadObject {
        /// `Kind namespace/name`.
        object: String,
        #[source]
        source: ApiError,
    },
    /// An API call the engine makes itself (listing and completing Jobs).
    #[error(transparent)]
    Api(#[from] ApiError),
    /// A reconcile that failed outside its result: the controller's own error.
    #[error("{0}")]
    Reconcile(String),
    /// A scenario or option the engine cannot use (a bad clock, platform setting).
    #[error("{0}")]
    Setting(String),
}

impl From<EngineError> for String {
    /// For callers whose own errors are still strings (the live and explain paths).
    fn from(e: EngineError) -> String {
        e.to_string()
    }
}
