#!/usr/bin/env python3
"""Writes testdata/validate/invalid/*.yaml: one small document per rule family.

Each file starts with `# expect: RULE` (a rule that must be reported) and optionally
`# expect-exit: N`. The golden `.expected` files next to them are produced by
`UPDATE_EXPECT=1 cargo test --test validate_corpus` and reviewed by hand.
"""
import os

NODE = """apiVersion: sei.io/v1alpha1
kind: SeiNode
metadata:
  name: node-a
  namespace: default
spec:
  chainId: pacific-1
  image: ghcr.io/sei-protocol/sei:v6.3.0
{spec}"""

SND = """apiVersion: sei.io/v1alpha1
kind: SeiNodeDeployment
metadata:
  name: group-a
  namespace: default
spec:
  replicas: 2
{top}  template:
    metadata:
      labels:
        sei.io/role: rpc
    spec:
      chainId: pacific-1
      image: ghcr.io/sei-protocol/sei:v6.3.0
{tspec}"""

FULL = "  fullNode:\n    snapshot:\n      s3:\n        targetHeight: 100\n"
INPLACE = "  updateStrategy:\n    type: InPlace\n"
TFULL = "      fullNode: {}\n"
PEERS = "  peers:\n    - static:\n        addresses: [\"abc@10.0.0.1:26656\"]\n"

def node(spec): return NODE.format(spec=spec)
def snd(top=INPLACE, tspec=TFULL): return SND.format(top=top, tspec=tspec)

CASES = {
  # --- CEL rules (SeiNode CRD) ---
  "cel-node-no-mode": ("cel", node("  overrides:\n    a.b: \"1\"\n")),
  "cel-node-two-modes": ("cel", node(FULL + "  archive: {}\n")),
  "cel-node-replayer-no-peers": ("cel", node("  replayer:\n    snapshot:\n      s3:\n        targetHeight: 5\n")),
  "cel-node-fullnode-snapshot-both": ("cel", node("  fullNode:\n    snapshot:\n      s3:\n        targetHeight: 5\n      stateSync: {}\n")),
  "cel-node-fullnode-snapshot-none": ("cel", node("  fullNode:\n    snapshot:\n      trustPeriod: 9999h0m0s\n")),
  "cel-node-replayer-snapshot-none": ("cel", node(PEERS + "  replayer:\n    snapshot:\n      backfillBlocks: 10\n")),
  "cel-node-validator-snapshot-both": ("cel", node("  validator:\n    snapshot:\n      s3:\n        targetHeight: 5\n      stateSync: {}\n")),
  "cel-node-peer-two-sources": ("cel", node(FULL + "  peers:\n    - static:\n        addresses: [\"a@b:1\"]\n      label:\n        selector:\n          app: x\n")),
  "cel-node-peer-no-source": ("cel", node(FULL + "  peers:\n    - {}\n")),
  # --- CEL rules (SeiNodeDeployment CRD) ---
  "cel-snd-hardfork-no-halt": ("cel", snd(top="  updateStrategy:\n    type: HardFork\n")),
  "cel-snd-template-no-mode": ("cel", snd(tspec="      overrides: {}\n")),
  "cel-snd-template-two-modes": ("cel", snd(tspec="      fullNode: {}\n      validator: {}\n")),
  "cel-snd-template-replayer-no-peers": ("cel", snd(tspec="      replayer:\n        snapshot:\n          s3:\n            targetHeight: 5\n")),
  "cel-snd-template-snapshot-both": ("cel", snd(tspec="      validator:\n        snapshot:\n          s3:\n            targetHeight: 5\n          stateSync: {}\n")),
  "cel-snd-template-replayer-snapshot-none": ("cel", snd(tspec="      peers:\n        - static:\n            addresses: [\"a@b:1\"]\n      replayer:\n        snapshot: {}\n")),
  "cel-snd-template-peer-two-sources": ("cel", snd(tspec=TFULL + "      peers:\n        - ec2Tags:\n            region: eu-central-1\n            tags: {a: b}\n          static:\n            addresses: [\"a@b:1\"]\n")),
  "null-mode-is-pruned": ("cel", node("  fullNode: null\n")),
  # --- enums ---
  "enum-update-strategy-type": ("schema.enum", snd(top="  updateStrategy:\n    type: Rolling\n")),
  "enum-deletion-policy": ("schema.enum", snd(top=INPLACE + "  deletionPolicy: Orphan\n")),
  "enum-node-status-phase": ("schema.enum", node(FULL) + "status:\n  phase: Started\n"),
  "enum-condition-status": ("schema.enum", node(FULL) + "status:\n  conditions:\n    - type: Ready\n      status: Maybe\n      reason: Booting\n      message: \"\"\n      lastTransitionTime: \"2024-01-01T00:00:00Z\"\n"),
  "enum-plan-task-status": ("schema.enum", node(FULL) + "status:\n  plan:\n    phase: Active\n    tasks:\n      - id: t1\n        type: config-apply\n        status: Running\n"),
  # --- required ---
  "required-chain-id": ("schema.required", node(FULL).replace("  chainId: pacific-1\n", "")),
  "required-image": ("schema.required", node(FULL).replace("  image: ghcr.io/sei-protocol/sei:v6.3.0\n", "")),
  "required-template": ("schema.required", "apiVersion: sei.io/v1alpha1\nkind: SeiNodeDeployment\nmetadata:\n  name: group-a\nspec:\n  updateStrategy:\n    type: InPlace\n"),
  "required-template-spec": ("schema.required", "apiVersion: sei.io/v1alpha1\nkind: SeiNodeDeployment\nmetadata:\n  name: group-a\nspec:\n  updateStrategy:\n    type: InPlace\n  template:\n    metadata:\n      labels: {a: b}\n"),
  "required-update-strategy-type": ("schema.required", snd(top="  updateStrategy: {}\n")),
  "required-s3-target-height": ("schema.required", node("  fullNode:\n    snapshot:\n      s3: {}\n")),
  "required-entrypoint-command": ("schema.required", node(FULL + "  entrypoint:\n    args: [start]\n")),
  "required-genesis-chain-id": ("schema.required", snd(top=INPLACE + "  genesis:\n    stakingAmount: 1usei\n", tspec="      validator: {}\n")),
  "required-fork-fields": ("schema.required", snd(top=INPLACE + "  genesis:\n    chainId: fork-1\n    fork:\n      sourceChainId: pacific-1\n", tspec="      validator: {}\n")),
  "required-hardfork-halt-height": ("schema.required", snd(top="  updateStrategy:\n    type: HardFork\n    hardFork: {}\n")),
  "required-ec2tags-region": ("schema.required", node(FULL + "  peers:\n    - ec2Tags:\n        tags: {a: b}\n")),
  "required-replayer-snapshot": ("schema.required", node(PEERS + "  replayer:\n    resultExport:\n      canonicalRpc: http://x\n")),
  "required-metadata-name": ("metadata.name", node(FULL).replace("  name: node-a\n", "")),
  # --- patterns / formats ---
  "pattern-genesis-chain-id": ("schema.pattern", snd(top=INPLACE + "  genesis:\n    chainId: Fork_Test\n", tspec="      validator: {}\n")),
  "pattern-service-monitor-interval": ("schema.pattern", snd(top=INPLACE + "  monitoring:\n    serviceMonitor:\n      interval: 30 seconds\n")),
  "pattern-sidecar-quantity": ("schema.pattern", node(FULL + "  sidecar:\n    resources:\n      limits:\n        cpu: lots\n")),
  "pattern-condition-reason": ("schema.pattern", node(FULL) + "status:\n  conditions:\n    - type: Ready\n      status: \"True\"\n      reason: \"not camel case!\"\n      message: \"\"\n      lastTransitionTime: \"2024-01-01T00:00:00Z\"\n"),
  "format-date-time": ("schema.format", node(FULL) + "status:\n  conditions:\n    - type: Ready\n      status: \"True\"\n      reason: Ok\n      message: \"\"\n      lastTransitionTime: yesterday\n"),
  "metadata-name-invalid": ("metadata.name", node(FULL).replace("name: node-a", "name: Node_A")),
  "metadata-label-value-invalid": ("metadata.labels", node(FULL).replace("  namespace: default\n", "  namespace: default\n  labels:\n    sei.io/role: \"-bad-\"\n")),
  # --- bounds ---
  "minimum-replicas": ("schema.minimum", snd().replace("replicas: 2", "replicas: 0")),
  "maximum-replicas": ("schema.maximum", snd().replace("replicas: 2", "replicas: 101")),
  "minimum-keep-recent": ("schema.minimum", node("  archive:\n    snapshotGeneration:\n      keepRecent: 1\n")),
  "minimum-target-height": ("schema.minimum", node("  fullNode:\n    snapshot:\n      s3:\n        targetHeight: 0\n")),
  "minimum-fork-export-height": ("schema.minimum", snd(top=INPLACE + "  genesis:\n    chainId: fork-1\n    fork:\n      sourceChainId: pacific-1\n      sourceImage: img\n      exportHeight: -5\n", tspec="      validator: {}\n")),
  "min-length-image": ("schema.min-length", node(FULL).replace("image: ghcr.io/sei-protocol/sei:v6.3.0", "image: \"\"")),
  "max-length-image": ("schema.max-length", node(FULL).replace("image: ghcr.io/sei-protocol/sei:v6.3.0", "image: ghcr.io/" + "x" * 510)),
  "min-items-static-addresses": ("schema.min-items", node(FULL + "  peers:\n    - static:\n        addresses: []\n")),
  "max-items-entrypoint-command": ("schema.max-items", node(FULL + "  entrypoint:\n    command: [" + ", ".join(["c"] * 17) + "]\n")),
  "min-properties-label-selector": ("schema.min-properties", node(FULL + "  peers:\n    - label:\n        selector: {}\n")),
  "min-properties-ec2-tags": ("schema.min-properties", node(FULL + "  peers:\n    - ec2Tags:\n        region: eu-central-1\n        tags: {}\n")),
  # --- unknown fields at several depths ---
  "unknown-field-root": ("schema.unknown-field", node(FULL) + "extra: true\n"),
  "unknown-field-spec-typo": ("schema.unknown-field", node(FULL + "  imagePullPolicy: Always\n")),
  "unknown-field-deep": ("schema.unknown-field", node("  fullNode:\n    snapshot:\n      s3:\n        targetHeight: 100\n        bucket: my-bucket\n")),
  "unknown-field-template-spec": ("schema.unknown-field", snd(tspec=TFULL + "      storage:\n        retainOnDelete: true\n")),
  "unknown-field-empty-object": ("schema.unknown-field", snd(top=INPLACE + "  networking:\n    gateway: public\n")),
  "unknown-field-metadata": ("schema.unknown-field", node(FULL).replace("  namespace: default\n", "  namespace: default\n  lables:\n    a: b\n")),
  "unknown-field-peer-item": ("schema.unknown-field", node(FULL + "  peers:\n    - dns: seed.example.com\n      static:\n        addresses: [\"a@b:1\"]\n")),
  # --- wrong types ---
  "type-replicas-string": ("schema.type", snd().replace("replicas: 2", "replicas: \"2\"")),
  "type-chain-id-number": ("schema.type", node(FULL).replace("chainId: pacific-1", "chainId: 1329")),
  "type-peers-object": ("schema.type", node(FULL + "  peers:\n    static:\n      addresses: [\"a@b:1\"]\n")),
  "type-override-bool": ("schema.type", node(FULL + "  overrides:\n    evm.http_enabled: true\n")),
  "type-spec-list": ("schema.type", "apiVersion: sei.io/v1alpha1\nkind: SeiNode\nmetadata:\n  name: node-a\nspec:\n  - chainId: x\n"),
  "type-label-value-int": ("schema.type", node(FULL).replace("  namespace: default\n", "  namespace: default\n  labels:\n    tier: 1\n")),
  "type-target-height-float": ("schema.type", node("  fullNode:\n    snapshot:\n      s3:\n        targetHeight: 1.5\n")),
  # --- operator Validate() errors ---
  "operator-no-mode": ("operator.validate", node("")),
  "operator-full-bootstrap-needs-s3": ("operator.validate", node("  fullNode:\n    snapshot:\n      stateSync: {}\n      bootstrapImage: ghcr.io/sei-protocol/sei:v6.3.0\n")),
  "operator-replayer-needs-s3": ("operator.validate", node(PEERS + "  replayer:\n    snapshot:\n      stateSync: {}\n")),
  "operator-replayer-target-height": ("operator.validate", node(PEERS + "  replayer:\n    snapshot:\n      s3:\n        targetHeight: 0\n")),
  "operator-replayer-no-peers": ("operator.validate", node("  peers: []\n  replayer:\n    snapshot:\n      s3:\n        targetHeight: 5\n")),
  "operator-validator-bootstrap-needs-s3": ("operator.validate", node("  validator:\n    snapshot:\n      stateSync: {}\n      bootstrapImage: ghcr.io/sei-protocol/sei:v6.3.0\n")),
  "operator-validator-genesis-chain-id": ("operator.validate", node("  validator:\n    genesisCeremony:\n      chainId: \"\"\n      stakingAmount: 1usei\n      accountBalance: 1usei\n      index: 0\n")),
  "operator-validator-genesis-staking": ("operator.validate", node("  validator:\n    genesisCeremony:\n      chainId: c-1\n      stakingAmount: \"\"\n      accountBalance: 1usei\n      index: 0\n")),
  "operator-template-bootstrap-needs-s3": ("operator.validate", snd(tspec="      fullNode:\n        snapshot:\n          stateSync: {}\n          bootstrapImage: img\n")),
  "operator-name-too-long": ("operator.name-length", node(FULL).replace("name: node-a", "name: " + "pacific-1-rpc." * 5 + "example")),
  "operator-decode-int32": ("operator.decode", node("  archive:\n    snapshotGeneration:\n      keepRecent: 3000000000\n")),
  # --- cross-object ---
  "cross-duplicate-name": ("cross.duplicate", node(FULL) + "---\n" + node("  archive: {}\n")),
  "cross-template-genesis-child": ("cross.template", snd(top=INPLACE + "  genesis:\n    chainId: fresh-1\n    stakingAmount: \"\"\n", tspec="      validator: {}\n")),
  "cross-peer-selector-no-match": ("cross.peer-selector", node(FULL + "  peers:\n    - label:\n        selector:\n          sei.io/role: seed\n"), 0),
  "cross-child-name-collision": ("cross.duplicate", snd() + "---\n" + node(FULL).replace("name: node-a", "name: group-a-1"), 0),
  "list-map-duplicate-key": ("schema.duplicate", node(FULL) + "status:\n  conditions:\n    - {type: Ready, status: \"True\", reason: A, message: \"\", lastTransitionTime: \"2024-01-01T00:00:00Z\"}\n    - {type: Ready, status: \"False\", reason: B, message: \"\", lastTransitionTime: \"2024-01-01T00:00:00Z\"}\n"),
  # --- manifest level ---
  "manifest-unknown-version": ("manifest.api-version", node(FULL).replace("sei.io/v1alpha1", "sei.io/v1")),
  "manifest-missing-kind": ("manifest.kind", node(FULL).replace("kind: SeiNode\n", "")),
  "manifest-not-object": ("manifest.not-object", "- just\n- a list\n"),
}

os.makedirs("invalid", exist_ok=True)
for name, case in CASES.items():
    rule, text = case[0], case[1]
    exit_code = case[2] if len(case) > 2 else 2
    header = f"# expect: {rule}\n" + (f"# expect-exit: {exit_code}\n" if exit_code != 2 else "")
    with open(f"invalid/{name}.yaml", "w") as f:
        f.write(header + text)
print(len(CASES), "cases")
