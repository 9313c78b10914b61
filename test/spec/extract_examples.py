#!/usr/bin/env python3
"""Extract every example request and response of the Images spec into one JSON file.

The C++ checker (spec_tool check-examples) reads the output; doing the YAML work here keeps
the C++ side free of a YAML parser. Sources, all in shared/spec/openai-images.openapi.yaml:

- requestBody.content.<type>.examples.<name>.value  (multipart and JSON edit bodies)
- x-oaiMeta.examples[].request.curl                 (-d '<json>' bodies and -F form fields)
- x-oaiMeta.examples[].response                     (JSON bodies, or event streams: one item
                                                     per "data:" line)
- components.schemas.<name>.x-oaiMeta.example       (ImagesResponse and the four events)

Output: a JSON array of {"id", "kind", and "json" or "fields"}, where kind is one of
generate_request, edit_json, edit_form, variation_form, images_response, image_event and
fields is a list of [name, value] pairs (file parts have value "@file").
"""
import argparse
import json
import re
import shlex
import sys

import yaml

FILE_FIELDS = {"image", "image[]", "mask"}


def curl_request(curl, path):
    """The body of a curl example: a JSON object (-d) or form fields (-F)."""
    tokens = shlex.split(curl.replace("\\\n", " "))
    body = None
    fields = []
    for i, tok in enumerate(tokens):
        if tok in ("-d", "--data") and i + 1 < len(tokens):
            body = json.loads(tokens[i + 1])
        elif tok in ("-F", "--form") and i + 1 < len(tokens):
            name, _, value = tokens[i + 1].partition("=")
            fields.append([name, "@file" if value.startswith("@") else value])
    if body is not None:
        return {"kind": "generate_request" if path == "/images/generations" else "edit_json",
                "json": body}
    if fields:
        return {"kind": "variation_form" if path == "/images/variations" else "edit_form",
                "fields": fields}
    raise SystemExit(f"{path}: curl example with neither -d nor -F: {curl[:80]!r}")


def response_items(text, where):
    text = text.strip()
    if text.startswith("{"):
        return [{"kind": "images_response", "json": json.loads(text), "id": where}]
    items = []
    for n, line in enumerate(text.splitlines()):
        if line.startswith("data:"):
            payload = line[len("data:"):].lstrip(" ")
            items.append({"kind": "image_event", "json": json.loads(payload),
                          "id": f"{where} data line {n + 1}"})
    if not items:
        raise SystemExit(f"{where}: response is neither JSON nor an event stream")
    return items


def extract(spec):
    out = []
    for path, item in spec["paths"].items():
        op = item["post"]
        for ctype, content in op.get("requestBody", {}).get("content", {}).items():
            for name, ex in content.get("examples", {}).items():
                where = f"paths.{path}.requestBody.{ctype}.examples.{name}"
                value = ex["value"]
                if ctype == "application/json":
                    kind = "edit_json" if path == "/images/edits" else "generate_request"
                    out.append({"id": where, "kind": kind, "json": value})
                else:
                    fields = [[k, "@file" if k in FILE_FIELDS else str(v)]
                              for k, v in value.items()]
                    kind = "variation_form" if path == "/images/variations" else "edit_form"
                    out.append({"id": where, "kind": kind, "fields": fields})
        examples = op.get("x-oaiMeta", {}).get("examples", [])
        if isinstance(examples, dict):
            examples = [examples]
        for n, ex in enumerate(examples):
            where = f"paths.{path}.x-oaiMeta.examples[{n}]"
            curl = ex.get("request", {}).get("curl")
            if curl:
                item = curl_request(curl, path)
                item["id"] = where + ".request.curl"
                out.append(item)
            if "response" in ex:
                out.extend(response_items(ex["response"], where + ".response"))
    for name, schema in spec["components"]["schemas"].items():
        example = schema.get("x-oaiMeta", {}).get("example")
        if example is None:
            continue
        where = f"components.schemas.{name}.x-oaiMeta.example"
        kind = "images_response" if name == "ImagesResponse" else "image_event"
        out.append({"id": where, "kind": kind, "json": json.loads(example)})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    with open(args.spec, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    items = extract(spec)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(items, f, indent=1)
    kinds = {}
    for it in items:
        kinds[it["kind"]] = kinds.get(it["kind"], 0) + 1
    print(f"extracted {len(items)} examples: {kinds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
