//! CEL `x-kubernetes-validations` rules, compiled once and evaluated offline with the `cel` crate.
//!
//! The environment is CEL's standard library plus the `strings`, `lists` and `math` extensions
//! (Kubernetes enables the same families). `has()`, `size()`, `all`, `exists`, `exists_one`,
//! `matches`, `startsWith`, … come from the standard library. Rules that mention `oldSelf` are
//! transition rules: they only run when an old object is given.
//!
//! Why `cel` 0.15 and not kube's `cel` feature (kube-cel 0.8): kube-cel is a thin layer of
//! Kubernetes extension functions plus its own schema walker over `cel` 0.13 (an older release
//! of the same interpreter). Its walker reports paths but no source positions and runs its own
//! defaulting, so this module would still need its own walk to attach file:line:column; the
//! extension functions it adds (quantity, IP, URL, semver, …) are used by none of the 13 rules in
//! the two CRDs at the pinned commit (they only use `has`, `size`, `?:`, `+`, `==`, `!=`, `>`,
//! `&&`, `||`). Using `cel` directly keeps one interpreter version in the tree (kube 5 would pull
//! 0.13 next to it) and avoids pulling kube/k8s-openapi before the project needs them. Every rule
//! of both CRDs is compiled at start-up and exercised by the corpus tests.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use cel::common::traits::{
    Adder, Comparer, Container, Divider, Indexer, Iterable, Modder, Multiplier, Negator, Sizer,
    Subtractor, Zeroer,
};
use cel::common::types::Type;
use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, CelUInt,
};
use cel::common::value::{Builtin, BuiltinRef, Val};
use cel::objects::{Key, Map};
use cel::{Context, Env, Program, Value as CelValue};
use serde_json::Value;

/// The shared CEL environment.
fn env() -> &'static Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        // Extension registration only fails on conflicting declarations, which would be a bug.
        env.add_extension(cel::extensions::strings)
            .expect("strings extension");
        env.add_extension(cel::extensions::lists)
            .expect("lists extension");
        env.add_extension(cel::extensions::math)
            .expect("math extension");
        Arc::new(env)
    })
}

/// One compiled `x-kubernetes-validations` entry.
#[derive(Debug)]
pub struct CelRule {
    pub rule: String,
    pub message: Option<String>,
    pub message_expression: Option<(String, Program)>,
    pub field_path: Option<String>,
    pub reason: Option<String>,
    pub program: Program,
    /// Mentions `oldSelf`.
    pub transition: bool,
    pub optional_old_self: bool,
}

/// What a rule evaluation produced.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Pass,
    /// The rule returned false; carries the message to report.
    Fail(String),
    /// The rule could not be evaluated.
    Error(String),
    /// A transition rule without an old value.
    Skipped,
}

impl CelRule {
    /// Compiles a rule object from a CRD (`rule`, `message`, `messageExpression`, `fieldPath`, `reason`).
    pub fn compile(v: &Value, path: &str) -> Result<CelRule, String> {
        let rule = v
            .get("rule")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{path}: x-kubernetes-validations entry without rule"))?
            .to_string();
        let program = env()
            .compile(&rule)
            .map_err(|e| format!("{path}: rule {rule:?} does not compile: {e}"))?;
        let transition = program.references().has_variable("oldSelf");
        let message_expression = match v.get("messageExpression").and_then(Value::as_str) {
            Some(src) => Some((
                src.to_string(),
                env()
                    .compile(src)
                    .map_err(|e| format!("{path}: messageExpression {src:?}: {e}"))?,
            )),
            None => None,
        };
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        Ok(CelRule {
            message: s("message"),
            field_path: s("fieldPath"),
            reason: s("reason"),
            optional_old_self: v
                .get("optionalOldSelf")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            message_expression,
            program,
            transition,
            rule,
        })
    }

    /// Evaluates the rule in a context from [`bind`]; `has_old` tells whether `oldSelf` is bound.
    pub fn evaluate_in(&self, ctx: &Context, has_old: bool) -> Outcome {
        if self.transition && !has_old && !self.optional_old_self {
            return Outcome::Skipped;
        }
        match self.program.execute(ctx) {
            Ok(CelValue::Bool(true)) => Outcome::Pass,
            Ok(CelValue::Bool(false)) => Outcome::Fail(self.failure_message(ctx)),
            Ok(other) => Outcome::Error(format!(
                "rule {:?} evaluated to {:?}, not a bool",
                self.rule,
                other.type_of()
            )),
            Err(e) => Outcome::Error(format!("rule {:?}: evaluation error: {e}", self.rule)),
        }
    }

    /// Convenience: binds `self`/`oldSelf` from JSON and evaluates.
    pub fn evaluate(&self, this: &Value, old: Option<&Value>) -> Outcome {
        self.evaluate_in(&bind(this, old), old.is_some())
    }

    fn failure_message(&self, ctx: &Context) -> String {
        if let Some((_, prog)) = &self.message_expression {
            if let Ok(CelValue::String(s)) = prog.execute(ctx) {
                if !s.trim().is_empty() {
                    return s.to_string();
                }
            }
        }
        match &self.message {
            Some(m) if !m.is_empty() => m.clone(),
            _ => format!("failed rule: {}", self.rule),
        }
    }
}

/// A context with `self` (and `oldSelf` when given, else null) bound to borrowed JSON.
pub fn bind<'p, 'v>(this: &'v Value, old: Option<&'v Value>) -> Context<'p, 'v> {
    let mut ctx = Context::with_env(env().clone());
    ctx.add_variable_as_val("self", to_val(this));
    match old {
        Some(o) => ctx.add_variable_as_val("oldSelf", to_val(o)),
        None => ctx.add_variable_as_val("oldSelf", Box::new(CelNull)),
    }
    ctx
}

/// Converts JSON into CEL values that borrow its strings (integral numbers become `int`).
/// Objects and arrays are converted lazily, on first use, so a rule only pays for the part of
/// the object it reads.
pub fn to_val<'v>(v: &'v Value) -> Box<dyn Val + 'v> {
    match v {
        Value::Null => Box::new(CelNull),
        Value::Bool(b) => Box::new(CelBool::from(*b)),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Box::new(CelInt::from(i))
            } else if let Some(u) = n.as_u64() {
                Box::new(CelUInt::from(u))
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    Box::new(CelInt::from(f as i64))
                } else {
                    Box::new(CelDouble::from(f))
                }
            }
        }
        Value::String(s) => Box::new(CelString::from(s.as_str())),
        Value::Array(_) | Value::Object(_) => Box::new(LazyVal {
            json: v,
            val: OnceLock::new(),
        }),
    }
}

/// A JSON object or array seen as a CEL map or list, built on first access. Every [`Val`]
/// method forwards to the built value, so it behaves exactly like the eager conversion.
struct LazyVal<'v> {
    json: &'v Value,
    val: OnceLock<Box<dyn Val + 'v>>,
}

impl<'v> LazyVal<'v> {
    fn force(&self) -> &(dyn Val + 'v) {
        self.val.get_or_init(|| build(self.json)).as_ref()
    }
}

/// One level of a JSON container as a CEL value (its children stay lazy).
fn build(v: &Value) -> Box<dyn Val + '_> {
    match v {
        Value::Array(a) => Box::new(CelList::from(a.iter().map(to_val).collect::<Vec<_>>())),
        Value::Object(o) => {
            let map: HashMap<CelMapKey<'_>, Box<dyn Val + '_>> = o
                .iter()
                .map(|(k, v)| (CelMapKey::from(k.as_str()), to_val(v)))
                .collect();
            Box::new(CelMap::from(map))
        }
        other => to_val(other),
    }
}

impl std::fmt::Debug for LazyVal<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.force().fmt(f)
    }
}

impl<'a> Val for LazyVal<'a> {
    fn get_type(&self) -> &Type {
        match self.json {
            Value::Array(_) => CelList::cel_type(),
            _ => CelMap::cel_type(),
        }
    }

    fn cel_type() -> &'static Type {
        panic!("a lazy JSON value is a list or a map: ask the value")
    }

    fn as_adder<'b, 'v>(&'b self) -> Option<&'b (dyn Adder + 'v)>
    where
        Self: 'v,
    {
        self.force().as_adder()
    }

    fn as_comparer(&self) -> Option<&dyn Comparer> {
        self.force().as_comparer()
    }

    fn as_container(&self) -> Option<&dyn Container> {
        self.force().as_container()
    }

    fn as_divider<'b, 'v>(&'b self) -> Option<&'b (dyn Divider + 'v)>
    where
        Self: 'v,
    {
        self.force().as_divider()
    }

    fn as_indexer<'b, 'v>(&'b self) -> Option<&'b (dyn Indexer + 'v)>
    where
        Self: 'v,
    {
        self.force().as_indexer()
    }

    fn into_indexer<'v>(self: Box<Self>) -> Option<Box<dyn Indexer + 'v>>
    where
        Self: 'v,
    {
        self.force();
        self.val.into_inner()?.into_indexer()
    }

    fn as_iterable<'b, 'v>(&'b self) -> Option<&'b (dyn Iterable + 'v)>
    where
        Self: 'v,
    {
        self.force().as_iterable()
    }

    fn as_modder<'b, 'v>(&'b self) -> Option<&'b (dyn Modder + 'v)>
    where
        Self: 'v,
    {
        self.force().as_modder()
    }

    fn as_multiplier<'b, 'v>(&'b self) -> Option<&'b (dyn Multiplier + 'v)>
    where
        Self: 'v,
    {
        self.force().as_multiplier()
    }

    fn as_negator<'b, 'v>(&'b self) -> Option<&'b (dyn Negator + 'v)>
    where
        Self: 'v,
    {
        self.force().as_negator()
    }

    fn as_sizer(&self) -> Option<&dyn Sizer> {
        self.force().as_sizer()
    }

    fn as_subtractor<'b, 'v>(&'b self) -> Option<&'b (dyn Subtractor + 'v)>
    where
        Self: 'v,
    {
        self.force().as_subtractor()
    }

    fn as_zeroer(&self) -> Option<&dyn Zeroer> {
        self.force().as_zeroer()
    }

    fn equals(&self, other: &dyn Val) -> bool {
        self.force().equals(other)
    }

    fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v>
    where
        Self: 'v,
    {
        self.force().clone_as_boxed()
    }

    fn as_any(&self) -> Option<&dyn Any> {
        self.force().as_any()
    }

    fn as_builtin<'b, 'v>(&'b self) -> BuiltinRef<'b, 'v>
    where
        Self: 'v,
    {
        self.force().as_builtin()
    }

    fn into_builtin<'v>(self: Box<Self>) -> Option<Builtin<'v>>
    where
        Self: 'v,
    {
        self.force();
        self.val.into_inner()?.into_builtin()
    }
}

/// Converts JSON into an owned CEL value (integers become `int`, integral floats too).
pub fn to_cel(v: &Value) -> CelValue {
    match v {
        Value::Null => CelValue::Null,
        Value::Bool(b) => CelValue::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                CelValue::Int(i)
            } else if let Some(u) = n.as_u64() {
                CelValue::UInt(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    CelValue::Int(f as i64)
                } else {
                    CelValue::Float(f)
                }
            }
        }
        Value::String(s) => CelValue::String(Arc::new(s.clone())),
        Value::Array(a) => CelValue::List(Arc::new(a.iter().map(to_cel).collect())),
        Value::Object(o) => {
            let map: HashMap<Key, CelValue> = o
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), to_cel(v)))
                .collect();
            CelValue::Map(Map { map: Arc::new(map) })
        }
    }
}

/// The Kubernetes type word for `self` in messages (`Invalid value: "object": …`).
pub fn type_word(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(r: &str, msg: &str) -> CelRule {
        CelRule::compile(&json!({"rule": r, "message": msg}), "t").unwrap()
    }

    #[test]
    fn exactly_one_rule() {
        let r = rule(
            "(has(self.s3) ? 1 : 0) + (has(self.stateSync) ? 1 : 0) == 1",
            "one",
        );
        assert_eq!(r.evaluate(&(json!({"s3": {}})), None), Outcome::Pass);
        assert_eq!(
            r.evaluate(&(json!({"s3": {}, "stateSync": {}})), None),
            Outcome::Fail("one".into())
        );
        assert_eq!(r.evaluate(&(json!({})), None), Outcome::Fail("one".into()));
    }

    #[test]
    fn size_and_comparisons() {
        let r = rule(
            "!has(self.replayer) || (has(self.peers) && size(self.peers) > 0)",
            "p",
        );
        assert_eq!(
            r.evaluate(&(json!({"replayer": {}})), None),
            Outcome::Fail("p".into())
        );
        assert_eq!(
            r.evaluate(&(json!({"replayer": {}, "peers": [1]})), None),
            Outcome::Pass
        );
        let h = rule(
            "self.type != 'HardFork' || (has(self.hardFork) && self.hardFork.haltHeight > 0)",
            "h",
        );
        assert_eq!(
            h.evaluate(&(json!({"type": "InPlace"})), None),
            Outcome::Pass
        );
        assert_eq!(
            h.evaluate(&(json!({"type": "HardFork"})), None),
            Outcome::Fail("h".into())
        );
        assert_eq!(
            h.evaluate(
                &(json!({"type": "HardFork", "hardFork": {"haltHeight": 5}})),
                None
            ),
            Outcome::Pass
        );
    }

    #[test]
    fn k8s_style_helpers_and_transition_rules() {
        let r = rule(
            "self.all(x, x.startsWith('a')) && self.exists(x, x.matches('^ab+$'))",
            "m",
        );
        assert_eq!(r.evaluate(&(json!(["abb", "a"])), None), Outcome::Pass);
        let t = rule("self == oldSelf", "immutable");
        assert!(t.transition);
        assert_eq!(t.evaluate(&(json!({"a": 1})), None), Outcome::Skipped);
        let old = json!({"a": 2});
        assert_eq!(
            t.evaluate(&(json!({"a": 1})), Some(&old)),
            Outcome::Fail("immutable".into())
        );
        let me = CelRule::compile(
            &json!({"rule": "self.x < 3", "messageExpression": "'x is ' + string(self.x)"}),
            "t",
        )
        .unwrap();
        assert_eq!(
            me.evaluate(&(json!({"x": 4})), None),
            Outcome::Fail("x is 4".into())
        );
    }
}
