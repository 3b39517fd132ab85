//! The typed-storage table (src/api/typed/generated.rs) is what the generator
//! makes of the Go sources: regenerated from NODECTL_GO_SOURCES (a Go vendor-style
//! tree, see tools/gen_typed/README.md) it must be identical.

use std::path::Path;
use std::process::Command;

#[test]
fn generated_table_matches_the_go_sources() {
    let Some(sources) = std::env::var_os("NODECTL_GO_SOURCES") else {
        eprintln!(
            "SKIPPED generated_table_matches_the_go_sources: set NODECTL_GO_SOURCES to a Go \
             source tree (tools/gen_typed/README.md) to regenerate and compare the table"
        );
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new("python3")
        .arg(root.join("tools/gen_typed/gen_typed.py"))
        .arg(&sources)
        .output()
        .expect("python3 runs the generator");
    assert!(
        output.status.success(),
        "the generator failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let committed = std::fs::read_to_string(root.join("src/api/typed/generated.rs"))
        .expect("the committed table");
    let regenerated = String::from_utf8(output.stdout).expect("UTF-8 output");
    assert!(
        committed == regenerated,
        "src/api/typed/generated.rs differs from the generator's output for {sources:?}: \
         run tools/gen_typed/gen_typed.py {sources:?} src/api/typed/generated.rs"
    );
}
