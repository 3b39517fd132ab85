//! Golden CLI tests (stdout, stderr and exit code exact) for the rules every command
//! shares: file mode versus cluster mode, targets, `-n` and `-l` filtering the same way on
//! both, kubectl's cluster errors and `$KUBECONFIG` merging, and `validate`'s input, colour
//! and summary conventions.

mod support {
    pub mod fake_api;
    pub mod tty;
}

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use support::fake_api::{isolated_nodectl, manifest_objects, Fake};
use support::tty::run_on_tty_with;

const NOW: &str = "2026-01-01T00:00:00Z";
const NODE: &str = "examples/seinode/pacific-1-full-node.yaml";
const INVALID: &str = "testdata/validate/invalid/unknown-field-spec-typo.yaml";
const OPTIONAL: &[&str] = &[
    "gateway.networking.k8s.io/v1/HTTPRoute",
    "monitoring.coreos.com/v1/ServiceMonitor",
];

/// (exit code, stdout, stderr) of `nodectl ARGS` with `env` set (and no `$KUBECONFIG` unless
/// `env` sets it).
fn run_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = isolated_nodectl()
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .args(args)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_env(args, &[])
}

/// Three SeiNodes in `default`, one file each: `a` (env=prod, tier=rpc), `b` (env=dev) and
/// `c` (no labels).
fn labelled_nodes(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(NODE).unwrap();
    let nodes = dir.join("nodes");
    std::fs::create_dir(&nodes).unwrap();
    for (name, labels) in [
        ("a", "\n  labels:\n    env: prod\n    tier: rpc"),
        ("b", "\n  labels:\n    env: dev"),
        ("c", ""),
    ] {
        let one = text.replace(
            "name: pacific-1-full-node",
            &format!("name: {name}{labels}"),
        );
        std::fs::write(nodes.join(format!("{name}.yaml")), one).unwrap();
    }
    nodes
}

/// The names of the targets of a `-o json` plan.
fn target_names(stdout: &str) -> Vec<String> {
    let doc: Value = serde_json::from_str(stdout).expect("plan JSON");
    doc["targets"]
        .as_array()
        .expect("targets list")
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

// ---- 8. one rule for file and cluster mode ----

#[test]
fn a_file_where_a_target_goes_gets_a_hint_to_use_f() {
    let dir = tempfile::tempdir().unwrap();
    let missing_yml = dir.path().join("not-there.yml");
    let missing_yml = missing_yml.to_str().unwrap();
    for (command, arg, what) in [
        ("plan", NODE, "a file"),
        ("plan", "examples/seinode", "a directory"),
        ("plan", missing_yml, "a file"),
        ("plan", "plan.json", "a file"),
        ("explain", NODE, "a file"),
    ] {
        let got = run(&[command, arg]);
        assert_eq!(
            got,
            (
                2,
                String::new(),
                format!("error: \"{arg}\" is {what}, not a target; did you mean -f {arg}?\n")
            ),
            "{command} {arg}"
        );
    }
    // The same with -f: a file is never a target.
    let got = run(&["plan", "-f", NODE, NODE]);
    assert_eq!(
        got,
        (
            2,
            String::new(),
            format!("error: \"{NODE}\" is a file, not a target; did you mean -f {NODE}?\n")
        )
    );
}

#[test]
fn with_f_no_kubeconfig_is_read_even_when_kubeconfig_is_set() {
    let fake = Fake::start(&manifest_objects(NODE), OPTIONAL);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = fake.kubeconfig(dir.path());
    let env = [("KUBECONFIG", kubeconfig.to_str().unwrap())];
    for args in [
        vec!["plan", "-f", NODE, "--now", NOW],
        vec!["plan", "-f", NODE, "--now", NOW, "-n", "default"],
        vec!["plan", "-f", NODE, "--now", NOW, "-l", "app!=none"],
        vec![
            "plan",
            "-f",
            NODE,
            "--now",
            NOW,
            "seinode/pacific-1-full-node",
        ],
        vec!["plan", "-f", NODE, "--now", NOW, "-A", "-o", "json"],
        vec!["explain", "-f", NODE, "--now", NOW, "-n", "default"],
        vec![
            "explain",
            "-f",
            NODE,
            "--now",
            NOW,
            "sn/pacific-1-full-node",
        ],
        vec!["validate", "-f", NODE],
        vec!["validate", NODE],
    ] {
        let (code, _, stderr) = run_env(&args, &env);
        assert_eq!(code, 0, "{args:?}: {stderr}");
    }
    assert_eq!(
        fake.requests().len(),
        0,
        "a command with -f read the cluster"
    );
    // Without -f the same $KUBECONFIG is read.
    let (code, _, stderr) = run_env(&["plan", "--now", NOW, "--retry-backoff", "10ms"], &env);
    assert_eq!(code, 0, "{stderr}");
    assert!(!fake.requests().is_empty());
}

#[test]
fn cluster_only_flags_with_f_are_refused() {
    let got = run(&["plan", "-f", NODE, "--server-dry-run"]);
    assert_eq!(
        got,
        (
            2,
            String::new(),
            "error: --server-dry-run needs a cluster: with -f the inputs are files (add --kubeconfig or --context to plan the files over a cluster)\n".into()
        )
    );
}

#[test]
fn namespace_selector_and_targets_filter_files_as_they_filter_a_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let nodes = labelled_nodes(dir.path());
    let nodes = nodes.to_str().unwrap();
    let fake = Fake::start(&manifest_objects(nodes), OPTIONAL);
    let kubeconfig = fake.kubeconfig(dir.path());
    let kubeconfig = kubeconfig.to_str().unwrap();
    let cases: &[(&[&str], &[&str])] = &[
        (&[], &["a", "b", "c"]),
        (&["-l", "env=prod"], &["a"]),
        (&["-l", "env==prod,tier"], &["a"]),
        (&["-l", "env!=prod"], &["b", "c"]),
        (&["-l", "env in (prod,dev)"], &["a", "b"]),
        (&["-l", "env notin (prod)"], &["b", "c"]),
        (&["-l", "env"], &["a", "b"]),
        (&["-l", "!env"], &["c"]),
        (&["-l", "env=prod,tier!=validator"], &["a"]),
        (&["-n", "default", "sn/b"], &["b"]),
        (&["seinode/default/c", "seinodes/a"], &["c", "a"]),
        (&["-l", "env", "seinode/c", "SeiNode/a"], &["a"]),
    ];
    for (flags, want) in cases {
        let mut file_args = vec!["plan", "-f", nodes, "--now", NOW, "-o", "json"];
        file_args.extend(*flags);
        let (code, stdout, stderr) = run(&file_args);
        assert_eq!(code, 0, "{file_args:?}: {stderr}");
        assert_eq!(target_names(&stdout), *want, "{file_args:?}");
        let mut live_args = vec![
            "plan",
            "--kubeconfig",
            kubeconfig,
            "--now",
            NOW,
            "--retry-backoff",
            "10ms",
            "--sidecar",
            "model",
            "-o",
            "json",
        ];
        live_args.extend(*flags);
        let (code, stdout, stderr) = run(&live_args);
        assert_eq!(code, 0, "{live_args:?}: {stderr}");
        assert_eq!(target_names(&stdout), *want, "{live_args:?}");
    }
}

// ---- 9. -l matching nothing, invalid selectors ----

#[test]
fn a_selector_that_matches_nothing_prints_no_resources_found_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let nodes = labelled_nodes(dir.path());
    let nodes = nodes.to_str().unwrap();
    let fake = Fake::start(&manifest_objects(nodes), OPTIONAL);
    let kubeconfig = fake.kubeconfig(dir.path());
    let kubeconfig = kubeconfig.to_str().unwrap();
    let none = |stderr: &str| (0, String::new(), stderr.to_string());
    assert_eq!(
        run(&["plan", "-f", nodes, "-l", "env=staging"]),
        none("No resources found\n")
    );
    assert_eq!(
        run(&["plan", "-f", nodes, "-n", "other"]),
        none("No resources found in other namespace.\n")
    );
    assert_eq!(
        run(&["explain", "-f", nodes, "-l", "env in (staging)"]),
        none("No resources found\n")
    );
    let live = |extra: &[&str]| {
        let mut args = vec![
            "plan",
            "--kubeconfig",
            kubeconfig,
            "--retry-backoff",
            "10ms",
        ];
        args.extend(extra);
        run(&args)
    };
    assert_eq!(
        live(&["-l", "env=staging"]),
        none("No resources found in default namespace.\n")
    );
    assert_eq!(
        live(&["-n", "other"]),
        none("No resources found in other namespace.\n")
    );
    let (code, stdout, stderr) = live(&["-A", "-l", "!tier,env notin (dev)"]);
    assert!(
        code == 0 && stdout.contains("SeiNode default/c") && !stderr.contains("No resources"),
        "c matches, so it is planned: {code} {stdout} {stderr}"
    );
    assert_eq!(live(&["-A", "-l", "x"]), none("No resources found\n"));
}

#[test]
fn an_invalid_selector_is_exit_2_in_both_modes_before_any_request() {
    let fake = Fake::start(&manifest_objects(NODE), OPTIONAL);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = fake.kubeconfig(dir.path());
    let kubeconfig = kubeconfig.to_str().unwrap();
    for (selector, why) in [
        ("env in (a", "missing ')'"),
        ("env in (a b)", "\"a b\" is not a valid label value"),
        ("a,,b", "empty requirement"),
        ("=x", "\"\" is not a valid label key"),
        ("env notin ((a))", "nested parentheses"),
    ] {
        let want = (
            2,
            String::new(),
            format!("error: invalid label selector {selector:?}: {why}\n"),
        );
        assert_eq!(run(&["plan", "-f", NODE, "-l", selector]), want, "file");
        assert_eq!(
            run(&["plan", "--kubeconfig", kubeconfig, "-l", selector]),
            want,
            "cluster"
        );
        assert_eq!(
            run(&[
                "explain",
                "--kubeconfig",
                kubeconfig,
                "-l",
                selector,
                "sn/x"
            ]),
            want,
            "explain"
        );
    }
    assert_eq!(fake.requests().len(), 0);
}

// ---- 9. cluster errors and $KUBECONFIG ----

/// A kubeconfig file with one context `context` (current when `current`) for `server`.
fn kubeconfig_file(dir: &Path, file: &str, context: &str, server: &str, current: bool) -> String {
    let path = dir.join(file);
    let current = if current {
        format!("current-context: {context}\n")
    } else {
        String::new()
    };
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\n{current}clusters:\n- name: {context}\n  cluster:\n    server: {server}\ncontexts:\n- name: {context}\n  context:\n    cluster: {context}\n    user: u\n    namespace: default\nusers:\n- name: u\n  user:\n    token: t\n"
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_refused_connection_names_the_server_like_kubectl_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let refused = kubeconfig_file(dir.path(), "k", "down", "http://127.0.0.1:1", true);
    let want = |prefix: &str| {
        (
            1,
            String::new(),
            format!("error: {prefix}The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port? (2 attempts)\n"),
        )
    };
    let flags = ["--retries", "1", "--retry-backoff", "10ms"];
    let with = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(flags);
        run_env(&all, &[("KUBECONFIG", refused.as_str())])
    };
    // Exact stderr: no kube_client log line without -v.
    assert_eq!(with(&["plan"]), want(""));
    assert_eq!(with(&["explain", "sn/a"]), want(""));
    assert_eq!(
        with(&["validate", "--against-cluster", NODE]),
        want("--against-cluster: ")
    );
}

#[test]
fn kubeconfig_lists_merge_like_kubectl() {
    let fake = Fake::start(&manifest_objects(NODE), OPTIONAL);
    let dir = tempfile::tempdir().unwrap();
    let good = kubeconfig_file(dir.path(), "good", "fake", &fake.url(), true);
    // The second file names another current context and redefines `fake`: the first wins.
    let second = kubeconfig_file(dir.path(), "second", "fake", "http://127.0.0.1:1", true);
    let missing = dir.path().join("missing").to_str().unwrap().to_string();
    let plan = |kubeconfig: &str| {
        run_env(
            &["plan", "--now", NOW, "--retries", "0", "-o", "json"],
            &[("KUBECONFIG", kubeconfig)],
        )
    };
    for list in [
        format!("{missing}:{good}"),
        format!("{good}:{second}"),
        format!("::{missing}:{good}:{second}"),
    ] {
        let (code, stdout, stderr) = plan(&list);
        assert_eq!(code, 0, "{list}: {stderr}");
        assert_eq!(target_names(&stdout), ["pacific-1-full-node"], "{list}");
    }
    // Only the second context reachable by --context: a context of a later file is found.
    let other = kubeconfig_file(dir.path(), "other", "other", &fake.url(), false);
    let (code, _, stderr) = run_env(
        &["plan", "--now", NOW, "--retries", "0", "--context", "other"],
        &[("KUBECONFIG", &format!("{second}:{other}"))],
    );
    assert_eq!(code, 0, "{stderr}");
    let nothing = format!("{missing}:{missing}2");
    assert_eq!(
        plan(&nothing),
        (
            1,
            String::new(),
            format!("error: reading $KUBECONFIG: none of its files exists ({nothing})\n")
        )
    );
}

// ---- 12. validate ----

#[test]
fn validate_takes_positional_files_like_f() {
    let two = "2 documents checked: 2 valid, 0 invalid, 0 skipped\n";
    let expected = (0, String::new(), two.to_string());
    assert_eq!(
        run(&[
            "validate",
            NODE,
            "examples/seinode/pacific-1-snapshotter.yaml"
        ]),
        expected
    );
    assert_eq!(
        run(&[
            "validate",
            NODE,
            "-f",
            "examples/seinode/pacific-1-snapshotter.yaml"
        ]),
        expected
    );
    assert_eq!(
        run(&["validate"]),
        (
            2,
            String::new(),
            "error: nothing to validate: name files (`nodectl validate FILE...`) or -f FILE|DIR|-\n"
                .into()
        )
    );
}

#[test]
fn validate_a_missing_file_is_exit_2_without_a_position() {
    for args in [
        vec!["validate", "no/such.yaml"],
        vec!["validate", "-f", "no/such.yaml"],
        vec!["validate", NODE, "no/such.yaml", "-o", "json"],
    ] {
        assert_eq!(
            run(&args),
            (
                2,
                String::new(),
                "error: no/such.yaml: No such file or directory\n".into()
            ),
            "{args:?}"
        );
    }
}

#[test]
fn validate_prints_the_summary_on_stderr_for_every_format() {
    let summary = "1 document checked: 0 valid, 1 invalid, 0 skipped\n";
    for format in ["text", "json", "junit", "sarif", "github"] {
        let (code, stdout, stderr) = run(&["validate", INVALID, "-o", format]);
        assert_eq!(code, 2, "{format}");
        assert_eq!(stderr, summary, "{format}");
        assert!(
            !stdout.contains("document checked") && stdout.contains("unknown-field"),
            "{format}: {stdout}"
        );
    }
}

#[test]
fn validate_is_in_colour_on_a_terminal_unless_no_color() {
    let deadline = Duration::from_secs(60);
    let coloured = run_on_tty_with(&["validate", INVALID], &[], deadline);
    assert_eq!(coloured.code, Some(2));
    assert!(
        coloured
            .screen
            .contains("\x1b[31merror[schema.unknown-field]\x1b[0m"),
        "{:?}",
        coloured.screen
    );
    for (args, env) in [
        (vec!["validate", INVALID, "--no-color"], vec![]),
        (vec!["validate", INVALID], vec![("NO_COLOR", "1")]),
    ] {
        let plain = run_on_tty_with(&args, &env, deadline);
        assert_eq!(plain.code, Some(2));
        assert!(plain.screen.contains("error[schema.unknown-field]"));
        assert!(
            !plain.screen.contains('\x1b'),
            "{args:?} {env:?}: {:?}",
            plain.screen
        );
    }
}

// ---- the rule, stated in --help ----

#[test]
fn every_command_states_the_file_or_cluster_rule_in_its_help() {
    for command in ["plan", "explain", "validate"] {
        let (code, stdout, _) = run(&[command, "--help"]);
        assert_eq!(code, 0);
        assert!(stdout.contains("Files or cluster:"), "{command}: {stdout}");
        assert!(stdout.contains("no kubeconfig is read"), "{command}");
    }
}
