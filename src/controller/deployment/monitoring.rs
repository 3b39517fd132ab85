//! The group's Prometheus ServiceMonitor.

use serde_json::{json, Value};

use crate::api::{
    condition_type::SERVICE_MONITOR_READY, SeiNodeDeployment, ServiceMonitorConfig, StringMap,
};
use crate::env::Env;
use crate::world::DeleteOptions;

use super::conditions::{has_condition_reason, remove_condition, set_condition};
use super::FIELD_MANAGER;
use crate::resources::labels::{
    controller_reference, group_selector, managed_by_annotations, GROUP_LABEL,
};

pub const SERVICE_MONITOR_API_VERSION: &str = "monitoring.coreos.com/v1";
pub const SERVICE_MONITOR_KIND: &str = "ServiceMonitor";
const CRD_NOT_INSTALLED: &str = "CRDNotInstalled";
const DEFAULT_INTERVAL: &str = "30s";

/// The ServiceMonitor as applied.
pub fn service_monitor(group: &SeiNodeDeployment, config: &ServiceMonitorConfig) -> Value {
    let interval = if config.interval.is_empty() {
        DEFAULT_INTERVAL
    } else {
        &config.interval
    };
    let mut labels: StringMap = config.labels.clone();
    labels.insert(GROUP_LABEL.into(), group.name().into());
    json!({
        "apiVersion": SERVICE_MONITOR_API_VERSION,
        "kind": SERVICE_MONITOR_KIND,
        "metadata": {
            "name": group.name(),
            "namespace": group.namespace(),
            "labels": labels,
            "annotations": managed_by_annotations(),
            "ownerReferences": [controller_reference(group)],
        },
        "spec": {
            "selector": {"matchLabels": group_selector(group)},
            "endpoints": [{"port": "metrics", "interval": interval}],
        },
    })
}

/// Applies the ServiceMonitor (or deletes it when monitoring is off) and sets
/// `ServiceMonitorReady`.
pub fn reconcile_monitoring(env: &mut Env, group: &mut SeiNodeDeployment) -> Result<(), String> {
    let Some(config) = group
        .spec
        .monitoring
        .as_ref()
        .and_then(|m| m.service_monitor.clone())
    else {
        remove_condition(group, SERVICE_MONITOR_READY);
        let result = env.api.delete(
            SERVICE_MONITOR_API_VERSION,
            SERVICE_MONITOR_KIND,
            group.namespace(),
            group.name(),
            DeleteOptions::default(),
        );
        return match result {
            Err(e) if !e.is_not_found() && !e.is_no_match() => Err(e.to_string()),
            _ => Ok(()),
        };
    };
    let body = service_monitor(group, &config);
    match env.api.apply(
        SERVICE_MONITOR_API_VERSION,
        SERVICE_MONITOR_KIND,
        body,
        FIELD_MANAGER,
    ) {
        Err(e) if e.is_no_match() => {
            if !has_condition_reason(group, SERVICE_MONITOR_READY, CRD_NOT_INSTALLED) {
                super::group_event(env, group, "Warning", CRD_NOT_INSTALLED,
                    "Prometheus Operator CRD (ServiceMonitor) is not installed; monitoring will not be configured".into());
            }
            set_condition(
                env,
                group,
                SERVICE_MONITOR_READY,
                false,
                CRD_NOT_INSTALLED,
                "Prometheus Operator CRD (ServiceMonitor) is not installed",
            );
            Ok(())
        }
        Err(e) => Err(e.to_string()),
        Ok(_) => {
            if !has_condition_reason(group, SERVICE_MONITOR_READY, SERVICE_MONITOR_READY) {
                super::group_event(
                    env,
                    group,
                    "Normal",
                    SERVICE_MONITOR_READY,
                    "ServiceMonitor reconciled successfully".into(),
                );
            }
            set_condition(
                env,
                group,
                SERVICE_MONITOR_READY,
                true,
                SERVICE_MONITOR_READY,
                "ServiceMonitor reconciled successfully",
            );
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_monitor_fields() {
        let g = SeiNodeDeployment::from_value(
            &json!({"metadata": {"name": "g", "namespace": "ns", "uid": "u"}}),
        )
        .unwrap();
        let config = ServiceMonitorConfig {
            interval: String::new(),
            labels: StringMap::from([
                ("team".into(), "x".into()),
                (GROUP_LABEL.into(), "spoof".into()),
            ]),
        };
        let sm = service_monitor(&g, &config);
        assert_eq!(
            sm["spec"]["endpoints"],
            json!([{"port": "metrics", "interval": "30s"}])
        );
        assert_eq!(
            sm["metadata"]["labels"],
            json!({"team": "x", GROUP_LABEL: "g"})
        );
        assert_eq!(
            sm["spec"]["selector"]["matchLabels"],
            json!({GROUP_LABEL: "g"})
        );
    }
}
