"""What ``bench.verification`` sends and how: the measured targets, the check that both
servers answer alike, and the wrk script and run that drive the load.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import resource
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.processes import PROJECT_ROOT, cpu_seconds_of_group, memory_of

__all__ = [
    "EXECUTED",
    "LUA",
    "NOT_FOUND_CODE",
    "PERSISTED",
    "QUERY",
    "QUERY_HASH",
    "Measured",
    "Target",
    "check_answers",
    "graphql_body",
    "graphql_target",
    "lua_script",
    "lua_string",
    "negotiate_persisted",
    "persisted_target",
    "plain_target",
    "prefill",
    "probe",
    "run_wrk",
]

# The document a partner's or the public's app sends: the shipped persisted one, as text or
# by its hash (registry.http.response_cache.PERSISTED knows it).
QUERY = (PROJECT_ROOT / "registry" / "persisted" / "verify_certificate.graphql").read_text(
    encoding="utf-8"
)
QUERY_HASH = hashlib.sha256(QUERY.encode()).hexdigest()
# The same operation in a text of its own, as an app that ships no persisted document sends
# it: the server knows no plan for it, so the GraphQL executor answers.
EXECUTED = QUERY + "# sent as text of its own\n"
PERSISTED = {"persistedQuery": {"version": 1, "sha256Hash": QUERY_HASH}}
NOT_FOUND_CODE = "PERSISTED_QUERY_NOT_FOUND"
_MARK = "@@NUMBER@@"  # stands for the number while a JSON body is split around it


# requests ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """One thing to measure: a server, a path, and JSON bodies around a certificate number.
    ``mode`` is the GraphQL server's ("uncached" or "cached"; None for the plain one);
    ``role`` what its row is judged on: "plain" (the yardstick), "ratio" (requests/s against
    the plain row), "p99" (latency), or "figure" (reported only)."""

    label: str
    port: int
    path: str
    body: dict[str, Any]  # with _MARK where the number goes
    fallback: dict[str, Any] | None = None  # sent next after a PERSISTED_QUERY_NOT_FOUND
    mode: str | None = None
    role: str = "plain"

    def payload(self, number: str) -> dict[str, Any]:
        filled: dict[str, Any] = _replace_mark(self.body, number)
        return filled


def _replace_mark(value: Any, number: str) -> Any:
    if value == _MARK:
        return number
    if isinstance(value, dict):
        return {k: _replace_mark(v, number) for k, v in value.items()}
    return value


def plain_target(port: int) -> Target:
    return Target("plain /verify", port, "/verify", {"number": _MARK})


def graphql_body(text: str = QUERY) -> dict[str, Any]:
    return {"query": text, "variables": {"number": _MARK}}


def graphql_target(port: int, label: str = "GraphQL text", text: str = QUERY) -> Target:
    return Target(label, port, "/graphql", graphql_body(text))


def persisted_target(port: int, label: str = "GraphQL persisted") -> Target:
    return Target(
        label,
        port,
        "/graphql",
        {"extensions": PERSISTED, "variables": {"number": _MARK}},
        fallback=graphql_body(),
    )


def _codes(answer: Any) -> set[str]:
    errors = answer.get("errors") if isinstance(answer, dict) else None
    return {
        str((e.get("extensions") or {}).get("code")) for e in errors or () if isinstance(e, dict)
    }


async def _post(client: httpx.AsyncClient, target: Target, payload: object) -> Any:
    response = await client.post(
        f"http://127.0.0.1:{target.port}{target.path}",
        content=orjson.dumps(payload),
        headers={"content-type": "application/json"},
    )
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, {"errors": [{"message": response.text[:300]}]}


def _verification(target: Target, status: int, answer: Any) -> dict[str, Any] | None:
    """The verification in an answer, or None if the answer is not a clean one."""
    if status != 200 or not isinstance(answer, dict) or answer.get("errors"):
        return None
    found: Any = answer
    if target.path != "/verify":
        found = (answer.get("data") or {}).get("verifyCertificate")
    return found if isinstance(found, dict) and "verdict" in found else None


async def check_answers(
    client: httpx.AsyncClient, plain: Target, graphql: Target, number: str
) -> str | None:
    """Both servers answer ``number`` cleanly and with the same information (but the time);
    returns a note when they differ, raises when either fails."""
    answers = []
    for target in (plain, graphql):
        status, answer = await _post(client, target, target.payload(number))
        found = _verification(target, status, answer)
        if found is None:
            raise RuntimeError(f"{target.label} answered {number} with {status}: {answer}")
        if found.get("verdict") == "NOT_FOUND":
            raise RuntimeError(f"{target.label} does not find the sampled number {number}")
        answers.append({k: v for k, v in found.items() if k != "checkedAt"})
    if answers[0] != answers[1]:
        return f"note: the answers for {number} differ: plain {answers[0]} GraphQL {answers[1]}"
    return None


async def negotiate_persisted(
    client: httpx.AsyncClient, target: Target, number: str
) -> tuple[Target, str]:
    """Send the hash alone; if the server does not know the document, send the text with the
    hash once (which registers it on servers that learn documents, Apollo's APQ) and try
    again. If the hash alone still fails, measure the text instead (a plain GraphQL target).
    """
    graphql = replace(
        target, label=f"{target.label} (text fallback)", body=graphql_body(), fallback=None
    )
    status, answer = await _post(client, target, target.payload(number))
    if _verification(target, status, answer) is not None:
        return target, "the server knew the document"
    if NOT_FOUND_CODE not in _codes(answer):
        return graphql, f"hash alone refused ({status}: {str(answer)[:200]}); sent the text"
    register = {"query": QUERY, "extensions": PERSISTED, "variables": {"number": number}}
    status, answer = await _post(client, target, register)
    registered = _verification(target, status, answer) is not None
    status, answer = await _post(client, target, target.payload(number))
    if registered and _verification(target, status, answer) is not None:
        return target, "registered with the text on the first request"
    return graphql, (
        f"{NOT_FOUND_CODE}, also after sending the text with the hash "
        f"({status}: {str(answer)[:200]}); measured with the text"
    )


async def probe(
    modes: Mapping[str, int], plain_port: int, numbers: Sequence[str]
) -> tuple[list[Target], list[str]]:
    """The targets, plain first: for each GraphQL server (its mode and port), check that it
    answers like the plain endpoint and settle how persisted operations are sent. Uncached:
    the persisted operation is judged by its ratio, the text reported beside it; cached:
    the persisted operation is judged by its p99."""
    plain = plain_target(plain_port)
    targets, notes = [plain], []
    async with httpx.AsyncClient(timeout=30.0, trust_env=False) as client:
        for mode, port in modes.items():
            suffix = "no cache" if mode == "uncached" else "cached"
            text = graphql_target(port, f"GraphQL executor, {suffix}", EXECUTED)
            text = replace(text, mode=mode)
            persisted = replace(persisted_target(port, f"GraphQL persisted, {suffix}"), mode=mode)
            chosen, how = await negotiate_persisted(client, persisted, numbers[0])
            notes.append(f"{chosen.label}: {how}")
            for number in numbers[:3]:
                for target in (text, chosen):
                    note = await check_answers(client, plain, target, number)
                    if note:
                        notes.append(note)
            if mode == "uncached":
                # The judged row right after the plain one, so the two share the moment.
                targets += [replace(chosen, role="ratio"), replace(text, role="figure")]
            else:
                targets.append(replace(chosen, role="p99"))
    return targets, notes


async def prefill(target: Target, numbers: Sequence[str], clients: int) -> int:
    """Ask for every number once, ``clients`` at a time (fills a response cache); returns
    the answers that were not clean ones."""
    pending = list(numbers)
    failed = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal failed
        while pending:
            number = pending.pop()
            status, answer = await _post(client, target, target.payload(number))
            failed += _verification(target, status, answer) is None

    async with httpx.AsyncClient(timeout=30.0, trust_env=False) as client:
        await asyncio.gather(*(worker(client) for _ in range(clients)))
    return failed


# wrk ---------------------------------------------------------------------------------------


def lua_string(text: str) -> str:
    """A Lua string literal for ``text`` (its UTF-8 bytes; non-printables as ``\\ddd``)."""
    out = []
    for byte in text.encode():
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= byte < 0x7F:
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def _split(body: dict[str, Any]) -> tuple[str, str]:
    """The JSON of ``body`` before and after the number's (JSON-encoded) place."""
    encoded = orjson.dumps(body).decode()
    before, _, after = encoded.partition(orjson.dumps(_MARK).decode())
    return before, after


LUA = """\
-- written by bench.verification for one run of wrk; safe to delete
local numbers = {%(numbers)s}
local before, after = %(before)s, %(after)s
local fallback_before, fallback_after = %(fallback_before)s, %(fallback_after)s
local path = %(path)s
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  non2xx, failures, misses, resend = 0, 0, 0, false
  math.randomseed(%(seed)d * 1000 + id)
  local headers = {["Content-Type"] = "application/json"}
  prepared, fallbacks = {}, {}
  for i, number in ipairs(numbers) do
    prepared[i] = wrk.format("POST", path, headers, before .. number .. after)
    if fallback_before then
      fallbacks[i] = wrk.format("POST", path, headers, fallback_before .. number .. fallback_after)
    end
  end
end

function request()
  local i = math.random(#prepared)
  if resend then
    resend = false
    return fallbacks[i]
  end
  return prepared[i]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  elseif string.find(body, '"errors"', 1, true) then
    failures = failures + 1
  end
  if fallback_before and string.find(body, "%(not_found)s", 1, true) then
    misses = misses + 1
    resend = true
  end
end

function done(summary, latency, requests)
  local n, f, m = 0, 0, 0
  for _, thread in ipairs(threads) do
    n = n + thread:get("non2xx")
    f = f + thread:get("failures")
    m = m + thread:get("misses")
  end
  local e = summary.errors
  io.write(string.format("BENCH requests %%d\\n", summary.requests))
  io.write(string.format("BENCH duration_us %%d\\n", summary.duration))
  io.write(string.format("BENCH non2xx %%d\\nBENCH failures %%d\\nBENCH misses %%d\\n", n, f, m))
  io.write(string.format("BENCH socket_errors %%d\\n", e.connect + e.read + e.write + e.timeout))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("BENCH p%%s %%d\\n", p, latency:percentile(p)))
  end
  io.write(string.format("BENCH max %%d\\n", latency.max))
end
"""


def lua_script(target: Target, numbers: Sequence[str], *, seed: int) -> str:
    before, after = _split(target.body)
    fallback = _split(target.fallback) if target.fallback else None
    return LUA % {
        "numbers": ",\n".join(lua_string(orjson.dumps(n).decode()) for n in numbers),
        "before": lua_string(before),
        "after": lua_string(after),
        "fallback_before": lua_string(fallback[0]) if fallback else "nil",
        "fallback_after": lua_string(fallback[1]) if fallback else "nil",
        "path": lua_string(target.path),
        "seed": seed,
        "not_found": NOT_FOUND_CODE,
    }


@dataclass(frozen=True, slots=True)
class Measured:
    label: str
    requests: int
    seconds: float
    non2xx: int
    failures: int  # 2xx answers carrying GraphQL errors
    misses: int  # PERSISTED_QUERY_NOT_FOUND answers (counted in non2xx or failures too)
    socket_errors: int  # connect, read, write errors and timeouts
    percentiles_us: dict[str, float]
    server_rss: int | None
    server_cpu: float  # seconds of CPU the server's processes used while measured
    client_cpu: float  # seconds of CPU wrk used (the load shares the cores)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_us(self) -> float:
        """The server's CPU per answered request, in microseconds."""
        return self.server_cpu / self.requests * 1e6 if self.requests else 0.0

    @property
    def client_cpu_us(self) -> float:
        """wrk's CPU per answered request, in microseconds."""
        return self.client_cpu / self.requests * 1e6 if self.requests else 0.0

    def ms(self, key: str) -> float:
        return self.percentiles_us[key] / 1000

    @property
    def errors(self) -> int:
        return self.non2xx + self.failures + self.socket_errors


def run_wrk(
    target: Target,
    script: Path,
    *,
    clients: int,
    threads: int,
    seconds: int,
    server: subprocess.Popen[bytes],
) -> Measured:
    command = [
        "wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s",
        "--timeout", "30s", "--latency", "-s", str(script),
        f"http://127.0.0.1:{target.port}{target.path}",
    ]  # fmt: skip
    cpu_before, children = cpu_seconds_of_group(server.pid), _children_cpu()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 120, check=False
    )
    cpu = cpu_seconds_of_group(server.pid) - cpu_before
    client = _children_cpu() - children
    values = dict(re.findall(r"^BENCH (\S+) (\S+)$", done.stdout, re.MULTILINE))
    if done.returncode != 0 or "requests" not in values:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return Measured(
        label=target.label,
        requests=int(values["requests"]),
        seconds=int(values["duration_us"]) / 1e6,
        non2xx=int(values["non2xx"]),
        failures=int(values["failures"]),
        misses=int(values["misses"]),
        socket_errors=int(values["socket_errors"]),
        percentiles_us={k: float(v) for k, v in values.items() if k[0] == "p" or k == "max"},
        server_rss=memory_of(server.pid),
        server_cpu=cpu,
        client_cpu=client,
    )


def _children_cpu() -> float:
    """User + system seconds of this process's finished children (wrk runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
