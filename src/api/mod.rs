//! Typed SeiNode / SeiNodeDeployment API objects whose JSON encoding matches Go's
//! `encoding/json` on the operator's `api/v1alpha1` structs.
//!
//! Conventions: Go enums are plain `String` fields with constants in a `*_phase` /
//! `*_type` module; `metav1.Time` is `Option<String>` (RFC3339, UTC, whole seconds);
//! non-omitempty slices and maps that Go can encode as `null` are `Option<Vec<_>>` /
//! `Option<StringMap>`.

/// The methods every top-level Sei object shares: Go-faithful decoding and
/// encoding, type meta, and metadata accessors.
macro_rules! sei_object {
    ($type:ident, $kind:expr) => {
        impl $type {
            /// Decodes the object the way Go's encoding/json would.
            pub fn from_value(v: &serde_json::Value) -> Result<Self, serde_json::Error> {
                <Self as serde::Deserialize>::deserialize(v)
            }

            /// Encodes as Go's encoding/json would (field order = Go declaration order).
            pub fn to_value(&self) -> serde_json::Value {
                serde_json::to_value(self).expect("encoding a typed object to JSON cannot fail")
            }

            /// Sets `kind`/`apiVersion` to this type's type meta.
            pub fn with_type_meta(mut self) -> Self {
                self.kind = Some($kind.to_string());
                self.api_version = Some($crate::api::API_VERSION.to_string());
                self
            }

            pub fn namespace(&self) -> &str {
                &self.metadata.namespace
            }

            pub fn name(&self) -> &str {
                &self.metadata.name
            }

            pub fn uid(&self) -> &str {
                &self.metadata.uid
            }

            pub fn generation(&self) -> i64 {
                self.metadata.generation
            }

            /// True when `metadata.deletionTimestamp` is set.
            pub fn is_deleting(&self) -> bool {
                self.metadata.deletion_timestamp.is_some()
            }

            pub fn has_finalizer(&self, finalizer: &str) -> bool {
                self.metadata.has_finalizer(finalizer)
            }

            /// Appends the finalizer if absent; returns whether the list changed.
            pub fn add_finalizer(&mut self, finalizer: &str) -> bool {
                self.metadata.add_finalizer(finalizer)
            }

            /// Removes all entries equal to the finalizer; returns whether the list changed.
            pub fn remove_finalizer(&mut self, finalizer: &str) -> bool {
                self.metadata.remove_finalizer(finalizer)
            }
        }
    };
}

pub mod common;
pub mod deployment;
pub mod gojson;
pub mod gopanic;
pub mod meta;
pub mod quantity;
pub mod seinode;
pub mod typed;

pub use common::*;
pub use deployment::*;
pub use meta::*;
pub use seinode::*;
