#!/usr/bin/env python3
"""Generates src/api/typed/generated.rs: the JSON encoding table of every Go type
nodectl stores typed, read from the Go struct definitions and their tags.

Usage: gen_typed.py GO_SOURCES [OUTPUT]

GO_SOURCES is a directory laid out as Go's vendor tree:
  GO_SOURCES/k8s.io/api/{core,apps,batch}/v1/*.go
  GO_SOURCES/k8s.io/apimachinery/pkg/{apis/meta/v1,types}/*.go
  GO_SOURCES/github.com/sei-protocol/sei-k8s-controller/{go.mod,api/v1alpha1/*.go}
The k8s.io versions written into the header are the ones the operator's go.mod
pins. Without OUTPUT the table is written to stdout.

Per struct the table holds its fields in declaration order (embedded structs
without a JSON name are flattened in place, as encoding/json promotes them) with
the JSON name, omitempty/omitzero, the resolved Go type, and the structured-merge
markers (+listType, +listMapKey, +mapType, +structType, patchStrategy,
patchMergeKey).
"""

import os
import re
import sys

OPERATOR = "github.com/sei-protocol/sei-k8s-controller"
OPERATOR_COMMIT = "86fc035"

# Go package import path -> (directory under GO_SOURCES, table prefix).
PACKAGES = {
    "k8s.io/api/core/v1": ("k8s.io/api/core/v1", "CORE_V1"),
    "k8s.io/api/apps/v1": ("k8s.io/api/apps/v1", "APPS_V1"),
    "k8s.io/api/batch/v1": ("k8s.io/api/batch/v1", "BATCH_V1"),
    "k8s.io/apimachinery/pkg/apis/meta/v1": ("k8s.io/apimachinery/pkg/apis/meta/v1", "META_V1"),
    "k8s.io/apimachinery/pkg/types": ("k8s.io/apimachinery/pkg/types", "TYPES"),
    OPERATOR + "/api/v1alpha1": (OPERATOR + "/api/v1alpha1", "SEI_V1ALPHA1"),
}

# Types with their own MarshalJSON/UnmarshalJSON: encoded by the Rust side's rule
# for that kind, not field by field. (import path, name) -> Ty variant.
CUSTOM = {
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "Time"): "Time",
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "MicroTime"): "MicroTime",
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "Duration"): "Duration",
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "FieldsV1"): "Raw",
    ("k8s.io/apimachinery/pkg/api/resource", "Quantity"): "Quantity",
    ("k8s.io/apimachinery/pkg/util/intstr", "IntOrString"): "IntOrString",
    ("k8s.io/apimachinery/pkg/runtime", "RawExtension"): "Raw",
    ("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1", "JSON"): "Raw",
}

BASIC = {
    "string": "String",
    "bool": "Bool",
    "int32": "Int32",
    "int64": "Int64",
    "int": "Int64",
    "uint16": "Uint16",
    "uint32": "Uint32",
    "uint64": "Uint64",
    "float64": "Float64",
}

# The kinds stored typed: (apiVersion, kind, import path of the Go type).
KINDS = [
    ("sei.io/v1alpha1", "SeiNode", OPERATOR + "/api/v1alpha1"),
    ("sei.io/v1alpha1", "SeiNodeDeployment", OPERATOR + "/api/v1alpha1"),
    ("apps/v1", "StatefulSet", "k8s.io/api/apps/v1"),
    ("apps/v1", "Deployment", "k8s.io/api/apps/v1"),
    ("apps/v1", "DaemonSet", "k8s.io/api/apps/v1"),
    ("apps/v1", "ReplicaSet", "k8s.io/api/apps/v1"),
    ("batch/v1", "Job", "k8s.io/api/batch/v1"),
    ("batch/v1", "CronJob", "k8s.io/api/batch/v1"),
    ("v1", "Service", "k8s.io/api/core/v1"),
    ("v1", "PersistentVolumeClaim", "k8s.io/api/core/v1"),
    ("v1", "Pod", "k8s.io/api/core/v1"),
]


class GenError(Exception):
    pass


class Decl:
    """One `type Name ...` declaration with the imports of its file."""

    def __init__(self, pkg, name, expr, fields, markers, imports, package_name):
        self.pkg = pkg
        self.name = name
        self.expr = expr  # None for structs
        self.fields = fields  # [(names, type, tag, markers)] for structs
        self.markers = markers
        self.imports = imports
        self.package_name = package_name


IMPORT_RE = re.compile(r'^\s*(?:(\w+)\s+)?"([^"]+)"')
TYPE_RE = re.compile(r"^type (\w+) (.+)$")
TAG_RE = re.compile(r'(\w+):"([^"]*)"')


def parse_markers(comments):
    markers = {}
    for line in comments:
        m = re.match(r"\+(listType|listMapKey|mapType|structType)=(\S+)", line)
        if m:
            markers.setdefault(m.group(1), []).append(m.group(2))
    return markers


def parse_file(pkg, text, decls):
    imports = {}
    package_name = None
    lines = text.split("\n")
    i = 0
    comments = []
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if line.startswith("package "):
            package_name = line.split()[1]
        elif stripped.startswith("import ("):
            i += 1
            while lines[i].strip() != ")":
                m = IMPORT_RE.match(lines[i])
                if m:
                    path = m.group(2)
                    imports[m.group(1) or path.rsplit("/", 1)[-1]] = path
                i += 1
        elif stripped.startswith("import "):
            m = IMPORT_RE.match(stripped[len("import "):])
            if m:
                imports[m.group(1) or m.group(2).rsplit("/", 1)[-1]] = m.group(2)
        m = TYPE_RE.match(line)
        if m:
            name, rest = m.group(1), m.group(2).strip()
            markers = parse_markers(comments)
            if rest == "struct {":
                fields, i = parse_struct(lines, i + 1)
                decls[(pkg, name)] = Decl(pkg, name, None, fields, markers, imports, package_name)
            elif rest == "struct{}":
                decls[(pkg, name)] = Decl(pkg, name, None, [], markers, imports, package_name)
            elif not rest.startswith(("interface", "func", "=")):
                rest = rest.split("//")[0].strip()
                decls[(pkg, name)] = Decl(pkg, name, rest, None, markers, imports, package_name)
        if stripped.startswith("//"):
            comments.append(stripped[2:].strip())
        else:
            comments = []
        i += 1


def parse_struct(lines, i):
    fields = []
    comments = []
    while True:
        line = lines[i]
        stripped = line.strip()
        if line.startswith("}"):
            return fields, i
        if stripped.startswith("//"):
            comments.append(stripped[2:].strip())
        elif not stripped:
            comments = []
        else:
            tag = ""
            body = stripped
            if "`" in body:
                body, tag, _ = body.split("`", 2)
            body = body.split("//")[0].strip()
            if body.endswith("{"):
                raise GenError(f"anonymous struct field not supported: {stripped}")
            parts = body.split(None, 1)
            if len(parts) == 1:
                names, typ = None, parts[0]
            else:
                names = [n.strip() for n in parts[0].split(",")]
                typ = parts[1].strip()
            fields.append((names, typ, dict(TAG_RE.findall(tag)), parse_markers(comments)))
            comments = []
        i += 1


def load(root):
    decls = {}
    for pkg, (directory, _) in PACKAGES.items():
        path = os.path.join(root, directory)
        if not os.path.isdir(path):
            raise GenError(f"missing Go sources: {path}")
        for name in sorted(os.listdir(path)):
            if not name.endswith(".go") or name.endswith("_test.go") or "generated" in name:
                continue
            with open(os.path.join(path, name), encoding="utf-8") as f:
                parse_file(pkg, f.read(), decls)
    return decls


class Resolver:
    def __init__(self, decls):
        self.decls = decls
        self.structs = {}  # (pkg, name) -> None while resolving, then fields
        self.order = []

    def static_name(self, key):
        pkg, name = key
        snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).upper()
        return f"{PACKAGES[pkg][1]}_{snake}"

    def go_name(self, key):
        decl = self.decls[key]
        return f"{decl.package_name}.{decl.name}"

    def named(self, pkg, name):
        """(ty, go type text) of a named type used in package `pkg`."""
        if (pkg, name) in CUSTOM:
            return (CUSTOM[(pkg, name)],), f"{pkg.rsplit('/', 1)[-1]}.{name}"
        key = (pkg, name)
        if key not in self.decls:
            raise GenError(f"unknown Go type {pkg}.{name}")
        decl = self.decls[key]
        if decl.expr is None:
            self.struct(key)
            return ("Struct", self.static_name(key)), self.go_name(key)
        ty, _ = self.expr(decl, decl.expr)
        return ty, self.go_name(key)

    def expr(self, decl, text):
        """(ty, go type text) of a type expression written in `decl`'s file."""
        text = text.strip()
        if text.startswith("*"):
            ty, go = self.expr(decl, text[1:])
            return ("Ptr", ty), "*" + go
        if text == "[]byte":
            return ("Bytes",), "[]uint8"
        if text.startswith("[]"):
            ty, go = self.expr(decl, text[2:])
            return ("Slice", ty), "[]" + go
        if text.startswith("map["):
            depth, j = 0, 3
            while True:
                if text[j] == "[":
                    depth += 1
                elif text[j] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            key_ty, key_go = self.expr(decl, text[4:j])
            if key_ty != ("String",):
                raise GenError(f"map key not a string: {text}")
            ty, go = self.expr(decl, text[j + 1:])
            return ("Map", ty), f"map[{key_go}]{go}"
        if text in BASIC:
            return (BASIC[text],), text
        if "." in text:
            alias, name = text.split(".", 1)
            if alias not in decl.imports:
                raise GenError(f"unknown package {alias} in {decl.pkg}.{decl.name}")
            return self.named(decl.imports[alias], name)
        return self.named(decl.pkg, text)

    def struct(self, key):
        if key in self.structs:
            return
        self.structs[key] = None
        self.structs[key] = self.fields(self.decls[key])
        self.order.append(key)

    def fields(self, decl):
        out = []
        for names, typ, tag, markers in decl.fields:
            json_tag = tag.get("json")
            if json_tag == "-":
                continue
            opts = (json_tag or "").split(",")
            json_name, options = opts[0], set(opts[1:])
            if "string" in options:
                raise GenError(f"json ,string option not supported: {decl.name}")
            if names is None and not json_name:
                # Embedded without a JSON name: its fields are promoted in place.
                inner_decl, base = decl, typ.lstrip("*")
                if "." in base:
                    alias, base = base.split(".", 1)
                    inner_key = (decl.imports[alias], base)
                else:
                    inner_key = (decl.pkg, base)
                if inner_key not in self.decls or self.decls[inner_key].expr is not None:
                    raise GenError(f"embedded non-struct {typ} in {decl.name}")
                out.extend(self.fields(self.decls[inner_key]))
                continue
            if names is None:
                names = [typ.lstrip("*").split(".")[-1]]
            for name in names:
                if not name[0].isupper():
                    continue
                ty, go = self.expr(decl, typ)
                out.append({
                    "json": json_name or name,
                    "go": go,
                    "omitempty": "omitempty" in options,
                    "omitzero": "omitzero" in options,
                    "ty": ty,
                    "markers": markers,
                    "patch_strategy": tag.get("patchStrategy"),
                    "patch_merge_key": tag.get("patchMergeKey"),
                })
        return out


def rust_ty(ty):
    if ty[0] == "Struct":
        return f"Ty::Struct(&{ty[1]})"
    if ty[0] in ("Ptr", "Slice", "Map"):
        return f"Ty::{ty[0]}(&{rust_ty(ty[1])})"
    return f"Ty::{ty[0]}"


def rust_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def go_mod_version(root, module):
    with open(os.path.join(root, OPERATOR, "go.mod"), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0] == module:
                return parts[1]
    raise GenError(f"{module} not in the operator's go.mod")


def render(root):
    decls = load(root)
    resolver = Resolver(decls)
    kinds = []
    for api_version, kind, pkg in KINDS:
        key = (pkg, kind)
        resolver.struct(key)
        kinds.append((api_version, kind, resolver.static_name(key)))
    api = go_mod_version(root, "k8s.io/api")
    machinery = go_mod_version(root, "k8s.io/apimachinery")
    out = [
        "// @generated by tools/gen_typed/gen_typed.py: do not edit.",
        f"// Sources: k8s.io/api {api} (core/v1, apps/v1, batch/v1),",
        f"// k8s.io/apimachinery {machinery} (pkg/apis/meta/v1, pkg/types),",
        f"// {OPERATOR} {OPERATOR_COMMIT} (api/v1alpha1).",
        "",
        "use super::schema::{Field, GoStruct, Omit, Ty};",
        "",
        f'/// The k8s.io/api version the table was generated from.',
        f"pub const K8S_API_VERSION: &str = {rust_str(api)};",
        f'/// The k8s.io/apimachinery version the table was generated from.',
        f"pub const APIMACHINERY_VERSION: &str = {rust_str(machinery)};",
        f'/// The operator commit whose api/v1alpha1 the table was generated from.',
        f"pub const OPERATOR_COMMIT: &str = {rust_str(OPERATOR_COMMIT)};",
        "",
        "/// The kinds stored typed: (apiVersion, kind, Go type).",
        "pub static KINDS: &[(&str, &str, &GoStruct)] = &[",
    ]
    for api_version, kind, static in kinds:
        out.append(f"    ({rust_str(api_version)}, {rust_str(kind)}, &{static}),")
    out.append("];")
    for key in sorted(resolver.order, key=resolver.static_name):
        decl = decls[key]
        static = resolver.static_name(key)
        struct_type = decl.markers.get("structType", [None])[-1]
        out.append("")
        out.append(f"pub static {static}: GoStruct = GoStruct {{")
        out.append(f"    name: {rust_str(resolver.go_name(key))},")
        out.append(f"    package: {rust_str(key[0])},")
        out.append(f"    struct_type: {('Some(' + rust_str(struct_type) + ')') if struct_type else 'None'},")
        out.append("    fields: &[")
        for field in resolver.structs[key]:
            omit = {
                (False, False): "Omit::Never",
                (True, False): "Omit::Empty",
                (False, True): "Omit::Zero",
                (True, True): "Omit::EmptyOrZero",
            }[(field["omitempty"], field["omitzero"])]
            line = f"        Field::new({rust_str(field['json'])}, {rust_str(field['go'])}, {omit}, {rust_ty(field['ty'])})"
            markers = field["markers"]
            if "listType" in markers:
                line += f".list_type({rust_str(markers['listType'][-1])})"
            if "listMapKey" in markers:
                keys = ", ".join(rust_str(k) for k in markers["listMapKey"])
                line += f".list_map_keys(&[{keys}])"
            if "mapType" in markers:
                line += f".map_type({rust_str(markers['mapType'][-1])})"
            if "structType" in markers:
                line += f".struct_type({rust_str(markers['structType'][-1])})"
            if field["patch_strategy"]:
                line += f".patch_strategy({rust_str(field['patch_strategy'])})"
            if field["patch_merge_key"]:
                line += f".patch_merge_key({rust_str(field['patch_merge_key'])})"
            out.append(line + ",")
        out.append("    ],")
        out.append("};")
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    try:
        text = render(argv[1])
    except GenError as e:
        sys.stderr.write(f"gen_typed: {e}\n")
        return 1
    if len(argv) == 3:
        with open(argv[2], "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
