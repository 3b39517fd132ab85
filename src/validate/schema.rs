//! Structural schemas compiled from the embedded CRDs (`crds/*.yaml`).

use foldhash::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use super::cel::CelRule;
use crate::manifest;

/// The SeiNode CRD as shipped by the operator at the pinned commit.
pub const SEINODE_CRD: &str = include_str!("../../crds/sei.io_seinodes.yaml");
/// The SeiNodeDeployment CRD as shipped by the operator at the pinned commit.
pub const SEINODEDEPLOYMENT_CRD: &str = include_str!("../../crds/sei.io_seinodedeployments.yaml");

/// JSON schema `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
}

impl Type {
    pub fn name(self) -> &'static str {
        match self {
            Type::Object => "object",
            Type::Array => "array",
            Type::String => "string",
            Type::Integer => "integer",
            Type::Number => "number",
            Type::Boolean => "boolean",
        }
    }
}

/// One node of a compiled structural schema.
#[derive(Debug, Default)]
pub struct Schema {
    pub ty: Option<Type>,
    pub properties: HashMap<String, Schema>,
    /// Property names in schema order (for required/default iteration and suggestions).
    pub property_order: Vec<String>,
    pub additional_properties: Option<Box<Schema>>,
    pub items: Option<Box<Schema>>,
    pub required: Vec<String>,
    pub enum_values: Vec<Value>,
    pub pattern: Option<(String, Regex)>,
    pub format: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub default: Option<Value>,
    pub nullable: bool,
    pub preserve_unknown: bool,
    pub int_or_string: bool,
    pub list_type: Option<String>,
    pub list_map_keys: Vec<String>,
    pub rules: Vec<CelRule>,
    /// Whether this node or any descendant carries CEL rules (lets the CEL pass skip subtrees).
    pub has_rules_below: bool,
    /// Properties that have a `default`, in schema order.
    pub defaulted: Vec<String>,
}

impl Schema {
    /// True when keys not listed in `properties` are unknown (pruned by the API server).
    pub fn rejects_unknown(&self) -> bool {
        self.ty == Some(Type::Object)
            && !self.preserve_unknown
            && self.additional_properties.is_none()
    }
}

fn u(v: &Value, k: &str) -> Option<u64> {
    v.get(k).and_then(Value::as_u64)
}

/// Compiles an OpenAPI v3 structural schema (as found in a CRD version).
pub fn compile(v: &Value, path: &str) -> Result<Schema, String> {
    let mut s = Schema {
        ty: match v.get("type").and_then(Value::as_str) {
            None => None,
            Some("object") => Some(Type::Object),
            Some("array") => Some(Type::Array),
            Some("string") => Some(Type::String),
            Some("integer") => Some(Type::Integer),
            Some("number") => Some(Type::Number),
            Some("boolean") => Some(Type::Boolean),
            Some(other) => return Err(format!("{path}: unsupported type {other}")),
        },
        format: v.get("format").and_then(Value::as_str).map(str::to_string),
        min_length: u(v, "minLength"),
        max_length: u(v, "maxLength"),
        min_items: u(v, "minItems"),
        max_items: u(v, "maxItems"),
        min_properties: u(v, "minProperties"),
        max_properties: u(v, "maxProperties"),
        minimum: v.get("minimum").and_then(Value::as_f64),
        maximum: v.get("maximum").and_then(Value::as_f64),
        exclusive_minimum: v
            .get("exclusiveMinimum")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        exclusive_maximum: v
            .get("exclusiveMaximum")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        default: v.get("default").cloned(),
        nullable: v.get("nullable").and_then(Value::as_bool).unwrap_or(false),
        preserve_unknown: v
            .get("x-kubernetes-preserve-unknown-fields")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        int_or_string: v
            .get("x-kubernetes-int-or-string")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        list_type: v
            .get("x-kubernetes-list-type")
            .and_then(Value::as_str)
            .map(str::to_string),
        ..Default::default()
    };
    if let Some(p) = v.get("pattern").and_then(Value::as_str) {
        let re = Regex::new(p).map_err(|e| format!("{path}: bad pattern: {e}"))?;
        s.pattern = Some((p.to_string(), re));
    }
    if let Some(Value::Array(e)) = v.get("enum") {
        s.enum_values = e.clone();
    }
    if let Some(Value::Array(r)) = v.get("required") {
        s.required = r
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
    }
    if let Some(Value::Array(k)) = v.get("x-kubernetes-list-map-keys") {
        s.list_map_keys = k
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
    }
    if let Some(Value::Object(props)) = v.get("properties") {
        for (name, ps) in props {
            let child = compile(ps, &manifest::path::join_key(path, name))?;
            s.property_order.push(name.clone());
            if child.default.is_some() {
                s.defaulted.push(name.clone());
            }
            s.properties.insert(name.clone(), child);
        }
    }
    match v.get("additionalProperties") {
        Some(ap @ Value::Object(_)) => {
            s.additional_properties = Some(Box::new(compile(ap, &format!("{path}[*]"))?));
        }
        Some(Value::Bool(true)) => s.additional_properties = Some(Box::default()),
        _ => {}
    }
    if let Some(items) = v.get("items") {
        s.items = Some(Box::new(compile(items, &format!("{path}[*]"))?));
    }
    // int-or-string quantities carry `anyOf: [{type: integer}, {type: string}]`; the flag and
    // the sibling pattern already express that, so anyOf needs no further handling here.
    if let Some(Value::Array(rules)) = v.get("x-kubernetes-validations") {
        for r in rules {
            s.rules.push(CelRule::compile(r, path)?);
        }
    }
    s.has_rules_below = !s.rules.is_empty()
        || s.properties.values().any(|c| c.has_rules_below)
        || s.additional_properties
            .as_ref()
            .is_some_and(|c| c.has_rules_below)
        || s.items.as_ref().is_some_and(|c| c.has_rules_below);
    Ok(s)
}

/// A served CRD version: its kind and compiled root schema.
#[derive(Debug)]
pub struct CrdSchema {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub root: Schema,
}

/// Reads a CRD manifest and compiles the `openAPIV3Schema` of each version.
pub fn compile_crd(name: &str, text: &str) -> Result<Vec<CrdSchema>, String> {
    let load = manifest::parse_str(name, text);
    if let Some(e) = load.errors.first() {
        return Err(e.to_string());
    }
    let mut out = Vec::new();
    for doc in &load.documents {
        let spec = &doc.value["spec"];
        let group = spec["group"].as_str().unwrap_or_default().to_string();
        let kind = spec["names"]["kind"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        for ver in spec["versions"].as_array().into_iter().flatten() {
            let version = ver["name"].as_str().unwrap_or_default().to_string();
            let root = compile(&ver["schema"]["openAPIV3Schema"], "")?;
            out.push(CrdSchema {
                group: group.clone(),
                version,
                kind: kind.clone(),
                root,
            });
        }
    }
    Ok(out)
}

/// All schemas known to the validator.
pub struct Registry {
    pub crds: Vec<CrdSchema>,
}

impl Registry {
    /// Finds the schema for an apiVersion/kind pair.
    pub fn find(&self, api_version: &str, kind: &str) -> Option<&CrdSchema> {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        self.crds
            .iter()
            .find(|c| c.group == group && c.version == version && c.kind == kind)
    }

    /// True when the group is served by one of the CRDs (so an unknown version/kind is an error).
    pub fn owns_group(&self, api_version: &str) -> bool {
        let group = api_version.split_once('/').map_or("", |(g, _)| g);
        self.crds.iter().any(|c| c.group == group)
    }

    /// Kinds served for a group, for help texts.
    pub fn kinds(&self) -> Vec<String> {
        self.crds
            .iter()
            .map(|c| format!("{}/{} {}", c.group, c.version, c.kind))
            .collect()
    }
}

/// The registry built from the embedded CRDs (compiled once per process).
pub fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| {
        let mut crds = compile_crd("crds/sei.io_seinodes.yaml", SEINODE_CRD)
            .expect("embedded SeiNode CRD compiles");
        crds.extend(
            compile_crd("crds/sei.io_seinodedeployments.yaml", SEINODEDEPLOYMENT_CRD)
                .expect("embedded SeiNodeDeployment CRD compiles"),
        );
        Registry { crds }
    })
}
