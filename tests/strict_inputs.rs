//! nodectl's own input formats (fixture scenarios, sidecar scripts) refuse a key they do
//! not know: exit 2, naming the file, the key and its line, instead of running with the
//! setting silently ignored.

use std::path::Path;

use assert_cmd::Command;

const FIXTURE: &str = "testdata/parity/full-node-s3-fresh";
const NODE: &str = "examples/seinode/pacific-1-full-node.yaml";

fn run(args: &[&std::ffi::OsStr]) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("nodectl")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A fixture directory with the cluster of [`FIXTURE`] and this scenario.
fn fixture(dir: &Path, scenario: &str) {
    std::fs::copy(
        Path::new(FIXTURE).join("cluster.yaml"),
        dir.join("cluster.yaml"),
    )
    .unwrap();
    std::fs::write(dir.join("scenario.yaml"), scenario).unwrap();
}

const TARGET: &str = "target: {kind: SeiNode, namespace: default, name: pacific-1-full-node}\n";

/// A misspelt key at each level of a scenario, with its line and column.
const SCENARIO_TYPOS: &[(&str, &str, &str)] = &[
    ("reconcile: 2\n", "reconcile", "2:1"),
    ("sidecar:\n  defualt: completed\n", "defualt", "3:3"),
    (
        "sidecar:\n  tasks:\n    config-apply: {stauts: failed}\n",
        "stauts",
        "4:20",
    ),
    (
        "sidecar:\n  perReconcile:\n    - {submitEror: boom}\n",
        "submitEror",
        "4:8",
    ),
    ("podSidecar:\n  nodeId: {}\n", "nodeId", "3:3"),
    ("dns:\n  host: {}\n", "host", "3:3"),
    ("gateway:\n  domian: example.com\n", "domian", "3:3"),
    ("objectStore:\n  object: []\n", "object", "3:3"),
];

#[test]
fn a_scenario_key_that_does_not_exist_is_exit_2_naming_file_key_and_line() {
    for (tail, key, at) in SCENARIO_TYPOS {
        let dir = tempfile::tempdir().unwrap();
        fixture(dir.path(), &format!("{TARGET}{tail}"));
        let (code, stdout, stderr) = run(&["simulate".as_ref(), dir.path().as_os_str()]);
        let path = dir.path().join("scenario.yaml");
        assert_unknown_key(&path, at, key, tail, code, &stdout, &stderr);
    }
    // The same scenario without the typo runs.
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), &format!("{TARGET}reconciles: 2\n"));
    let (code, _, stderr) = run(&["simulate".as_ref(), dir.path().as_os_str()]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_sidecar_script_key_that_does_not_exist_is_exit_2_naming_file_key_and_line() {
    for (script, key, at) in [
        ("defualt: completed\n", "defualt", "1:1"),
        (
            "default: running\ntasks:\n  config-apply: {status: failed, eror: boom}\n",
            "eror",
            "3:34",
        ),
        ("perReconcile:\n- {getTaskErr: x}\n", "getTaskErr", "2:4"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sidecar.yaml");
        std::fs::write(&path, script).unwrap();
        let (code, stdout, stderr) = run(&[
            "plan".as_ref(),
            "-f".as_ref(),
            NODE.as_ref(),
            "--now".as_ref(),
            "2026-01-01T00:00:00Z".as_ref(),
            "--sidecar-script".as_ref(),
            path.as_os_str(),
        ]);
        assert_unknown_key(&path, at, key, script, code, &stdout, &stderr);
    }
}

/// Both forms of a task's answer still load: a status, and the detailed map.
#[test]
fn a_sidecar_script_with_both_task_forms_plans() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sidecar.yaml");
    std::fs::write(
        &path,
        "default: running\ntasks:\n  config-apply: completed\n  snapshot-restore: {status: failed, error: boom, sequence: [running]}\n",
    )
    .unwrap();
    let (code, _, stderr) = run(&[
        "plan".as_ref(),
        "-f".as_ref(),
        NODE.as_ref(),
        "--now".as_ref(),
        "2026-01-01T00:00:00Z".as_ref(),
        "--sidecar-script".as_ref(),
        path.as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
}

/// The refusal of an unknown key: exit 2, nothing on stdout, and stderr naming the file, the
/// key with its line and column, and the snippet's `--> PATH:LINE:COL` (`case` labels a
/// failure).
fn assert_unknown_key(
    path: &std::path::Path,
    at: &str,
    key: &str,
    case: &str,
    code: Option<i32>,
    stdout: &str,
    stderr: &str,
) {
    assert_eq!(code, Some(2), "{case}: {stderr}");
    assert!(stdout.is_empty(), "{case}: {stdout}");
    assert!(
        stderr.starts_with(&format!("error: {}: ", path.display())),
        "{case}: {stderr}"
    );
    let (line, column) = at.split_once(':').unwrap();
    assert!(
        stderr.contains(&format!(
            "line {line} column {column}: unknown field `{key}`"
        )) && stderr.contains(&format!(" --> {}:{at}\n", path.display())),
        "{case}: {stderr}"
    );
}
