//! Never a write that was not planned: hostile names through every command, edited saved
//! plans (re-digested, as a deliberate forger would), objects created after planning, a
//! second server behind the same context name, and secrets of the kubeconfig in no output.
//! Everything goes through the binary against the recording fake API server.

mod support {
    pub mod fake_api;
}

use std::path::Path;
use std::process::Output;

use nodectl::world::hex::lower_hex;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use support::fake_api::{isolated_nodectl, manifest_objects, Fake, Recorded};

const NOW: &str = "2026-01-01T00:00:00Z";
const NODE: &str = "examples/seinode/pacific-1-full-node.yaml";

const HOSTILE: &[&str] = &[
    "victim?fieldManager=x&force=true#",
    "kube-system#x",
    "../x",
    "a/b",
    "%2e%2e",
    "ünïcode",
    "",
];

fn run(fake: &Fake, dir: &Path, args: &[&str]) -> Output {
    let mut cmd = isolated_nodectl();
    cmd.arg(args[0])
        .arg("--kubeconfig")
        .arg(fake.kubeconfig(dir))
        .args(["--retry-backoff", "10ms"])
        .args(&args[1..]);
    cmd.output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every request either reads or is a dry run, and stays in the intended namespace.
fn assert_only_reads_and_dry_runs(sent: &[Recorded], context: &str) {
    for r in sent {
        let dry = r.query.split('&').any(|q| q == "dryRun=All");
        assert!(
            r.method == "GET" || dry,
            "{context}: a write without dryRun=All: {} {}?{}",
            r.method,
            r.path,
            r.query
        );
        assert!(
            !r.path.contains("kube-system") && !r.path.contains("/../") && !r.path.ends_with(".."),
            "{context}: left the namespace: {} {}",
            r.method,
            r.path
        );
        assert!(
            r.path.starts_with("/api/v1/namespaces/default/")
                || r.path
                    .starts_with("/apis/sei.io/v1alpha1/namespaces/default/")
                || r.path.starts_with("/apis/apps/v1/namespaces/default/")
                || r.path.starts_with("/apis/batch/v1/namespaces/default/")
                || r.path.starts_with("/apis/gateway.networking.k8s.io/v1")
                || r.path.starts_with("/apis/monitoring.coreos.com/v1"),
            "{context}: unexpected path {}",
            r.path
        );
    }
}

fn hostile_manifest(dir: &Path, name: &str, namespace: &str) -> String {
    let mut node: Value = serde_json::to_value(&manifest_objects(NODE)[0]).unwrap();
    node["metadata"]["name"] = json!(name);
    node["metadata"]["namespace"] = json!(namespace);
    let path = dir.join("hostile.json");
    std::fs::write(&path, node.to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn hostile_names_reach_no_path_and_no_write_through_any_command() {
    let fake = Fake::start(&manifest_objects(NODE), &[]);
    let dir = tempfile::tempdir().unwrap();
    for bad in HOSTILE {
        let cases: Vec<(String, String, bool)> = vec![
            (bad.to_string(), "default".into(), true),
            ("ok-name".into(), bad.to_string(), false),
        ];
        for (name, ns, bad_name) in cases {
            let file = hostile_manifest(dir.path(), &name, &ns);
            let target = format!("seinode/{name}");
            let ns_target = format!("seinode/{ns}/pacific-1-full-node");
            // (uses the hostile name, uses the hostile namespace, arguments)
            let table: Vec<(bool, bool, Vec<&str>)> = vec![
                (
                    true,
                    true,
                    vec!["plan", "--now", NOW, "-f", &file, "-n", "default"],
                ),
                (
                    true,
                    true,
                    vec!["plan", "--now", NOW, "--server-dry-run", "-f", &file],
                ),
                (
                    true,
                    false,
                    vec!["plan", "--now", NOW, "-o", "json", &target],
                ),
                (false, true, vec!["plan", "--now", NOW, &ns_target]),
                (false, true, vec!["plan", "--now", NOW, "-n", &ns]),
                (true, false, vec!["apply", "--now", NOW, "--yes", &target]),
                (false, true, vec!["apply", "--now", NOW, "--yes", "-n", &ns]),
                (true, false, vec!["explain", "--now", NOW, &target]),
                (
                    false,
                    true,
                    vec![
                        "explain",
                        "--now",
                        NOW,
                        "-n",
                        &ns,
                        "seinode/pacific-1-full-node",
                    ],
                ),
                (
                    true,
                    true,
                    vec!["validate", "--against-cluster", "-f", &file],
                ),
            ];
            for (by_name, by_ns, args) in table {
                if !(if bad_name { by_name } else { by_ns }) {
                    continue;
                }
                // An empty namespace in a manifest means the context's namespace.
                if !bad_name && ns.is_empty() {
                    continue;
                }
                let before = fake.requests().len();
                let out = run(&fake, dir.path(), &args);
                let context = format!("{args:?}");
                let sent = fake.requests()[before..].to_vec();
                assert_only_reads_and_dry_runs(&sent, &context);
                // `seinode/a/b` is the KIND/NAMESPACE/NAME form: a valid lookup that finds nothing.
                if *bad == "a/b" && by_name && !by_ns {
                    assert_eq!(out.status.code(), Some(1), "{context}: {}", text(&out));
                    continue;
                }
                assert_eq!(out.status.code(), Some(2), "{context}: {}", text(&out));
                if args[0] != "validate" {
                    assert!(sent.is_empty(), "{context}: sent {sent:?}");
                    assert!(
                        [
                            "RFC 1123",
                            "empty name",
                            "expected KIND/NAME",
                            "missing \"metadata.name\"",
                            "name or generateName is required"
                        ]
                        .iter()
                        .any(|m| text(&out).contains(m)),
                        "{context}: {}",
                        text(&out)
                    );
                }
            }
        }
    }
}

fn sha(bytes: &[u8]) -> String {
    lower_hex(&Sha256::digest(bytes))
}

/// Re-digests an edited plan as a forger who read the source would.
fn redigest(plan: &mut Value) {
    let snapshot = sha(&serde_json::to_vec(&plan["read"]).unwrap());
    plan["snapshotDigest"] = json!(snapshot);
    let whole = json!({
        "cluster": plan["cluster"],
        "targets": plan["targets"],
        "snapshotDigest": snapshot,
        "steps": plan["steps"],
    });
    plan["digest"] = json!(sha(&serde_json::to_vec(&whole).unwrap()));
}

fn saved_plan(fake: &Fake, dir: &Path) -> (Value, String) {
    let file = dir.join("plan.json");
    let path = file.to_str().unwrap().to_string();
    let out = run(
        fake,
        dir,
        &[
            "plan",
            "--now",
            NOW,
            "seinode/pacific-1-full-node",
            "--out",
            &path,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "saved plan mode {mode:o}");
    }
    let doc = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    (doc, path)
}

fn write_step(w: Value) -> Value {
    let mut base = json!({"seq": 1, "verb": "Patch", "subresource": null, "apiVersion": "v1",
        "kind": "ConfigMap", "namespace": "default", "name": "x", "patchType": null, "patch": null,
        "object": null, "fieldManager": null, "force": null, "propagationPolicy": null,
        "error": null, "predicted": "updated", "predictedResourceVersion": null});
    for (k, v) in w.as_object().unwrap() {
        base[k] = v.clone();
    }
    json!({"write": base})
}

/// Applies `plan` (re-digested unless `keep_digest`) and expects a refusal with `reason`.
fn assert_refused(
    fake: &Fake,
    dir: &Path,
    mut plan: Value,
    keep_digest: bool,
    code: i32,
    reason: &str,
) {
    if !keep_digest {
        redigest(&mut plan);
    }
    let path = dir.join("edited.json");
    std::fs::write(&path, plan.to_string()).unwrap();
    let before = fake.requests().len();
    let out = run(fake, dir, &["apply", path.to_str().unwrap(), "--yes"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(code), "{reason}: {all}");
    assert!(all.contains(reason), "expected {reason:?} in {all}");
    let sent = fake.requests()[before..].to_vec();
    assert!(
        sent.iter().all(|r| r.method == "GET"),
        "{reason}: sent {:?}",
        sent.iter()
            .filter(|r| r.method != "GET")
            .collect::<Vec<_>>()
    );
}

#[test]
fn edited_saved_plans_are_refused_and_send_nothing() {
    let fake = Fake::start(&manifest_objects(NODE), &[]);
    let dir = tempfile::tempdir().unwrap();
    let (plan, _) = saved_plan(&fake, dir.path());
    let d = dir.path();
    let with_steps = |steps: Vec<Value>| {
        let mut p = plan.clone();
        p["steps"] = json!(steps);
        p
    };
    // Edited without re-digesting.
    let mut p = plan.clone();
    p["steps"][0]["write"]["name"] = json!("other");
    assert_refused(&fake, d, p, true, 2, "the plan digest does not match");
    // The attacks, re-digested.
    let coredns = write_step(
        json!({"kind": "ConfigMap", "namespace": "kube-system", "name": "coredns",
        "patchType": "application/apply-patch+yaml", "patch": {"data": {}}, "fieldManager": "seinode-controller", "force": true}),
    );
    assert_refused(
        &fake,
        d,
        with_steps(vec![coredns]),
        false,
        2,
        "outside the plan's target namespaces",
    );
    let coredns_here = write_step(json!({"kind": "ConfigMap", "name": "coredns",
        "patchType": "application/apply-patch+yaml", "patch": {}, "fieldManager": "seinode-controller", "force": true}));
    assert_refused(
        &fake,
        d,
        with_steps(vec![coredns_here]),
        false,
        2,
        "the operator's role does not grant \"patch\" on \"configmaps\"",
    );
    let crb = write_step(
        json!({"verb": "Create", "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding", "namespace": "default", "name": "pwn",
        "object": {"metadata": {"name": "pwn"}, "roleRef": {"name": "cluster-admin"}}}),
    );
    assert_refused(
        &fake,
        d,
        with_steps(vec![crb]),
        false,
        2,
        "does not grant \"create\" on \"clusterrolebindings\"",
    );
    let secret = write_step(json!({"verb": "Delete", "kind": "Secret", "name": "token"}));
    assert_refused(
        &fake,
        d,
        with_steps(vec![secret]),
        false,
        2,
        "does not grant \"delete\" on \"secrets\"",
    );
    let proxy = json!({"submit": {"afterWrite": 0, "via": "client",
        "url": "http://coredns-0.coredns.kube-system.svc.cluster.local:7777", "id": "x",
        "requestId": null, "type": "t", "params": null}});
    assert_refused(
        &fake,
        d,
        with_steps(vec![proxy]),
        false,
        2,
        "submission to http://coredns-0.coredns.kube-system",
    );
    let other_pod = json!({"submit": {"afterWrite": 0, "via": "client",
        "url": "http://stranger-0.stranger.default.svc.cluster.local:7777", "id": "x",
        "requestId": null, "type": "t", "params": null}});
    assert_refused(
        &fake,
        d,
        with_steps(vec![other_pod]),
        false,
        2,
        "does not go to the sidecar of a target",
    );
    let unowned = write_step(
        json!({"kind": "StatefulSet", "apiVersion": "apps/v1", "name": "someone-else",
        "patchType": "application/apply-patch+yaml", "patch": {"metadata": {"name": "someone-else"}},
        "fieldManager": "seinode-controller", "force": true}),
    );
    assert_refused(
        &fake,
        d,
        with_steps(vec![unowned]),
        false,
        2,
        "neither a target of the plan nor owned by one",
    );
    let manager = write_step(
        json!({"kind": "StatefulSet", "apiVersion": "apps/v1", "name": "pacific-1-full-node",
        "patchType": "application/apply-patch+yaml", "patch": {}, "fieldManager": "x", "force": true}),
    );
    assert_refused(
        &fake,
        d,
        with_steps(vec![manager]),
        false,
        2,
        "field manager \"x\" is not one of the operator's",
    );
    // `{"verb":"Delete"}` alone, `../` names, empty kind.
    assert_refused(
        &fake,
        d,
        with_steps(vec![json!({"write": {"verb": "Delete"}})]),
        false,
        2,
        "missing field",
    );
    let dots = write_step(json!({"verb": "Delete", "kind": "Service", "name": "../../../api"}));
    assert_refused(
        &fake,
        d,
        with_steps(vec![dots]),
        false,
        2,
        "RFC 1123 subdomain",
    );
    let no_kind = write_step(json!({"verb": "Delete", "kind": "", "name": "x"}));
    assert_refused(
        &fake,
        d,
        with_steps(vec![no_kind]),
        false,
        2,
        "a write needs apiVersion, kind and name",
    );
    // Shape: null cluster, empty snapshot, unknown and missing fields, old format.
    let mut p = plan.clone();
    p["cluster"] = Value::Null;
    assert_refused(&fake, d, p, false, 2, "the plan was made from files");
    let mut p = plan.clone();
    p["read"] = json!([]);
    assert_refused(
        &fake,
        d,
        p,
        false,
        2,
        "is not among the objects the plan read",
    );
    let mut p = plan.clone();
    p["targets"] = json!([]);
    assert_refused(&fake, d, p, false, 2, "names no target");
    let mut p = plan.clone();
    p["extra"] = json!(true);
    assert_refused(&fake, d, p, false, 2, "unknown field `extra`");
    let mut p = plan.clone();
    p.as_object_mut().unwrap().remove("read");
    assert_refused(&fake, d, p, false, 2, "missing field `read`");
    let mut p = plan.clone();
    p["formatVersion"] = json!(1);
    assert_refused(
        &fake,
        d,
        p,
        false,
        2,
        "unsupported saved-plan formatVersion 1",
    );
    // The unedited plan still applies.
    let path = dir.path().join("plan.json");
    let out = run(&fake, d, &["apply", path.to_str().unwrap(), "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn an_object_created_after_planning_makes_the_plan_stale() {
    let fake = Fake::start(&manifest_objects(NODE), &[]);
    let dir = tempfile::tempdir().unwrap();
    let (_, path) = saved_plan(&fake, dir.path());
    fake.state
        .lock()
        .unwrap()
        .api
        .create(
            "apps/v1",
            "StatefulSet",
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": {"name": "pacific-1-full-node", "namespace": "default"}, "spec": {}}),
        )
        .unwrap();
    let before = fake.requests().len();
    let out = run(&fake, dir.path(), &["apply", &path, "--yes"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("StatefulSet default/pacific-1-full-node: did not exist when the plan was made and exists now"),
        "{all}"
    );
    assert!(fake.requests()[before..].iter().all(|r| r.method == "GET"));
}

/// Self-signed CA certificates (public, no key) in testdata/safety, to tell two clusters apart.
fn ca_file(n: u8) -> String {
    format!("{}/testdata/safety/ca-{n}.pem", env!("CARGO_MANIFEST_DIR"))
}

fn kubeconfig_with(fake_url: &str, dir: &Path, ca: &str) -> std::path::PathBuf {
    let path = dir.join(format!("kc-{}", sha(ca.as_bytes())));
    std::fs::write(
        &path,
        format!("apiVersion: v1\nkind: Config\ncurrent-context: fake\nclusters:\n- name: fake\n  cluster:\n    server: {fake_url}\n    certificate-authority: {ca}\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\n    namespace: default\nusers:\n- name: fake\n  user:\n    token: t\n"),
    )
    .unwrap();
    path
}

#[test]
fn a_second_server_behind_the_same_context_name_is_refused() {
    let first = Fake::start(&manifest_objects(NODE), &[]);
    let second = Fake::start(&manifest_objects(NODE), &[]);
    let dir = tempfile::tempdir().unwrap();
    let (_, path) = saved_plan(&first, dir.path());
    // Another URL, same context name.
    assert_refused(
        &second,
        dir.path(),
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap(),
        true,
        2,
        "the plan was made against context \"fake\" (server http://127.0.0.1",
    );
    assert!(second.requests().is_empty());
    // Same URL, another CA.
    let planned = kubeconfig_with(&first.url(), dir.path(), &ca_file(1));
    let other = kubeconfig_with(&first.url(), dir.path(), &ca_file(2));
    let plan_path = dir.path().join("ca-plan.json");
    let mut cmd = isolated_nodectl();
    let out = cmd
        .args([
            "plan",
            "--now",
            NOW,
            "seinode/pacific-1-full-node",
            "--kubeconfig",
        ])
        .arg(&planned)
        .arg("--out")
        .arg(&plan_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let before = first.requests().len();
    let out = isolated_nodectl()
        .arg("apply")
        .arg(&plan_path)
        .args(["--yes", "--kubeconfig"])
        .arg(&other)
        .output()
        .unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("CA sha256"), "{all}");
    assert!(first.requests()[before..].iter().all(|r| r.method == "GET"));
}

const SECRETS: &[&str] = &[
    "SECRET-TOKEN-4711",
    "SECRET-PASSWORD-0815",
    "SECRET-CLIENT-KEY-DATA",
    "SECRET-EXEC-ARG-42",
    "SECRET-EXEC-ENV-43",
];

/// A kubeconfig whose current user carries a token, a password and an exec plugin, and whose
/// other user carries a client key; `broken` adds a YAML error right below the secrets.
fn secret_kubeconfig(fake: &Fake, dir: &Path, user: &str, broken: bool) -> std::path::PathBuf {
    let path = dir.join(format!("secret-{user}-{broken}"));
    let tail = if broken { "   bad: [indent\n" } else { "" };
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: fake\nclusters:\n- name: fake\n  cluster:\n    server: {}\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: {user}\n    namespace: default\nusers:\n- name: key\n  user:\n    client-key-data: SECRET-CLIENT-KEY-DATA\n- name: exec\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: /bin/false\n      args: [SECRET-EXEC-ARG-42]\n      env: [{{name: TOKEN, value: SECRET-EXEC-ENV-43}}]\n      interactiveMode: Never\n- name: token\n  user:\n    token: SECRET-TOKEN-4711\n    username: admin\n    password: SECRET-PASSWORD-0815\n{tail}",
            fake.url()
        ),
    )
    .unwrap();
    path
}

#[test]
fn no_kubeconfig_secret_reaches_any_output() {
    let fake = Fake::start(&manifest_objects(NODE), &[]);
    let dir = tempfile::tempdir().unwrap();
    let (_, good_plan) = saved_plan(&fake, dir.path());
    let plan_out = dir.path().join("secret-plan.json");
    let plan_out = plan_out.to_str().unwrap().to_string();
    let mut commands: Vec<Vec<String>> = Vec::new();
    for format in ["text", "json", "yaml", "markdown"] {
        commands.push(
            ["plan", "--now", NOW, "-o", format, "--out", &plan_out]
                .map(String::from)
                .to_vec(),
        );
    }
    for format in ["text", "json", "markdown"] {
        commands.push(
            [
                "explain",
                "--now",
                NOW,
                "-o",
                format,
                "seinode/pacific-1-full-node",
            ]
            .map(String::from)
            .to_vec(),
        );
    }
    for format in ["text", "json", "junit", "sarif", "github"] {
        commands.push(
            ["validate", "--against-cluster", "-o", format, "-f", NODE]
                .map(String::from)
                .to_vec(),
        );
    }
    commands.push(["apply", "--now", NOW].map(String::from).to_vec());
    commands.push(vec!["apply".into(), good_plan.clone(), "--yes".into()]);
    for (user, broken) in [("token", false), ("exec", false), ("token", true)] {
        let kubeconfig = secret_kubeconfig(&fake, dir.path(), user, broken);
        for command in &commands {
            for (verbosity, rust_log) in [
                (None, None),
                (Some("-v"), None),
                (Some("-vv"), None),
                (None, Some("trace")),
            ] {
                let mut cmd = isolated_nodectl();
                cmd.arg(&command[0]).arg("--kubeconfig").arg(&kubeconfig);
                cmd.args(&command[1..]).args(verbosity);
                if let Some(level) = rust_log {
                    cmd.env("RUST_LOG", level);
                }
                let out = cmd
                    .timeout(std::time::Duration::from_secs(60))
                    .output()
                    .unwrap();
                let all = text(&out);
                let saved = std::fs::read_to_string(&plan_out).unwrap_or_default();
                for secret in SECRETS {
                    assert!(
                        !all.contains(secret) && !saved.contains(secret),
                        "{user} broken={broken} {command:?} {verbosity:?} RUST_LOG={rust_log:?}: {secret} leaked:\n{all}"
                    );
                }
                if broken {
                    assert!(all.contains("line "), "{command:?}: {all}");
                }
            }
        }
    }
}
