//! Reading manifests for `plan` (and other commands that take `-f`): files,
//! directories and stdin, with errors and warnings that name file, line and field.

use std::path::PathBuf;

use serde_json::Value;

use crate::api::{SeiNode, SeiNodeDeployment};
use crate::manifest::{load_paths_lenient, Document, FileLoad, LoadError};
use crate::world::compact::Manifest;

/// A problem with the input, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for InputProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// The objects of the input, ready to load into the world, plus warnings. Objects of kinds
/// `plan` does not reconcile are held compactly (see [`Manifest`]).
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub objects: Vec<Manifest>,
    pub warnings: Vec<InputProblem>,
}

impl Input {
    /// Every object decoded (for callers that read whole objects throughout).
    pub fn into_values(self) -> Vec<Value> {
        self.objects.into_iter().map(Manifest::into_value).collect()
    }
}

const SEI_API_VERSION: &str = "sei.io/v1alpha1";

fn problem(doc: &Document, path: &str, message: String) -> InputProblem {
    let span = doc.position_of(path).unwrap_or(doc.start);
    InputProblem {
        file: doc.source.name.clone(),
        line: span.line,
        column: span.column,
        message,
    }
}

/// Loads every object from `paths`; the first hard error is returned as `Err`.
pub fn read_objects(paths: &[PathBuf], recursive: bool) -> Result<Input, InputProblem> {
    objects_of_loads(load_paths_lenient(paths, recursive))
}

/// The objects of loaded inputs, in input order; the first load error (or hard error of a
/// document) is returned as `Err`.
pub fn objects_of_loads(loads: Vec<FileLoad>) -> Result<Input, InputProblem> {
    let mut documents = Vec::new();
    for load in loads {
        if let Some(e) = load.errors.into_iter().next() {
            return Err(load_problem(e));
        }
        documents.extend(load.documents);
    }
    objects_of(&documents)
}

/// A file that could not be read or parsed, as an input problem.
pub fn load_problem(e: LoadError) -> InputProblem {
    InputProblem {
        file: e.file,
        line: e.span.line,
        column: e.span.column,
        message: e.message,
    }
}

/// The objects of loaded documents (identity and types checked, unknown fields dropped with a
/// warning); the first hard error is returned as `Err`.
pub fn objects_of(documents: &[Document]) -> Result<Input, InputProblem> {
    objects_in(documents.iter().map(object_of))
}

/// What one document adds to the input: nothing (an empty list), its object and warnings,
/// or the hard error that ends the reading.
pub type DocumentObject = Option<Result<(Manifest, Vec<InputProblem>), InputProblem>>;

/// The object of one loaded document (see [`objects_of`]).
pub fn object_of(doc: &Document) -> DocumentObject {
    // Lists were read item by item; one still here is empty.
    if doc.value.is_null() || crate::manifest::is_list(&doc.value) {
        return None;
    }
    let mut warnings = Vec::new();
    Some(check_document(doc, &mut warnings).map(|object| (held(object), warnings)))
}

/// An input object as it is kept until the world is built: the kinds a plan reconciles
/// (read again and again, and matched against label selectors) parsed, the rest compact.
fn held(object: Value) -> Manifest {
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    if crate::engine::plan::TARGET_KINDS.contains(&kind) {
        Manifest::Parsed(Box::new(object))
    } else {
        Manifest::compact(object)
    }
}

/// The input made of each document's object, in order; the first hard error is returned as
/// `Err`.
pub fn objects_in(each: impl IntoIterator<Item = DocumentObject>) -> Result<Input, InputProblem> {
    let each = each.into_iter();
    let mut input = Input::default();
    // Sized once (a few list documents may leave some room) rather than grown by doubling.
    input.objects.reserve(each.size_hint().0);
    for outcome in each.flatten() {
        let (object, warnings) = outcome?;
        input.objects.push(object);
        input.warnings.extend(warnings);
    }
    Ok(input)
}

/// Checks one document's identity and, for Sei kinds, its types; drops unknown
/// fields with a warning, as the API server's default field validation does.
fn check_document(doc: &Document, warnings: &mut Vec<InputProblem>) -> Result<Value, InputProblem> {
    let value = &doc.value;
    if !value.is_object() {
        return Err(problem(
            doc,
            "",
            "expected a Kubernetes object (a mapping with apiVersion, kind and metadata)".into(),
        ));
    }
    let text_at = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or("");
    let kind = text_at("kind");
    let api_version = text_at("apiVersion");
    if kind.is_empty() {
        return Err(problem(doc, "", "missing field \"kind\"".into()));
    }
    if api_version.is_empty() {
        return Err(problem(
            doc,
            "",
            format!("missing field \"apiVersion\" in {kind}"),
        ));
    }
    if let Some((path, message)) = crate::manifest::sanity::check(value) {
        return Err(problem(doc, &path, format!("{kind}: {message}")));
    }
    let name = value
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if name.is_empty() {
        return Err(problem(
            doc,
            "metadata",
            format!("{kind} is missing \"metadata.name\""),
        ));
    }
    let sei_kind = matches!(kind, "SeiNode" | "SeiNodeDeployment");
    if api_version.starts_with("sei.io/") && !sei_kind {
        return Err(problem(
            doc,
            "kind",
            format!(
                "unknown kind \"{kind}\" in {api_version} (expected SeiNode or SeiNodeDeployment)"
            ),
        ));
    }
    if sei_kind && api_version != SEI_API_VERSION {
        return Err(problem(
            doc,
            "apiVersion",
            format!("{kind} {name}: unsupported apiVersion \"{api_version}\" (expected {SEI_API_VERSION})"),
        ));
    }
    let mut object = value.clone();
    if object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("namespace".into(), Value::String("default".into()));
        }
    }
    if !sei_kind {
        return Ok(object);
    }
    let unknown = match kind {
        "SeiNode" => decode::<SeiNode>(doc, &object)?,
        _ => decode::<SeiNodeDeployment>(doc, &object)?,
    };
    for path in unknown {
        warnings.push(problem(
            doc,
            &path,
            format!("unknown field \"{path}\" in {kind} {name} was dropped (strict checking: nodectl validate)"),
        ));
        remove_path(&mut object, &path);
    }
    Ok(object)
}

/// Decodes a Sei object; returns the paths of fields the type does not know.
fn decode<T: serde::de::DeserializeOwned>(
    doc: &Document,
    object: &Value,
) -> Result<Vec<String>, InputProblem> {
    let mut unknown = Vec::new();
    let mut record = |path: serde_ignored::Path| unknown.push(path_string(&path));
    let result: Result<T, _> =
        serde_path_to_error::deserialize(serde_ignored::Deserializer::new(object, &mut record));
    match result {
        Ok(_) => Ok(unknown),
        Err(e) => {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            Err(problem(
                doc,
                &path,
                format!("invalid value at \"{path}\": {}", e.inner()),
            ))
        }
    }
}

/// A path as `spec.peers[0].label`, skipping Option/newtype layers.
fn path_string(path: &serde_ignored::Path) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", path_string(parent)),
        Path::Map { parent, key } => {
            let parent = path_string(parent);
            if parent.is_empty() {
                key.clone()
            } else {
                format!("{parent}.{key}")
            }
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => path_string(parent),
    }
}

/// Removes the field at a dotted path (`spec.peers[0].foo`).
fn remove_path(object: &mut Value, path: &str) {
    let mut segments: Vec<String> = Vec::new();
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            segments.push(key.to_string());
        }
        for index in rest.split('[').filter(|s| !s.is_empty()) {
            segments.push(index.trim_end_matches(']').to_string());
        }
    }
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    let mut current = object;
    for seg in parents {
        current = match current {
            Value::Object(m) => match m.get_mut(seg) {
                Some(v) => v,
                None => return,
            },
            Value::Array(a) => match seg.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                Some(v) => v,
                None => return,
            },
            _ => return,
        };
    }
    if let Value::Object(m) = current {
        m.remove(last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn remove_path_handles_indices() {
        let mut v = json!({"spec": {"peers": [{"a": 1, "b": 2}]}});
        remove_path(&mut v, "spec.peers[0].b");
        assert_eq!(v, json!({"spec": {"peers": [{"a": 1}]}}));
    }
}
