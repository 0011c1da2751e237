"""Status timelines in Cypher: the step of a record's history in force on a day.

Certificates, accreditations and institutions keep their status steps as ``StatusChange``
nodes (``HAS_STATUS``), each with its effective date and the ``seq`` of the change that
recorded it. The step in force on a day is the latest by (effectiveOn, seq) on or before it.

Filters cannot walk a history for every row (FalkorDB evaluates pattern comprehensions only
in projections, and a traversal per row is slow), so every write also keeps on the node:
- the step in force on the day of the write (``status``, ``statusSince``) and the day the
  next one takes effect (``statusUntil``, ``NO_NEXT`` when none): inside that window the
  cache is the answer;
- the compact timeline (``stepOn``, ``stepSeq``, ``stepStatus``, parallel lists): outside
  it (a step scheduled ahead has taken effect since, or an older day is asked), the answer.
  It leaves out the steps a final step superseded (``registry.domain.timeline.ordered``).
So a step dated ahead takes effect on its date with no job to run for reads; the documents
that exports carry learn it from the new day's ``IN_FORCE`` write. A certificate issued with
its one step keeps no lists (three lists on each of a million certificates were ~140 MB):
its status is the answer on every day, before the step too, as the lists would give it.
"""

from __future__ import annotations

from graph.cypher.changes import logged
from graph.models import FINAL_STATUSES, ISSUED_REASON, NO_NEXT_STEP

__all__ = [
    "DUE_IN_FORCE",
    "IN_FORCE",
    "NO_NEXT",
    "STILL_DUE",
    "UPGRADE",
    "UPGRADED",
    "UPGRADE_DONE",
    "changed_steps",
    "history",
    "later_history",
    "refresh",
    "scope_has",
    "status_in",
    "status_on",
]

NO_NEXT = NO_NEXT_STEP.isoformat()
NO_WINDOW = "0001-01-01"  # a ``statusUntil`` before any day: the cache is never the answer

_FINAL = "[" + ", ".join(f"'{status}'" for status in sorted(FINAL_STATUSES)) + "]"
_LATER = "size(best) = 0 OR {on} > best[0] OR ({on} = best[0] AND {seq} > best[1])"


def history(node: str) -> str:
    """An expression: every step of ``node``'s history, as maps of StatusChange's columns
    (a projection: FalkorDB takes pattern comprehensions there only). Each node's steps get
    an alias of their own: FalkorDB 4.16 answers [] for the second of two comprehensions in
    one projection that share an alias."""
    step = f"{node}Step"
    return f"[({node})-[:HAS_STATUS]->({step}:StatusChange) | {_step_map(step)}]"


def _step_map(alias: str) -> str:
    return (
        f"{alias} {{.number, .status, .reason, .effectiveOn, .recordedAt, .actor, .seq, "
        ".scopeAdded, .scopeRemoved}"
    )


def changed_steps(holder: str) -> str:
    """An expression: every step of the accreditations ``holder`` holds that changed since
    they were granted, in one walk (each step names its accreditation)."""
    return (
        f"[({holder})-[:HOLDS]->(changed:Accreditation)-[:HAS_STATUS]->(changedStep:StatusChange)"
        f" WHERE size(coalesce(changed.stepOn, [])) > 1 | {_step_map('changedStep')}]"
    )


def later_history(node: str) -> str:
    """``history(node)`` when the record has changed since its first step, else []: the hot
    verification read leaves out what the cache already says (the domain reads a record
    without history as its one step). Not for ``knownAt``: that needs every recorded time."""
    return f"CASE WHEN size(coalesce({node}.stepOn, [])) > 1 THEN {history(node)} ELSE [] END"


def status_on(node: str, day: str) -> str:
    """An expression over ``node``'s own properties (usable in any filter): its status on
    ``day``, an ISO date expression. To filter by it, ``status_in`` is faster."""
    on, seq = f"{node}.stepOn[k]", f"{node}.stepSeq[k]"
    latest = (
        f"reduce(best = [], k IN range(0, size(coalesce({node}.stepOn, [])) - 1) | "
        f"CASE WHEN {on} <= {day} AND ({_LATER.format(on=on, seq=seq)}) "
        f"THEN [{on}, {seq}, {node}.stepStatus[k]] ELSE best END)"
    )
    return (
        f"CASE WHEN {node}.statusSince <= {day} AND {node}.statusUntil > {day} "
        f"THEN {node}.status ELSE coalesce({latest}[2], {node}.status) END"
    )


def status_in(node: str, day: str, statuses: str) -> str:
    """A filter (for WHERE): whether ``node``'s status on ``day`` is one of ``statuses`` (a
    Cypher list), the answer of ``status_on(...) IN statuses``. FalkorDB evaluates every
    branch of a CASE but stops a WHERE's AND and OR early, so the timeline is folded only
    for a node whose cache does not answer: outside its window, with more than one step (or
    a status that is not its one step's, upgraded stores); a node without lists has one.
    Two to six times faster over an issuer's 9,000 certificates or a label of 100,000."""
    window = f"coalesce({node}.statusSince <= {day} AND {node}.statusUntil > {day}, false)"
    one_step = (
        f"coalesce({node}.stepOn IS NULL OR "
        f"(size({node}.stepOn) = 1 AND {node}.stepStatus[0] = {node}.status), false)"
    )
    return (
        f"(({node}.status IN {statuses} AND ({window} OR {one_step})) OR "
        f"(NOT {window} AND NOT {one_step} AND {status_on(node, day)} IN {statuses}))"
    )


def scope_has(node: str, item: str, day: str) -> str:
    """A projection: whether ``item`` is in the accreditation ``node``'s scope on ``day``:
    as the latest step naming it says, else as granted (``node.scope``)."""
    steps = (
        f"[({node})-[:HAS_STATUS]->(x:StatusChange) WHERE x.effectiveOn <= {day} "
        f"AND ({item} IN coalesce(x.scopeAdded, []) OR {item} IN coalesce(x.scopeRemoved, [])) "
        f"| [x.effectiveOn, x.seq, {item} IN coalesce(x.scopeAdded, [])]]"
    )
    latest = (
        f"reduce(best = [], s IN {steps} | CASE WHEN "
        f"{_LATER.format(on='s[0]', seq='s[1]')} THEN s ELSE best END)"
    )
    return f"coalesce({latest}[2], {item} IN {node}.scope)"


def _in_force(node: str, day: str, keep: str) -> str:
    """Clauses binding ``steps`` ([effectiveOn, seq, status, reason] of every step of
    ``node`` but those a final step supersedes: not final, recorded before it and taking
    effect after it), ``inForce`` (the one in force on ``day``, or []) and ``upcoming`` (the
    next)."""
    every = (
        f"[({node})-[:HAS_STATUS]->(x:StatusChange) | [x.effectiveOn, x.seq, x.status, x.reason]]"
    )
    kept = (
        f"[s IN everyStep WHERE s[2] IN {_FINAL} OR size([f IN everyStep WHERE f[2] IN "
        f"{_FINAL} AND f[1] > s[1] AND f[0] < s[0]]) = 0]"
    )
    in_force = (
        f"reduce(best = [], s IN steps | CASE WHEN s[0] <= {day} AND "
        f"({_LATER.format(on='s[0]', seq='s[1]')}) THEN s ELSE best END)"
    )
    upcoming = (
        f"reduce(nxt = [], s IN steps | CASE WHEN s[0] > {day} AND (size(nxt) = 0 "
        "OR s[0] < nxt[0] OR (s[0] = nxt[0] AND s[1] < nxt[1])) THEN s ELSE nxt END)"
    )
    return (
        f"WITH {keep}, {every} AS everyStep\n"
        f"WITH {keep}, {kept} AS steps\n"
        f"WITH {keep}, steps, {in_force} AS inForce, {upcoming} AS upcoming\n"
    )


def _step_lists(node: str) -> str:
    return (
        f"{node}.stepOn = [s IN steps | s[0]], {node}.stepSeq = [s IN steps | s[1]],\n"
        f"    {node}.stepStatus = [s IN steps | s[2]]"
    )


def refresh(node: str, day: str, *, keep: str, reason: bool = False) -> str:
    """Clauses that keep on ``node`` its compact timeline, the step in force on ``day`` and
    when the next one takes effect (``keep``: the variables to carry on). With ``reason``,
    also the step's reason as ``statusReason`` (none for an issue that gave none)."""
    statement = (
        _in_force(node, day, keep) + f"SET {_step_lists(node)},\n"
        f"    {node}.status = coalesce(inForce[2], {node}.status), "
        f"{node}.statusSince = inForce[0],\n"
        f"    {node}.statusUntil = coalesce(upcoming[0], '{NO_NEXT}')"
    )
    if reason:
        statement += (
            f",\n    {node}.statusReason = CASE WHEN size(inForce) = 0 THEN {node}.statusReason "
            f"WHEN inForce[3] = '{ISSUED_REASON}' THEN null ELSE inForce[3] END"
        )
    return statement + f"\nWITH {keep}\n"


def _upgrade_cache(node: str) -> str:
    """Clauses that give an upgraded ``node`` its step lists and window, leaving every field
    of its document as it is (the document audit holds digests of them). A node whose
    stored status is not the step in force (the last recorded step won before timelines)
    gets an empty window: filters then always read its lists."""
    return (
        _in_force(node, "$day", node) + f"WITH {node}, steps, upcoming, inForce,\n"
        f"     coalesce({node}.statusSince, inForce[0]) AS since\n"
        f"SET {_step_lists(node)},\n"
        f"    {node}.statusSince = since,\n"
        f"    {node}.statusUntil = CASE WHEN inForce[2] = {node}.status AND inForce[0] = since "
        f"THEN coalesce(upcoming[0], '{NO_NEXT}') ELSE '{NO_WINDOW}' END\n"
        f"WITH {node}\n"
    )


# Whether this store has been upgraded (a mark on the change counter), and setting it.
UPGRADED = "MATCH (c:ChangeCounter {id: 'main'}) RETURN c.timelines AS done"
UPGRADE_DONE = "MATCH (c:ChangeCounter {id: 'main'}) SET c.timelines = 1"

# Stores written before timelines were kept: their accreditations and institutions have no
# steps (the record becomes its first step, known since before history was kept, so
# ``recordedAt`` is ''), and no node has its lists. One label and up to $limit nodes a run.
_FIRST_STEP = """
WITH n, size([(n)-[:HAS_STATUS]->(x:StatusChange) | x]) AS kept
FOREACH (absent IN CASE WHEN kept = 0 THEN [1] ELSE [] END |
    CREATE (n)-[:HAS_STATUS]->(:StatusChange {{number: n.{key}, status: n.status,
        reason: 'as recorded before histories were kept', effectiveOn: {since},
        recordedAt: '', actor: '', seq: 0}}))
WITH n
"""
UPGRADE = {
    # Not by their lists: a certificate with one step keeps none. No window: written before.
    "Certificate": "MATCH (n:Certificate) WHERE n.statusUntil IS NULL\nWITH n LIMIT $limit\n"
    + _upgrade_cache("n")
    + "RETURN count(n) AS upgraded",
    "Accreditation": "MATCH (n:Accreditation) WHERE n.stepOn IS NULL\nWITH n LIMIT $limit"
    + _FIRST_STEP.format(key="number", since="n.validFrom")
    + _upgrade_cache("n")
    + "RETURN count(n) AS upgraded",
    "Institution": "MATCH (n:Institution) WHERE n.stepOn IS NULL AND n.version IS NOT NULL\n"
    "WITH n LIMIT $limit"
    + _FIRST_STEP.format(key="uscc", since="coalesce(n.founded, '0001-01-01')")
    + _upgrade_cache("n")
    + "RETURN count(n) AS upgraded",
}


# The records with a status timeline: label, key and the region expression of their changes.
_TIMELINED = (
    ("Certificate", "number", "n.region"),
    ("Accreditation", "number", "head([(h:Institution)-[:HOLDS]->(n) | h.region])"),
    ("Institution", "uscc", "n.region"),
)

# Records whose cached step is no longer the one in force on $day: a step recorded ahead of
# its date has taken effect since they were last written. Reads already answer it; their
# documents (exports, snapshots, mirrors) learn it when IN_FORCE rewrites them. A node whose
# cache never answers (NO_WINDOW, upgraded stores) keeps its document as it was.
_DUE = f"n.statusUntil <= $day AND n.statusUntil > '{NO_WINDOW}'"
DUE_IN_FORCE = {
    label: f"MATCH (n:{label}) WHERE {_DUE}\nRETURN n.{key} AS key ORDER BY key LIMIT $limit"
    for label, key, _ in _TIMELINED
}
# Which of $keys are still due, read against the head a write claims.
STILL_DUE = {
    label: f"UNWIND $keys AS k\nMATCH (n:{label} {{{key}: k}}) WHERE {_DUE}\nRETURN k AS key"
    for label, key, _ in _TIMELINED
}

# Write the step in force on row.day into each record's document, as a logged change.
IN_FORCE = {
    label: logged(
        f"MATCH (n:{label} {{{key}: row.key}})\nSET n.version = n.version + 1\n"
        + refresh("n", "row.day", keep="row, n", reason=label == "Certificate"),
        region=region,
    )
    for label, key, region in _TIMELINED
}
