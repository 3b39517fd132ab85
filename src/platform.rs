//! Platform settings: the controller's environment (PARITY.md §2.5).

use serde::{Deserialize, Serialize};

/// The default sidecar image of the operator.
pub const DEFAULT_SIDECAR_IMAGE: &str =
    "ghcr.io/sei-protocol/seictl@sha256:2cb320dd583000765520293d4e28ecc79fed4432c76760923d3aaa47803a4dbf";

/// The data directory mounted into every node container.
pub const DATA_DIR: &str = "/sei";

/// The controller's platform configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Platform {
    pub nodepool_name: String,
    pub nodepool_archive: String,
    pub toleration_key: String,
    pub service_account: String,
    pub storage_class_perf: String,
    pub storage_class_default: String,
    pub storage_class_archive: String,
    pub storage_size_default: String,
    pub storage_size_archive: String,
    #[serde(rename = "ResourceCPUArchive")]
    pub resource_cpu_archive: String,
    pub resource_mem_archive: String,
    #[serde(rename = "ResourceCPUDefault")]
    pub resource_cpu_default: String,
    pub resource_mem_default: String,
    pub snapshot_bucket: String,
    pub snapshot_region: String,
    pub result_export_bucket: String,
    pub result_export_region: String,
    pub result_export_prefix: String,
    pub genesis_bucket: String,
    pub genesis_region: String,
    pub gateway_name: String,
    pub gateway_namespace: String,
    pub gateway_domain: String,
    pub gateway_public_domain: String,
}

impl Default for Platform {
    /// The settings every parity fixture uses unless it overrides them.
    fn default() -> Self {
        Platform {
            nodepool_name: "sei-node".into(),
            nodepool_archive: "sei-archive".into(),
            toleration_key: "sei.io/workload".into(),
            service_account: "seid-node".into(),
            storage_class_perf: "gp3-10k-750".into(),
            storage_class_default: "gp3".into(),
            storage_class_archive: "io2-archive".into(),
            storage_size_default: "2000Gi".into(),
            storage_size_archive: "25000Gi".into(),
            resource_cpu_archive: "48".into(),
            resource_mem_archive: "448Gi".into(),
            resource_cpu_default: "4".into(),
            resource_mem_default: "32Gi".into(),
            snapshot_bucket: "test-sei-snapshots".into(),
            snapshot_region: "us-east-2".into(),
            result_export_bucket: "test-sei-shadow-results".into(),
            result_export_region: "us-east-2".into(),
            result_export_prefix: "shadow-results/".into(),
            genesis_bucket: "test-sei-k8s-genesis-artifacts".into(),
            genesis_region: "us-east-2".into(),
            gateway_name: "sei-gateway".into(),
            gateway_namespace: "istio-system".into(),
            gateway_domain: "test.platform.sei.io".into(),
            gateway_public_domain: String::new(),
        }
    }
}

/// Each setting with the environment variable the operator reads it from.
pub const ENVIRONMENT: &[(&str, &str)] = &[
    ("NodepoolName", "SEI_NODEPOOL_NAME"),
    ("NodepoolArchive", "SEI_NODEPOOL_ARCHIVE"),
    ("TolerationKey", "SEI_TOLERATION_KEY"),
    ("ServiceAccount", "SEI_SERVICE_ACCOUNT"),
    ("StorageClassPerf", "SEI_STORAGE_CLASS_PERF"),
    ("StorageClassDefault", "SEI_STORAGE_CLASS_DEFAULT"),
    ("StorageClassArchive", "SEI_STORAGE_CLASS_ARCHIVE"),
    ("StorageSizeDefault", "SEI_STORAGE_SIZE_DEFAULT"),
    ("StorageSizeArchive", "SEI_STORAGE_SIZE_ARCHIVE"),
    ("ResourceCPUArchive", "SEI_RESOURCE_CPU_ARCHIVE"),
    ("ResourceMemArchive", "SEI_RESOURCE_MEM_ARCHIVE"),
    ("ResourceCPUDefault", "SEI_RESOURCE_CPU_DEFAULT"),
    ("ResourceMemDefault", "SEI_RESOURCE_MEM_DEFAULT"),
    ("SnapshotBucket", "SEI_SNAPSHOT_BUCKET"),
    ("SnapshotRegion", "SEI_SNAPSHOT_REGION"),
    ("ResultExportBucket", "SEI_RESULT_EXPORT_BUCKET"),
    ("ResultExportRegion", "SEI_RESULT_EXPORT_REGION"),
    ("ResultExportPrefix", "SEI_RESULT_EXPORT_PREFIX"),
    ("GenesisBucket", "SEI_GENESIS_BUCKET"),
    ("GenesisRegion", "SEI_GENESIS_REGION"),
    ("GatewayName", "SEI_GATEWAY_NAME"),
    ("GatewayNamespace", "SEI_GATEWAY_NAMESPACE"),
    ("GatewayDomain", "SEI_GATEWAY_DOMAIN"),
    ("GatewayPublicDomain", "SEI_GATEWAY_PUBLIC_DOMAIN"),
];

impl Platform {
    /// Overrides every setting whose operator environment variable `lookup` knows
    /// (`SEI_NODEPOOL_NAME`, …), as the operator's own start-up reads them.
    pub fn with_environment(
        mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        for (setting, variable) in ENVIRONMENT {
            if let Some(value) = lookup(variable) {
                self.set(setting, &value)?;
            }
        }
        Ok(self)
    }

    /// The Karpenter node pool for a node mode (`archive` gets its own pool).
    pub fn nodepool_for_mode(&self, mode: &str) -> &str {
        if mode == "archive" {
            &self.nodepool_archive
        } else {
            &self.nodepool_name
        }
    }

    /// Overrides one setting by its name (e.g. `SnapshotBucket`).
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let mut as_json = serde_json::to_value(&*self).map_err(|e| e.to_string())?;
        let map = as_json
            .as_object_mut()
            .ok_or("platform settings are not a map")?;
        if !map.contains_key(name) {
            return Err(format!("unknown platform setting {name:?}"));
        }
        map.insert(
            name.to_string(),
            serde_json::Value::String(value.to_string()),
        );
        *self = serde_json::from_value(as_json).map_err(|e| e.to_string())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_has_its_environment_variable() {
        let all = serde_json::to_value(Platform::default()).unwrap();
        assert_eq!(all.as_object().unwrap().len(), ENVIRONMENT.len());
        let p = Platform::default()
            .with_environment(|v| (v == "SEI_RESOURCE_CPU_DEFAULT").then(|| "16".to_string()))
            .unwrap();
        assert_eq!(p.resource_cpu_default, "16");
        assert_eq!(p.snapshot_bucket, Platform::default().snapshot_bucket);
    }

    #[test]
    fn settings_are_overridden_by_name() {
        let mut p = Platform::default();
        p.set("SnapshotBucket", "b").unwrap();
        p.set("ResourceCPUDefault", "8").unwrap();
        assert_eq!(p.snapshot_bucket, "b");
        assert_eq!(p.resource_cpu_default, "8");
        assert!(p.set("Nope", "x").is_err());
    }
}
