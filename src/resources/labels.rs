//! Names, labels, revisions and the template hash of a SeiNodeDeployment's children.

use sha2::{Digest, Sha256};

use crate::api::{
    OwnerReference, SeiNodeDeployment, SeiNodeSpec, StringMap, API_VERSION, SEINODEDEPLOYMENT_KIND,
};

/// Label carrying the owning group's name.
pub const GROUP_LABEL: &str = "sei.io/nodedeployment";
/// Label carrying a child's ordinal.
pub const ORDINAL_LABEL: &str = "sei.io/nodedeployment-ordinal";
/// Label carrying the group generation a child belongs to.
pub const REVISION_LABEL: &str = "sei.io/revision";
/// Label marking special children (the fork exporter).
pub const ROLE_LABEL: &str = "sei.io/role";
/// Value of [`ROLE_LABEL`] on the fork exporter.
pub const EXPORTER_ROLE: &str = "exporter";
/// Annotation naming the controller on networking/monitoring objects.
pub const MANAGED_BY_ANNOTATION: &str = "sei.io/managed-by";
/// The controller's name (value of the managed-by annotation).
pub const CONTROLLER_NAME: &str = "seinodedeployment";

/// `<group>-<ordinal>`.
pub fn node_name(group: &SeiNodeDeployment, ordinal: usize) -> String {
    format!("{}-{ordinal}", group.name())
}

/// `<group>-external`.
pub fn external_service_name(group: &SeiNodeDeployment) -> String {
    format!("{}-external", group.name())
}

/// `<group>-exporter`.
pub fn exporter_name(group_name: &str) -> String {
    format!("{group_name}-exporter")
}

/// The revision whose children are currently served: the rollout's incumbent
/// revision while one is recorded, else the group's generation.
pub fn active_revision(group: &SeiNodeDeployment) -> String {
    match &group.status.rollout {
        Some(rollout) if !rollout.incumbent_revision.is_empty() => {
            rollout.incumbent_revision.clone()
        }
        _ => group.generation().to_string(),
    }
}

/// The revision a rollout starts from: the recorded incumbent revision, else the
/// last observed generation.
pub fn incumbent_revision(group: &SeiNodeDeployment) -> String {
    match &group.status.rollout {
        Some(rollout) if !rollout.incumbent_revision.is_empty() => {
            rollout.incumbent_revision.clone()
        }
        _ => group.status.observed_generation.to_string(),
    }
}

/// The revision of entrants: the group's generation.
pub fn entrant_revision(group: &SeiNodeDeployment) -> String {
    group.generation().to_string()
}

/// `<group>-g<gen>-<i>` for every replica.
pub fn entrant_node_names(group: &SeiNodeDeployment) -> Vec<String> {
    // `make([]string, int(replicas))` panics on a negative length.
    if group.spec.replicas < 0 {
        crate::api::gopanic::go_panic(crate::api::gopanic::MAKESLICE_LEN);
    }
    (0..group.spec.replicas)
        .map(|i| format!("{}-g{}-{i}", group.name(), group.generation()))
        .collect()
}

/// Labels selecting the group's children: the group label, plus the active revision
/// while a rollout is recorded.
pub fn group_selector(group: &SeiNodeDeployment) -> StringMap {
    let mut selector = group_only_selector(group);
    if group.status.rollout.is_some() {
        selector.insert(REVISION_LABEL.into(), active_revision(group));
    }
    selector
}

/// Labels selecting everything of the group, whatever its revision.
pub fn group_only_selector(group: &SeiNodeDeployment) -> StringMap {
    StringMap::from([(GROUP_LABEL.to_string(), group.name().to_string())])
}

/// `{sei.io/managed-by: seinodedeployment}`.
pub fn managed_by_annotations() -> StringMap {
    StringMap::from([(
        MANAGED_BY_ANNOTATION.to_string(),
        CONTROLLER_NAME.to_string(),
    )])
}

/// The controller owner reference pointing at `group`.
pub fn controller_reference(group: &SeiNodeDeployment) -> OwnerReference {
    OwnerReference {
        api_version: API_VERSION.into(),
        kind: SEINODEDEPLOYMENT_KIND.into(),
        name: group.name().into(),
        uid: group.uid().into(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// Whether the controller owner reference of `refs` points at `group`.
pub fn is_controlled_by(refs: &[OwnerReference], group: &SeiNodeDeployment) -> bool {
    refs.iter()
        .find(|r| r.controller == Some(true))
        .is_some_and(|r| r.uid == group.uid())
}

/// Hash of the rollout-relevant template fields: the first 16 hex digits of
/// SHA-256 over chainId, image, entrypoint command and args, and sidecar image,
/// concatenated without separators.
pub fn template_hash(spec: &SeiNodeSpec) -> String {
    let mut hasher = Sha256::new();
    hasher.update(spec.chain_id.as_bytes());
    hasher.update(spec.image.as_bytes());
    if let Some(entrypoint) = &spec.entrypoint {
        for part in entrypoint.command.iter().flatten().chain(&entrypoint.args) {
            hasher.update(part.as_bytes());
        }
    }
    if let Some(sidecar) = &spec.sidecar {
        hasher.update(sidecar.image.as_bytes());
    }
    let digest = hex::encode(hasher.finalize());
    digest[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{EntrypointConfig, SidecarConfig};

    fn spec(chain: &str, image: &str) -> SeiNodeSpec {
        SeiNodeSpec {
            chain_id: chain.into(),
            image: image.into(),
            ..Default::default()
        }
    }

    #[test]
    fn template_hash_vectors() {
        let mut s = spec("pacific-1", "ghcr.io/sei-protocol/seid:v1.0.0");
        assert_eq!(template_hash(&s), "9c13d843e3cbbdb0");
        s.sidecar = Some(SidecarConfig {
            port: 7777,
            ..Default::default()
        });
        assert_eq!(template_hash(&s), "9c13d843e3cbbdb0");

        let mut s = spec("pacific-1", "sei:v2.0.0");
        s.sidecar = Some(SidecarConfig {
            image: "seictl:v2".into(),
            ..Default::default()
        });
        assert_eq!(template_hash(&s), "b798313071451553");

        let mut s = spec("arctic-1", "sei:v1");
        s.entrypoint = Some(EntrypointConfig {
            command: Some(vec!["seid".into()]),
            args: vec!["start".into(), "--home".into(), "/sei".into()],
        });
        assert_eq!(template_hash(&s), "f7aa678e5544fa5c");
    }

    #[test]
    fn template_hash_ignores_other_fields() {
        let base = spec("c", "i");
        let mut other = base.clone();
        other.pod_labels.insert("a".into(), "b".into());
        other.overrides.insert("x".into(), "y".into());
        assert_eq!(template_hash(&base), template_hash(&other));
        other.image = "j".into();
        assert_ne!(template_hash(&base), template_hash(&other));
    }

    #[test]
    fn revisions_follow_the_rollout() {
        let mut g = SeiNodeDeployment::default();
        g.metadata.name = "g".into();
        g.metadata.generation = 3;
        g.status.observed_generation = 2;
        assert_eq!(active_revision(&g), "3");
        assert_eq!(incumbent_revision(&g), "2");
        assert_eq!(group_selector(&g).len(), 1);
        g.status.rollout = Some(crate::api::RolloutStatus {
            incumbent_revision: "2".into(),
            ..Default::default()
        });
        assert_eq!(active_revision(&g), "2");
        assert_eq!(
            group_selector(&g).get(REVISION_LABEL).map(String::as_str),
            Some("2")
        );
        g.spec.replicas = 2;
        assert_eq!(entrant_node_names(&g), ["g-g3-0", "g-g3-1"]);
    }
}
