//! Input that could exhaust the machine or hang it: every case ends quickly with exit 2 and
//! `file:line`, never an abort, a hang, a backtrace or a silent default.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

const NODE: &str = "examples/seinode/pacific-1-full-node.yaml";
const GROUP: &str = "examples/seinodedeployment/pacific-1-rpc-group.yaml";

fn nodectl(args: &[&str], paths: &[&Path]) -> Output {
    let mut cmd = assert_cmd::Command::cargo_bin("nodectl").unwrap();
    cmd.args(args).args(paths);
    if args[0] != "validate" {
        cmd.args(["--now", "2026-01-01T00:00:00Z"]);
    }
    cmd.env("RUST_BACKTRACE", "1")
        .timeout(Duration::from_secs(60));
    cmd.output().unwrap()
}

/// Exit 2 with `error:` naming `file:line` and `text`, and no panic.
fn assert_refused(out: &Output, file: &str, text: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(text), "{stderr}");
    assert!(
        stderr.contains(&format!("{file}:")),
        "no file:line: {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("stack backtrace"),
        "{stderr}"
    );
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn replicas_outside_the_crd_bounds_never_reach_the_planner() {
    let dir = tempfile::tempdir().unwrap();
    let group = std::fs::read_to_string(GROUP).unwrap();
    assert!(group.contains("replicas: 3"));
    for replicas in ["1000000000", "100000", "0", "101", "-1", "2.5"] {
        let path = write(
            dir.path(),
            "g.yaml",
            &group.replace("replicas: 3", &format!("replicas: {replicas}")),
        );
        let file = path.display().to_string();
        for command in [
            &["plan", "-f"][..],
            &["plan", "--validate=ignore", "-f"],
            &["explain", "-f"],
        ] {
            let out = nodectl(command, &[&path]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_refused(&out, &file, "spec.replicas");
            // A strict plan stops at validate's schema diagnostic first; without it (and in
            // explain) the loader's own bound refuses the number.
            if command[1] != "-f" || command[0] == "explain" {
                assert!(stderr.contains("from 1 to 100"), "{stderr}");
            }
        }
    }
}

#[test]
fn metadata_of_the_wrong_type_is_refused_not_defaulted() {
    let dir = tempfile::tempdir().unwrap();
    let node = std::fs::read_to_string(NODE).unwrap();
    for (from, to, field) in [
        (
            "  namespace: default\n",
            "  namespace: [a]\n",
            "metadata.namespace must be a string, not a list",
        ),
        (
            "  name: pacific-1-full-node\n",
            "  name: pacific-1-full-node\n  labels: [a]\n",
            "metadata.labels must be a mapping",
        ),
        (
            "  name: pacific-1-full-node\n",
            "  name: pacific-1-full-node\n  annotations: {a: 1}\n",
            "metadata.annotations values must be strings",
        ),
    ] {
        assert!(node.contains(from));
        let path = write(dir.path(), "n.yaml", &node.replacen(from, to, 1));
        // The loader's check, which holds even when validation is switched off.
        let out = nodectl(&["plan", "--validate=ignore", "-f"], &[&path]);
        assert_refused(&out, &path.display().to_string(), field);
        // A strict plan refuses it too (at validate's metadata check).
        let out = nodectl(&["plan", "-f"], &[&path]);
        assert_refused(&out, &path.display().to_string(), "metadata.");
    }
}

#[test]
fn special_files_are_refused_without_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.yaml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo(3) on a path in this test's own temporary directory.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let zero = dir.path().join("zero.yaml");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    for (path, text) in [(&fifo, "a FIFO"), (&zero, "a device")] {
        let out = nodectl(&["plan", "-f"], &[path]);
        assert_refused(&out, &path.display().to_string(), text);
        // Found by a directory walk as well.
    }
    let out = nodectl(&["validate", "-f"], &[dir.path()]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("a FIFO") && text.contains("a device"),
        "{text}"
    );
}

#[test]
fn directory_links_are_followed_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("m");
    std::fs::create_dir(&root).unwrap();
    std::fs::copy(NODE, root.join("node.yaml")).unwrap();
    std::os::unix::fs::symlink(&root, root.join("self-a")).unwrap();
    std::os::unix::fs::symlink(&root, root.join("self-b")).unwrap();
    std::os::unix::fs::symlink(root.join("node.yaml"), root.join("same.yaml")).unwrap();
    let out = nodectl(&["plan", "--compact", "-R", "-f"], &[&root]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout
            .matches("SeiNode default/pacific-1-full-node\n")
            .count(),
        1,
        "{stdout}"
    );
}

#[test]
fn oversized_inputs_are_refused_before_building() {
    let dir = tempfile::tempdir().unwrap();
    // Larger than the file limit (sparse: nothing is written or read).
    let big = dir.path().join("big.yaml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    assert_refused(
        &nodectl(&["plan", "-f"], &[&big]),
        &big.display().to_string(),
        "larger than the limit of 64 MiB",
    );
    // Too many documents.
    let many = write(dir.path(), "many.yaml", &"---\n".repeat(100_001));
    assert_refused(
        &nodectl(&["plan", "-f"], &[&many]),
        &format!("{}:100001", many.display()),
        "more than 100000 documents",
    );
    // Too deep.
    let deep = write(
        dir.path(),
        "deep.yaml",
        &format!("a: {}{}\n", "[".repeat(200), "]".repeat(200)),
    );
    assert_refused(
        &nodectl(&["plan", "-f"], &[&deep]),
        &deep.display().to_string(),
        "nested deeper than the limit of 100 levels",
    );
    // A scalar over 1 MiB.
    let long = write(
        dir.path(),
        "long.yaml",
        &format!("a: {}\n", "x".repeat((1 << 20) + 1)),
    );
    assert_refused(
        &nodectl(&["plan", "-f"], &[&long]),
        &long.display().to_string(),
        "longer than the limit of 1048576 bytes",
    );
    // Aliases that expand exponentially.
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(", ")
        ));
    }
    let bomb = write(dir.path(), "bomb.yaml", &bomb);
    assert_refused(
        &nodectl(&["plan", "-f"], &[&bomb]),
        &bomb.display().to_string(),
        "possible alias bomb",
    );
}
