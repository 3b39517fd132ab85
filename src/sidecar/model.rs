//! The scripted sidecar of PARITY.md §2.1–2.2: task outcomes by task type,
//! per-reconcile overrides, submission/poll errors, node ids and readiness.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::world::hex::lower_hex;

use super::{node_of_url, SidecarCall, SidecarError, Sidecars, TaskRequest, TaskState, Via};

/// Outcome of polling a task of one type: a status string or a detailed object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TaskScript {
    Status(String),
    Detailed {
        status: String,
        error: String,
        sequence: Vec<String>,
    },
    #[default]
    Unset,
}

/// The detailed form of a [`TaskScript`] as written, strict about its keys.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DetailedTaskScript {
    #[serde(default)]
    status: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    sequence: Vec<String>,
}

impl<'de> Deserialize<'de> for TaskScript {
    /// A string is a status; a map is the detailed form, whose misspelt key is an error
    /// naming it (an untagged enum would only say that no variant matched, or take the
    /// map with the key ignored).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Form;
        impl<'de> serde::de::Visitor<'de> for Form {
            type Value = TaskScript;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a task status or a map of status, error and sequence")
            }
            fn visit_str<E: serde::de::Error>(self, status: &str) -> Result<TaskScript, E> {
                Ok(TaskScript::Status(status.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<TaskScript, A::Error> {
                let d = DetailedTaskScript::deserialize(
                    serde::de::value::MapAccessDeserializer::new(map),
                )?;
                Ok(TaskScript::Detailed {
                    status: d.status,
                    error: d.error,
                    sequence: d.sequence,
                })
            }
        }
        deserializer.deserialize_any(Form)
    }
}

/// The `sidecar` section of a scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SidecarScript {
    #[serde(default)]
    pub default: String,
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub tasks: BTreeMap<String, TaskScript>,
    #[serde(default)]
    pub submit_error: String,
    #[serde(default)]
    pub submit_errors: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub get_task_error: String,
    #[serde(default)]
    pub build_error: String,
    #[serde(default)]
    pub per_reconcile: Vec<SidecarScript>,
}

impl SidecarScript {
    /// Every task answers `status` (`completed`, `running`, `failed`).
    pub fn uniform(status: &str) -> Self {
        SidecarScript {
            default: status.to_string(),
            ..Default::default()
        }
    }

    /// The settings in force during reconcile `index`.
    fn effective(&self, index: usize) -> SidecarScript {
        let mut eff = SidecarScript {
            per_reconcile: Vec::new(),
            ..self.clone()
        };
        if let Some(entry) = self.per_reconcile.get(index) {
            for (field, value) in [
                (&mut eff.default, &entry.default),
                (&mut eff.error, &entry.error),
                (&mut eff.submit_error, &entry.submit_error),
                (&mut eff.get_task_error, &entry.get_task_error),
                (&mut eff.build_error, &entry.build_error),
            ] {
                if !value.is_empty() {
                    *field = value.clone();
                }
            }
            for (k, v) in &entry.tasks {
                eff.tasks.insert(k.clone(), v.clone());
            }
            if entry.submit_errors.is_some() {
                eff.submit_errors = entry.submit_errors.clone();
            }
        }
        if eff.default.is_empty() {
            eff.default = "completed".into();
        }
        if eff.error.is_empty() {
            eff.error = "sidecar task failed".into();
        }
        eff
    }
}

/// The `podSidecar` section of a scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodSidecarScript {
    #[serde(default)]
    pub node_ids: BTreeMap<String, String>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub statuses: BTreeMap<String, String>,
    #[serde(default)]
    pub unreachable: BTreeMap<String, bool>,
}

/// UUID namespace NameSpaceURL, used for ids of submissions that carry none.
const NAMESPACE_URL: uuid::Uuid = uuid::Uuid::from_u128(0x6ba7b811_9dad_11d1_80b4_00c04fd430c8);

/// A sidecar fleet answering from scripts; records every call.
#[derive(Debug, Clone, Default)]
pub struct ScriptedSidecars {
    script: SidecarScript,
    pods: PodSidecarScript,
    effective: SidecarScript,
    task_types: HashMap<String, String>,
    polls_by_type: HashMap<String, usize>,
    anonymous_submissions: usize,
    reconcile: usize,
    calls: Vec<SidecarCall>,
}

impl ScriptedSidecars {
    pub fn new(script: SidecarScript, pods: PodSidecarScript) -> Self {
        let effective = script.effective(0);
        ScriptedSidecars {
            script,
            pods,
            effective,
            ..Default::default()
        }
    }

    fn unreachable(&self, url: &str) -> Option<SidecarError> {
        let node = node_of_url(url);
        self.pods
            .unreachable
            .get(node)
            .copied()
            .unwrap_or(false)
            .then(|| {
                SidecarError::Unreachable(format!(
                    "dial tcp: lookup {}: connection refused",
                    host_of(url)
                ))
            })
    }

    fn record(
        &mut self,
        op: String,
        url: &str,
        task_id: &str,
        task_type: &str,
        params: Option<serde_json::Value>,
        returned: String,
    ) {
        self.calls.push(SidecarCall::new(
            op, url, task_id, task_type, params, returned,
        ));
    }

    fn poll_outcome(&mut self, task_type: &str) -> TaskOutcome {
        let eff = &self.effective;
        let mut status = eff.default.clone();
        let mut error = eff.error.clone();
        if let Some(TaskScript::Status(s)) = eff.tasks.get(task_type) {
            if !s.is_empty() {
                status = s.clone();
            }
        }
        if let Some(TaskScript::Detailed {
            status: s,
            error: e,
            sequence,
        }) = eff.tasks.get(task_type).cloned()
        {
            if !s.is_empty() {
                status = s;
            }
            if !e.is_empty() {
                error = e;
            }
            if !sequence.is_empty() {
                let k = *self.polls_by_type.get(task_type).unwrap_or(&0);
                status = sequence[k.min(sequence.len() - 1)].clone();
            }
        }
        *self.polls_by_type.entry(task_type.to_string()).or_insert(0) += 1;
        match status.as_str() {
            "running" => TaskOutcome::State(TaskState::Running),
            "failed" => TaskOutcome::State(TaskState::Failed(error)),
            "notfound" => TaskOutcome::NotFound,
            _ => TaskOutcome::State(TaskState::Completed),
        }
    }
}

enum TaskOutcome {
    State(TaskState),
    NotFound,
}

fn host_of(url: &str) -> &str {
    url.trim_start_matches("http://")
        .split(':')
        .next()
        .unwrap_or("")
}

/// The default node id: lowercase hex of the first 20 bytes of SHA-256("node-id/<node>").
pub fn default_node_id(node: &str) -> String {
    let digest = Sha256::digest(format!("node-id/{node}").as_bytes());
    lower_hex(&digest[..20])
}

impl Sidecars for ScriptedSidecars {
    fn begin_reconcile(&mut self, index: usize) {
        self.reconcile = index;
        self.effective = self.script.effective(index);
    }

    fn build_client(&mut self, _url: &str) -> Result<(), String> {
        if self.effective.build_error.is_empty() {
            Ok(())
        } else {
            Err(self.effective.build_error.clone())
        }
    }

    fn submit_task(
        &mut self,
        via: Via,
        url: &str,
        request: &TaskRequest,
    ) -> Result<String, SidecarError> {
        if let Some(err) = self.unreachable(url) {
            return Err(err);
        }
        let id = match &request.id {
            Some(id) => id.clone(),
            None => {
                self.anonymous_submissions += 1;
                let seed = format!("{url}/{}/{}", request.task_type, self.anonymous_submissions);
                uuid::Uuid::new_v5(&NAMESPACE_URL, seed.as_bytes()).to_string()
            }
        };
        let op = via.op_label("SubmitTask", "POST", "/v0/tasks");
        let failure = self
            .effective
            .submit_errors
            .as_ref()
            .and_then(|m| m.get(&request.task_type))
            .filter(|e| !e.is_empty())
            .cloned()
            .or_else(|| {
                (!self.effective.submit_error.is_empty())
                    .then(|| self.effective.submit_error.clone())
            });
        if let Some(text) = failure {
            self.record(
                op,
                url,
                &id,
                &request.task_type,
                request.params.clone(),
                format!("error: {text}"),
            );
            return Err(SidecarError::Other(text));
        }
        self.task_types
            .insert(id.clone(), request.task_type.clone());
        self.record(
            op,
            url,
            &id,
            &request.task_type,
            request.params.clone(),
            "ok".into(),
        );
        Ok(id)
    }

    fn get_task(&mut self, via: Via, url: &str, id: &str) -> Result<TaskState, SidecarError> {
        if let Some(err) = self.unreachable(url) {
            return Err(err);
        }
        let op = via.op_label("GetTask", "GET", &format!("/v0/tasks/{id}"));
        let task_type = self.task_types.get(id).cloned().unwrap_or_default();
        if !self.effective.get_task_error.is_empty() {
            let text = self.effective.get_task_error.clone();
            self.record(op, url, id, &task_type, None, format!("error: {text}"));
            return Err(SidecarError::Other(text));
        }
        let (returned, result) = match self.poll_outcome(&task_type) {
            TaskOutcome::NotFound => ("notfound".to_string(), Err(SidecarError::NotFound)),
            TaskOutcome::State(TaskState::Running) => ("running".into(), Ok(TaskState::Running)),
            TaskOutcome::State(TaskState::Completed) => {
                ("completed".into(), Ok(TaskState::Completed))
            }
            TaskOutcome::State(TaskState::Failed(e)) => ("failed".into(), Ok(TaskState::Failed(e))),
        };
        self.record(op, url, id, &task_type, None, returned);
        result
    }

    fn status(&mut self, url: &str) -> Result<String, SidecarError> {
        if let Some(err) = self.unreachable(url) {
            return Err(err);
        }
        let node = node_of_url(url).to_string();
        let status = self
            .pods
            .statuses
            .get(&node)
            .cloned()
            .or_else(|| (!self.pods.status.is_empty()).then(|| self.pods.status.clone()))
            .unwrap_or_else(|| "Ready".into());
        self.record(
            "HTTP GET /v0/status".into(),
            url,
            "",
            "",
            None,
            status.clone(),
        );
        Ok(status)
    }

    fn node_id(&mut self, url: &str) -> Result<String, SidecarError> {
        if let Some(err) = self.unreachable(url) {
            return Err(err);
        }
        let node = node_of_url(url).to_string();
        let id = self
            .pods
            .node_ids
            .get(&node)
            .cloned()
            .unwrap_or_else(|| default_node_id(&node));
        self.record("HTTP GET /v0/node-id".into(), url, "", "", None, id.clone());
        Ok(id)
    }

    fn state_key(&self) -> String {
        let mut key = format!(
            "reconcile-script:{}",
            self.reconcile.min(self.script.per_reconcile.len())
        );
        let mut polls: Vec<(&String, &usize)> = self.polls_by_type.iter().collect();
        polls.sort();
        for (task_type, count) in polls {
            let sequence_len = match self.script.tasks.get(task_type) {
                Some(TaskScript::Detailed { sequence, .. }) => sequence.len(),
                _ => 0,
            };
            let longest = self
                .script
                .per_reconcile
                .iter()
                .filter_map(|r| match r.tasks.get(task_type) {
                    Some(TaskScript::Detailed { sequence, .. }) => Some(sequence.len()),
                    _ => None,
                })
                .max()
                .unwrap_or(0)
                .max(sequence_len);
            key.push_str(&format!(";{task_type}={}", count.min(&longest)));
        }
        key
    }

    fn take_calls(&mut self) -> Vec<SidecarCall> {
        std::mem::take(&mut self.calls)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://n-0.n.default.svc.cluster.local:7777";

    fn submit(s: &mut ScriptedSidecars, t: &str) -> String {
        let req = TaskRequest {
            id: Some(uuid::Uuid::new_v4().to_string()),
            task_type: t.into(),
            params: None,
        };
        s.submit_task(Via::Client, URL, &req).unwrap()
    }

    #[test]
    fn sequences_count_polls_per_type_over_the_run() {
        let script: SidecarScript = serde_json::from_value(serde_json::json!({
            "tasks": {"snapshot-restore": {"sequence": ["running", "completed"]}}
        }))
        .unwrap();
        let mut s = ScriptedSidecars::new(script, PodSidecarScript::default());
        let id = submit(&mut s, "snapshot-restore");
        assert_eq!(s.get_task(Via::Client, URL, &id), Ok(TaskState::Running));
        s.begin_reconcile(1);
        assert_eq!(s.get_task(Via::Client, URL, &id), Ok(TaskState::Completed));
        assert_eq!(s.get_task(Via::Client, URL, &id), Ok(TaskState::Completed));
    }

    #[test]
    fn per_reconcile_overrides_apply_to_their_reconcile_only() {
        let script: SidecarScript = serde_json::from_value(serde_json::json!({
            "perReconcile": [{}, {"default": "failed", "error": "boom"}]
        }))
        .unwrap();
        let mut s = ScriptedSidecars::new(script, PodSidecarScript::default());
        let id = submit(&mut s, "config-apply");
        assert_eq!(s.get_task(Via::Client, URL, &id), Ok(TaskState::Completed));
        s.begin_reconcile(1);
        assert_eq!(
            s.get_task(Via::Client, URL, &id),
            Ok(TaskState::Failed("boom".into()))
        );
        s.begin_reconcile(2);
        assert_eq!(s.get_task(Via::Client, URL, &id), Ok(TaskState::Completed));
    }

    #[test]
    fn submit_errors_by_type_win_over_the_general_one() {
        let script: SidecarScript = serde_json::from_value(serde_json::json!({
            "submitError": "all", "submitErrors": {"configure-genesis": "cg"}
        }))
        .unwrap();
        let mut s = ScriptedSidecars::new(script, PodSidecarScript::default());
        let req = TaskRequest {
            id: Some("x".into()),
            task_type: "configure-genesis".into(),
            params: None,
        };
        assert_eq!(
            s.submit_task(Via::Client, URL, &req),
            Err(SidecarError::Other("cg".into()))
        );
        let calls = s.take_calls();
        assert_eq!(calls[0].returned, "error: cg");
    }

    #[test]
    fn default_node_ids_are_sha256_prefixes() {
        assert_eq!(default_node_id("a").len(), 40);
        assert_ne!(default_node_id("a"), default_node_id("b"));
    }
}
