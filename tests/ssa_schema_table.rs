//! The server-side-apply schema table (src/world/ssa_schema.rs) is what
//! tools/gen_ssa_schema.py makes of the Go sources: regenerated from git
//! directories of k8s.io/api and k8s.io/apimachinery (tag v0.35.0), named by
//! NODECTL_K8S_API_GIT and NODECTL_APIMACHINERY_GIT, it must be identical.

use std::path::Path;
use std::process::Command;

#[test]
fn ssa_schema_table_matches_the_go_sources() {
    let (Some(api), Some(machinery)) = (
        std::env::var_os("NODECTL_K8S_API_GIT"),
        std::env::var_os("NODECTL_APIMACHINERY_GIT"),
    ) else {
        eprintln!(
            "SKIPPED ssa_schema_table_matches_the_go_sources: set NODECTL_K8S_API_GIT and \
             NODECTL_APIMACHINERY_GIT to git directories of k8s.io/api and k8s.io/apimachinery"
        );
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new("python3")
        .arg(root.join("tools/gen_ssa_schema.py"))
        .arg(&api)
        .arg(&machinery)
        .arg("--check")
        .arg(root.join("src/world/ssa_schema.rs"))
        .output()
        .expect("python3 runs the generator");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
