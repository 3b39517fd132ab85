//! Identities: which API server a plan was made against (what a saved plan records and
//! `apply` compares with the cluster it is about to write to), and the identity fields of
//! an object. A leaf of `live/`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::world::hex::lower_hex;

/// Which API server a plan was made against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterIdentity {
    /// The kubeconfig context name (informative: a name can point anywhere).
    pub context: String,
    /// The server URL, without any user information.
    pub server: String,
    /// sha256 over the DER certificates of the context's CA bundle, in order; `null` when the
    /// context names no CA.
    #[serde(deserialize_with = "Option::deserialize")]
    pub ca_sha256: Option<String>,
}

impl ClusterIdentity {
    /// The identity of a kube client configuration.
    pub fn of(config: &kube::Config, context: &str) -> ClusterIdentity {
        let uri = &config.cluster_url;
        let host = uri.host().unwrap_or("");
        let port = uri.port().map(|p| format!(":{p}")).unwrap_or_default();
        let scheme = uri.scheme_str().unwrap_or("https");
        let path = uri.path().trim_end_matches('/');
        ClusterIdentity {
            context: context.to_string(),
            server: format!("{scheme}://{host}{port}{path}"),
            ca_sha256: config.root_cert.as_ref().map(|certs| {
                let mut hash = Sha256::new();
                for der in certs {
                    hash.update(der);
                }
                lower_hex(&hash.finalize())
            }),
        }
    }

    /// `HOST[:PORT]` of the server, as kubectl names it in connection errors.
    pub fn address(&self) -> &str {
        let rest = self
            .server
            .split_once("://")
            .map_or(self.server.as_str(), |(_, r)| r);
        rest.split('/').next().unwrap_or(rest)
    }

    /// `context "c" (server https://…, CA sha256 …)`.
    pub fn describe(&self) -> String {
        format!(
            "context {:?} (server {}, CA sha256 {})",
            self.context,
            self.server,
            self.ca_sha256.as_deref().unwrap_or("none")
        )
    }
}

/// The string at `pointer` in an object (`/metadata/name`), or `""` when it is missing or
/// not a string.
pub fn text<'a>(object: &'a Value, pointer: &str) -> &'a str {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("")
}
