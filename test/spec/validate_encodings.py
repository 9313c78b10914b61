#!/usr/bin/env python3
"""Validate what our encoders write against the schemas of the shared OpenAPI spec.

Runs `spec_tool corpus`, which prints one JSON object per line:
  {"name", "schema", "body"}                 a JSON body (requests, responses, events, errors)
  {"name", "schema", "form", "files"}        a multipart body: text fields and file part names
and checks each against components.schemas[schema]:

1. JSON Schema validation (Draft 2020-12, which OpenAPI 3.1 schemas follow). The spec still
   carries the OpenAPI 3.0 keyword `nullable: true` in places; it is rewritten to the 3.1 form
   (a "null" type, enum value or anyOf branch). Multipart text fields are typed first from the
   schema (integer and boolean properties), as a server would; file parts become strings.
2. Every member we write is a property the schema declares (the schemas allow extra members,
   so a misspelt wire name would otherwise pass).
3. Coverage: across the corpus every declared property of each request schema is written at
   least once (CreateImageEditRequest's `moderation` aside: the multipart schema lacks it).

An entry with "expect_schema_error": "<property>" documents a known gap between the spec's
prose and its schema: it must fail, and only at that property.

Negative controls make sure the validator is not vacuous.
"""
import argparse
import copy
import json
import subprocess
import sys

import jsonschema
import yaml

REQUEST_SCHEMAS = ["CreateImageRequest", "EditImageBodyJsonParam", "CreateImageEditRequest",
                   "CreateImageVariationRequest"]
NOT_COVERED = {("CreateImageEditRequest", "moderation")}


def openapi30_nullable_to_31(node):
    if isinstance(node, dict):
        node = {k: openapi30_nullable_to_31(v) for k, v in node.items()}
        if node.pop("nullable", False):
            if "type" in node:
                t = node["type"]
                node["type"] = (t if isinstance(t, list) else [t]) + ["null"]
                if "enum" in node:
                    node["enum"] = node["enum"] + [None]
            elif "anyOf" in node:
                node["anyOf"] = node["anyOf"] + [{"type": "null"}]
            elif "$ref" in node:
                node = {"anyOf": [{"$ref": node.pop("$ref")}, {"type": "null"}], **node}
        return node
    if isinstance(node, list):
        return [openapi30_nullable_to_31(v) for v in node]
    return node


class Spec:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            raw = yaml.safe_load(f)
        self.components = openapi30_nullable_to_31(raw["components"])
        self.schemas = self.components["schemas"]

    def validator(self, name):
        root = {"$ref": f"#/components/schemas/{name}", "components": self.components}
        return jsonschema.Draft202012Validator(root)

    def resolve(self, schema):
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def branches(self, schema):
        """The schema and its anyOf/oneOf alternatives, resolved."""
        schema = self.resolve(schema)
        out = [schema]
        for key in ("anyOf", "oneOf", "allOf"):
            for alt in schema.get(key, []):
                out.extend(self.branches(alt))
        return out

    def property_types(self, schema):
        types = set()
        for b in self.branches(schema):
            t = b.get("type")
            types.update(t if isinstance(t, list) else [t] if t else [])
        return types

    def undeclared(self, instance, schema, path=""):
        """Members of `instance` that the schema does not declare, as JSON paths."""
        found = []
        if isinstance(instance, dict):
            props = None
            for b in self.branches(schema):
                if "properties" in b:
                    props = b["properties"]
                    break
            if props is None:
                return found
            for key, value in instance.items():
                where = f"{path}.{key}" if path else key
                if key not in props:
                    found.append(where)
                else:
                    found.extend(self.undeclared(value, props[key], where))
        elif isinstance(instance, list):
            for b in self.branches(schema):
                if "items" in b:
                    for i, value in enumerate(instance):
                        found.extend(self.undeclared(value, b["items"], f"{path}[{i}]"))
                    break
        return found


def form_to_instance(spec, schema_name, form, files):
    props = spec.resolve(spec.schemas[schema_name])["properties"]
    inst = {}
    for name, value in form:
        if name not in props:
            inst[name] = value  # reported as undeclared
            continue
        types = spec.property_types(props[name])
        if "integer" in types:
            inst[name] = int(value)
        elif "boolean" in types:
            if value not in ("true", "false"):
                raise ValueError(f"{name}: boolean field sent as {value!r}")
            inst[name] = value == "true"
        else:
            inst[name] = value
    image_parts = [f for f in files if f == "image[]"]
    if image_parts:
        inst["image"] = ["<binary>"] * len(image_parts)
    for f in files:
        if f in ("image", "mask"):
            inst[f] = "<binary>"
    return inst


def check_entry(spec, entry, coverage):
    schema = entry["schema"]
    if "form" in entry:
        inst = form_to_instance(spec, schema, entry["form"], entry["files"])
    else:
        inst = entry["body"]
    errors = sorted(spec.validator(schema).iter_errors(inst), key=lambda e: list(e.path))
    problems = []
    expected = entry.get("expect_schema_error")
    if expected:
        where = {str(e.path[0]) if e.path else "" for e in errors}
        if where != {expected}:
            problems.append(f"expected a schema error at {expected!r} only, got {sorted(where)}")
    else:
        problems += [f"{'/'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in errors]
    problems += [f"{p}: not declared by {schema}" for p in spec.undeclared(inst, spec.schemas[schema])]
    if isinstance(inst, dict):
        coverage.setdefault(schema, set()).update(inst.keys())
    return problems


def negative_controls(spec):
    bad = [
        ("CreateImageRequest", {"prompt": 5}),
        ("CreateImageRequest", {"n": 1}),  # prompt missing
        ("CreateImageRequest", {"prompt": "p", "n": 11}),
        ("CreateImageRequest", {"prompt": "p", "quality": "ultra"}),
        ("EditImageBodyJsonParam", {"prompt": "p", "images": [{"image_url": "u", "file_id": "f"}]}),
        ("EditImageBodyJsonParam", {"prompt": "p", "images": []}),
        ("ImagesResponse", {"created": "yesterday"}),
        ("ImageGenCompletedEvent", {"type": "image_generation.completed"}),
        ("ErrorResponse", {"error": {"message": "m"}}),
    ]
    problems = []
    for schema, inst in bad:
        if not list(spec.validator(schema).iter_errors(inst)):
            problems.append(f"negative control accepted by {schema}: {json.dumps(inst)}")
    if not spec.undeclared({"prompt": "p", "promt": "x"}, spec.schemas["CreateImageRequest"]):
        problems.append("negative control: a misspelt member was not reported")
    # The nullable rewrite is in effect: an explicit null is fine where the spec allows it.
    if list(spec.validator("CreateImageRequest").iter_errors({"prompt": "p", "size": None})):
        problems.append("nullable rewrite not applied to CreateImageRequest.size")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", required=True)
    ap.add_argument("--tool", required=True, help="path of spec_tool")
    args = ap.parse_args()
    spec = Spec(args.spec)

    run = subprocess.run([args.tool, "corpus"], capture_output=True, text=True)
    failures = []
    entries = []
    for line in run.stdout.splitlines():
        if line.startswith("{"):
            entries.append(json.loads(line))
        elif line.strip():
            failures.append(f"spec_tool: {line}")
    if run.returncode != 0:
        failures.append(f"spec_tool corpus exited with {run.returncode}: {run.stderr.strip()}")

    coverage = {}
    for entry in entries:
        problems = check_entry(spec, entry, coverage)
        status = "ok  " if not problems else "FAIL"
        print(f"{status} {entry['schema']}: {entry['name']}")
        failures += [f"{entry['name']}: {p}" for p in problems]

    for schema in REQUEST_SCHEMAS:
        declared = set(spec.resolve(spec.schemas[schema])["properties"])
        missing = {p for p in declared - coverage.get(schema, set()) if (schema, p) not in NOT_COVERED}
        if missing:
            failures.append(f"coverage: {schema} properties never written: {sorted(missing)}")

    failures += negative_controls(spec)
    if len(entries) < 30:
        failures.append(f"only {len(entries)} corpus entries")

    for f in failures:
        print("FAIL", f)
    print(f"{len(entries)} encodings checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
