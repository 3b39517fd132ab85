//! A readable account of a simulated run.

use std::io::{self, Write};

use crate::engine::trace::Trace;
use crate::env::go_duration;

/// Writes each reconcile: result, error, writes, sidecar calls, events, DNS lookups.
pub fn write(out: &mut dyn Write, trace: &Trace) -> io::Result<()> {
    writeln!(out, "Simulating {} at {}", trace.target, trace.now)?;
    for r in &trace.reconciles {
        let result = &r.outcome.result;
        writeln!(out)?;
        writeln!(
            out,
            "Reconcile #{}: requeue={} requeueAfter={}",
            r.index,
            result.requeue,
            go_duration(result.after)
        )?;
        if let Some(e) = &r.outcome.error {
            writeln!(out, "  error: {e}")?;
        }
        for w in &r.writes {
            let sub = w.subresource.map(|s| format!("/{s}")).unwrap_or_default();
            let how = w.patch_type.map(|p| format!(" ({p})")).unwrap_or_default();
            let status = w
                .error
                .as_deref()
                .map(|e| format!("  -> error: {e}"))
                .unwrap_or_default();
            writeln!(
                out,
                "  write #{} {} {}{} {}/{}{}{}",
                w.seq, w.verb, w.kind, sub, w.namespace, w.name, how, status
            )?;
        }
        for c in &r.sidecar_calls {
            let ty = if c.task_type.is_empty() {
                String::new()
            } else {
                format!(" {}", c.task_type)
            };
            writeln!(
                out,
                "  sidecar {}{} @ {} -> {}",
                c.op, ty, c.sidecar_url, c.returned
            )?;
        }
        for e in &r.events {
            writeln!(out, "  event {} {}: {}", e.event_type, e.reason, e.message)?;
        }
        for d in &r.dns_lookups {
            writeln!(out, "  dns {d}")?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Final objects: {}", trace.final_objects.len())?;
    for o in &trace.final_objects {
        let o = o.value();
        let kind = o.get("kind").and_then(|v| v.as_str()).unwrap_or("");
        let ns = o
            .pointer("/metadata/namespace")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let name = o
            .pointer("/metadata/name")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let phase = o
            .pointer("/status/phase")
            .and_then(|v| v.as_str())
            .map(|p| format!(" ({p})"))
            .unwrap_or_default();
        writeln!(out, "  {kind} {ns}/{name}{phase}")?;
    }
    Ok(())
}
