//! What the in-memory API server knows about each kind: its REST name, whether it
//! tracks `metadata.generation`, and whether `status` is a subresource.

use std::borrow::Cow;

/// Static facts about one kind (PARITY.md §4.3–4.6), borrowing the request's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindInfo<'a> {
    pub api_version: &'a str,
    pub kind: &'a str,
    /// Lower-case plural resource name, e.g. `statefulsets`.
    pub plural: Cow<'static, str>,
    /// API group, empty for the core group.
    pub group: &'a str,
    /// A custom resource: generation counts every change outside metadata/status,
    /// and metadata is stored in canonical form.
    pub custom: bool,
    /// A built-in kind whose generation follows `spec`.
    pub spec_generation: bool,
    /// `status` is a subresource: main-resource writes keep the stored status.
    pub status_subresource: bool,
    /// `status` in a create request is dropped.
    pub drop_status_on_create: bool,
}

impl KindInfo<'_> {
    /// `<plural>.<group>`, or the bare plural for the core group (used in error texts).
    pub fn resource(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `<group>/<Kind>` (core group: `/<Kind>`), the identity used for uids.
    pub fn group_kind(&self) -> String {
        format!("{}/{}", self.group, self.kind)
    }

    /// Whether the kind tracks `metadata.generation`.
    pub fn tracks_generation(&self) -> bool {
        self.custom || self.spec_generation
    }
}

/// Kinds served only when their CRDs are installed (PARITY.md §2.4).
pub const OPTIONAL_KINDS: &[&str] = &[
    "gateway.networking.k8s.io/v1/HTTPRoute",
    "monitoring.coreos.com/v1/ServiceMonitor",
];

/// Kinds always listed in a trace's `finalObjects` (PARITY.md §3).
pub const TRACE_KINDS: &[&str] = &[
    "SeiNode",
    "SeiNodeDeployment",
    "StatefulSet",
    "Deployment",
    "Job",
    "Service",
    "PersistentVolumeClaim",
    "Pod",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
];

/// Splits an apiVersion into (group, version); the core group is empty.
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

/// Looks up (or derives, for kinds nodectl has no table entry for) the facts of a kind.
pub fn kind_info<'a>(api_version: &'a str, kind: &'a str) -> KindInfo<'a> {
    let (group, _) = split_api_version(api_version);
    let (plural, custom, spec_generation, status_subresource, drop_status) = match kind {
        "SeiNode" => ("seinodes", true, false, true, true),
        "SeiNodeDeployment" => ("seinodedeployments", true, false, true, true),
        "HTTPRoute" => ("httproutes", true, false, false, true),
        "ServiceMonitor" => ("servicemonitors", true, false, false, true),
        "StatefulSet" => ("statefulsets", false, true, true, true),
        "Deployment" => ("deployments", false, true, true, true),
        "DaemonSet" => ("daemonsets", false, true, false, true),
        "ReplicaSet" => ("replicasets", false, true, false, true),
        "Job" => ("jobs", false, true, true, true),
        "CronJob" => ("cronjobs", false, true, false, true),
        "PodDisruptionBudget" => ("poddisruptionbudgets", false, true, false, false),
        "Service" => ("services", false, false, true, true),
        "PersistentVolumeClaim" => ("persistentvolumeclaims", false, false, true, true),
        "Pod" => ("pods", false, false, true, false),
        "ConfigMap" => ("configmaps", false, false, false, false),
        "Secret" => ("secrets", false, false, false, false),
        "ServiceAccount" => ("serviceaccounts", false, false, false, false),
        _ => {
            let plural = format!("{}s", kind.to_ascii_lowercase());
            // Groups with a dot that are not Kubernetes' own are custom resources.
            let custom = group.contains('.') && !group.ends_with("k8s.io");
            return KindInfo {
                api_version,
                kind,
                plural: Cow::Owned(plural),
                group,
                custom,
                spec_generation: false,
                status_subresource: false,
                drop_status_on_create: false,
            };
        }
    };
    KindInfo {
        api_version,
        kind,
        plural: Cow::Borrowed(plural),
        group,
        custom,
        spec_generation,
        status_subresource,
        drop_status_on_create: drop_status,
    }
}

/// Whether `group/version/Kind` names a kind served only when its CRD is installed.
pub fn is_optional_kind(api_version: &str, kind: &str) -> bool {
    OPTIONAL_KINDS.iter().any(|gvk| {
        gvk.strip_suffix(kind)
            .and_then(|rest| rest.strip_suffix('/'))
            == Some(api_version)
    })
}

/// The full `group/version/Kind` name used by `installedCRDs`.
pub fn gvk_name(api_version: &str, kind: &str) -> String {
    format!("{api_version}/{kind}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_follow_kubernetes_error_texts() {
        assert_eq!(
            kind_info("sei.io/v1alpha1", "SeiNode").resource(),
            "seinodes.sei.io"
        );
        assert_eq!(
            kind_info("apps/v1", "StatefulSet").resource(),
            "statefulsets.apps"
        );
        assert_eq!(kind_info("v1", "Service").resource(), "services");
        assert_eq!(
            kind_info("gateway.networking.k8s.io/v1", "HTTPRoute").resource(),
            "httproutes.gateway.networking.k8s.io"
        );
    }

    #[test]
    fn generation_tracking_matches_the_api_server() {
        assert!(kind_info("sei.io/v1alpha1", "SeiNode").tracks_generation());
        assert!(kind_info("apps/v1", "StatefulSet").tracks_generation());
        assert!(!kind_info("v1", "Service").tracks_generation());
        assert!(!kind_info("v1", "PersistentVolumeClaim").tracks_generation());
    }
}
