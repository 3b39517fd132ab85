//! The in-memory world a run starts from, built in one place for every caller:
//! `plan -f` and `explain -f` (manifest files), `simulate` (parity fixtures) and the
//! live path (a cluster snapshot with `-f` objects put over it). The API server
//! serves the options' optional kinds and holds the objects in input order; the
//! environment around it (clock, ids, DNS, platform) comes from the options, the
//! sidecars from the caller.

use crate::engine::error::EngineError;
use crate::engine::options::PlanOptions;
use crate::env::Env;
use crate::sidecar::model::ScriptedSidecars;
use crate::sidecar::Sidecars;
use crate::world::compact::{Field, InputObject};
use crate::world::ApiServer;

/// Where the objects of a world come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Manifests and fixtures: every object is stored as new (the next resourceVersion;
    /// uid, creationTimestamp and generation where absent).
    Files,
    /// A cluster snapshot: objects read from the cluster (they carry a resourceVersion)
    /// keep their server fields, so later writes follow the cluster's resourceVersions;
    /// objects only in `-f` files are stored as new.
    Cluster,
}

/// The API server holding `objects`, in order, and serving `options.served_kinds`. Objects
/// handed over by value are dropped as soon as they are stored, so a large input is never
/// held twice.
pub fn load_api<O: InputObject>(
    objects: impl IntoIterator<Item = O>,
    options: &PlanOptions,
    origin: Origin,
) -> Result<ApiServer, EngineError> {
    let mut api = ApiServer::new(options.clock.now_string());
    for gvk in &options.served_kinds {
        api.install_kind(gvk);
    }
    for (i, o) in objects.into_iter().enumerate() {
        // A compact object is decoded here, one at a time, for the store to keep.
        let from_cluster = origin == Origin::Cluster && o.field(Field::ResourceVersion).is_some();
        let loaded = if from_cluster {
            api.load_live(o.value().into_owned())
        } else if o.is_compact() {
            api.load_compact(o.value().into_owned())
        } else {
            api.load(o.value().into_owned())
        };
        loaded.map_err(|source| match origin {
            Origin::Files => EngineError::Load {
                index: i + 1,
                source,
            },
            Origin::Cluster => EngineError::LoadObject {
                object: describe(&o),
                source,
            },
        })?;
    }
    Ok(api)
}

/// `items` in order, their vector giving its memory back as it empties (`into_iter` keeps
/// the whole buffer to the end): a world loaded from 100k input objects then never holds
/// the input's vector beside the full store.
pub fn releasing<T>(mut items: Vec<T>) -> Releasing<T> {
    items.reverse();
    Releasing { rest: items }
}

/// The iterator of [`releasing`]: what is left, last item first.
pub struct Releasing<T> {
    rest: Vec<T>,
}

impl<T> Iterator for Releasing<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        let item = self.rest.pop();
        if self.rest.capacity() > 1024 && self.rest.len() < self.rest.capacity() / 2 {
            self.rest.shrink_to_fit();
        }
        item
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.rest.len(), Some(self.rest.len()))
    }
}

/// The environment of a run: the world of [`load_api`] and `sidecars`.
pub fn env_with<O: InputObject>(
    objects: impl IntoIterator<Item = O>,
    options: &PlanOptions,
    origin: Origin,
    sidecars: Box<dyn Sidecars>,
) -> Result<Env, EngineError> {
    Ok(options.env(load_api(objects, options, origin)?, sidecars))
}

/// The scripted sidecar model the options describe (`--sidecar`, `--sidecar-script`,
/// a fixture's `sidecar` and `podSidecar` sections).
pub fn scripted_sidecars(options: &PlanOptions) -> Box<dyn Sidecars> {
    Box::new(ScriptedSidecars::new(
        options.sidecar.clone(),
        options.pod_sidecar.clone(),
    ))
}

/// `Kind namespace/name` of an object, for a load error.
fn describe(o: &impl InputObject) -> String {
    format!(
        "{} {}/{}",
        o.text(Field::Kind),
        o.text(Field::Namespace),
        o.text(Field::Name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Clock;
    use serde_json::{json, Value};

    const NONE: &[Value] = &[];

    fn options() -> PlanOptions {
        PlanOptions::new(Clock::parse("2026-01-01T00:00:00Z").unwrap())
    }

    fn service(name: &str, rv: Option<&str>) -> Value {
        let mut o = json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": "ns", "uid": "u-1"}});
        if let Some(rv) = rv {
            o["metadata"]["resourceVersion"] = json!(rv);
        }
        o
    }

    fn stored_rv(api: &ApiServer, name: &str) -> String {
        let o = api.get("v1", "Service", "ns", name).unwrap();
        o.pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap()
            .to_string()
    }

    #[test]
    fn cluster_objects_keep_their_resource_version_and_file_objects_do_not() {
        let objects = [service("live", Some("900")), service("new", None)];
        let live = load_api(&objects, &options(), Origin::Cluster).unwrap();
        assert_eq!(stored_rv(&live, "live"), "900");
        // A new object's resourceVersion follows the cluster's.
        let new: u64 = stored_rv(&live, "new").parse().unwrap();
        assert!(new > 900, "{new}");
        let files = load_api(&objects, &options(), Origin::Files).unwrap();
        assert_ne!(stored_rv(&files, "live"), "900");
    }

    #[test]
    fn served_kinds_are_installed() {
        let route = "gateway.networking.k8s.io/v1/HTTPRoute";
        let mut o = options();
        assert!(!load_api(NONE, &o, Origin::Files)
            .unwrap()
            .is_served("gateway.networking.k8s.io/v1", "HTTPRoute"));
        o.served_kinds = vec![route.into()];
        assert!(load_api(NONE, &o, Origin::Files)
            .unwrap()
            .is_served("gateway.networking.k8s.io/v1", "HTTPRoute"));
    }

    #[test]
    fn a_refused_object_is_named_by_position_or_identity() {
        let bad = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"namespace": "ns"}});
        let objects = [service("a", None), bad];
        let files = load_api(&objects, &options(), Origin::Files).unwrap_err();
        assert!(
            files.to_string().starts_with("cluster object #2: "),
            "{files}"
        );
        let live = load_api(&objects, &options(), Origin::Cluster).unwrap_err();
        assert!(
            live.to_string().starts_with("loading Service ns/: "),
            "{live}"
        );
    }

    #[test]
    fn releasing_hands_items_out_in_order_and_gives_the_buffer_back() {
        let mut items = releasing((0..10_000u32).collect::<Vec<_>>());
        let mut seen = Vec::new();
        for expected in 0..10_000u32 {
            assert_eq!(
                items.size_hint(),
                (10_000 - expected as usize, Some(10_000 - expected as usize))
            );
            seen.push(items.next().unwrap());
            // Never more than twice what is left, once that is over the floor.
            assert!(
                items.rest.capacity() <= (2 * items.rest.len()).max(1024) + 1,
                "{expected}"
            );
        }
        assert!(items.next().is_none());
        assert_eq!(seen, (0..10_000).collect::<Vec<_>>());
    }
}
