//! End-to-end tests of the `nodectl` binary: exit codes and error messages for bad
//! input, determinism, and the dry-run guarantee.

use assert_cmd::Command;

fn nodectl() -> Command {
    let mut cmd = Command::cargo_bin("nodectl").expect("binary builds");
    cmd.env("RUST_BACKTRACE", "0")
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn stderr_of(args: &[&str]) -> (i32, String) {
    let out = nodectl().args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn malformed_yaml_names_file_and_line_and_exits_2() {
    let (code, err) = stderr_of(&[
        "plan",
        "-f",
        "testdata/bad/malformed.yaml",
        "--now",
        "2026-01-01T00:00:00Z",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("testdata/bad/malformed.yaml:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn wrong_api_version_is_rejected_with_its_line() {
    let (code, err) = stderr_of(&["plan", "-f", "testdata/bad/wrong-apiversion.yaml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("wrong-apiversion.yaml:1:"), "{err}");
    assert!(err.contains("sei.io/v1beta1"), "{err}");
}

#[test]
fn unknown_sei_kind_is_rejected() {
    let (code, err) = stderr_of(&["plan", "-f", "testdata/bad/wrong-kind.yaml"]);
    assert_eq!(code, 2, "{err}");
    // The diagnostic is validate's (`plan` runs the same checks first): at the apiVersion line.
    assert!(err.contains("wrong-kind.yaml:1:1"), "{err}");
    assert!(err.contains("SeiNodeX"), "{err}");
}

#[test]
fn missing_name_is_rejected() {
    let (code, err) = stderr_of(&["plan", "-f", "testdata/bad/missing-name.yaml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("missing-name.yaml:3:"), "{err}");
    assert!(err.contains("metadata.name"), "{err}");
}

#[test]
fn wrong_field_type_names_the_field_and_line() {
    let (code, err) = stderr_of(&["plan", "-f", "testdata/bad/wrong-type.yaml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("wrong-type.yaml:9:"), "{err}");
    assert!(err.contains("spec.sidecar.port"), "{err}");
}

#[test]
fn unknown_target_is_rejected() {
    let (code, err) = stderr_of(&[
        "plan",
        "-f",
        "examples/seinode/pacific-1-full-node.yaml",
        "--target",
        "seinode/nope",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no SeiNode named \"nope\""), "{err}");
}

#[test]
fn missing_file_exits_2() {
    let (code, err) = stderr_of(&["plan", "-f", "testdata/bad/does-not-exist.yaml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("does-not-exist.yaml"), "{err}");
}

#[test]
fn unknown_fields_are_dropped_with_a_warning_under_validate_warn() {
    let out = nodectl()
        .args([
            "plan",
            "-f",
            "testdata/samples/seinode/pacific-1-state-syncer.yaml",
            "--now",
            "2026-01-01T00:00:00Z",
            "--validate=warn",
        ])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("error[schema.unknown-field]: unknown field \"spec.genesis\""),
        "{err}"
    );
    assert!(
        err.contains("pacific-1-state-syncer.yaml:21:3: unknown field \"spec.genesis\""),
        "{err}"
    );
    assert!(err.contains("unknown field \"spec.storage\""), "{err}");
}

#[test]
fn plan_output_is_deterministic() {
    let run = || {
        nodectl()
            .args([
                "plan",
                "-f",
                "examples/seinode",
                "--now",
                "2026-01-01T00:00:00Z",
                "--seed",
                "7",
                "-o",
                "json",
            ])
            .output()
            .expect("runs")
            .stdout
    };
    let first = run();
    assert!(!first.is_empty());
    assert_eq!(first, run());
}

#[test]
fn simulate_fixture_json_matches_expected_shape() {
    let out = nodectl()
        .args(["simulate", "testdata/parity/node-notfound", "-o", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let trace: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(trace["target"], "SeiNode default/missing-node");
}

#[test]
fn simulate_bench_reports_identical_traces() {
    let out = nodectl()
        .args(["simulate", "testdata/parity/node-notfound", "--bench", "3"])
        .output()
        .expect("runs");
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(line["runs"], 3);
    assert_eq!(line["identicalTraces"], true);
}

/// Every offline command of the README's "Worked examples" table runs and exits 0.
#[test]
fn readme_worked_examples_run() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("## Worked examples")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let commands: Vec<&str> = section
        .lines()
        .filter_map(|l| l.rsplit('`').nth(1))
        .filter(|c| c.starts_with("nodectl ") && c.contains(" -f examples"))
        .collect();
    assert!(commands.len() >= 5, "worked examples found: {commands:?}");
    for command in commands {
        let args: Vec<&str> = command.split_whitespace().skip(1).collect();
        let out = nodectl().args(&args).output().expect("runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{command}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// `-v` logs to stderr through tracing; stdout keeps only the machine output.
#[test]
fn verbose_logs_go_to_stderr_only() {
    let out = nodectl()
        .args([
            "-v",
            "plan",
            "-f",
            "examples/seinode/pacific-1-full-node.yaml",
            "--now",
            "2026-01-01T00:00:00Z",
            "-o",
            "json",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("reconciled"), "{stderr}");
    assert!(
        !stderr.contains('\x1b'),
        "no colour codes off a terminal: {stderr:?}"
    );
    let _: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is pure JSON");
    let quiet = nodectl()
        .args([
            "plan",
            "-f",
            "examples/seinode/pacific-1-full-node.yaml",
            "--now",
            "2026-01-01T00:00:00Z",
            "-o",
            "json",
        ])
        .output()
        .expect("runs");
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
}

/// `--platform-env` reads the operator's SEI_* variables; `--platform` wins over them.
#[test]
fn platform_settings_come_from_the_operator_environment() {
    let run = |extra: &[&str]| {
        let out = nodectl()
            .env("SEI_STORAGE_CLASS_PERF", "io2-fast")
            .env("SEI_RESOURCE_CPU_DEFAULT", "16")
            .args([
                "plan",
                "-f",
                "examples/seinode/pacific-1-full-node.yaml",
                "--now",
                "2026-01-01T00:00:00Z",
                "-o",
                "json",
            ])
            .args(extra)
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let plain = run(&[]);
    assert!(
        !plain.contains("io2-fast"),
        "variables are ignored without --platform-env"
    );
    let from_env = run(&["--platform-env"]);
    assert!(from_env.contains("\"storageClassName\": \"io2-fast\""));
    assert!(from_env.contains("\"cpu\": \"16\""));
    let overridden = run(&["--platform-env", "--platform", "StorageClassPerf=gp3"]);
    assert!(!overridden.contains("io2-fast"));
}

/// `kubectl get seinodes -o yaml` prints a `kind: List`; plan reads its items as objects.
#[test]
fn a_list_plans_like_its_items_in_separate_files() {
    let dir = tempfile::tempdir().unwrap();
    let items: Vec<String> = ["pacific-1-full-node", "pacific-1-snapshotter"]
        .iter()
        .map(|f| std::fs::read_to_string(format!("examples/seinode/{f}.yaml")).unwrap())
        .collect();
    let mut list =
        String::from("apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: \"\"\nitems:\n");
    for item in &items {
        for (i, line) in item
            .lines()
            .filter(|l| !l.starts_with('#') && *l != "---")
            .enumerate()
        {
            list.push_str(if i == 0 { "- " } else { "  " });
            list.push_str(line);
            list.push('\n');
        }
    }
    let list_path = dir.path().join("list.yaml");
    std::fs::write(&list_path, list).unwrap();
    let run = |files: &[&str]| {
        let mut args = vec!["plan", "--now", "2026-01-01T00:00:00Z"];
        for f in files {
            args.extend(["-f", f]);
        }
        let out = nodectl().args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let from_list = run(&[list_path.to_str().unwrap()]);
    let from_files = run(&[
        "examples/seinode/pacific-1-full-node.yaml",
        "examples/seinode/pacific-1-snapshotter.yaml",
    ]);
    assert!(from_list.contains("SeiNode "), "{from_list}");
    assert_eq!(from_list, from_files);
    // An empty list holds no object (rather than being an object without a name).
    let empty = dir.path().join("empty.yaml");
    std::fs::write(&empty, "apiVersion: v1\nkind: List\nitems: []\n").unwrap();
    let (code, err) = stderr_of(&["plan", "-f", empty.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("holds no SeiNode or SeiNodeDeployment"),
        "{err}"
    );
}
