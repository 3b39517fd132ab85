//! The bootstrap resources (`internal/task/bootstrap_resources.go`): a headless
//! Service and a Job that restore an S3 snapshot onto the data PVC and run seid up
//! to the snapshot's target height before the StatefulSet takes over.

use serde_json::{json, Value};

use crate::api::{SeiNode, SnapshotSource, StringMap};
use crate::platform::{Platform, DATA_DIR};

use super::node::{nodepool, seid_resources};
use super::pod::{
    await_sidecar_healthy_loop, data_mounts, data_volumes, labels_value, nodepool_affinity,
    nodepool_tolerations, seid_env, seid_init_container, sidecar_container, sidecar_port,
    template_metadata,
};
use super::{owner_reference, NODE_LABEL};

/// Label key marking the bootstrap resources.
pub const COMPONENT_LABEL: &str = "sei.io/component";
/// Value of [`COMPONENT_LABEL`] on the bootstrap resources.
pub const BOOTSTRAP_COMPONENT: &str = "bootstrap";

/// Grace period of the bootstrap pod, in seconds.
const TERMINATION_GRACE_SECONDS: i64 = 120;
/// Finished bootstrap Jobs are garbage-collected after this many seconds.
const TTL_AFTER_FINISHED_SECONDS: i32 = 3600;

/// The bootstrap Job cannot be generated: the node has no S3 snapshot source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bootstrap job requires an S3 snapshot source (node {namespace}/{name})")]
pub struct MissingS3Snapshot {
    pub namespace: String,
    pub name: String,
}

/// `<name>-bootstrap`.
pub fn bootstrap_job_name(node: &SeiNode) -> String {
    format!("{}-bootstrap", node.name())
}

/// `<name>`: the bootstrap Service shares the production Service's name, so the
/// sidecar URL is the same in both phases.
pub fn bootstrap_service_name(node: &SeiNode) -> String {
    node.name().to_string()
}

/// `{sei.io/node: <name>, sei.io/component: bootstrap}`.
pub fn bootstrap_labels(node: &SeiNode) -> StringMap {
    StringMap::from([
        (NODE_LABEL.to_string(), node.name().to_string()),
        (COMPONENT_LABEL.to_string(), BOOTSTRAP_COMPONENT.to_string()),
    ])
}

/// The image of the bootstrap seid: `bootstrapImage` of the snapshot source when
/// set, else spec.image.
pub fn bootstrap_image<'n>(node: &'n SeiNode, snapshot: Option<&'n SnapshotSource>) -> &'n str {
    snapshot
        .map(|s| s.bootstrap_image.as_str())
        .filter(|image| !image.is_empty())
        .unwrap_or(&node.spec.image)
}

fn metadata(node: &SeiNode, name: String, labels: &StringMap) -> Value {
    json!({
        "name": name,
        "namespace": node.namespace(),
        "labels": labels_value(labels),
        "ownerReferences": [owner_reference(node)],
    })
}

/// The bootstrap headless Service as sent in the Create of deploy-bootstrap-service.
/// It depends on the node alone; `platform` is taken for symmetry.
pub fn bootstrap_service(node: &SeiNode, _platform: &Platform) -> Value {
    let labels = bootstrap_labels(node);
    let port = sidecar_port(node);
    json!({
        "metadata": metadata(node, bootstrap_service_name(node), &labels),
        "spec": {
            "ports": [{"name": "sidecar", "protocol": "TCP", "port": port, "targetPort": port}],
            "selector": labels_value(&labels),
            "clusterIP": "None",
            "publishNotReadyAddresses": true,
        },
        "status": {"loadBalancer": {}},
    })
}

/// The bootstrap Job as sent in the Create of deploy-bootstrap-job, generated from
/// the node's snapshot source (spec.SnapshotSource()), which must name an S3 snapshot.
pub fn bootstrap_job(node: &SeiNode, platform: &Platform) -> Result<Value, MissingS3Snapshot> {
    let snapshot = node.spec.snapshot_source();
    let Some(s3) = snapshot.and_then(|s| s.s3.as_ref()) else {
        return Err(MissingS3Snapshot {
            namespace: node.namespace().to_string(),
            name: node.name().to_string(),
        });
    };
    let labels = bootstrap_labels(node);
    let image = bootstrap_image(node, snapshot);
    let pool = nodepool(node, platform);
    let seid = json!({
        "name": "seid",
        "image": image,
        "command": ["/bin/bash", "-c"],
        "args": [bootstrap_seid_script(sidecar_port(node), s3.target_height)],
        "env": seid_env(),
        "resources": seid_resources(node, platform),
        "volumeMounts": data_mounts(),
    });
    Ok(json!({
        "metadata": metadata(node, bootstrap_job_name(node), &labels),
        "spec": {
            "backoffLimit": 0,
            "template": {
                "metadata": template_metadata(&labels),
                "spec": {
                    "volumes": data_volumes(node),
                    "initContainers": [
                        seid_init_container(node, image),
                        Value::Object(sidecar_container(node, platform)),
                    ],
                    "containers": [seid],
                    "restartPolicy": "Never",
                    "terminationGracePeriodSeconds": TERMINATION_GRACE_SECONDS,
                    "serviceAccountName": platform.service_account,
                    "shareProcessNamespace": true,
                    "hostname": format!("{}-0", node.name()),
                    "subdomain": node.name(),
                    "affinity": nodepool_affinity(pool),
                    "tolerations": nodepool_tolerations(platform, pool),
                },
            },
            "ttlSecondsAfterFinished": TTL_AFTER_FINISHED_SECONDS,
        },
        "status": {},
    }))
}

/// The bootstrap seid script: wait for the sidecar's bootstrap tasks (healthz turns
/// 200 after mark-ready), run seid up to the halt height, and treat seid's exit 130
/// at that height as success.
pub fn bootstrap_seid_script(sidecar_port: i32, halt_height: i64) -> String {
    format!(
        "echo \"waiting for sidecar bootstrap tasks to complete...\"; {}\
         echo \"sidecar healthy, starting seid with halt-height {halt_height}\"; \
         seid start --home {DATA_DIR} --halt-height {halt_height}; \
         rc=$?; if [ $rc -eq 130 ]; then echo \"seid halted at target height (exit 130), treating as success\"; exit 0; fi; exit $rc",
        await_sidecar_healthy_loop(sidecar_port)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ArchiveSpec, FullNodeSpec, S3SnapshotSource, SidecarConfig};

    fn node(snapshot: Option<SnapshotSource>) -> SeiNode {
        let mut n = SeiNode::default();
        n.metadata.name = "n".into();
        n.metadata.namespace = "ns".into();
        n.spec.image = "img".into();
        n.spec.full_node = Some(FullNodeSpec {
            snapshot,
            ..Default::default()
        });
        n
    }

    fn s3(height: i64, bootstrap_image: &str) -> Option<SnapshotSource> {
        Some(SnapshotSource {
            s3: Some(S3SnapshotSource {
                target_height: height,
            }),
            bootstrap_image: bootstrap_image.into(),
            ..Default::default()
        })
    }

    #[test]
    fn job_requires_an_s3_snapshot() {
        let p = Platform::default();
        let message = "bootstrap job requires an S3 snapshot source (node ns/n)";
        assert_eq!(
            bootstrap_job(&node(None), &p).unwrap_err().to_string(),
            message
        );
        let state_sync_only = node(Some(SnapshotSource::default()));
        assert_eq!(
            bootstrap_job(&state_sync_only, &p).unwrap_err().to_string(),
            message
        );
        let mut archive = node(None);
        archive.spec.full_node = None;
        archive.spec.archive = Some(ArchiveSpec::default());
        assert!(bootstrap_job(&archive, &p).is_err());
    }

    #[test]
    fn job_uses_the_bootstrap_image_and_halt_height() {
        let p = Platform::default();
        let job = bootstrap_job(&node(s3(42, "boot")), &p).unwrap();
        let pod = &job["spec"]["template"]["spec"];
        assert_eq!(pod["initContainers"][0]["image"], "boot");
        assert_eq!(pod["containers"][0]["image"], "boot");
        let script = pod["containers"][0]["args"][0].as_str().unwrap();
        assert!(script.contains("seid start --home /sei --halt-height 42; rc=$?"));
        assert!(script.contains("starting seid with halt-height 42\";"));
        assert!(pod["initContainers"][1].get("livenessProbe").is_none());
        let plain = bootstrap_job(&node(s3(1, "")), &p).unwrap();
        assert_eq!(
            plain["spec"]["template"]["spec"]["containers"][0]["image"],
            "img"
        );
        assert_eq!(plain["metadata"]["name"], "n-bootstrap");
    }

    #[test]
    fn service_exposes_only_the_sidecar_port() {
        let mut n = node(None);
        n.spec.sidecar = Some(SidecarConfig {
            port: 8088,
            ..Default::default()
        });
        let svc = bootstrap_service(&n, &Platform::default());
        assert_eq!(svc["metadata"]["name"], "n");
        assert_eq!(
            svc["spec"]["ports"],
            serde_json::json!([{"name": "sidecar", "protocol": "TCP", "port": 8088, "targetPort": 8088}])
        );
        assert_eq!(
            svc["spec"]["selector"][COMPONENT_LABEL],
            BOOTSTRAP_COMPONENT
        );
    }
}
