#!/usr/bin/env python3
"""The public API of the `enumeter` crate, one item per line, from rustdoc's
JSON output: every public path a user can name (modules, types, traits,
functions, constants, fields, variants, methods and trait impls), with
signatures. `runtime/public-api.txt` holds the listing of the last
deliberate change; CI regenerates it and fails on any difference, so that a
change to the public surface is always a reviewed one.

    scripts/public_api.py            # print the listing
    scripts/public_api.py --check    # compare with runtime/public-api.txt
    scripts/public_api.py --write    # update runtime/public-api.txt

Needs rustdoc's JSON output, an unstable option of the stable toolchain
(RUSTC_BOOTSTRAP=1 enables it for this one command). Items hidden from the
docs (`#[doc(hidden)]`, such as `__private`, which only generated code
names) are not listed.
"""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LISTING = os.path.join(ROOT, "runtime", "public-api.txt")


def rustdoc_json():
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    subprocess.run(
        ["cargo", "rustdoc", "-q", "-p", "enumeter", "--all-features", "--",
         "-Z", "unstable-options", "--output-format", "json"],
        cwd=ROOT, env=env, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    with open(os.path.join(target, "doc", "enumeter.json")) as f:
        return json.load(f)


class Api:
    def __init__(self, doc):
        self.index = doc["index"]
        self.paths = doc["paths"]
        self.lines = set()
        self.seen = set()
        self.root = str(doc["root"])

    def item(self, id_):
        return self.index.get(str(id_))

    @staticmethod
    def hidden(item):
        return "hidden" in json.dumps(item.get("attrs", []))

    def ty(self, t):
        if t is None:
            return "()"
        (kind, v), = t.items()
        if kind == "primitive":
            return v
        if kind == "generic":
            return v
        if kind == "resolved_path":
            return self.name(v) + self.args(v.get("args"))
        if kind == "borrowed_ref":
            lifetime = (v["lifetime"] + " ") if v.get("lifetime") else ""
            mutable = "mut " if v["is_mutable"] else ""
            return f"&{lifetime}{mutable}{self.ty(v['type'])}"
        if kind == "slice":
            return f"[{self.ty(v)}]"
        if kind == "array":
            return f"[{self.ty(v['type'])}; {v['len']}]"
        if kind == "tuple":
            return "(" + ", ".join(self.ty(x) for x in v) + ")"
        if kind == "raw_pointer":
            return ("*mut " if v["is_mutable"] else "*const ") + self.ty(v["type"])
        if kind == "impl_trait":
            return "impl " + " + ".join(self.bound(b) for b in v)
        if kind == "dyn_trait":
            traits = [self.name(p["trait"]) + self.args(p["trait"].get("args")) for p in v["traits"]]
            if v.get("lifetime"):
                traits.append(v["lifetime"])
            return "dyn " + " + ".join(traits)
        if kind == "qualified_path":
            trait = v.get("trait")
            trait = trait["path"] if trait else "?"
            return f"<{self.ty(v['self_type'])} as {trait}>::{v['name']}"
        if kind == "function_pointer":
            sig = v["sig"]
            inputs = ", ".join(self.ty(t) for _, t in sig["inputs"])
            return f"fn({inputs}) -> {self.ty(sig.get('output'))}"
        if kind == "infer":
            return "_"
        return kind

    def args(self, args):
        if not args:
            return ""
        if "angle_bracketed" in args:
            ab = args["angle_bracketed"]
            parts = []
            for a in ab.get("args", []):
                (k, v), = a.items()
                if k == "lifetime":
                    parts.append(v)
                elif k == "type":
                    parts.append(self.ty(v))
                elif k == "const":
                    parts.append(v.get("expr", "?"))
                else:
                    parts.append("_")
            for c in ab.get("constraints", []):
                binding = c.get("binding", {})
                if "equality" in binding:
                    eq = binding["equality"]
                    value = self.ty(eq["type"]) if "type" in eq else str(eq)
                    parts.append(f"{c['name']} = {value}")
            return "<" + ", ".join(parts) + ">" if parts else ""
        if "parenthesized" in args:
            p = args["parenthesized"]
            inputs = ", ".join(self.ty(t) for t in p["inputs"])
            return f"({inputs}) -> {self.ty(p.get('output'))}"
        return ""

    def name(self, path):
        """A path to an item: this crate's items by their name, as
        rustdoc's pages show and link them, rather than by the path the code
        named them by (generated code names `::enumeter::__private::...`,
        the crate's own code `crate::cells::...`)."""
        known = self.paths.get(str(path.get("id")))
        return known["path"][-1] if known and known.get("crate_id") == 0 else path["path"]

    def bound(self, b):
        if "trait_bound" in b:
            t = b["trait_bound"]["trait"]
            return self.name(t) + self.args(t.get("args"))
        if "outlives" in b:
            return b["outlives"]
        return "?"

    def generics(self, g):
        params = []
        for p in g.get("params", []):
            (k, v), = p["kind"].items()
            if k == "lifetime":
                params.append(p["name"])
            elif k == "type":
                if v.get("is_synthetic"):
                    continue
                bounds = " + ".join(self.bound(b) for b in v.get("bounds", []))
                params.append(p["name"] + (f": {bounds}" if bounds else ""))
            elif k == "const":
                params.append(f"const {p['name']}: {self.ty(v['type'])}")
        return "<" + ", ".join(params) + ">" if params else ""

    def fn_sig(self, name, f):
        sig = f["sig"]
        inputs = ", ".join(
            n if n == "self" else f"{n}: {self.ty(t)}" for n, t in sig["inputs"])
        header = f["header"]
        const = "const " if header.get("is_const") else ""
        out = sig.get("output")
        ret = f" -> {self.ty(out)}" if out else ""
        return f"{const}fn {name}{self.generics(f['generics'])}({inputs}){ret}"

    def add(self, line):
        self.lines.add(line)

    def walk(self, id_, path):
        item = self.item(id_)
        if item is None or self.hidden(item):
            return
        key = (str(id_), path)
        if key in self.seen:
            return
        self.seen.add(key)
        (kind, inner), = item["inner"].items()
        if kind == "module":
            self.add(f"pub mod {path}")
            for child in inner["items"]:
                self.child(child, path)
        elif kind == "use":
            target = inner.get("id")
            name = inner["name"]
            if target is not None and str(target) in self.index:
                if inner.get("is_glob"):
                    for child in self.item(target)["inner"]["module"]["items"]:
                        self.child(child, path.rsplit("::", 1)[0])
                else:
                    self.walk(target, path)
            else:
                self.add(f"pub use {path} = {inner['source']}")
        elif kind == "struct":
            self.add(f"pub struct {path}{self.generics(inner['generics'])}"
                     + self.nonexhaustive(item))
            # A unit struct's kind is the string "unit": no fields.
            shape = inner["kind"]
            fields = shape.get("plain", {}).get("fields", []) if isinstance(shape, dict) else []
            for field in fields:
                fi = self.item(field)
                if fi and fi["visibility"] == "public" and not self.hidden(fi):
                    self.add(f"pub {path}::{fi['name']}: {self.ty(fi['inner']['struct_field'])}")
            self.impls(inner["impls"], path)
        elif kind == "enum":
            self.add(f"pub enum {path}{self.generics(inner['generics'])}" + self.nonexhaustive(item))
            for variant in inner["variants"]:
                vi = self.item(variant)
                if vi and not self.hidden(vi):
                    self.add(f"pub {path}::{vi['name']}" + self.variant(vi))
            self.impls(inner["impls"], path)
        elif kind == "union":
            self.add(f"pub union {path}")
        elif kind == "trait":
            self.add(f"pub trait {path}{self.generics(inner['generics'])}")
            for member in inner["items"]:
                self.member(member, path)
        elif kind == "function":
            self.add(f"pub {self.fn_sig(path, inner)}")
        elif kind == "constant":
            self.add(f"pub const {path}: {self.ty(inner['type'])}")
        elif kind == "static":
            self.add(f"pub static {path}: {self.ty(inner['type'])}")
        elif kind == "type_alias":
            self.add(f"pub type {path}{self.generics(inner['generics'])} = {self.ty(inner['type'])}")
        elif kind in ("macro", "proc_macro"):
            self.add(f"pub macro {path}")
        else:
            self.add(f"pub {kind} {path}")

    @staticmethod
    def nonexhaustive(item):
        return " #[non_exhaustive]" if "non_exhaustive" in json.dumps(item.get("attrs", [])) else ""

    def variant(self, vi):
        kind = vi["inner"]["variant"]["kind"]
        if kind == "plain":
            return ""
        if "tuple" in kind:
            types = []
            for field in kind["tuple"]:
                fi = self.item(field) if field is not None else None
                types.append(self.ty(fi["inner"]["struct_field"]) if fi else "_")
            return "(" + ", ".join(types) + ")"
        if "struct" in kind:
            fields = []
            for field in kind["struct"]["fields"]:
                fi = self.item(field)
                fields.append(f"{fi['name']}: {self.ty(fi['inner']['struct_field'])}")
            return " { " + ", ".join(fields) + " }"
        return ""

    def child(self, child, path):
        ci = self.item(child)
        if ci is None or self.hidden(ci):
            return
        if ci["visibility"] != "public":
            return
        name = ci.get("name") or ci["inner"].get("use", {}).get("name")
        if name is None:
            return
        if "use" in ci["inner"] and ci["inner"]["use"].get("is_glob"):
            self.walk(child, f"{path}::*")
            return
        self.walk(child, f"{path}::{name}")

    def member(self, member, path):
        mi = self.item(member)
        if mi is None or self.hidden(mi):
            return
        (k, v), = mi["inner"].items()
        if k == "function":
            self.add(f"pub {self.fn_sig(path + '::' + mi['name'], v)}")
        elif k == "assoc_const":
            self.add(f"pub const {path}::{mi['name']}: {self.ty(v['type'])}")
        elif k == "assoc_type":
            self.add(f"pub type {path}::{mi['name']}")

    def impls(self, impl_ids, path):
        for impl_id in impl_ids:
            ii = self.item(impl_id)
            if ii is None or self.hidden(ii):
                continue
            impl = ii["inner"]["impl"]
            if impl.get("is_synthetic") or impl.get("blanket_impl"):
                continue
            trait = impl.get("trait")
            if trait is not None:
                trait_path = trait["path"] + self.args(trait.get("args"))
                # Trait impls of the crate's own traits and of std's: their
                # presence is API (Send, Clone, Debug ...), their items are
                # the trait's.
                self.add(f"impl {trait_path} for {path}{self.generics(impl['generics'])}")
                continue
            for member in impl["items"]:
                mi = self.item(member)
                if mi and mi["visibility"] == "public":
                    self.member(member, path)


def listing():
    doc = rustdoc_json()
    api = Api(doc)
    root = api.item(api.root)
    for child in root["inner"]["module"]["items"]:
        api.child(child, "enumeter")
    return "".join(line + "\n" for line in sorted(api.lines))


def main():
    text = listing()
    if "--write" in sys.argv:
        with open(LISTING, "w") as f:
            f.write(text)
        print(f"wrote {LISTING}: {text.count(chr(10))} items")
    elif "--check" in sys.argv:
        with open(LISTING) as f:
            old = f.read()
        if old == text:
            print(f"public API unchanged: {text.count(chr(10))} items")
            return
        import difflib
        sys.stdout.writelines(difflib.unified_diff(
            old.splitlines(True), text.splitlines(True),
            "runtime/public-api.txt", "the public API now"))
        print("\nThe public API changed: if that is deliberate, run "
              "scripts/public_api.py --write and commit runtime/public-api.txt.",
              file=sys.stderr)
        sys.exit(1)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
