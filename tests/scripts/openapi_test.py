#!/usr/bin/env python3
"""docs/openapi.yaml is the API's document for clients and tools: it must load as YAML (a plain
scalar holding ": " once made it unreadable to every OpenAPI tool while it read fine as text),
and every operation must say what it answers."""
import sys
from pathlib import Path

import yaml

METHODS = {"get", "head", "post", "put", "patch", "delete", "options"}


def resolve(doc, ref: str):
    """The object a local `#/a/b` reference names, or None."""
    if not ref.startswith("#/"):
        return None
    node = doc
    for part in ref[2:].split("/"):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def main() -> int:
    path = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        print(f"openapi_test: {path.name} is not valid YAML: {e}", file=sys.stderr)
        return 1
    problems = []
    if not str(doc.get("openapi", "")).startswith("3."):
        problems.append("no `openapi: 3.x` version")
    paths = doc.get("paths") or {}
    if not paths:
        problems.append("no paths")
    for route, item in paths.items():
        if not route.startswith("/"):
            problems.append(f"{route}: a path must start with /")
        operations = {m: op for m, op in (item or {}).items() if m in METHODS}
        if not operations:
            problems.append(f"{route}: no operation")
        for method, op in operations.items():
            responses = (op or {}).get("responses") or {}
            if not responses:
                problems.append(f"{method.upper()} {route}: no responses")
            for code, response in responses.items():
                if not isinstance(code, str):
                    problems.append(f"{method.upper()} {route}: response code {code!r} must be quoted")
                if isinstance(response, dict) and "$ref" in response:
                    response = resolve(doc, response["$ref"])
                    if response is None:
                        problems.append(f"{method.upper()} {route} {code}: $ref to nothing")
                        continue
                if not isinstance(response, dict) or not isinstance(response.get("description"), str):
                    problems.append(f"{method.upper()} {route} {code}: no description")
    for p in problems:
        print(f"openapi_test: {p}", file=sys.stderr)
    if not problems:
        print(f"openapi_test: {len(paths)} paths, every operation with its responses")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
