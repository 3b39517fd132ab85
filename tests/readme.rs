//! The README points only inside the repository (or at upstream URLs), and its set-up is
//! exactly its two commands.

const README: &str = include_str!("../README.md");

fn section(title: &str) -> &'static str {
    let start = README
        .find(&format!("\n## {title}\n"))
        .unwrap_or_else(|| panic!("no ## {title}"));
    let rest = &README[start + title.len() + 5..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

#[test]
fn every_link_is_a_url_or_a_file_of_the_repository() {
    assert!(!README.contains("../"), "a path outside the repository");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (i, _) in README.match_indices("](") {
        let target = &README[i + 2..];
        let target = &target[..target.find(')').unwrap()];
        if target.starts_with("https://") || target.starts_with('#') {
            continue;
        }
        assert!(root.join(target).exists(), "broken link {target}");
    }
}

#[test]
fn set_up_is_its_two_commands_and_install_names_the_prerequisites() {
    let commands: Vec<&str> = section("Set-up")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("```"))
        .collect();
    assert_eq!(
        commands,
        [
            "cargo run --release -- plan -f examples/seinode/pacific-1-full-node.yaml --now 2026-01-01T00:00:00Z",
            "cargo test"
        ]
    );
    let install = section("Install");
    assert!(install.contains("cargo install --path ."));
    let cargo = include_str!("../Cargo.toml");
    let version = cargo
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .unwrap()
        .trim_matches('"');
    assert!(
        install.contains(&format!("Rust {version} or newer")),
        "{install}"
    );
    assert!(install.contains("C compiler"));
}
