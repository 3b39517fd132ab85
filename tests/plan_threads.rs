//! `nodectl plan` renders target by target on the rayon pool: the output must be the same
//! bytes whatever the number of threads, in every format, on a fleet spread over several
//! namespaces with label peers and SeiNodeDeployments (more targets than one render chunk).
//! And the JSON written piece by piece must be the document the YAML output (written as one
//! document) shows.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// `nodes` SeiNodes in four namespaces (every third with a label peer on its shard, the
/// others with EC2-tag peers) and one SeiNodeDeployment per 25 nodes.
fn write_fleet(dir: &Path, nodes: usize) -> PathBuf {
    let mut text = String::new();
    for i in 0..nodes {
        let shard = i / 10;
        let peers = if i % 3 == 0 {
            format!(r#"[{{"label":{{"selector":{{"sei.io/shard":"shard-{shard}"}}}}}}]"#)
        } else {
            r#"[{"ec2Tags":{"region":"eu-central-1","tags":{"ChainIdentifier":"pacific-1"}}}]"#
                .to_string()
        };
        let mode = match i % 3 {
            0 => {
                r#""fullNode":{"snapshot":{"s3":{"targetHeight":198740000},"trustPeriod":"9999h0m0s"}}"#
            }
            1 => r#""archive":{}"#,
            _ => r#""validator":{}"#,
        };
        text.push_str(&format!(
            "---\n{{\"apiVersion\":\"sei.io/v1alpha1\",\"kind\":\"SeiNode\",\"metadata\":{{\"name\":\"node-{i}\",\"namespace\":\"ns-{ns}\",\"labels\":{{\"sei.io/shard\":\"shard-{shard}\"}}}},\"spec\":{{\"chainId\":\"pacific-1\",\"image\":\"ghcr.io/sei-protocol/sei:v6.3.0\",\"peers\":{peers},{mode}}}}}\n",
            ns = i % 4
        ));
    }
    for i in 0..nodes / 25 {
        text.push_str(&format!(
            "---\n{{\"apiVersion\":\"sei.io/v1alpha1\",\"kind\":\"SeiNodeDeployment\",\"metadata\":{{\"name\":\"group-{i}\",\"namespace\":\"ns-{ns}\"}},\"spec\":{{\"replicas\":2,\"updateStrategy\":{{\"type\":\"InPlace\"}},\"template\":{{\"metadata\":{{\"labels\":{{\"sei.io/role\":\"rpc\"}}}},\"spec\":{{\"chainId\":\"pacific-1\",\"image\":\"ghcr.io/sei-protocol/sei:v6.3.0\",\"peers\":[{{\"label\":{{\"selector\":{{\"sei.io/role\":\"rpc\"}}}}}}],\"fullNode\":{{}}}}}}}}}}\n",
            ns = i % 4
        ));
    }
    let path = dir.join("fleet.yaml");
    std::fs::write(&path, text).expect("write the fleet");
    path
}

fn plan(threads: usize, fleet: &Path, args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = Command::cargo_bin("nodectl")
        .expect("binary builds")
        .env("RUST_BACKTRACE", "0")
        .env("RAYON_NUM_THREADS", threads.to_string())
        .arg("plan")
        .arg("-f")
        .arg(fleet)
        .args(["--now", "2026-01-01T00:00:00Z", "--seed", "7", "--no-color"])
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_format_is_the_same_bytes_on_one_thread_and_on_four() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fleet = write_fleet(dir.path(), 100);
    let cases: [&[&str]; 7] = [
        &[],
        &["--compact"],
        &["-o", "json"],
        &["-o", "yaml"],
        &["-o", "markdown"],
        &["-o", "json", "--cascade", "--reconciles", "2"],
        &[
            "--compact",
            "--ignore-path",
            "status",
            "--detailed-exitcode",
        ],
    ];
    for args in cases {
        let (code, one, err) = plan(1, &fleet, args);
        assert!(code == 0 || code == 3, "{args:?}: exit {code}: {err}");
        assert!(one.len() > 10_000, "{args:?}: only {} bytes", one.len());
        let (code4, four, err4) = plan(4, &fleet, args);
        assert_eq!((code, &err), (code4, &err4), "{args:?}: exit and stderr");
        assert!(
            one == four,
            "{args:?}: the output differs between 1 and 4 threads"
        );
    }
}

#[test]
fn the_json_written_target_by_target_is_the_whole_document() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fleet = write_fleet(dir.path(), 40);
    for extra in [
        &[][..],
        &["--cascade", "--until-settled", "--max-reconciles", "2"][..],
    ] {
        let json_args: Vec<&str> = ["-o", "json"].iter().chain(extra).copied().collect();
        let yaml_args: Vec<&str> = ["-o", "yaml"].iter().chain(extra).copied().collect();
        let (_, json, err) = plan(4, &fleet, &json_args);
        let (_, yaml, _) = plan(4, &fleet, &yaml_args);
        let json: Value = serde_json::from_slice(&json).unwrap_or_else(|e| panic!("{e}: {err}"));
        let yaml: Value =
            serde_saphyr::from_str(std::str::from_utf8(&yaml).expect("utf-8")).expect("yaml");
        assert_eq!(json, yaml, "{extra:?}");
        let reconciles = json["reconciles"].as_array().expect("reconciles");
        let targets = json["targets"].as_array().expect("targets");
        assert!(
            reconciles.len() >= targets.len() && targets.len() >= 41,
            "{extra:?}"
        );
        let indexes: Vec<u64> = reconciles
            .iter()
            .map(|r| r["index"].as_u64().unwrap())
            .collect();
        assert!(
            indexes.windows(2).all(|w| w[0] < w[1]),
            "{extra:?}: run order"
        );
    }
}
