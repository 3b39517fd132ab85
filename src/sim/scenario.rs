//! Parity fixtures (PARITY.md §1–2): `cluster.yaml` objects and the
//! `scenario.yaml` that says what to reconcile and how the outside world behaves.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::sidecar::model::{PodSidecarScript, SidecarScript};

/// What to reconcile.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub kind: String,
    #[serde(default)]
    pub namespace: String,
    pub name: String,
}

/// The `dns` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsScript {
    #[serde(default)]
    pub default: String,
    #[serde(default)]
    pub hosts: BTreeMap<String, bool>,
}

/// The `gateway` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayOverrides {
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub domain: Option<String>,
    pub public_domain: Option<String>,
}

/// The `objectStore` section (not consulted by any reconcile path at this version).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectStore {
    #[serde(default)]
    pub objects: Vec<String>,
}

/// `scenario.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    pub target: Target,
    #[serde(default)]
    pub reconciles: i64,
    #[serde(default)]
    pub now: Option<String>,
    #[serde(default)]
    pub uuid_seed: Option<String>,
    #[serde(default)]
    pub sidecar: SidecarScript,
    #[serde(default)]
    pub pod_sidecar: PodSidecarScript,
    #[serde(default)]
    pub dns: DnsScript,
    #[serde(default, rename = "installedCRDs")]
    pub installed_crds: Vec<String>,
    #[serde(default)]
    pub gateway: GatewayOverrides,
    #[serde(default)]
    pub platform: BTreeMap<String, String>,
    #[serde(default)]
    pub object_store: ObjectStore,
}

impl Scenario {
    /// Number of reconcile calls (values ≤ 0 mean 1).
    pub fn reconcile_count(&self) -> usize {
        usize::try_from(self.reconciles)
            .ok()
            .filter(|n| *n > 0)
            .unwrap_or(1)
    }

    /// The fixed clock, default `2026-01-01T00:00:00Z`.
    pub fn now(&self) -> &str {
        self.now.as_deref().unwrap_or("2026-01-01T00:00:00Z")
    }
}

/// A loaded fixture directory.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub dir: PathBuf,
    pub scenario: Scenario,
    /// cluster.yaml documents, in file order.
    pub objects: Vec<Value>,
}

/// Why a fixture could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
}

impl Fixture {
    /// Loads `cluster.yaml` and `scenario.yaml` from `dir` (a missing `cluster.yaml` is an
    /// empty cluster).
    pub fn load(dir: &Path) -> Result<Fixture, FixtureError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| FixtureError::Io { path, source })
        };
        let scenario = read("scenario.yaml")?;
        let cluster = match read("cluster.yaml") {
            Ok(t) => t,
            Err(FixtureError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                String::new()
            }
            Err(e) => return Err(e),
        };
        Fixture::parse(dir, &scenario, &cluster)
    }

    /// The fixture of `dir` from the texts of its `scenario.yaml` and `cluster.yaml`.
    pub fn parse(dir: &Path, scenario: &str, cluster: &str) -> Result<Fixture, FixtureError> {
        let path = dir.join("scenario.yaml");
        let scenario: Scenario = serde_saphyr::from_str(scenario).map_err(|e| {
            let name = path.display().to_string();
            FixtureError::Parse {
                message: e.render_with_options(serde_saphyr::render_options! {
                    source_name: Some(&name),
                }),
                path,
            }
        })?;
        let objects = parse_documents(cluster).map_err(|message| FixtureError::Parse {
            path: dir.join("cluster.yaml"),
            message,
        })?;
        Ok(Fixture {
            dir: dir.to_path_buf(),
            scenario,
            objects,
        })
    }
}

/// Parses a multi-document YAML (or JSON) stream; empty and `null` documents are skipped.
pub fn parse_documents(text: &str) -> Result<Vec<Value>, String> {
    let docs: Vec<Value> = serde_saphyr::from_multiple(text).map_err(|e| e.to_string())?;
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}
