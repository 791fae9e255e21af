"""Validate every JSON file of a Power BI project against Microsoft's published JSON schemas,
offline: the copies in tests/fixtures/powerbi-schemas (PROVENANCE.md there).

Usage: python3 pbip_schemas.py SCHEMA_DIR PROJECT_DIR
Prints one line per file checked and exits 1 if any fails (each failure with its path).
"""
import json
import pathlib
import sys

import jsonschema
from referencing import Registry, Resource

BASE = "https://developer.microsoft.com/json-schemas/"
schemas, project = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
resources = []
for f in schemas.rglob("*.json"):
    uri = BASE + f.relative_to(schemas).as_posix()
    resources.append((uri, Resource.from_contents(json.loads(f.read_text(encoding="utf-8")))))
registry = Registry().with_resources(resources)

failed = 0
checked = 0
for f in sorted(project.rglob("*")):
    if f.suffix not in (".json", ".pbip", ".pbism", ".pbir") or not f.is_file():
        continue
    doc = json.loads(f.read_text(encoding="utf-8"))
    uri = doc.get("$schema", "")
    if not uri.startswith(BASE):
        print(f"FAIL {f}: no published $schema ({uri!r})")
        failed += 1
        continue
    schema = registry.contents(uri)
    validator = jsonschema.Draft7Validator(schema, registry=registry)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    checked += 1
    for e in errors[:5]:
        print(f"FAIL {f.relative_to(project)}: {'/'.join(map(str, e.path))}: {e.message[:300]}")
    if errors:
        failed += 1
    else:
        print(f"ok   {f.relative_to(project)} ({uri[len(BASE):]})")
print(f"{checked} file(s) checked, {failed} failed")
sys.exit(1 if failed or not checked else 0)
