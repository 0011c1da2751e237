"""Write every statement the Neo4j backend can send as JSON for scripts/cypher-lint/lint.mjs.

Usage: python scripts/lib/cypher_statements.py OUT.json [--sent SENT.json] [--every-combination]
SENT.json holds the statements a test run really sent (tests/conftest.py records them when
REGISTRY_TEST_CYPHER_LOG is set): each must be one graph.neo4j_statements can produce, or
this fails naming it; they are linted too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from graph.neo4j_statements import neo4j_statements


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--sent", type=Path)
    parser.add_argument("--every-combination", action="store_true")
    args = parser.parse_args()
    rows = neo4j_statements(every_combination=args.every_combination)
    status = 0
    if args.sent is not None:
        sent = json.loads(args.sent.read_text(encoding="utf-8"))
        listed = {statement for _, statement in rows}
        possible = {statement for _, statement in neo4j_statements(every_combination=True)}
        unknown = [statement for statement in sent if statement not in possible]
        for statement in unknown:
            print(f"sent but not in graph/neo4j_statements.py:\n{statement}\n", file=sys.stderr)
        status = 1 if unknown else 0
        rows += [("sent by the test run", s) for s in sent if s not in listed]
        print(f"{len(sent)} statements sent by the test run, {len(unknown)} not listed")
    document = [{"name": name, "statement": statement} for name, statement in rows]
    args.out.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
