//! Deterministic mutation testing of the loader + validator (a stand-in for long fuzzing runs):
//! thousands of byte flips, truncations, splices and YAML-token insertions of the corpus must
//! never panic, and every report must keep its invariants.

use std::panic::{catch_unwind, AssertUnwindSafe};

use nodectl::validate::{fuzz_entry, Options, Severity, Status};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const TOKENS: &[&[u8]] = &[
    b"---\n",
    b": ",
    b"- ",
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\t",
    b"\"",
    b"'",
    b"|\n",
    b">-\n",
    b"!!int ",
    b"!!str ",
    b"? ",
    b"#",
    b"\n  ",
    b"null",
    b"~",
    b"1e999",
    b"-.inf",
    b"\xff",
    b"\x00",
    b"%YAML 1.2\n",
    b"...\n",
    b"spec:\n  ",
    b"oldSelf",
];

fn corpus() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for dir in [
        "testdata/validate/valid",
        "testdata/validate/invalid",
        "testdata/validate/malformed",
    ] {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for p in paths
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        {
            let b = std::fs::read(&p).unwrap();
            if b.len() < 100_000 {
                out.push(b);
            }
        }
    }
    out
}

fn mutate(rng: &mut StdRng, input: &[u8], pool: &[Vec<u8>]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..rng.gen_range(1..=4) {
        let len = b.len().max(1);
        match rng.gen_range(0..6) {
            0 if !b.is_empty() => {
                let i = rng.gen_range(0..b.len());
                b[i] ^= 1 << rng.gen_range(0..8);
            }
            1 => b.truncate(rng.gen_range(0..len)),
            2 => {
                let t = TOKENS[rng.gen_range(0..TOKENS.len())];
                let i = rng.gen_range(0..=b.len());
                b.splice(i..i, t.iter().copied());
            }
            3 if !b.is_empty() => {
                let i = rng.gen_range(0..b.len());
                let j = rng.gen_range(i..b.len().min(i + 64) + 1).min(b.len());
                b.drain(i..j);
            }
            4 => {
                let other = &pool[rng.gen_range(0..pool.len())];
                if !other.is_empty() {
                    let i = rng.gen_range(0..other.len());
                    let j = rng.gen_range(i..other.len() + 1);
                    let at = rng.gen_range(0..=b.len());
                    b.splice(at..at, other[i..j].iter().copied());
                }
            }
            _ => {
                // Duplicate a line (creates duplicate keys and odd indentation).
                let text = b.clone();
                let lines: Vec<&[u8]> = text.split(|c| *c == b'\n').collect();
                let k = rng.gen_range(0..lines.len());
                let mut nb = Vec::new();
                for (n, l) in lines.iter().enumerate() {
                    nb.extend_from_slice(l);
                    nb.push(b'\n');
                    if n == k {
                        nb.extend_from_slice(l);
                        nb.push(b'\n');
                    }
                }
                b = nb;
            }
        }
    }
    b
}

#[test]
fn thousands_of_mutations_never_panic() {
    let pool = corpus();
    assert!(pool.len() > 50);
    let mut rng = StdRng::seed_from_u64(0x5e1_0de);
    let iterations = std::env::var("MUTATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4000usize);
    let opts = [
        Options::default(),
        Options {
            allow_unknown_fields: true,
            strict_kinds: true,
        },
    ];
    let mut invalid = 0;
    for n in 0..iterations {
        let base = &pool[rng.gen_range(0..pool.len())];
        let input = mutate(&mut rng, base, &pool);
        let o = &opts[n % 2];
        let result = catch_unwind(AssertUnwindSafe(|| fuzz_entry(&input, o)));
        let report = match result {
            Ok(r) => r,
            Err(_) => panic!(
                "panic on mutation #{n}: {:?}",
                String::from_utf8_lossy(&input)
            ),
        };
        for d in &report.documents {
            let has_error = d.diagnostics.iter().any(|x| x.severity == Severity::Error);
            assert_eq!(
                d.status == Status::Invalid,
                has_error,
                "status/diagnostics mismatch in #{n}"
            );
            for x in &d.diagnostics {
                assert!(x.line >= 1 && x.column >= 1, "bad position in #{n}: {x:?}");
            }
        }
        invalid += usize::from(report.is_invalid());
    }
    assert!(
        invalid > iterations / 4,
        "mutations should mostly be caught ({invalid}/{iterations})"
    );
}
