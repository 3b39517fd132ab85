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

/// The ```text blocks that start with `$ nodectl ARGS`: (ARGS, the lines shown, where the
/// lines start and end in the README).
fn samples(readme: &str) -> Vec<(Vec<String>, String, std::ops::Range<usize>)> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(open) = readme[at..].find("```text\n$ nodectl ") {
        let command_start = at + open + "```text\n".len();
        let command_end = command_start + readme[command_start..].find('\n').unwrap() + 1;
        let close = command_end + readme[command_end..].find("```\n").unwrap();
        let args = readme[command_start + "$ nodectl ".len()..command_end - 1]
            .split_whitespace()
            .map(str::to_string)
            .collect();
        found.push((
            args,
            readme[command_end..close].to_string(),
            command_end..close,
        ));
        at = close;
    }
    found
}

/// What `nodectl ARGS` prints (stdout, then stderr), run from the repository root.
fn printed(args: &[String]) -> String {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("nodectl"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("nodectl runs");
    let mut text = String::from_utf8(out.stdout).expect("UTF-8");
    text.push_str(&String::from_utf8(out.stderr).expect("UTF-8"));
    text
}

/// Every sample output in the README is exactly what the binary prints.
/// `NODECTL_BLESS=1 cargo test --test readme` rewrites the samples from the binary.
#[test]
fn every_sample_output_is_what_the_binary_prints() {
    let found = samples(README);
    assert!(found.len() >= 2, "the README shows sample plans");
    if std::env::var_os("NODECTL_BLESS").is_some() {
        let mut readme = README.to_string();
        for (args, _, range) in found.iter().rev() {
            readme.replace_range(range.clone(), &printed(args));
        }
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        std::fs::write(path, readme).expect("README written");
        return;
    }
    for (args, shown, _) in &found {
        assert_eq!(
            &printed(args),
            shown,
            "README sample `nodectl {}` differs from the binary's output (NODECTL_BLESS=1 rewrites it)",
            args.join(" ")
        );
    }
}
