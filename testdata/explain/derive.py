#!/usr/bin/env python3
"""Derives the `explain` inputs of this directory from parity fixtures: run the
fixture (or a plan on an edited state) in memory and keep the final objects.

Usage: NODECTL=target/debug/nodectl python3 testdata/explain/derive.py
"""
import json
import os
import subprocess
import sys
import tempfile

import yaml

NODECTL = os.environ.get("NODECTL", "target/debug/nodectl")
HERE = os.path.dirname(os.path.abspath(__file__))
NOW = "2026-01-01T00:00:00Z"


def run(*args):
    out = subprocess.run([NODECTL, *args], check=False, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"{args}: {out.stderr}")
    return json.loads(out.stdout)


def simulate(fixture, reconciles=None):
    args = ["simulate", f"testdata/parity/{fixture}", "-o", "json"]
    if reconciles:
        args += ["--reconciles", str(reconciles)]
    return run(*args)["finalObjects"]


def plan(objects, target, reconciles, *extra):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        yaml.safe_dump_all(objects, f, sort_keys=False)
    try:
        return run("plan", "-f", f.name, "--target", target, "--reconciles", str(reconciles),
                   "--now", NOW, "-o", "json", *extra)["finalObjects"]
    finally:
        os.unlink(f.name)


def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def save(name, header, objects):
    with open(os.path.join(HERE, name), "w") as f:
        f.write("".join(f"# {line}\n" for line in header.splitlines()))
        yaml.safe_dump_all(objects, f, sort_keys=False)


def by(objects, kind, name):
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


save("snapshot-restore-waiting.yaml",
     "Full node after the first reconcile of full-node-s3-progression: Initializing,\n"
     "snapshot-restore submitted at 2026-01-01T00:00:00Z and still running.",
     simulate("full-node-s3-progression", reconciles=1))

save("configure-genesis-failed.yaml",
     "Final state of genesis-task-retries-exhausted: configure-genesis failed after\n"
     "180/180 retries, plan Failed, node Failed.",
     simulate("genesis-task-retries-exhausted"))

running = load("testdata/parity/running-node-image-change/cluster.yaml")
node = by(running, "SeiNode", "pacific-1-full-node")
node["status"]["plan"] = {
    "id": "0b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    "phase": "Active",
    "targetPhase": "Running",
    "tasks": [
        {"type": "apply-statefulset", "id": "5a6b7c8d-0000-5000-8000-000000000001",
         "status": "Pending", "params": "not-an-object"},
        {"type": "apply-service", "id": "5a6b7c8d-0000-5000-8000-000000000002",
         "status": "Pending", "params": {"namespace": "default", "nodeName": "pacific-1-full-node"}},
    ],
}
save("running-convergence-failed.yaml",
     "Running node (running-node-image-change) whose stored convergence plan had bad\n"
     "params: one reconcile failed it (deserialise error), PlanFailed=True, node still Running.",
     plan(running, "seinode/pacific-1-full-node", 1))

save("group-dns-pending.yaml",
     "Final state of snd-rpc-networking-dns-pending: networking on, route host does\n"
     "not resolve, Gateway / ServiceMonitor CRDs not installed.",
     simulate("snd-rpc-networking-dns-pending"))

save("group-rollout-failed.yaml",
     "Final state of snd-rollout-plan-failed: the BlueGreen rollout failed at\n"
     "await-nodes-running because the entrants are Failed.",
     simulate("snd-rollout-plan-failed"))

hardfork = simulate("snd-hardfork-rollout")
for o in hardfork:
    if o["kind"] == "SeiNode" and "-g2-" in o["metadata"]["name"]:
        o.setdefault("status", {})["phase"] = "Running"
save("hardfork-entrants-running.yaml",
     "snd-hardfork-rollout with its entrants Running: the next reconcile reaches\n"
     "switch-traffic.",
     hardfork)
save("group-switch-traffic-loop.yaml",
     "snd-hardfork-rollout with its entrants Running, after two more reconciles: the\n"
     "first reached switch-traffic and failed with 409 Conflict, the second looped.",
     plan(hardfork, "snd/grp", 2, "--sidecar", "completed"))

save("group-genesis-plan-failed.yaml",
     "Final state of snd-genesis-plan-failed: the genesis plan failed on a Failed\n"
     "child and a fresh genesis plan was built.",
     simulate("snd-genesis-plan-failed"))
