//! `nodectl apply` has its own flags: what the apply path reads, and none of plan's.

mod support {
    pub mod fake_api;
}

use serde_json::Value;
use support::fake_api::{isolated_nodectl, manifest_objects, Fake};

const NOW: &str = "2026-01-01T00:00:00Z";
const NODE: &str = "examples/seinode/pacific-1-full-node.yaml";
const SNAPSHOTTER: &str = "examples/seinode/pacific-1-snapshotter.yaml";

/// Flags that only `plan` has, with a value where the flag takes one.
const PLAN_ONLY: &[&[&str]] = &[
    &["--out", "x.json"],
    &["--detailed-exitcode"],
    &["--until-settled"],
    &["--max-reconciles", "5"],
    &["--cascade"],
    &["--reconciles", "2"],
    &["--base", "x.yaml"],
    &["--base-git", "HEAD"],
    &["--no-prune"],
    &["--validate", "warn"],
    &["--server-dry-run"],
    &["--apply"],
    &["--sidecar", "completed"],
    &["--sidecar-script", "s.yaml"],
    &["--served-kind", "v1/Pod"],
    &["--missing-kind", "monitoring.coreos.com/v1/ServiceMonitor"],
    &["--recursive"],
    &["--target", "seinode/a"],
];

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = isolated_nodectl().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The long flags a `--help` lists (the first word of each option line).
fn listed_flags(help: &str) -> Vec<String> {
    help.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let l = l
                .strip_prefix('-')
                .filter(|rest| !rest.starts_with('-'))
                .map_or(l, |rest| rest.get(3..).unwrap_or(""));
            l.strip_prefix("--")
                .map(|rest| format!("--{}", rest.split([' ', ',', '=']).next().unwrap()))
        })
        .collect()
}

#[test]
fn apply_help_lists_only_what_apply_reads_and_the_exit_codes() {
    let (code, apply, _) = run(&["apply", "--help"]);
    assert_eq!(code, Some(0));
    let (code, plan, _) = run(&["plan", "--help"]);
    assert_eq!(code, Some(0));
    let apply_flags = listed_flags(&apply);
    let plan_flags = listed_flags(&plan);
    for flag in PLAN_ONLY.iter().map(|f| f[0]) {
        assert!(plan_flags.iter().any(|f| f == flag), "plan lacks {flag}");
        assert!(
            !apply_flags.iter().any(|f| f == flag),
            "apply --help lists {flag}:\n{apply}"
        );
    }
    assert!(!apply_flags.iter().any(|f| f == "--filename"), "{apply}");
    for flag in [
        "--kubeconfig",
        "--context",
        "--request-timeout",
        "--retries",
        "--namespace",
        "--all-namespaces",
        "--selector",
        "--sidecar-url",
        "--yes",
        "--output",
        "--diff-context",
        "--compact",
        "--ignore-path",
        "--no-color",
        "--now",
        "--seed",
        "--dns",
        "--dns-host",
        "--platform",
        "--platform-env",
    ] {
        assert!(apply_flags.iter().any(|f| f == flag), "apply lacks {flag}");
        assert!(plan_flags.iter().any(|f| f == flag), "plan lacks {flag}");
    }
    assert!(apply.contains("[KIND/NAME|PLAN.json]..."), "{apply}");
    assert!(apply.contains("It takes no -f"), "{apply}");
    assert!(
        apply.contains("Exit codes:\n    0  success") && apply.contains("  130  interrupted"),
        "{apply}"
    );
}

#[test]
fn a_plan_only_flag_on_apply_is_a_usage_error() {
    for flag in PLAN_ONLY {
        let mut args = vec!["apply"];
        args.extend_from_slice(flag);
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(
            stderr.starts_with(&format!("error: unexpected argument '{}' found", flag[0])),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("Usage: nodectl apply"), "{stderr}");
    }
}

#[test]
fn apply_with_files_is_refused_with_the_hint() {
    let (code, stdout, stderr) = run(&["apply", "-f", NODE, "--yes"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty());
    assert_eq!(
        stderr,
        "error: apply takes no -f: apply the manifests with kubectl first, then run nodectl apply\n"
    );
}

/// `--target` chooses among a cluster's objects exactly like the positional KIND/NAME.
#[test]
fn plan_target_flag_chooses_on_a_cluster() {
    let mut world = manifest_objects(NODE);
    world.extend(manifest_objects(SNAPSHOTTER));
    let fake = Fake::start(&world, &[]);
    let dir = tempfile::tempdir().unwrap();
    let targets = |selection: &[&str]| -> Vec<String> {
        let out = isolated_nodectl()
            .arg("plan")
            .arg("--kubeconfig")
            .arg(fake.kubeconfig(dir.path()))
            .args(["--now", NOW, "-o", "json"])
            .args(selection)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{selection:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(targets(&[]).len(), 2);
    let one = ["pacific-1-full-node"];
    assert_eq!(targets(&["seinode/pacific-1-full-node"]), one);
    assert_eq!(targets(&["--target", "seinode/pacific-1-full-node"]), one);
}

/// `plan --apply` (documented) stays the same path as `apply`: the same writes, in the
/// same order, to the same cluster state.
#[test]
fn plan_apply_sends_what_apply_sends() {
    let sent = |command: &[&str]| {
        let fake = Fake::start(&manifest_objects(NODE), &[]);
        let dir = tempfile::tempdir().unwrap();
        let out = isolated_nodectl()
            .args(command)
            .arg("--kubeconfig")
            .arg(fake.kubeconfig(dir.path()))
            .args(["--now", NOW, "--yes", "seinode/pacific-1-full-node"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{command:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let writes: Vec<(String, String, Option<Value>)> = fake
            .requests()
            .into_iter()
            .filter(|r| r.method != "GET")
            .map(|r| (r.method, r.path, r.body))
            .collect();
        (writes, fake.cluster_state())
    };
    let (apply, state) = sent(&["apply"]);
    assert!(!apply.is_empty());
    let (plan_apply, plan_state) = sent(&["plan", "--apply"]);
    assert_eq!(plan_apply, apply);
    assert_eq!(plan_state, state);
}

/// The help entry of `--flag` in `help`: its line and the description under it.
fn help_entry<'a>(help: &'a str, flag: &str) -> Vec<&'a str> {
    let mut lines = help
        .lines()
        .skip_while(|l| !l.trim_start().starts_with(flag));
    let head: Vec<&str> = lines.next().into_iter().collect();
    head.into_iter()
        .chain(lines.take_while(|l| l.starts_with("          ")))
        .collect()
}

#[test]
fn plan_apply_and_explain_share_the_world_flags() {
    let helps: Vec<String> = ["plan", "apply", "explain"]
        .iter()
        .map(|command| run(&[command, "--help"]).1)
        .collect();
    for flag in [
        "--now <",
        "--seed <",
        "--dns-host <",
        "--platform <",
        "--platform-env",
    ] {
        let entry = help_entry(&helps[0], flag);
        assert!(!entry.is_empty(), "plan --help has no {flag}");
        for help in &helps[1..] {
            assert_eq!(help_entry(help, flag), entry, "{flag} reads differently");
        }
    }
    // One parser: the same bad value is the same usage error everywhere.
    let bad_now = |command: &str| {
        let (code, _, stderr) = run(&[command, "-f", NODE, "--now", "yesterday"]);
        (code, stderr)
    };
    let (code, message) = bad_now("plan");
    assert_eq!(code, Some(2), "{message}");
    assert!(message.contains("yesterday"), "{message}");
    assert_eq!(bad_now("explain"), (code, message));
}
