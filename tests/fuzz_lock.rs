//! The fuzz crate has its own lock file, and CI builds it with `--locked`: a dependency
//! added to nodectl without refreshing `fuzz/Cargo.lock` fails CI only after the whole
//! test suite has run. This checks the two lock files agree on nodectl's dependencies.

use std::collections::BTreeMap;
use std::path::Path;

/// Package name → (version, the names of its dependencies), as a lock file records them.
type Locked = BTreeMap<(String, String), Vec<String>>;

fn read_lock(path: &Path) -> Locked {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lock: toml::Table =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let packages = lock["package"]
        .as_array()
        .expect("a lock file lists packages");
    packages
        .iter()
        .map(|package| {
            let field = |key: &str| {
                package[key]
                    .as_str()
                    .expect("name and version are strings")
                    .to_owned()
            };
            // An entry is "name" or "name version" when two versions are locked.
            let dependencies = package
                .get("dependencies")
                .and_then(|list| list.as_array())
                .map(|list| {
                    list.iter()
                        .filter_map(|d| d.as_str())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            ((field("name"), field("version")), dependencies)
        })
        .collect()
}

fn package<'a>(lock: &'a Locked, name: &str) -> (&'a String, &'a Vec<String>) {
    let mut found = lock.iter().filter(|((n, _), _)| n == name);
    let ((_, version), dependencies) = found
        .next()
        .unwrap_or_else(|| panic!("{name} is not locked"));
    (version, dependencies)
}

/// The version a lock pins for one dependency entry ("name" or "name version").
fn pinned(lock: &Locked, entry: &str) -> String {
    match entry.split_once(' ') {
        Some((_, version)) => version.to_owned(),
        None => package(lock, entry).0.clone(),
    }
}

#[test]
fn fuzz_lock_pins_what_nodectl_depends_on() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let main = read_lock(&root.join("Cargo.lock"));
    let fuzz = read_lock(&root.join("fuzz/Cargo.lock"));
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml")).unwrap()).unwrap();
    // What the fuzz crate builds is nodectl's normal dependencies; dev-dependencies stay out.
    let mut normal: Vec<String> = manifest["dependencies"]
        .as_table()
        .expect("[dependencies]")
        .keys()
        .cloned()
        .collect();
    normal.sort();
    let (_, in_main) = package(&main, "nodectl");
    let (_, in_fuzz) = package(&fuzz, "nodectl");
    let name_of = |entry: &String| entry.split(' ').next().unwrap_or(entry).to_owned();
    let in_main: Vec<&String> = in_main
        .iter()
        .filter(|d| normal.contains(&name_of(d)))
        .collect();
    assert_eq!(
        in_main.iter().map(|d| name_of(d)).collect::<Vec<_>>(),
        normal,
        "every dependency in Cargo.toml is locked in Cargo.lock"
    );
    assert_eq!(
        in_fuzz.iter().map(name_of).collect::<Vec<_>>(),
        normal,
        "fuzz/Cargo.lock is stale: run `cargo update --workspace` in fuzz/"
    );
    for entry in in_main {
        let name = entry.split(' ').next().unwrap_or(entry);
        let fuzz_entry = in_fuzz
            .iter()
            .find(|d| d.split(' ').next() == Some(name))
            .expect("same names");
        assert_eq!(
            pinned(&main, entry),
            pinned(&fuzz, fuzz_entry),
            "{name} is locked at different versions in Cargo.lock and fuzz/Cargo.lock"
        );
    }
}
