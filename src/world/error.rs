//! API-server errors with the exact texts a real Kubernetes API server returns.

use std::fmt;

/// An error answered by the (in-memory) API server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// `<resource> "<name>" not found`
    NotFound { resource: String, name: String },
    /// `<resource> "<name>" already exists`
    AlreadyExists { resource: String, name: String },
    /// The optimistic lock failed.
    Conflict { resource: String, name: String },
    /// A server-side apply without force changed fields other managers own
    /// (409, reason Conflict), with the API server's text.
    ApplyConflict(String),
    /// `no matches for kind "<Kind>" in version "<apiVersion>"`
    NotServed { kind: String, api_version: String },
    /// Any other rejection, with its text.
    Invalid(String),
}

impl ApiError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::NotFound { .. })
    }

    pub fn is_conflict(&self) -> bool {
        matches!(self, ApiError::Conflict { .. } | ApiError::ApplyConflict(_))
    }

    pub fn is_already_exists(&self) -> bool {
        matches!(self, ApiError::AlreadyExists { .. })
    }

    /// `meta.IsNoMatchError`: the kind is not served.
    pub fn is_no_match(&self) -> bool {
        matches!(self, ApiError::NotServed { .. })
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::NotFound { resource, name } => write!(f, "{resource} \"{name}\" not found"),
            ApiError::AlreadyExists { resource, name } => {
                write!(f, "{resource} \"{name}\" already exists")
            }
            ApiError::Conflict { resource, name } => write!(
                f,
                "Operation cannot be fulfilled on {resource} \"{name}\": the object has been modified; \
                 please apply your changes to the latest version and try again"
            ),
            ApiError::NotServed { kind, api_version } => {
                write!(f, "no matches for kind \"{kind}\" in version \"{api_version}\"")
            }
            ApiError::Invalid(text) | ApiError::ApplyConflict(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for ApiError {}
