//! Parsing of the flags that describe the outside world of an in-memory run
//! (clock, sidecar behaviour, DNS, served kinds, platform), shared by `plan` and
//! `explain`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::env::Clock;
use crate::platform::Platform;
use crate::sidecar::model::SidecarScript;
use crate::world::compact::{Field, InputObject};
use crate::world::kinds::{gvk_name, OPTIONAL_KINDS};

/// `--now RFC3339`, or the current time.
pub fn clock(now: Option<&str>) -> Result<Clock, String> {
    match now {
        Some(text) => Clock::parse(text),
        None => Ok(Clock::fixed(chrono::Utc::now())),
    }
}

/// The sidecar script of `--sidecar-script FILE`, or every task answering `uniform`.
pub fn sidecar_script(script: Option<&Path>, uniform: &str) -> Result<SidecarScript, String> {
    let Some(path) = script else {
        return Ok(SidecarScript::uniform(uniform));
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_saphyr::from_str::<SidecarScript>(&text).map_err(|e| {
        let name = path.display().to_string();
        let options = serde_saphyr::render_options! { source_name: Some(&name) };
        format!("{name}: {}", e.render_with_options(options))
    })
}

/// `--dns-host HOST=true|false` entries.
pub fn dns_hosts(entries: &[String]) -> Result<BTreeMap<String, bool>, String> {
    entries
        .iter()
        .map(|entry| {
            let bad = || format!("--dns-host {entry:?}: expected HOST=true|false");
            let (host, value) = entry.split_once('=').ok_or_else(bad)?;
            Ok((host.to_string(), value.parse::<bool>().map_err(|_| bad())?))
        })
        .collect()
}

/// The default platform, then the operator's `SEI_*` environment variables when
/// `from_env` (`--platform-env`), then `--platform Name=value` overrides.
pub fn platform(entries: &[String], from_env: bool) -> Result<Platform, String> {
    let mut platform = Platform::default();
    if from_env {
        platform = platform.with_environment(|name| std::env::var(name).ok())?;
    }
    for entry in entries {
        let (name, value) = entry
            .split_once('=')
            .ok_or_else(|| format!("--platform {entry:?}: expected NAME=VALUE"))?;
        platform.set(name, value)?;
    }
    Ok(platform)
}

/// `--served-kind` values plus the kind of every input object, sorted and unique.
pub fn served_kinds(extra: &[String], objects: &[impl InputObject]) -> Vec<String> {
    let mut served: Vec<String> = extra.to_vec();
    served.extend(
        objects
            .iter()
            .map(|o| gvk_name(o.text(Field::ApiVersion), o.text(Field::Kind))),
    );
    served.sort();
    served.dedup();
    served
}

/// The refusal of `--missing-kind` on a cluster.
pub const MISSING_KIND_ON_A_CLUSTER: &str = "--missing-kind models a cluster in file mode; on a cluster, discovery decides which kinds are served";

/// The kinds a world made from files serves: what a production Sei cluster has, so the
/// optional kinds (HTTPRoute, ServiceMonitor) unless `--missing-kind` names them, plus
/// `--served-kind` values and the kind of every input object.
pub fn file_mode_kinds(
    extra: &[String],
    missing: &[String],
    objects: &[impl InputObject],
) -> Result<Vec<String>, String> {
    for gvk in missing {
        if !OPTIONAL_KINDS.contains(&gvk.as_str()) {
            return Err(format!(
                "--missing-kind {gvk:?}: only an optional kind can be missing ({})",
                OPTIONAL_KINDS.join(", ")
            ));
        }
        if extra.contains(gvk) {
            return Err(format!(
                "{gvk} is given both as --served-kind and --missing-kind"
            ));
        }
        if let Some(o) = objects
            .iter()
            .find(|o| gvk_name(o.text(Field::ApiVersion), o.text(Field::Kind)) == *gvk)
        {
            let name = o.text(Field::Name);
            return Err(format!(
                "--missing-kind {gvk}: the input holds one ({name}); a cluster without the kind could not store it"
            ));
        }
    }
    let mut served: Vec<String> = OPTIONAL_KINDS
        .iter()
        .filter(|k| !missing.iter().any(|m| m == *k))
        .map(|k| k.to_string())
        .collect();
    served.extend(served_kinds(extra, objects));
    served.sort();
    served.dedup();
    Ok(served)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: &[serde_json::Value] = &[];

    #[test]
    fn flag_values_are_checked() {
        assert!(dns_hosts(&["a=true".into()]).unwrap()["a"]);
        assert!(dns_hosts(&["a=maybe".into()]).is_err());
        assert!(platform(&["SnapshotBucket".into()], false).is_err());
        assert_eq!(
            platform(&["SnapshotBucket=b".into()], false)
                .unwrap()
                .snapshot_bucket,
            "b"
        );
        let served = served_kinds(
            &["x/v1/K".into()],
            &[serde_json::json!({"apiVersion": "v1", "kind": "Pod"})],
        );
        assert_eq!(served, ["v1/Pod", "x/v1/K"]);
        let route = "gateway.networking.k8s.io/v1/HTTPRoute";
        let monitor = "monitoring.coreos.com/v1/ServiceMonitor";
        assert_eq!(file_mode_kinds(&[], &[], NONE).unwrap(), [route, monitor]);
        assert_eq!(
            file_mode_kinds(&[], &[route.into()], NONE).unwrap(),
            [monitor]
        );
        assert!(file_mode_kinds(&[], &["v1/Pod".into()], NONE).is_err());
        assert!(file_mode_kinds(&[route.into()], &[route.into()], NONE).is_err());
    }
}
