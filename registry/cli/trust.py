"""`registry verify-token | audit verify | keys rotate-signing`: trust checks anyone can run.

``verify-token`` needs no server and no network: only a saved copy of the registry's published
keys. It can check the signature, never the current status, and says so.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from graph.changelog import first_broken_link
from graph.clock import registry_today
from graph.open import open_store
from graph.port import GraphStore
from registry.cli.options import add_store_options, settings_from
from registry.operations.document_audit import DocumentReport, check_documents
from registry.trust.signing_keys import public_keys_from_document, rotate
from registry.trust.tokens import (
    Checkpoint,
    InvalidToken,
    TokenClaims,
    checkpoint_is_valid,
    read_token,
)

__all__ = ["ChainReport", "add_trust_commands", "check_chain"]


AUDIT_PAGE = 1000
# verify-token exit codes
GENUINE, FORGED, TROUBLE, NOT_VALID_NOW = 0, 1, 2, 3

_ASK_STATUS = """
query($t: String!) {
  verifyToken(token: $t) {
    signatureValid reason keyId mismatches
    verification { verdict certificate { status statusSince statusReason } warnings { code } }
  }
}
"""


def _read_json(path: str) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


# verify-token ------------------------------------------------------------------------------
def _print_claims(claims: TokenClaims, *, today: date) -> None:
    rows = [
        ("certificate", claims.number),
        ("holder", f"{claims.holder_name} ({claims.holder_uscc})"),
        ("issuer", claims.issuer_uscc),
        ("standard", claims.standard),
        ("scope digest", claims.scope_digest),
        ("issued on", claims.issued_on.isoformat()),
        ("expires on", claims.expires_on.isoformat()),
        ("stars", str(claims.stars) if claims.stars is not None else "-"),
    ]
    for label, value in rows:
        print(f"  {label:13} {value}")
    if claims.expires_on < today:
        print(f"  note: by its own dates the certificate expired on {claims.expires_on}")


def _ask_registry(url: str, token: str) -> dict[str, Any]:
    endpoint = url.rstrip("/")
    if not endpoint.endswith("/graphql"):
        endpoint += "/graphql"
    if not endpoint.startswith(("http://", "https://")):
        raise ValueError("--url must be an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        endpoint,
        data=json.dumps({"query": _ASK_STATUS, "variables": {"t": token}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
        body: dict[str, Any] = json.loads(response.read())
    if body.get("errors") or not body.get("data"):
        raise ValueError(f"the registry answered with errors: {body.get('errors')}")
    answer: dict[str, Any] = body["data"]["verifyToken"]
    return answer


def _report_online(answer: dict[str, Any]) -> int:
    if not answer["signatureValid"]:
        print(f"registry: the signature is NOT accepted ({answer['reason']})")
        return FORGED
    verification = answer["verification"] or {}
    certificate = verification.get("certificate") or {}
    print(f"registry: verdict {verification.get('verdict')}, status {certificate.get('status')}")
    if certificate.get("statusReason"):
        print(f"  since {certificate.get('statusSince')}: {certificate['statusReason']}")
    for warning in verification.get("warnings") or []:
        print(f"  warning: {warning['code']}")
    if answer["reason"] is not None:
        mismatches = ", ".join(answer["mismatches"]) or "-"
        print(f"registry: {answer['reason']} (differs: {mismatches})")
        return NOT_VALID_NOW
    return GENUINE if verification.get("verdict") == "VALID" else NOT_VALID_NOW


def _verify_token(args: argparse.Namespace) -> int:
    try:
        public_keys = public_keys_from_document(_read_json(args.keys))
    except (OSError, ValueError) as exc:
        print(f"error: cannot use the keys file {args.keys}: {exc}", file=sys.stderr)
        return TROUBLE
    try:
        claims = read_token(args.token, public_keys)
    except InvalidToken as exc:
        print(f"signature: INVALID - {exc}")
        print("this token was not issued by the registry whose keys you gave; do not trust it")
        return FORGED
    print(f"signature: valid, signed by registry key {claims.key_id}")
    _print_claims(claims, today=registry_today())
    if args.url is None:
        print(
            "status: NOT CHECKED - verified offline, so only the signature could be checked; "
            "the certificate may since have been suspended, withdrawn or re-issued. "
            "Ask the registry (--url) for its current status."
        )
        return GENUINE
    try:
        answer = _ask_registry(args.url, args.token)
    except (OSError, ValueError, KeyError) as exc:
        print(f"status: NOT CHECKED - the registry could not be asked: {exc}")
        return TROUBLE
    return _report_online(answer)


# audit verify ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ChainReport:
    """The change log recomputed: how far it holds, and where it first breaks."""

    changes: int
    head_hash: str
    broken_at: int | None = None
    problem: str | None = None
    checkpoint_hash: str | None = None  # the chain's hash at the checkpoint's seq, if reached


async def check_chain(
    store: GraphStore, *, checkpoint_seq: int | None = None, page: int = AUDIT_PAGE
) -> ChainReport:
    """Recompute every link page by page, then compare the end with the change counter.

    A pruned log is checked from its kept start, whose hash the counter remembers."""
    start = await store.change_log_start()
    previous, last_seq, at_checkpoint = start.hash, start.seq, None
    if checkpoint_seq == start.seq:
        at_checkpoint = start.hash
    while changes := await store.get_changes(after=last_seq, limit=page):
        if changes[0].seq != last_seq + 1:
            return ChainReport(
                last_seq, previous, last_seq + 1, f"change {last_seq + 1} is missing"
            )
        broken = first_broken_link(changes, previous=previous)
        if broken is not None:
            problem = f"change {broken} does not follow from the changes before it"
            return ChainReport(broken - 1, previous, broken, problem)
        for change in changes:
            if change.seq == checkpoint_seq:
                at_checkpoint = change.hash
        previous, last_seq = changes[-1].hash, changes[-1].seq
    head = await store.change_head()
    if (head.seq, head.hash) != (last_seq, previous):
        problem = f"the change counter says seq {head.seq}, the log ends at seq {last_seq}"
        if head.seq == last_seq:
            problem = f"the change counter's hash differs from that of change {last_seq}"
        return ChainReport(last_seq, previous, min(head.seq, last_seq) + 1, problem, at_checkpoint)
    return ChainReport(last_seq, previous, checkpoint_hash=at_checkpoint)


def _load_checkpoint(path: str) -> Checkpoint:
    """An auditCheckpoint object as the API returns it (bare, or inside a GraphQL response)."""
    document = _read_json(path)
    if "data" in document:
        document = document["data"]["auditCheckpoint"]
    return Checkpoint(
        seq=int(document["seq"]),
        root_hash=str(document["rootHash"]),
        signed_at=str(document["signedAt"]),
        key_id=str(document["keyId"]),
        signature=str(document["signature"]),
    )


def _audit_verify(args: argparse.Namespace) -> int:
    checkpoint: Checkpoint | None = None
    if args.checkpoint:
        if not args.keys:
            print("error: --checkpoint needs --keys to check its signature", file=sys.stderr)
            return 2
        try:
            checkpoint = _load_checkpoint(args.checkpoint)
            keys = public_keys_from_document(_read_json(args.keys))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"error: cannot read the checkpoint or keys: {exc}", file=sys.stderr)
            return 2
        if not checkpoint_is_valid(checkpoint, keys):
            print("checkpoint signature INVALID: it was not signed by the given keys")
            return 1

    async def work() -> tuple[ChainReport, DocumentReport | None]:
        store = await open_store(settings_from(args).resolved_store_url)
        try:
            chain = await check_chain(store, checkpoint_seq=checkpoint.seq if checkpoint else None)
            if chain.broken_at is not None:
                return chain, None
            return chain, await check_documents(store, progress=_Progress())
        finally:
            await store.close()

    report, documents = asyncio.run(work())
    if report.broken_at is not None:
        print(f"chain BROKEN at seq {report.broken_at}: {report.problem}")
        print(f"  the {report.changes} changes before it are intact")
        return 1
    print(f"chain intact: {report.changes} changes, head {report.head_hash}")
    intact = documents is None or _report_documents(documents)
    if checkpoint is not None:
        if report.checkpoint_hash is None:
            print(f"checkpoint MISMATCH: the log no longer reaches seq {checkpoint.seq}")
            return 1
        if report.checkpoint_hash != checkpoint.root_hash:
            print(
                f"checkpoint MISMATCH: history was rewritten; at seq {checkpoint.seq} the chain "
                f"hash is {report.checkpoint_hash}, the checkpoint signed at "
                f"{checkpoint.signed_at} says {checkpoint.root_hash}"
            )
            return 1
        print(f"checkpoint matches: seq {checkpoint.seq} signed at {checkpoint.signed_at}")
    return 0 if intact else 1


class _Progress:
    """Progress on stderr, at most every few seconds: a big store takes minutes."""

    def __init__(self, every: float = 5.0) -> None:
        self._every = every
        self._next = time.monotonic() + every

    def __call__(self, message: str) -> None:
        if time.monotonic() >= self._next:
            print(message, file=sys.stderr, flush=True)
            self._next = time.monotonic() + self._every


def _report_documents(report: DocumentReport) -> bool:
    """Print what the document check found; False when an entity was altered."""
    altered = report.altered
    if altered is not None:
        what = "is gone, though" if altered.gone else "is not the document"
        print(
            f"document ALTERED: {altered.entity} {altered.key} {what} its last change "
            f"(seq {altered.seq}) left; {report.matching} entities checked before it match"
        )
        return False
    unchecked = (
        f"; {report.unverifiable} not checked (no document kept: written before this "
        "check existed, or their last change was pruned, or lost as below)"
        if report.unverifiable
        else ""
    )
    print(f"documents intact: {report.matching} entities as their last change left them{unchecked}")
    if report.lost_seqs is not None:
        first, last = report.lost_seqs
        print(
            f"WARNING: {report.lost} entities changed by seqs {first}-{last} kept no digest, "
            "though earlier changes did: the store stopped between a batch and its digests. "
            "They cannot be checked here: compare them with a snapshot or a mirror."
        )
    return True


# keys rotate-signing -----------------------------------------------------------------------
def _rotate_signing(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.keys_dir:
        settings = settings.model_copy(update={"signing_keys_dir": Path(args.keys_dir)})
    directory = settings.resolved_signing_keys_dir
    key = rotate(directory)
    print(f"new active signing key {key.key_id} in {directory}")
    print("older keys stay published, so what they signed still verifies")
    return 0


def add_trust_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    key_commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Add the trust commands to `registry` (``commands``) and `registry keys`."""

    verify = commands.add_parser(
        "verify-token",
        help="check a QR token's signature offline with saved registry keys",
        epilog="exit status: 0 genuine (and, with --url, valid now), 1 not signed by the "
        "registry, 2 could not check, 3 genuine but the registry says it is not valid now",
    )
    verify.add_argument("token", help="the token text (QR1:...)")
    verify.add_argument(
        "--keys", required=True, help="a saved copy of /.well-known/registry-keys.json"
    )
    verify.add_argument("--url", help="also ask this registry (base URL) for the current status")
    verify.set_defaults(run=_verify_token)

    audit = commands.add_parser("audit", help="check the change log's integrity")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    chain = audit_commands.add_parser(
        "verify",
        help="recompute the hash chain of all changes and name the first broken link, then "
        "compare every entity with the document its last change left and name the first "
        "that differs",
    )
    add_store_options(chain)
    chain.add_argument("--checkpoint", help="a saved auditCheckpoint (JSON) the log must match")
    chain.add_argument("--keys", help="saved registry-keys.json to check the checkpoint with")
    chain.set_defaults(run=_audit_verify)

    rotate_command = key_commands.add_parser(
        "rotate-signing", help="make a new active signing key (old ones stay published)"
    )
    add_store_options(rotate_command)
    rotate_command.add_argument("--keys-dir", help="signing keys directory (default: in --data)")
    rotate_command.set_defaults(run=_rotate_signing)
