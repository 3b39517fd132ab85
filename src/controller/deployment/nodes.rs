//! Child SeiNodes: generation from the template, create/update by ordinal, scale
//! down, listing, incumbent bookkeeping, and rollout / genesis detection.

use serde_json::Value;

use crate::api::condition_type::{
    FORK_GENESIS_CEREMONY_NEEDED, GENESIS_CEREMONY_COMPLETE, GENESIS_CEREMONY_NEEDED,
    PLAN_IN_PROGRESS, ROLLOUT_IN_PROGRESS,
};
use crate::api::{
    GenesisCeremonyNodeConfig, ObjectMeta, RolloutStatus, SeiNode, SeiNodeDeployment, StringMap,
    API_VERSION, SEINODE_KIND,
};
use crate::env::Env;
use crate::world::DeleteOptions;

use super::conditions::{remove_condition, set_condition};
use super::group_event;
use crate::planner::group::has_condition_true;
use crate::resources::labels::{
    active_revision, controller_reference, entrant_revision, group_only_selector, group_selector,
    incumbent_revision, is_controlled_by, node_name, template_hash, EXPORTER_ROLE, GROUP_LABEL,
    ORDINAL_LABEL, REVISION_LABEL, ROLE_LABEL,
};

/// Compact JSON of the genesis overrides with sorted keys and Go's HTML escaping;
/// empty for an empty map.
pub fn marshal_overrides(overrides: &StringMap) -> String {
    if overrides.is_empty() {
        return String::new();
    }
    let text = serde_json::to_string(overrides).unwrap_or_default();
    go_html_escape(&text)
}

/// Go's encoding/json escapes `<`, `>`, `&`, U+2028 and U+2029 inside strings.
fn go_html_escape(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The desired ordinal child `<group>-<ordinal>`.
pub fn generate_seinode(group: &SeiNodeDeployment, ordinal: usize) -> SeiNode {
    let revision = active_revision(group);
    let template_meta = group.spec.template.metadata.as_ref();
    let mut labels = template_meta.map(|m| m.labels.clone()).unwrap_or_default();
    labels.insert(GROUP_LABEL.into(), group.name().into());
    labels.insert(ORDINAL_LABEL.into(), ordinal.to_string());
    labels.insert(REVISION_LABEL.into(), revision.clone());

    let mut spec = group.spec.template.spec.clone();
    spec.pod_labels
        .insert(GROUP_LABEL.into(), group.name().into());
    spec.pod_labels.insert(REVISION_LABEL.into(), revision);
    if let (Some(genesis), Some(validator)) = (&group.spec.genesis, spec.validator.as_mut()) {
        if spec.chain_id.is_empty() {
            spec.chain_id = genesis.chain_id.clone();
        }
        validator.genesis_ceremony = Some(GenesisCeremonyNodeConfig {
            chain_id: genesis.chain_id.clone(),
            staking_amount: genesis.staking_amount.clone(),
            account_balance: genesis.account_balance.clone(),
            genesis_params: marshal_overrides(&genesis.overrides),
            index: i32::try_from(ordinal).unwrap_or(i32::MAX),
        });
    }

    SeiNode {
        metadata: ObjectMeta {
            name: node_name(group, ordinal),
            namespace: group.namespace().into(),
            labels,
            annotations: template_meta
                .map(|m| m.annotations.clone())
                .unwrap_or_default(),
            owner_references: vec![controller_reference(group)],
            ..Default::default()
        },
        spec,
        ..Default::default()
    }
}

/// Decodes a stored SeiNode as the typed client would return it (no type meta).
pub fn decode_seinode(object: &Value) -> Result<SeiNode, String> {
    let mut node = SeiNode::from_value(object).map_err(|e| format!("decoding SeiNode: {e}"))?;
    node.kind = None;
    node.api_version = None;
    Ok(node)
}

/// Gets a SeiNode by name (`None` when absent).
pub fn get_seinode(env: &Env, namespace: &str, name: &str) -> Result<Option<SeiNode>, String> {
    match env
        .api
        .get_opt(API_VERSION, SEINODE_KIND, namespace, name)
        .map_err(|e| e.to_string())?
    {
        Some(object) => decode_seinode(&object).map(Some),
        None => Ok(None),
    }
}

/// Lists SeiNodes in `namespace` carrying every label of `selector`.
pub fn list_seinodes(
    env: &Env,
    namespace: &str,
    selector: &StringMap,
) -> Result<Vec<SeiNode>, String> {
    let pairs: Vec<(&str, &str)> = selector
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    env.api
        .list(API_VERSION, SEINODE_KIND, Some(namespace), &pairs)
        .map_err(|e| format!("listing child SeiNodes: {e}"))?
        .iter()
        .map(|object| decode_seinode(object))
        .collect()
}

/// Children selected by the group selector and controlled by the group.
pub fn list_child_seinodes(env: &Env, group: &SeiNodeDeployment) -> Result<Vec<SeiNode>, String> {
    Ok(
        list_seinodes(env, group.namespace(), &group_selector(group))?
            .into_iter()
            .filter(|n| is_controlled_by(&n.metadata.owner_references, group))
            .collect(),
    )
}

/// Ensures children, records incumbents and detects rollouts and genesis needs.
pub fn reconcile_seinodes(env: &mut Env, group: &mut SeiNodeDeployment) -> Result<(), String> {
    if !has_condition_true(group, PLAN_IN_PROGRESS) {
        for ordinal in 0..usize::try_from(group.spec.replicas).unwrap_or(0) {
            ensure_seinode(env, group, ordinal)
                .map_err(|e| format!("ensuring SeiNode {ordinal}: {e}"))?;
        }
        scale_down(env, group)?;
    }
    populate_incumbent_nodes(env, group)?;
    detect_deployment_needed(env, group);
    detect_genesis_ceremony_needed(env, group);
    Ok(())
}

fn slices_equal(a: Option<&Vec<String>>, b: Option<&Vec<String>>) -> bool {
    a.map(Vec::as_slice).unwrap_or_default() == b.map(Vec::as_slice).unwrap_or_default()
}

/// Creates the ordinal child, or updates the fields the controller propagates.
fn ensure_seinode(env: &mut Env, group: &SeiNodeDeployment, ordinal: usize) -> Result<(), String> {
    let desired = generate_seinode(group, ordinal);
    let Some(mut existing) = get_seinode(env, group.namespace(), &desired.metadata.name)? else {
        env.api
            .create(API_VERSION, SEINODE_KIND, desired.to_value())
            .map_err(|e| e.to_string())?;
        group_event(
            env,
            group,
            "Normal",
            "SeiNodeCreated",
            format!("Created SeiNode {}", desired.metadata.name),
        );
        return Ok(());
    };
    let mut updated = false;
    if existing.metadata.labels != desired.metadata.labels {
        existing.metadata.labels = desired.metadata.labels;
        updated = true;
    }
    if existing.metadata.annotations != desired.metadata.annotations {
        existing.metadata.annotations = desired.metadata.annotations;
        updated = true;
    }
    let (have, want) = (&mut existing.spec, desired.spec);
    if have.image != want.image {
        have.image = want.image;
        updated = true;
    }
    match (&have.entrypoint, &want.entrypoint) {
        (Some(_), None) => {
            have.entrypoint = None;
            updated = true;
        }
        (current, Some(target))
            if current.as_ref().is_none_or(|c| {
                !slices_equal(c.command.as_ref(), target.command.as_ref()) || c.args != target.args
            }) =>
        {
            have.entrypoint = want.entrypoint.clone();
            updated = true;
        }
        _ => {}
    }
    match (&have.sidecar, &want.sidecar) {
        (Some(_), None) => {
            have.sidecar = None;
            updated = true;
        }
        (current, Some(target))
            if current
                .as_ref()
                .is_none_or(|c| c.image != target.image || c.port != target.port) =>
        {
            have.sidecar = want.sidecar.clone();
            updated = true;
        }
        _ => {}
    }
    if have.pod_labels != want.pod_labels {
        have.pod_labels = want.pod_labels;
        updated = true;
    }
    if updated {
        env.api
            .update(API_VERSION, SEINODE_KIND, existing.to_value(), false)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Go's `fmt.Sscanf(text, "%d", &ord)`: leading spaces skipped (a newline among
/// them is an error, Sscanf's newline rule), then an optional sign and decimal digits.
fn leading_int(text: &str) -> Option<i64> {
    let start = text
        .char_indices()
        .find(|&(_, c)| !c.is_whitespace() || c == '\n' || c == '\r')
        .map_or(text.len(), |(i, _)| i);
    let text = &text[start..];
    if text.starts_with('\n') || text.starts_with("\r\n") {
        return None;
    }
    let text = text.strip_prefix('\r').unwrap_or(text);
    let end = text
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && (c == '+' || c == '-'))))
        .map_or(text.len(), |(i, _)| i);
    text[..end].parse().ok()
}

/// Deletes controlled children whose ordinal is at or beyond `spec.replicas`.
fn scale_down(env: &mut Env, group: &SeiNodeDeployment) -> Result<(), String> {
    let replicas = i64::from(group.spec.replicas);
    if replicas <= 0 {
        return Ok(());
    }
    for node in list_seinodes(env, group.namespace(), &group_only_selector(group))? {
        if !is_controlled_by(&node.metadata.owner_references, group) {
            continue;
        }
        let Some(ordinal) = node
            .metadata
            .labels
            .get(ORDINAL_LABEL)
            .filter(|o| !o.is_empty())
            .and_then(|o| leading_int(o))
        else {
            continue;
        };
        if ordinal >= replicas {
            let name = node.metadata.name.clone();
            match env.api.delete(
                API_VERSION,
                SEINODE_KIND,
                group.namespace(),
                &name,
                DeleteOptions::default(),
            ) {
                Err(e) if !e.is_not_found() => {
                    return Err(format!("deleting excess SeiNode {name}: {e}"))
                }
                _ => {}
            }
            group_event(
                env,
                group,
                "Normal",
                "SeiNodeDeleted",
                format!("Scaled down SeiNode {name}"),
            );
        }
    }
    Ok(())
}

/// `status.incumbentNodes` = listed children that are not the exporter.
fn populate_incumbent_nodes(env: &Env, group: &mut SeiNodeDeployment) -> Result<(), String> {
    let nodes =
        list_child_seinodes(env, group).map_err(|e| format!("listing child SeiNodes: {e}"))?;
    group.status.incumbent_nodes = nodes
        .into_iter()
        .filter(|n| n.metadata.labels.get(ROLE_LABEL).map(String::as_str) != Some(EXPORTER_ROLE))
        .map(|n| n.metadata.name)
        .collect();
    Ok(())
}

/// Records a rollout when the template hash moved away from the stored one.
fn detect_deployment_needed(env: &mut Env, group: &mut SeiNodeDeployment) {
    if group.status.template_hash.is_empty() {
        return;
    }
    let current = template_hash(&group.spec.template.spec);
    if current == group.status.template_hash {
        return;
    }
    if has_condition_true(group, ROLLOUT_IN_PROGRESS) {
        if group
            .status
            .rollout
            .as_ref()
            .is_some_and(|r| r.target_hash == current)
        {
            return;
        }
        let old_target = group
            .status
            .rollout
            .as_ref()
            .map(|r| r.target_hash.clone())
            .unwrap_or_default();
        group.status.plan = None;
        group_event(
            env,
            group,
            "Normal",
            "RolloutSuperseded",
            format!(
                "Spec changed during active rollout, replacing plan (old target: {old_target})"
            ),
        );
    }
    if !has_condition_true(group, ROLLOUT_IN_PROGRESS)
        && has_condition_true(group, PLAN_IN_PROGRESS)
    {
        return;
    }
    let strategy = match group.spec.update_strategy.type_.as_str() {
        "" => crate::api::update_strategy_type::IN_PLACE.to_string(),
        other => other.to_string(),
    };
    group.status.rollout = Some(RolloutStatus {
        strategy: strategy.clone(),
        target_hash: current.clone(),
        started_at: Some(env.now_string()),
        incumbent_nodes: group.status.incumbent_nodes.clone(),
        entrant_nodes: Vec::new(),
        incumbent_revision: incumbent_revision(group),
        entrant_revision: entrant_revision(group),
    });
    let message = format!(
        "templateHash changed from {} to {current}",
        group.status.template_hash
    );
    set_condition(
        env,
        group,
        ROLLOUT_IN_PROGRESS,
        true,
        "TemplateChanged",
        &message,
    );
    group_event(
        env,
        group,
        "Normal",
        "RolloutStarted",
        format!(
            "InPlace rollout started (strategy: {strategy}, target: {})",
            &current[..8]
        ),
    );
}

/// Maintains `GenesisCeremonyNeeded` / `ForkGenesisCeremonyNeeded`.
fn detect_genesis_ceremony_needed(env: &Env, group: &mut SeiNodeDeployment) {
    let fork_source = match &group.spec.genesis {
        None => None,
        Some(_) if has_condition_true(group, GENESIS_CEREMONY_COMPLETE) => None,
        Some(_) if has_condition_true(group, PLAN_IN_PROGRESS) => return,
        Some(genesis) => Some(genesis.fork.as_ref().map(|f| f.source_chain_id.clone())),
    };
    match fork_source {
        None => {
            remove_condition(group, GENESIS_CEREMONY_NEEDED);
            remove_condition(group, FORK_GENESIS_CEREMONY_NEEDED);
        }
        Some(Some(source)) => {
            remove_condition(group, GENESIS_CEREMONY_NEEDED);
            let message = format!("Fork genesis from {source}");
            set_condition(
                env,
                group,
                FORK_GENESIS_CEREMONY_NEEDED,
                true,
                "ForkConfigured",
                &message,
            );
        }
        Some(None) => {
            remove_condition(group, FORK_GENESIS_CEREMONY_NEEDED);
            set_condition(
                env,
                group,
                GENESIS_CEREMONY_NEEDED,
                true,
                "GenesisConfigured",
                "Genesis ceremony configured",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn group() -> SeiNodeDeployment {
        SeiNodeDeployment::from_value(&json!({
            "metadata": {"name": "g", "namespace": "ns", "uid": "u", "generation": 2},
            "spec": {"replicas": 3, "updateStrategy": {"type": "InPlace"},
                     "template": {"metadata": {"labels": {"team": "a", GROUP_LABEL: "spoof"}},
                                  "spec": {"chainId": "c", "image": "i", "validator": {},
                                           "podLabels": {"keep": "me"}}},
                     "genesis": {"chainId": "gen-1", "overrides": {"b": "2", "a": "<x>"}}}
        }))
        .unwrap()
    }

    #[test]
    fn overrides_marshal_like_go() {
        let g = group();
        assert_eq!(
            marshal_overrides(&g.spec.genesis.unwrap().overrides),
            r#"{"a":"\u003cx\u003e","b":"2"}"#
        );
        assert_eq!(marshal_overrides(&StringMap::new()), "");
    }

    #[test]
    fn generated_child_has_system_labels_and_ceremony() {
        let node = generate_seinode(&group(), 2);
        assert_eq!(node.metadata.name, "g-2");
        assert_eq!(node.metadata.labels[GROUP_LABEL], "g");
        assert_eq!(node.metadata.labels[ORDINAL_LABEL], "2");
        assert_eq!(node.metadata.labels[REVISION_LABEL], "2");
        assert_eq!(node.metadata.labels["team"], "a");
        assert_eq!(node.spec.pod_labels["keep"], "me");
        assert_eq!(node.spec.pod_labels[GROUP_LABEL], "g");
        let ceremony = node.spec.validator.unwrap().genesis_ceremony.unwrap();
        assert_eq!((ceremony.chain_id.as_str(), ceremony.index), ("gen-1", 2));
        assert!(node.metadata.annotations.is_empty());
        assert_eq!(node.metadata.owner_references[0].controller, Some(true));
    }

    /// `fmt.Sscanf` with `%d` skips leading spaces, not newlines.
    #[test]
    fn sscanf_skips_leading_spaces() {
        assert_eq!(leading_int("  7"), Some(7));
        assert_eq!(leading_int("\t-2x"), Some(-2));
        assert_eq!(leading_int(" \n7"), None);
        assert_eq!(leading_int("\r\n7"), None);
        assert_eq!(leading_int("   "), None);
    }

    #[test]
    fn ordinals_parse_like_sscanf() {
        assert_eq!(leading_int("12"), Some(12));
        assert_eq!(leading_int("3abc"), Some(3));
        assert_eq!(leading_int("x"), None);
    }
}
