//! The schema server-side apply merges by: for each place in an object, whether
//! it is a scalar, a struct (granular or atomic), a map (granular or atomic) or a
//! list (atomic, set, or map keyed by some fields) — the Kubernetes OpenAPI
//! extensions `x-kubernetes-list-type`, `x-kubernetes-list-map-keys` and
//! `x-kubernetes-map-type` as structured-merge-diff reads them.
//!
//! The built-in kinds come from a table generated from the Go sources
//! (`ssa_schema.rs`); every other kind (the custom resources) is *deduced* as
//! structured-merge-diff's deduced type converter does: objects are granular
//! maps, lists are atomic.

use serde_json::Value;

pub use super::schema_types::{Field, ListType, Root, TypeDef, TypeId, TypeKind, DEDUCED};
use super::ssa_schema::{ROOTS, TYPES};

/// The shape at one place, resolved against the value found there.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    Scalar,
    /// A struct or map: `fields` are the struct's named fields (empty for a map).
    Map {
        atomic: bool,
        fields: &'static [Field],
        elem: TypeId,
    },
    List {
        elem: TypeId,
        list: ListType,
    },
}

/// The type of the objects of a kind (deduced for kinds outside the table).
pub fn root(api_version: &str, kind: &str) -> TypeId {
    ROOTS
        .iter()
        .find(|r| r.api_version == api_version && r.kind == kind)
        .map_or(DEDUCED, |r| r.ty)
}

/// The shape of `ty`; a deduced place takes the shape of `value`.
pub fn shape(ty: TypeId, value: Option<&Value>) -> Shape {
    if ty == DEDUCED {
        return match value {
            Some(Value::Object(_)) => Shape::Map {
                atomic: false,
                fields: &[],
                elem: DEDUCED,
            },
            Some(Value::Array(_)) => Shape::List {
                elem: DEDUCED,
                list: ListType::Atomic,
            },
            _ => Shape::Scalar,
        };
    }
    match TYPES[usize::from(ty)].0 {
        TypeKind::Scalar => Shape::Scalar,
        TypeKind::Struct { atomic, fields } => Shape::Map {
            atomic,
            fields,
            // Unknown fields of a struct are deduced.
            elem: DEDUCED,
        },
        TypeKind::Map { elem, atomic } => Shape::Map {
            atomic,
            fields: &[],
            elem,
        },
        TypeKind::List { elem, list } => Shape::List { elem, list },
    }
}

impl Shape {
    /// The type of a map entry or struct field, and whether it is a named field.
    pub fn child(&self, key: &str) -> (TypeId, bool) {
        match self {
            Shape::Map { fields, elem, .. } => fields
                .iter()
                .find(|f| f.name == key)
                .map_or((*elem, false), |f| (f.ty, true)),
            _ => (DEDUCED, false),
        }
    }
}

/// The named field `key` of the struct type `ty`, if it is one.
pub fn struct_field(ty: TypeId, key: &str) -> Option<&'static Field> {
    if ty == DEDUCED {
        return None;
    }
    match &TYPES[usize::from(ty)].0 {
        TypeKind::Struct { fields, .. } => fields.iter().find(|f| f.name == key),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_type(ty: TypeId, path: &[&str]) -> TypeId {
        path.iter().fold(ty, |ty, name| match shape(ty, None) {
            Shape::List { elem, .. } if *name == "[]" => elem,
            s => s.child(name).0,
        })
    }

    #[test]
    fn containers_ports_env_and_selectors_carry_the_openapi_list_and_map_types() {
        let sts = root("apps/v1", "StatefulSet");
        let pod = ["spec", "template", "spec"];
        let containers = field_type(sts, &[&pod[..], &["containers"]].concat());
        assert!(matches!(
            shape(containers, None),
            Shape::List {
                list: ListType::Map(["name"]),
                ..
            }
        ));
        let ports = field_type(containers, &["[]", "ports"]);
        assert!(matches!(
            shape(ports, None),
            Shape::List {
                list: ListType::Map(["containerPort", "protocol"]),
                ..
            }
        ));
        let port = field_type(ports, &["[]"]);
        assert_eq!(
            struct_field(port, "protocol").and_then(|f| f.default),
            Some("\"TCP\"")
        );
        let mounts = field_type(containers, &["[]", "volumeMounts"]);
        assert!(matches!(
            shape(mounts, None),
            Shape::List {
                list: ListType::Map(["mountPath"]),
                ..
            }
        ));
        let selector = field_type(sts, &["spec", "selector"]);
        assert!(matches!(
            shape(selector, None),
            Shape::Map { atomic: true, .. }
        ));
        let svc = root("v1", "Service");
        let svc_selector = field_type(svc, &["spec", "selector"]);
        assert!(matches!(
            shape(svc_selector, None),
            Shape::Map { atomic: true, .. }
        ));
        let svc_ports = field_type(svc, &["spec", "ports"]);
        assert!(matches!(
            shape(svc_ports, None),
            Shape::List {
                list: ListType::Map(["port", "protocol"]),
                ..
            }
        ));
        let finalizers = field_type(svc, &["metadata", "finalizers"]);
        assert!(matches!(
            shape(finalizers, None),
            Shape::List {
                list: ListType::Set,
                ..
            }
        ));
        let labels = field_type(svc, &["metadata", "labels"]);
        assert!(matches!(
            shape(labels, None),
            Shape::Map { atomic: false, .. }
        ));
    }

    #[test]
    fn custom_kinds_are_deduced() {
        assert_eq!(root("sei.io/v1alpha1", "SeiNode"), DEDUCED);
        assert!(matches!(
            shape(DEDUCED, Some(&serde_json::json!([1]))),
            Shape::List {
                list: ListType::Atomic,
                ..
            }
        ));
    }
}
