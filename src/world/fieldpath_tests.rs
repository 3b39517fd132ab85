//! Field paths and the tree-held field set, checked against a flat model.

use super::*;
use serde_json::json;

#[test]
fn fields_v1_round_trip_as_the_api_server_writes_it() {
    let fields = json!({
        "f:metadata": {"f:labels": {"f:app": {}}},
        "f:spec": {
            "f:ports": {
                "k:{\"port\":26656,\"protocol\":\"TCP\"}": {".": {}, "f:name": {}, "f:port": {}}
            },
            "f:selector": {}
        }
    });
    let set = FieldSet::from_fields_v1(&fields).unwrap();
    assert_eq!(set.len(), 5);
    assert_eq!(set.to_fields_v1(), fields);
    assert_eq!(
        serde_json::to_string(&set.to_fields_v1()).unwrap(),
        fields.to_string()
    );
}

#[test]
fn path_string_follows_smd() {
    let path = vec![
        PathElement::Field("spec".into()),
        PathElement::Field("ports".into()),
        PathElement::Key(vec![
            ("port".into(), Scalar(json!(80))),
            ("protocol".into(), Scalar(json!("TCP"))),
        ]),
        PathElement::Field("name".into()),
    ];
    assert_eq!(
        path_string(&path),
        ".spec.ports[port=80,protocol=\"TCP\"].name"
    );
    assert_eq!(
        path_string(&[
            PathElement::Value(Scalar(json!("a"))),
            PathElement::Index(2)
        ]),
        "[=\"a\"][2]"
    );
}

#[test]
fn malformed_fields_v1_is_an_error() {
    assert!(FieldSet::from_fields_v1(&json!({"x:y": {}})).is_err());
    assert!(FieldSet::from_fields_v1(&json!({"f:a": 1})).is_err());
}

// ------------------------------------------------- the tree against a flat model

use rand_chacha::rand_core::{RngCore, SeedableRng};
use std::collections::BTreeSet;

type Model = BTreeSet<Path>;

fn random_element(rng: &mut rand_chacha::ChaCha12Rng) -> PathElement {
    let pick = |rng: &mut rand_chacha::ChaCha12Rng, n: u32| (rng.next_u32() % n) as usize;
    match pick(rng, 5) {
        0 | 1 => PathElement::Field(["a", "b", "spec", "x"][pick(rng, 4)].to_string()),
        2 => {
            let mut fields = vec![("name".to_string(), Scalar(json!(["p", "q"][pick(rng, 2)])))];
            if pick(rng, 2) == 0 {
                fields.push(("port".to_string(), Scalar(json!(pick(rng, 3)))));
            }
            PathElement::Key(fields)
        }
        3 => PathElement::Value(Scalar(
            [json!("v"), json!(2), json!(true)][pick(rng, 3)].clone(),
        )),
        _ => PathElement::Index(pick(rng, 3)),
    }
}

fn random_path(rng: &mut rand_chacha::ChaCha12Rng) -> Path {
    // The empty path is rare, as in real sets.
    let len = if rng.next_u32().is_multiple_of(40) {
        0
    } else {
        1 + (rng.next_u32() % 4) as usize
    };
    (0..len).map(|_| random_element(rng)).collect()
}

fn random_model(rng: &mut rand_chacha::ChaCha12Rng) -> Model {
    let n = rng.next_u32() % 30;
    (0..n).map(|_| random_path(rng)).collect()
}

fn tree(model: &Model) -> FieldSet {
    let mut set = FieldSet::default();
    for path in model {
        set.insert(path.clone());
    }
    set
}

/// `FieldsV1` as the flat set wrote it: keys in path order, `"."` put first
/// where a member has children.
fn flat_fields_v1(model: &Model) -> Value {
    fn mark(node: &mut Map<String, Value>, model: &Model, path: &mut Path) {
        let keys: Vec<String> = node.keys().cloned().collect();
        for key in keys {
            let Ok(element) = PathElement::from_fields_v1_key(&key) else {
                continue;
            };
            path.push(element);
            if let Some(Value::Object(child)) = node.get_mut(&key) {
                if !child.is_empty() && model.contains(path) {
                    let rest = std::mem::take(child);
                    child.insert(".".into(), Value::Object(Map::new()));
                    child.extend(rest);
                }
                mark(child, model, path);
            }
            path.pop();
        }
    }
    let mut root = Map::new();
    for path in model {
        let mut node = &mut root;
        for element in path {
            let entry = node
                .entry(element.fields_v1_key())
                .or_insert_with(|| Value::Object(Map::new()));
            node = entry.as_object_mut().unwrap();
        }
    }
    mark(&mut root, model, &mut Vec::new());
    Value::Object(root)
}

#[test]
fn tree_set_operations_match_a_sorted_set_of_paths() {
    let mut rng = rand_chacha::ChaCha12Rng::seed_from_u64(16);
    for _ in 0..600 {
        let (ma, mb) = (random_model(&mut rng), random_model(&mut rng));
        let (a, b) = (tree(&ma), tree(&mb));
        let paths = |m: &Model| m.iter().cloned().collect::<Vec<_>>();
        assert_eq!(a.paths(), paths(&ma), "iteration order");
        assert_eq!(a.len(), ma.len());
        assert_eq!(a.is_empty(), ma.is_empty());

        let union: Model = ma.union(&mb).cloned().collect();
        let both: Model = ma.intersection(&mb).cloned().collect();
        let only_a: Model = ma.difference(&mb).cloned().collect();
        assert_eq!(a.union(&b).paths(), paths(&union));
        assert_eq!(a.union(&b), tree(&union), "union keeps the invariants");
        assert_eq!(a.intersection(&b), tree(&both));
        assert_eq!(a.intersects(&b), !both.is_empty());
        assert_eq!(a.difference(&b), tree(&only_a));
        let mut in_place = a.clone();
        in_place.remove_all(&b);
        assert_eq!(in_place, tree(&only_a));
        let mut extended = a.clone();
        extended.extend(b.clone());
        assert_eq!(extended, tree(&union));

        for _ in 0..20 {
            let probe = random_path(&mut rng);
            assert_eq!(a.has(&probe), ma.contains(&probe), "has {probe:?}");
            let below = ma
                .iter()
                .any(|p| p.len() > probe.len() && p.starts_with(&probe));
            assert_eq!(a.has_below(&probe), below, "has_below {probe:?}");
            let mut removed = a.clone();
            removed.remove(&probe);
            let mut model = ma.clone();
            model.remove(&probe);
            assert_eq!(removed, tree(&model), "remove {probe:?}");
        }

        // FieldsV1: the bytes the flat set wrote; reading them back gives the
        // set (the empty path is not written).
        let encoded = a.to_fields_v1();
        assert_eq!(
            serde_json::to_string(&encoded).unwrap(),
            serde_json::to_string(&flat_fields_v1(&ma)).unwrap()
        );
        let mut without_root = ma.clone();
        without_root.remove(&Vec::new());
        assert_eq!(
            FieldSet::from_fields_v1(&encoded).unwrap(),
            tree(&without_root)
        );

        // A set built from unordered parts equals the one built by inserting.
        let members: Vec<PathElement> = ma
            .iter()
            .filter(|p| p.len() == 1)
            .map(|p| p[0].clone())
            .rev()
            .collect();
        let mut children: Vec<(PathElement, FieldSet)> = Vec::new();
        for path in ma.iter().filter(|p| p.len() > 1).rev() {
            let mut below = FieldSet::default();
            below.insert(path[1..].to_vec());
            children.push((path[0].clone(), below));
        }
        let root = ma.contains(&Vec::new());
        assert_eq!(FieldSet::from_parts(root, members, children), a);
    }
}

/// The text written straight from the tree is the text of the `FieldsV1` value (plus `"."`
/// at the top when the empty path is a member), and reads back as the very same set.
#[test]
fn fields_v1_text_is_the_value_text_and_reads_back_exactly() {
    let mut rng = rand_chacha::ChaCha12Rng::seed_from_u64(21);
    let mut with_root = 0;
    for _ in 0..500 {
        let set = tree(&random_model(&mut rng));
        let text = serde_json::to_string(&set.fields_v1_exact()).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        if set.has(&[]) {
            with_root += 1;
            let mut expected = Map::new();
            expected.insert(".".into(), json!({}));
            expected.extend(set.to_fields_v1().as_object().unwrap().clone());
            assert_eq!(text, Value::Object(expected).to_string());
        } else {
            assert_eq!(text, set.to_fields_v1().to_string());
        }
        assert_eq!(FieldSet::from_fields_v1(&value).unwrap(), set, "{text}");
    }
    assert!(with_root > 0, "some sets hold the empty path");
}
