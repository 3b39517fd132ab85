#!/usr/bin/env python3
"""Generates src/world/ssa_schema.rs: the server-side-apply shape of the built-in
kinds the operator writes, read from the Go sources of k8s.io/api and
k8s.io/apimachinery (the versions the operator's go.mod pins).

What it reads, per struct field: the json name (inline embeds flattened), the Go
type, and the markers the published OpenAPI carries as extensions and that
structured-merge-diff turns into its schema:
  +listType=atomic|set|map, +listMapKey=K   -> x-kubernetes-list-type / -map-keys
  +mapType=atomic|granular                  -> x-kubernetes-map-type
  +structType=atomic (on the type)          -> x-kubernetes-map-type on the struct
  +default=...  (on a list-map key field)   -> the key's default (protocol "TCP")
  patchStrategy:"merge" patchMergeKey:"K"   -> without a +listType marker, a map
                                               list keyed by K (or a set without
                                               a key), as kube-openapi's schemaconv does
Named Go types that are not structs, slices or maps (strings, ints, Quantity,
Time, IntOrString, ...) are scalars; RawExtension is deduced.

Usage: gen_ssa_schema.py API_GIT_DIR APIMACHINERY_GIT_DIR [--rev v0.35.0] [--check FILE]
The git directories may be bare (read with `git show REV:PATH`).
"""

import json
import re
import subprocess
import sys

ROOTS = [
    ("apps/v1", "StatefulSet", "apps/v1", "StatefulSet"),
    ("v1", "Service", "core/v1", "Service"),
    ("v1", "PersistentVolumeClaim", "core/v1", "PersistentVolumeClaim"),
    ("v1", "Pod", "core/v1", "Pod"),
    ("batch/v1", "Job", "batch/v1", "Job"),
]

# package path -> (repo key, file paths)
PACKAGES = {
    "core/v1": ("api", ["core/v1/types.go"]),
    "apps/v1": ("api", ["apps/v1/types.go"]),
    "batch/v1": ("api", ["batch/v1/types.go"]),
    "meta/v1": ("apimachinery", ["pkg/apis/meta/v1/types.go"]),
}
IMPORT_PATHS = {
    "k8s.io/api/core/v1": "core/v1",
    "k8s.io/api/apps/v1": "apps/v1",
    "k8s.io/api/batch/v1": "batch/v1",
    "k8s.io/apimachinery/pkg/apis/meta/v1": "meta/v1",
}
DEDUCED_TYPES = {"runtime.RawExtension", "meta/v1.FieldsV1"}
# meta/v1 types defined outside types.go, all scalars in the OpenAPI.
SCALAR_TYPES = {"meta/v1.Time", "meta/v1.MicroTime", "meta/v1.Duration"}


def git_show(git_dir, rev, path):
    return subprocess.run(
        ["git", "-C", git_dir, "show", f"{rev}:{path}"],
        check=True, capture_output=True, text=True,
    ).stdout


FIELD_RE = re.compile(r"^\s*(?:(\w+)\s+)?(\S+)\s+`([^`]*)`")
TAG_RE = re.compile(r'(\w+):"([^"]*)"')


def parse_package(source):
    """Returns (imports alias->pkg, types name->def)."""
    imports = {}
    for alias, path in re.findall(r'^\s*(\w+)?\s*"([^"]+)"\s*$', source, re.M):
        pkg = IMPORT_PATHS.get(path)
        name = alias or path.rsplit("/", 1)[-1]
        imports[name] = pkg or path.rsplit("/", 1)[-1]
    types = {}
    lines = source.split("\n")
    comments = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("//"):
            comments.append(stripped)
            i += 1
            continue
        m = re.match(r"^type (\w+) struct \{\s*$", line)
        if m:
            name = m.group(1)
            atomic = "// +structType=atomic" in comments
            fields = []
            field_comments = []
            i += 1
            while not lines[i].startswith("}"):
                fl = lines[i].strip()
                if fl.startswith("//"):
                    field_comments.append(fl)
                elif fl:
                    fm = FIELD_RE.match(fl)
                    if fm:
                        tags = dict(TAG_RE.findall(fm.group(3)))
                        fields.append((fm.group(1), fm.group(2), tags, field_comments))
                    field_comments = []
                else:
                    field_comments = []
                i += 1
            types[name] = ("struct", atomic, fields)
            comments = []
            i += 1
            continue
        m = re.match(r"^type (\w+) (\[\]|map\[[\w\.]+\])?([\w\.\*]+)\s*$", line)
        if m:
            name, container, elem = m.groups()
            types[name] = ("named", container or "", elem, list(comments))
        comments = []
        i += 1
    return imports, types


def markers(comments, name):
    prefix = f"// +{name}="
    return [c[len(prefix):] for c in comments if c.startswith(prefix)]


class Generator:
    def __init__(self, sources):
        self.packages = {}
        for pkg, texts in sources.items():
            imports, types = {}, {}
            for text in texts:
                im, ty = parse_package(text)
                imports.update(im)
                types.update(ty)
            self.packages[pkg] = (imports, types)
        self.defs = [("Scalar", "TypeKind::Scalar")]
        self.named = {}

    def qualify(self, pkg, name):
        if "." in name:
            alias, base = name.split(".", 1)
            return self.packages[pkg][0].get(alias, alias), base
        return pkg, name

    def add(self, label, body):
        """An anonymous list or map type; identical shapes share one entry."""
        for index, (_, existing) in enumerate(self.defs):
            if existing == body:
                return index
        self.defs.append((label, body))
        return len(self.defs) - 1

    def type_ref(self, pkg, gotype, comments, tags):
        """The type id of a field's Go type with the field's markers."""
        gotype = gotype.lstrip("*")
        if gotype.startswith("[]"):
            if gotype == "[]byte":
                return 0
            elem = self.type_ref(pkg, gotype[2:], [], {})
            return self.add(f"list {gotype}", self.list_kind(elem, comments, tags))
        m = re.match(r"^map\[[\w\.]+\](.+)$", gotype)
        if m:
            elem = self.type_ref(pkg, m.group(1), [], {})
            atomic = "atomic" in markers(comments, "mapType")
            return self.add(f"map {gotype}", f"TypeKind::Map {{ elem: {elem}, atomic: {rust_bool(atomic)} }}")
        return self.named_type(pkg, gotype, comments, tags)

    def list_kind(self, elem, comments, tags):
        list_type = (markers(comments, "listType") or [None])[0]
        keys = markers(comments, "listMapKey")
        if list_type is None and tags.get("patchStrategy", "") == "merge":
            merge_key = tags.get("patchMergeKey")
            list_type, keys = ("map", [merge_key]) if merge_key else ("set", [])
        if list_type == "map":
            keys_rs = ", ".join(f'"{k}"' for k in keys)
            kind = f"ListType::Map(&[{keys_rs}])"
        elif list_type == "set":
            kind = "ListType::Set"
        else:
            kind = "ListType::Atomic"
        return f"TypeKind::List {{ elem: {elem}, list: {kind} }}"

    def named_type(self, pkg, gotype, comments, tags):
        tpkg, name = self.qualify(pkg, gotype)
        full = f"{tpkg}.{name}"
        if full in DEDUCED_TYPES:
            return "DEDUCED"
        if full in SCALAR_TYPES or tpkg not in self.packages or name not in self.packages[tpkg][1]:
            return 0
        definition = self.packages[tpkg][1][name]
        if definition[0] == "named":
            _, container, elem, type_comments = definition
            if not container:
                return self.named_type(tpkg, elem, comments, tags) if "." in elem else 0
            return self.type_ref(tpkg, container + elem, comments + type_comments, tags)
        if full in self.named:
            return self.named[full]
        self.defs.append((full, None))
        index = len(self.defs) - 1
        self.named[full] = index
        _, atomic, fields = definition
        out = []
        for fpkg, fname, ftype, ftags, fcomments in self.flatten(tpkg, fields):
            ty = self.type_ref(fpkg, ftype, fcomments, ftags)
            default = (markers(fcomments, "default") or [None])[0]
            if default is not None and not is_json(default):
                default = None
            default_rs = "None" if default is None else f"Some({rust_str(default)})"
            out.append(f'Field {{ name: "{fname}", ty: {ty}, default: {default_rs} }}')
        fields_rs = "".join(f"\n            {f}," for f in out)
        body = f"TypeKind::Struct {{\n        atomic: {rust_bool(atomic)},\n        fields: &[{fields_rs}\n        ],\n    }}"
        self.defs[index] = (full, body)
        return index

    def flatten(self, pkg, fields):
        """(package, json name, Go type, tags, comments) of each field; embedded structs
        without a json name (`json:",inline"`) contribute their own fields."""
        for gname, gotype, tags, comments in fields:
            json_tag = tags.get("json", "")
            jname = json_tag.split(",")[0]
            if jname == "-":
                continue
            if not jname:
                tpkg, name = self.qualify(pkg, gotype.lstrip("*"))
                definition = self.packages.get(tpkg, ({}, {}))[1].get(name)
                if definition and definition[0] == "struct":
                    yield from self.flatten(tpkg, definition[2])
                continue
            yield pkg, jname, gotype, tags, comments

    def render(self, versions):
        roots = []
        for api_version, kind, pkg, name in ROOTS:
            roots.append((api_version, kind, self.named_type(pkg, name, [], {})))
        out = [
            "//! Generated by tools/gen_ssa_schema.py from the Go sources of",
            f"//! {versions}: the server-side-apply shape (list",
            "//! types and keys, map and struct atomicity, key defaults) of the built-in kinds the",
            "//! operator writes. Do not edit; regenerate.",
            "",
            "use super::schema_types::{Field, ListType, Root, TypeDef, TypeKind, DEDUCED};",
            "",
            "pub(super) static ROOTS: &[Root] = &[",
        ]
        for api_version, kind, ty in roots:
            out.append(f'    Root {{ api_version: "{api_version}", kind: "{kind}", ty: {ty} }},')
        out.append("];")
        out.append("")
        out.append("pub(super) static TYPES: &[TypeDef] = &[")
        for index, (label, body) in enumerate(self.defs):
            out.append(f"    // {index}: {label}")
            out.append(f"    TypeDef({body}),")
        out.append("];")
        return "\n".join(out) + "\n"


def is_json(text):
    try:
        json.loads(text)
        return True
    except ValueError:
        return False


def rust_bool(b):
    return "true" if b else "false"


def rust_str(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(argv):
    args = argv[1:]
    rev = "v0.35.0"
    check = None
    if "--rev" in args:
        i = args.index("--rev")
        rev = args[i + 1]
        del args[i:i + 2]
    if "--check" in args:
        i = args.index("--check")
        check = args[i + 1]
        del args[i:i + 2]
    repos = {"api": args[0], "apimachinery": args[1]}
    sources = {
        pkg: [git_show(repos[repo], rev, path) for path in paths]
        for pkg, (repo, paths) in PACKAGES.items()
    }
    text = Generator(sources).render(f"k8s.io/api {rev} and k8s.io/apimachinery {rev}")
    if check:
        with open(check) as f:
            if f.read() != text:
                sys.exit(f"{check} differs from the regenerated table")
        return
    sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv)
