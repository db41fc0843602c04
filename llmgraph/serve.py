"""``llmgraph serve``: a read-only SPARQL 1.1 Protocol endpoint, Oxigraph behind a small front.

Any SPARQL client (SPARQLWrapper, YASGUI with ``--cors``, curl, another llmgraph through
:meth:`llmgraph.LineageGraph.connect`) can query it::

    llmgraph --store hub.db serve --port 7878
    curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * { ?s ?p ?o } LIMIT 3' URL

(``URL`` is ``http://127.0.0.1:7878/query``.) How it is built::

    client ──HTTP──► front (this module: asyncio, one thread)       ┌► Oxigraph child
                      checks method, Host, Origin, sizes,            │  serve-read-only
                      update, SERVICE; adds the prefixes  ──► worker ┘  127.0.0.1:<random>
                      ◄── the answer, cut at ``limit`` ◄──  threads     --timeout-s, RLIMIT_DATA

- The front speaks HTTP/1.1 itself: idle connections cost no thread; the request line, the
  headers and the body have size caps (414, 431, 413) and a time limit (408); an idle
  keep-alive connection is closed after ``idle_timeout``; HEAD, OPTIONS (CORS preflight with
  ``cors=True``) and ``Accept`` q-values work as HTTP says.
- Requests: ``GET /query?query=…``, ``POST /query`` with a form (``query=…``) or with
  ``Content-Type: application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri`` are
  passed on. llmgraph's prefixes are pre-bound (declared before the query, so a query's own
  ``PREFIX`` wins; syntax error positions refer to the query as sent).
- Refused: updates (403, read-only), SERVICE unless ``allow_service=True`` (403), requests
  from web pages (an ``Origin`` header) unless ``cors=True`` (403), and, when bound to
  loopback, a ``Host`` header that does not name this server (421: DNS rebinding).
- Answers: SPARQL JSON (default), XML, CSV or TSV for SELECT / ASK; N-Triples (also sent for
  Turtle requests, being a subset of it) for CONSTRUCT / DESCRIBE. Results beyond ``limit``
  rows (or triples), or beyond ``max_result_bytes``, are cut, and the response says so in the
  ``X-LLMGraph-Truncated: true`` header.
- Queries run in a private ``oxigraph serve-read-only`` child process. It cancels a query at
  ``timeout`` (the client gets 503 then); a query that Oxigraph cannot cancel (its checks run
  between reads of the store) is stopped by restarting the child shortly after. The child's
  memory is capped (``memory_limit``, ``RLIMIT_DATA``): a query that needs more kills the
  child, the queries in flight get 503 and a new child takes over. The child is stopped with
  the server, and dies with it (Linux parent-death signal) if the server is killed.

The served directory must be an Oxigraph database that no process writes while it is served
(reading one beside a writer is undefined behaviour in Oxigraph).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import csv
import gc
import http
import io
import ipaddress
import json
import math
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final, cast
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from llmgraph.errors import DataLoadError, QueryError, UsageError
from llmgraph.federation import refuse_service
from llmgraph.vocab import PREFIXES

__all__ = ["Server", "make_server", "serve_location", "serve_ntriples", "write_database"]

MEMORY_LIMIT: Final = 2 << 30
"""Default cap on the Oxigraph child's data memory (``RLIMIT_DATA``), in bytes: 2 GiB."""

_GRACE: Final = 2.0  # seconds past the child's own timeout before it is restarted
_LINE_LIMIT: Final = 64 << 10  # request line and each header line
_HEADER_LIMIT: Final = 64 << 10  # all header lines together
_MAX_HEADERS: Final = 100
_WRITE_TIMEOUT: Final = 30.0  # a client must take the answer within this
_ERROR_TAIL: Final = 64 << 10
_STARTUP: Final = 60.0
_ENDPOINTS: Final = ("/query", "/sparql", "/")
_ALLOW: Final = "GET, HEAD, POST, OPTIONS"
_KNOWN_METHODS: Final = {"PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "QUERY"}
_CHILD_ACCEPT: Final = "application/sparql-results+json, application/n-triples"

_RESULT_OFFERS: Final = (
    ("json", "application/sparql-results+json"),
    ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"),
    ("tsv", "text/tab-separated-values"),
    ("json", "application/json"),
    ("xml", "application/xml"),
)
_GRAPH_OFFERS: Final = (
    ("nt", "application/n-triples"),
    ("ttl", "text/turtle"),
    ("nt", "text/plain"),
)

# Runs in a fresh single-threaded Python between fork and the Oxigraph program: arm the
# parent-death signal (so the child dies with the server), cap its memory, then exec.
_LAUNCHER: Final = """
import ctypes, os, resource, signal, sys
parent, limit = int(sys.argv[1]), int(sys.argv[2])
try:
    prctl = ctypes.CDLL(None, use_errno=True).prctl
except AttributeError:
    prctl = None
if prctl is not None and prctl(1, int(signal.SIGKILL), 0, 0, 0) != 0:
    sys.exit("llmgraph: prctl(PR_SET_PDEATHSIG) failed: " + os.strerror(ctypes.get_errno()))
if os.getppid() != parent:
    sys.exit("llmgraph: the server exited before the query engine started")
if limit > 0:
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
os.execv(sys.argv[3], sys.argv[3:])
"""


# ---------------------------------------------------------------------------------------------
# The Oxigraph child


class _Unavailable(Exception):
    """The query engine cannot take a query now (restarting, failed or shutting down)."""


class _Spawner:
    """Start processes from one long-lived thread.

    Linux sends the parent-death signal when the *thread* that forked the child ends, so every
    child is forked from this thread, which lives as long as the server.
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue[
            tuple[Callable[[], subprocess.Popen[bytes]], concurrent.futures.Future[Any]] | None
        ] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="llmgraph-serve-spawner")
        self._thread.daemon = True
        self._thread.start()

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            start, future = job
            try:
                future.set_result(start())
            except BaseException as exc:  # handed to the caller
                future.set_exception(exc)

    def spawn(self, start: Callable[[], subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
        future: concurrent.futures.Future[subprocess.Popen[bytes]] = concurrent.futures.Future()
        self._jobs.put((start, future))
        return future.result()

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=10)


def _listening_port(pid: int) -> int | None:
    """Return the loopback TCP port process ``pid`` listens on (from ``/proc``), if any."""
    inodes: set[str] = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    if not inodes:
        return None
    with contextlib.suppress(OSError), open(f"/proc/{pid}/net/tcp", encoding="ascii") as table:
        for row in table.readlines()[1:]:
            fields = row.split()
            if len(fields) > 9 and fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                return int(fields[1].rsplit(":", 1)[1], 16)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _find_oxigraph() -> str:
    """Return the path of the ``oxigraph`` server program (beside Python, or on ``PATH``)."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        raise UsageError(
            "llmgraph serve needs Oxigraph's server program `oxigraph`, which was not found "
            "beside Python or on PATH; install it with `pip install oxigraph`"
        )
    return found


class _Engine:
    """The Oxigraph child process: started, watched, restarted and stopped by PID."""

    def __init__(
        self, location: Path, *, timeout: float, memory_limit: int | None, program: str
    ) -> None:
        self.location = location
        self.timeout_s = max(1, math.ceil(timeout))  # Oxigraph takes whole seconds
        self.memory_limit = memory_limit
        self.program = program
        self.restarts = 0
        self._spawner = _Spawner()
        self._lock = threading.Lock()  # guards the fields below
        self._restart_lock = threading.Lock()  # one restart at a time
        self._ready = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._port = 0
        self._generation = 0
        self._stopping = False
        self._failure: str | None = None  # why no child runs
        self._last_reason = "it was restarted"  # why the last child was replaced
        self._last_attempt = 0.0

    @property
    def pid(self) -> int | None:
        with self._lock:
            return None if self._process is None else self._process.pid

    @property
    def generation(self) -> int:
        with self._lock:
            return self._generation

    def start(self) -> None:
        """Start the first child; raise :class:`UsageError` if Oxigraph cannot serve."""
        try:
            self._spawn()
        except BaseException:
            self._spawner.stop()
            raise

    def _spawn(self) -> None:
        use_proc = os.path.exists("/proc/self/net/tcp")
        for _attempt in range(3):
            port = 0 if use_proc else _free_port()
            stderr = tempfile.TemporaryFile()  # noqa: SIM115 - open for the child's life
            command = [
                sys.executable,
                "-I",
                "-S",
                "-c",
                _LAUNCHER,
                str(os.getpid()),
                str(self.memory_limit or 0),
                self.program,
                "serve-read-only",
                "--location",
                str(self.location),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout-s",
                str(self.timeout_s),
            ]

            def start(command: list[str] = command, stderr: IO[bytes] = stderr) -> Any:
                return subprocess.Popen(
                    command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr
                )

            self._last_attempt = time.monotonic()
            process = self._spawner.spawn(start)
            bound = self._wait_until_listening(process, port)
            if bound is not None:
                with self._lock:
                    self._process, self._stderr, self._port = process, stderr, bound
                    self._failure = None
                    self._ready.set()
                return
            message = _tail(stderr)
            stderr.close()
            if "in use" not in message:
                raise UsageError(
                    f"Oxigraph could not serve {self.location}: {message or 'it exited at once'}"
                )
        raise UsageError("Oxigraph could not find a free port on 127.0.0.1")

    def _wait_until_listening(self, process: subprocess.Popen[bytes], port: int) -> int | None:
        deadline = time.monotonic() + _STARTUP
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return None
            found = _listening_port(process.pid) if port == 0 else port
            if found:
                try:
                    socket.create_connection(("127.0.0.1", found), timeout=1).close()
                    return found
                except OSError:
                    pass
            time.sleep(0.02)
        _kill(process)
        raise UsageError(f"Oxigraph did not start serving {self.location} within {_STARTUP:g} s")

    def acquire(self, deadline: float) -> tuple[int, int]:
        """Return ``(generation, port)`` of the running child, waiting while it restarts."""
        while True:
            with self._lock:
                if self._stopping:
                    raise _Unavailable("the server is shutting down")
                if self._ready.is_set() and self._process is not None:
                    return self._generation, self._port
                failure = self._failure
                retry = time.monotonic() - self._last_attempt > 1.0
            if failure is not None and not self._restart_lock.locked():
                if not retry:
                    raise _Unavailable(f"the query engine is not running: {failure}")
                self.restart(self._generation, failure)
                continue
            if not self._ready.wait(timeout=max(0.0, deadline - time.monotonic())):
                raise _Unavailable("the query engine is restarting")

    def exited(self) -> bool:
        """Say whether the current child has exited on its own (checked without waiting)."""
        with self._lock:
            process = self._process
            return not self._stopping and process is not None and process.poll() is not None

    def died(self, generation: int, wait: float) -> str | None:
        """After a lost connection: if the child of ``generation`` exited, restart it.

        Returns why it ended (or ``None`` when it is still running after ``wait`` seconds).
        """
        with self._lock:
            if generation != self._generation:
                return self._last_reason
            process = self._process
        if process is None:
            return self._failure
        try:
            code = process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            return None
        reason = self._describe_exit(code)
        self.restart(generation, reason)
        return reason

    def _describe_exit(self, code: int) -> str:
        with self._lock:
            text = _tail(self._stderr) if self._stderr is not None else ""
        if "memory allocation" in text or code == -signal.SIGABRT:
            limit = f"{self.memory_limit >> 20} MiB" if self.memory_limit else "none set"
            return f"it ran out of memory; its limit: {limit}"
        if code < 0:
            return f"it was killed by signal {-code}"
        return f"it exited with status {code}"

    def restart(self, generation: int, reason: str) -> None:
        """Replace the child of ``generation`` (no-op if it was already replaced)."""
        with self._restart_lock:
            with self._lock:
                if generation != self._generation or self._stopping:
                    return
                self._ready.clear()
                process, stderr = self._process, self._stderr
                self._process = self._stderr = None
                self._generation += 1
                self._failure = self._last_reason = reason
            if process is not None:
                _kill(process)
            if stderr is not None:
                stderr.close()
            try:
                self._spawn()
            except UsageError as exc:
                with self._lock:
                    self._failure = str(exc)
                self._ready.set()  # wake waiters: they see the failure
                self._ready.clear()
            finally:
                self.restarts += 1

    def stop(self) -> None:
        """Stop the child (SIGTERM, then SIGKILL) and the spawner thread."""
        with self._lock:
            self._stopping = True
            self._ready.set()
        with self._restart_lock, self._lock:  # a restart under way finishes first
            process, stderr = self._process, self._stderr
            self._process = self._stderr = None
        if process is not None:
            _kill(process, gently=True)
        if stderr is not None:
            stderr.close()
        self._spawner.stop()


def _kill(process: subprocess.Popen[bytes], *, gently: bool = False) -> None:
    """Stop ``process`` by its PID and reap it."""
    if process.poll() is not None:
        return
    if gently:
        process.terminate()
        try:
            process.wait(timeout=3)
            return
        except subprocess.TimeoutExpired:
            pass
    process.kill()
    process.wait(timeout=10)


def _tail(stream: IO[bytes] | None, size: int = 4096) -> str:
    if stream is None or stream.closed:
        return ""
    try:
        end = stream.seek(0, io.SEEK_END)
        stream.seek(max(0, end - size))
        return stream.read().decode("utf-8", "replace").strip()
    except (OSError, ValueError):
        return ""


# ---------------------------------------------------------------------------------------------
# Talking to the child


class _Deadline(Exception):
    """The current deadline passed while waiting for the query engine."""


class _TooLarge(Exception):
    """The answer is larger than ``max_result_bytes``."""


class _Lost(Exception):
    """The query engine closed the connection early or did not answer in HTTP."""


class _ChildStream(io.RawIOBase):
    """The query engine's HTTP answer over a raw socket, read against a deadline.

    A deadline raises :class:`_Deadline` before anything is consumed, so reading can go on
    with a later deadline: the answer is read to its end even after the client got its reply,
    which is how the server knows the engine stopped working on the query.
    """

    def __init__(self, sock: socket.socket, deadline: float, cap: int) -> None:
        super().__init__()
        self.sock = sock
        self.deadline = deadline
        self.cap = cap
        self.counting = True
        self.body_bytes = 0
        self.tail = bytearray()
        self.last_line_start = 0
        self._buf = bytearray()
        self._mode = "length"
        self._left = 0
        self._need_crlf = False
        self._done = False
        self._headed = False

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _Deadline
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(1 << 16)
        except TimeoutError:
            raise _Deadline from None
        if not data:
            if self._mode == "eof":
                self._done = True
                return
            raise _Lost("the query engine closed the connection")
        self._buf += data

    def head(self) -> tuple[int, dict[str, str]]:
        while (end := self._buf.find(b"\r\n\r\n")) < 0:
            if len(self._buf) > _HEADER_LIMIT:
                raise _Lost("the query engine sent an oversized header")
            self._fill()
        lines = bytes(self._buf[:end]).decode("latin-1").split("\r\n")
        del self._buf[: end + 4]
        self._headed = True
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise _Lost(f"the query engine did not answer in HTTP: {lines[0][:80]!r}")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self._mode, self._left = "chunked", 0
        elif headers.get("content-length", "").isdigit():
            self._mode, self._left = "length", int(headers["content-length"])
            self._done = self._left == 0
        else:
            self._mode = "eof"
        return int(parts[1]), headers

    def _line(self) -> bytes:
        while (end := self._buf.find(b"\r\n")) < 0:
            if len(self._buf) > 4096:
                raise _Lost("the query engine sent a malformed chunk")
            self._fill()
        line = bytes(self._buf[:end])
        del self._buf[: end + 2]
        return line

    def _chunk(self, size: int) -> bytes:
        """Return up to ``size`` bytes of the decoded body (``b""`` at its end)."""
        if self._done:
            return b""
        if self._mode == "chunked" and self._left == 0:
            if self._need_crlf:
                if self._line():
                    raise _Lost("the query engine sent a malformed chunk")
                self._need_crlf = False
            try:
                self._left = int(self._line().split(b";")[0].strip() or b"x", 16)
            except ValueError:
                raise _Lost("the query engine sent a malformed chunk size") from None
            if self._left == 0:
                while self._line():  # trailer fields, up to the empty line
                    pass
                self._done = True
                return b""
        while not self._buf:
            self._fill()
            if self._done:
                return b""
        take = len(self._buf) if self._mode == "eof" else min(self._left, len(self._buf))
        take = min(take, size)
        data = bytes(self._buf[:take])
        del self._buf[:take]
        if self._mode != "eof":
            self._left -= take
            if self._left == 0:
                if self._mode == "length":
                    self._done = True
                else:
                    self._need_crlf = True
        return data

    def _account(self, data: bytes) -> None:
        newline = data.rfind(b"\n")
        if newline >= 0:
            self.last_line_start = self.body_bytes + newline + 1
        self.body_bytes += len(data)
        self.tail += data
        if len(self.tail) > _ERROR_TAIL:
            del self.tail[: len(self.tail) - _ERROR_TAIL]
        if self.counting and self.body_bytes > self.cap:
            raise _TooLarge

    def readinto(self, buffer: Any) -> int:
        data = self._chunk(len(buffer))
        self._account(data)
        buffer[: len(data)] = data
        return len(data)

    def drain(self) -> None:
        """Read the rest of the answer (its head too, if unread), keeping only its tail."""
        self.counting = False
        if not self._headed:
            self.head()
        while data := self._chunk(1 << 16):
            self._account(data)

    def text_from(self, offset: int | None) -> str:
        """Return the body text from byte ``offset`` (if still in the tail) to its end."""
        start = self.body_bytes - len(self.tail)
        if offset is None or offset < start:
            offset = start
        return bytes(self.tail[offset - start :]).decode("utf-8", "replace").strip()[:2000]


# ---------------------------------------------------------------------------------------------
# HTTP pieces


@dataclass
class _Response:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    close: bool = False
    linger: bool = False


def _text(status: int, message: str, **headers: str) -> _Response:
    return _Response(status, (message + "\n").encode("utf-8"), headers=dict(headers))


@dataclass
class _Request:
    method: str
    target: str
    version: str
    headers: dict[str, list[str]]
    body: bytes = b""
    close: bool = False

    def header(self, name: str) -> str | None:
        values = self.headers.get(name)
        return values[0] if values else None


class _HttpError(Exception):
    """A request that cannot be read; answered, then the connection is closed."""

    def __init__(self, status: int, message: str, *, linger: bool = True) -> None:
        super().__init__(message)
        self.response = _text(status, message)
        self.response.close = True
        self.response.linger = linger


def _negotiate(accept: str | None, offers: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    """Pick the offer the ``Accept`` header prefers (RFC 9110 §12.5.1), or ``None``.

    Each offer takes the q-value of the most specific range that matches it; ``q=0`` refuses
    it; ties go to the earlier offer.

    >>> offers = [("json", "application/sparql-results+json"), ("csv", "text/csv")]
    >>> _negotiate("text/csv;q=0.5, application/sparql-results+json;q=0.9", offers)
    ('json', 'application/sparql-results+json')
    >>> _negotiate("*/*;q=0.1, text/csv", offers)
    ('csv', 'text/csv')
    >>> _negotiate("application/sparql-results+json;q=0, */*", offers)
    ('csv', 'text/csv')
    >>> _negotiate("image/png", offers) is None
    True
    """
    if accept is None or not accept.strip():
        return offers[0]
    ranges: list[tuple[str, str, float]] = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        kind, _, sub = media.lower().partition("/")
        if not kind or not sub:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append((kind, sub, q))
    best: tuple[str, str] | None = None
    best_q = 0.0
    for offer in offers:
        kind, _, sub = offer[1].partition("/")
        specificity, q = -1, 0.0
        for range_kind, range_sub, range_q in ranges:
            if (range_kind, range_sub) == (kind, sub):
                rank = 2
            elif range_kind == kind and range_sub == "*":
                rank = 1
            elif (range_kind, range_sub) == ("*", "*"):
                rank = 0
            else:
                continue
            if rank > specificity or (rank == specificity and range_q > q):
                specificity, q = rank, range_q
        if q > best_q:
            best, best_q = offer, q
    return best


# ---------------------------------------------------------------------------------------------
# Writing answers


def _json_term(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        parts = zip(("subject", "predicate", "object"), term, strict=True)
        return {"type": "triple", "value": {k: _json_term(v) for k, v in parts}}
    return {"type": "literal", "value": str(term)}


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            attr = quoteattr(term.datatype.value)
            return f"<literal datatype={attr}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        s, p, o = (_xml_term(t) for t in term)
        return (
            f"<triple><subject>{s}</subject><predicate>{p}</predicate><object>{o}</object></triple>"
        )
    return f"<literal>{escape(str(term))}</literal>"


def _write_json(names: list[str], rows: list[Any]) -> str:
    bindings = [{n: _json_term(row[n]) for n in names if row[n] is not None} for row in rows]
    return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}})


def _write_xml(names: list[str], rows: list[Any]) -> str:
    parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    parts += [f"<variable name={quoteattr(n)}/>" for n in names]
    parts.append("</head><results>")
    for row in rows:
        parts.append("<result>")
        for n in names:
            if row[n] is not None:
                parts.append(f"<binding name={quoteattr(n)}>{_xml_term(row[n])}</binding>")
        parts.append("</result>")
    parts.append("</results></sparql>\n")
    return "".join(parts)


def _write_csv(names: list[str], rows: list[Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows(["" if row[n] is None else _plain(row[n]) for n in names] for row in rows)
    return out.getvalue()


def _plain(term: Any) -> str:
    return str(term) if isinstance(term, ox.Triple) else str(term.value)


def _write_tsv(names: list[str], rows: list[Any]) -> str:
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join("" if row[n] is None else str(row[n]) for n in names) for row in rows]
    return "\n".join(lines) + "\n"


_WRITERS: Final[dict[str, Callable[[list[str], list[Any]], str]]] = {
    "json": _write_json,
    "xml": _write_xml,
    "csv": _write_csv,
    "tsv": _write_tsv,
}
_CONTENT_TYPES: Final = {
    "application/sparql-results+json": "application/sparql-results+json",
    "application/json": "application/json",
    "application/sparql-results+xml": "application/sparql-results+xml",
    "application/xml": "application/xml",
    "text/csv": "text/csv; charset=utf-8",
    "text/tab-separated-values": "text/tab-separated-values; charset=utf-8",
}


def _boolean(answer: bool, offer: tuple[str, str]) -> _Response:
    fmt, media = offer
    word = str(answer).lower()
    if fmt == "xml":
        body = (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{word}</boolean></sparql>\n"
        )
    elif fmt in ("csv", "tsv"):
        body = word + "\n"
    else:
        body = json.dumps({"head": {}, "boolean": answer})
    return _Response(200, body.encode(), _CONTENT_TYPES[media])


# ---------------------------------------------------------------------------------------------
# One query, in a worker thread


@dataclass
class _Job:
    sparql: str
    params: list[tuple[str, str]]
    accept: str | None
    received: float
    deadline: float


@dataclass(frozen=True)
class _Settings:
    timeout: float
    limit: int
    cors: bool
    allow_service: bool
    max_query_bytes: int
    max_result_bytes: int
    idle_timeout: float
    request_timeout: float
    workers: int
    max_connections: int


def _prologue(base: str) -> str:
    decls = " ".join(f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items())
    return f"BASE <{base}> {decls} "


def _syntax_error(text: str, shift: int) -> str:
    """Turn Oxigraph's ``error at L:C: …`` into llmgraph's wording, positions in the query."""
    head, sep, rest = text.partition(": ")
    if sep and head.startswith("error at ") and ":" in head[9:]:
        line, _, column = head[9:].partition(":")
        if line.isdigit() and column.isdigit():
            col = int(column) - shift if line == "1" else int(column)
            return f"SPARQL syntax error at line {line}, column {max(1, col)}: {rest}"
    return f"SPARQL syntax error: {text}"


class _Runner:
    """Forward one query to the engine and turn its answer into the client's reply."""

    def __init__(self, engine: _Engine, settings: _Settings, base: str) -> None:
        self.engine = engine
        self.settings = settings
        self.prologue = _prologue(base)

    def timed_out(self) -> _Response:
        return _text(503, f"query timed out after {self.settings.timeout:g} s")

    def run(self, job: _Job, reply: Callable[[_Response], None]) -> None:
        """Answer ``job`` through ``reply`` (once), then follow the engine to the query's end."""
        if time.monotonic() >= job.deadline:
            reply(self.timed_out())
            return
        try:
            generation, port = self.engine.acquire(job.deadline)
        except _Unavailable as exc:
            reply(_text(503, f"{exc}; retry later"))
            return
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            reason = self.engine.died(generation, wait=1.0)
            reply(_text(503, f"the query engine is not answering ({reason or 'busy'}); retry"))
            return
        sent = time.monotonic()
        hard = sent + self.engine.timeout_s + _GRACE
        stream = _ChildStream(sock, job.deadline, self.settings.max_result_bytes)
        replied = False

        def answer(response: _Response) -> None:
            nonlocal replied
            if not replied:
                replied = True
                reply(response)

        try:
            try:
                self._send(sock, job, port)
                answer(self._read(stream, job, sent))
            except _Deadline:
                answer(self.timed_out())
            except (_Lost, OSError):
                raise
            except Exception as exc:  # a bug or an unexpected answer: say so, then follow
                answer(_text(500, f"internal error: {type(exc).__name__}: {exc}"))
            # follow the answer to its end: the engine has then stopped working on the query
            while True:
                try:
                    stream.drain()
                    break
                except _Deadline:
                    if stream.deadline >= hard:
                        self.engine.restart(
                            generation, "a query ran past its timeout and could not be cancelled"
                        )
                        break
                    answer(self.timed_out())
                    stream.deadline = hard
        except (_Lost, OSError) as exc:
            reason = self.engine.died(generation, wait=2.0)
            if reason is not None:
                answer(
                    _text(
                        503,
                        f"the query engine stopped ({reason}) and was restarted; "
                        "the query was not answered",
                    )
                )
            else:
                answer(_text(502, f"lost the connection to the query engine: {exc}"))
        finally:
            sock.close()
            answer(_text(500, "internal error: no answer was produced"))

    def _send(self, sock: socket.socket, job: _Job, port: int) -> None:
        body = (self.prologue + job.sparql).encode("utf-8")
        path = "/query" + ("?" + urllib.parse.urlencode(job.params) if job.params else "")
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/sparql-query; charset=utf-8\r\n"
            f"Accept: {_CHILD_ACCEPT}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        sock.settimeout(max(0.1, job.deadline - time.monotonic()))
        try:
            sock.sendall(head.encode("latin-1") + body)
        except TimeoutError:
            raise _Deadline from None

    def _read(self, stream: _ChildStream, job: _Job, sent: float) -> _Response:
        status, headers = stream.head()
        elapsed = time.monotonic() - sent
        if status != 200:
            stream.drain()
            return self._engine_error(status, stream.text_from(0), elapsed)
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        if media == "application/sparql-results+json":
            return self._results(stream, job, sent)
        if media == "application/n-triples":
            return self._graph(stream, job, sent)
        stream.drain()
        return _text(502, f"the query engine answered in an unexpected format {media!r}")

    def _engine_error(self, status: int, text: str, elapsed: float) -> _Response:
        if status == 400:
            if text.startswith("error at "):
                return _text(400, _syntax_error(text, len(self.prologue)))
            return _text(400, f"bad request: {text}")
        if status == 500:
            return self._failed(text, elapsed)
        return _text(502, f"the query engine answered {status}: {text}")

    def _failed(self, text: str, elapsed: float) -> _Response:
        if "cancelled" in text or elapsed >= self.engine.timeout_s:
            return self.timed_out()
        return _text(500, f"SPARQL evaluation failed: {text}")

    def _collect(
        self, items: Iterable[Any], stream: _ChildStream, sent: float, hint: Callable[[Any], int]
    ) -> tuple[list[Any], bool] | _Response:
        taken: list[Any] = []
        try:
            for item in items:
                if len(taken) >= self.settings.limit:
                    return taken, True
                taken.append(item)
        except _TooLarge:
            if taken:
                return taken, True
            return _text(
                503,
                f"a result row is larger than the result size limit of "
                f"{self.settings.max_result_bytes} bytes",
            )
        except SyntaxError as exc:  # the engine failed mid-answer and appended its error
            stream.drain()
            return self._failed(stream.text_from(hint(exc)), time.monotonic() - sent)
        return taken, False

    def _results(self, stream: _ChildStream, job: _Job, sent: float) -> _Response:
        try:
            parsed = ox.parse_query_results(cast("IO[bytes]", stream), ox.QueryResultsFormat.JSON)
        except _TooLarge:
            return _text(503, "the answer is larger than the result size limit")
        except SyntaxError:
            stream.drain()
            return self._failed(stream.text_from(0), time.monotonic() - sent)
        if isinstance(parsed, ox.QueryBoolean):
            offer = _negotiate(job.accept, _RESULT_OFFERS)
            if offer is None:
                return _text(406, "ASK answers come as JSON, XML, CSV or TSV")
            return _boolean(bool(parsed), offer)
        offer = _negotiate(job.accept, _RESULT_OFFERS)
        if offer is None:
            return _text(406, "SELECT answers come as JSON, XML, CSV or TSV")
        names = [v.value for v in parsed.variables]

        def json_offset(exc: Any) -> int:
            return int(exc.offset) - 1 if getattr(exc, "lineno", None) == 1 and exc.offset else 0

        collected = self._collect(parsed, stream, sent, json_offset)
        if isinstance(collected, _Response):
            return collected
        rows, truncated = collected
        body = _WRITERS[offer[0]](names, rows).encode("utf-8")
        extra = {"X-LLMGraph-Truncated": "true"} if truncated else {}
        return _Response(200, body, _CONTENT_TYPES[offer[1]], extra)

    def _graph(self, stream: _ChildStream, job: _Job, sent: float) -> _Response:
        offer = _negotiate(job.accept, _GRAPH_OFFERS)
        if offer is None:
            return _text(406, "CONSTRUCT and DESCRIBE answers come as N-Triples or Turtle")
        triples = (q.triple for q in ox.parse(cast("IO[bytes]", stream), ox.RdfFormat.N_TRIPLES))
        collected = self._collect(triples, stream, sent, lambda _: stream.last_line_start)
        if isinstance(collected, _Response):
            return collected
        found, truncated = collected
        body = ox.serialize(found, format=ox.RdfFormat.N_TRIPLES) or b""
        content_type = "text/turtle" if offer[0] == "ttl" else offer[1]
        extra = {"X-LLMGraph-Truncated": "true"} if truncated else {}
        return _Response(200, body, content_type, extra)


# ---------------------------------------------------------------------------------------------
# The server


class Server:
    """A running read-only SPARQL endpoint; build one with :func:`serve_location`.

    Use it as a context manager (serving in a background thread), or call
    :meth:`serve_forever` (blocking) and :meth:`shutdown`::

        with serve_location(path, port=0) as server:
            print(server.url)       # http://127.0.0.1:<port>/query

    Attributes:
        url: the query URL, such as ``http://127.0.0.1:7878/query``.
        host: the interface listened on.
        port: the TCP port listened on.
    """

    def __init__(
        self,
        location: Path,
        *,
        host: str,
        port: int,
        settings: _Settings,
        memory_limit: int | None,
        program: str | None,
        cleanup: Path | None = None,
    ) -> None:
        self._settings = settings
        self._cleanup = cleanup
        self.holds: list[Any] = []  # closed at shutdown (a store's reader lease)
        self._sock = _listen(host, port)
        bound = self._sock.getsockname()
        self.host = host
        self.port: int = bound[1]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self.port}/query"
        self._hosts = _allowed_hosts(host, bound[0], self.port)
        try:
            self._engine = _Engine(
                location,
                timeout=settings.timeout,
                memory_limit=memory_limit,
                program=program or _find_oxigraph(),
            )
            self._engine.start()
        except BaseException:
            self._sock.close()
            raise
        self._runner = _Runner(self._engine, settings, self.url)
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=settings.workers, thread_name_prefix="llmgraph-serve"
        )
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._finished = threading.Event()
        self._closed = False
        self._connections: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"<Server {self.url}>"

    @property
    def engine_pid(self) -> int | None:
        """The PID of the Oxigraph process answering now (it changes when it is restarted)."""
        return self._engine.pid

    @property
    def restarts(self) -> int:
        """How many times the Oxigraph process was replaced (memory, uncancellable query)."""
        return self._engine.restarts

    def serve_forever(self) -> None:
        """Answer requests until :meth:`shutdown` (or SIGTERM, when run in the main thread).

        Raises:
            UsageError: the server was shut down, or is already serving.
        """
        with self._lock:
            if self._closed or self._loop is not None:
                raise UsageError("this server is shut down or already serving")
            self._loop = asyncio.new_event_loop()
        main = self._loop.create_task(self._main())
        try:
            self._loop.run_until_complete(main)
        except BaseException:  # KeyboardInterrupt: let the loop close its connections first
            if self._stop is not None:
                self._stop.set()
            with contextlib.suppress(BaseException):
                self._loop.run_until_complete(main)
            raise
        finally:
            self._loop.run_until_complete(self._loop.shutdown_default_executor())
            self._loop.close()
            self._finished.set()

    def start(self) -> Server:
        """Serve in a background thread and return at once (the context manager calls this)."""
        self._thread = threading.Thread(
            target=self.serve_forever, name="llmgraph-serve", daemon=True
        )
        self._thread.start()
        self._started.wait(timeout=10)
        return self

    def shutdown(self) -> None:
        """Stop serving, stop the Oxigraph process and release everything (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop.set)
            if threading.current_thread() is not self._thread:
                self._finished.wait(timeout=30)
        self._sock.close()
        self._engine.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._cleanup is not None:
            shutil.rmtree(self._cleanup, ignore_errors=True)
        for held in self.holds:
            held.close()
        self.holds.clear()

    def server_close(self) -> None:
        """Alias of :meth:`shutdown`, for callers written for :mod:`socketserver`."""
        self.shutdown()

    def __enter__(self) -> Server:
        if self._loop is None:
            self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.shutdown()

    # -- the event loop -------------------------------------------------------------------

    async def _main(self) -> None:
        loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        if self._closed:
            return
        server = await asyncio.start_server(self._connection, sock=self._sock, limit=_LINE_LIMIT)
        if threading.current_thread() is threading.main_thread():
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signal.SIGTERM, self._stop.set)
        monitor = asyncio.create_task(self._monitor())
        self._started.set()
        try:
            await self._stop.wait()
        finally:
            server.close()
            monitor.cancel()
            for task in list(self._connections):
                task.cancel()
            await asyncio.gather(monitor, *self._connections, return_exceptions=True)
            if threading.current_thread() is threading.main_thread():
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(signal.SIGTERM)

    async def _monitor(self) -> None:
        """Restart the engine if it exits while no query notices (checked twice a second)."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(0.5)
            if self._engine.exited():
                generation = self._engine.generation
                with contextlib.suppress(Exception):  # the next query retries
                    await loop.run_in_executor(None, self._engine.died, generation, 0.0)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            if len(self._connections) > self._settings.max_connections:
                busy = _text(503, "too many open connections; retry later")
                busy.close = True
                await self._send(writer, busy)
                return
            while True:
                try:
                    request = await self._read_request(reader, writer)
                except _HttpError as exc:
                    await self._send(writer, exc.response)
                    if exc.response.linger:
                        await _linger(reader, writer)
                    return
                if request is None:
                    return
                try:
                    response = await self._dispatch(request)
                except Exception as exc:  # a bug: answer it rather than drop the connection
                    response = _text(500, f"internal error: {type(exc).__name__}: {exc}")
                response.close = response.close or request.close
                await self._send(writer, response, head=request.method == "HEAD")
                if response.close:
                    return
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:  # shutdown; end normally (asyncio 3.11 streams expect it)
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                async with asyncio.timeout(1):
                    await writer.wait_closed()
            if task is not None:
                self._connections.discard(task)

    async def _read_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> _Request | None:
        try:
            async with asyncio.timeout(self._settings.idle_timeout):
                line = await reader.readuntil(b"\n")
                for _ in range(4):  # RFC 9112 §2.2: ignore empty lines before a request
                    if line.strip():
                        break
                    line = await reader.readuntil(b"\n")
        except TimeoutError:
            return None
        except asyncio.IncompleteReadError as exc:
            if exc.partial.strip():
                raise _HttpError(400, "incomplete request line") from None
            return None
        except asyncio.LimitOverrunError:
            raise _HttpError(414, f"the request line is longer than {_LINE_LIMIT} bytes") from None
        try:
            async with asyncio.timeout(self._settings.request_timeout):
                return await self._read_rest(line, reader, writer)
        except TimeoutError:
            wait = self._settings.request_timeout
            raise _HttpError(408, f"the request did not arrive within {wait:g} s") from None
        except asyncio.LimitOverrunError:
            raise _HttpError(431, f"a header line is longer than {_LINE_LIMIT} bytes") from None

    async def _read_rest(
        self, line: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> _Request | None:
        parts = line.decode("latin-1").rstrip("\r\n").split(" ")
        if len(parts) != 3 or not parts[0].isalpha() or not parts[1]:
            raise _HttpError(400, "malformed request line")
        method, target, version = parts
        if version not in ("HTTP/1.1", "HTTP/1.0"):
            if version.startswith("HTTP/"):
                raise _HttpError(505, f"{version} is not supported; use HTTP/1.1")
            raise _HttpError(400, "malformed request line")
        headers: dict[str, list[str]] = {}
        size = 0
        while True:
            raw = await reader.readuntil(b"\n")
            size += len(raw)
            if size > _HEADER_LIMIT or len(headers) > _MAX_HEADERS:
                raise _HttpError(431, "the request headers are too large")
            text = raw.decode("latin-1").rstrip("\r\n")
            if not text:
                break
            name, colon, value = text.partition(":")
            if not colon or not name or name != name.strip() or text[0] in " \t":
                raise _HttpError(400, f"malformed header line {text[:60]!r}")
            headers.setdefault(name.lower(), []).append(value.strip(" \t"))
        connection = ",".join(headers.get("connection", [])).lower()
        request = _Request(method, target, version, headers)
        request.close = version == "HTTP/1.0" or "close" in connection
        request.body = await self._read_body(request, reader, writer)
        return request

    async def _read_body(
        self, request: _Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bytes:
        cap = self._settings.max_query_bytes
        coding = ",".join(request.headers.get("transfer-encoding", [])).strip().lower()
        lengths = {
            v.strip() for v in ",".join(request.headers.get("content-length", [])).split(",")
        }
        lengths.discard("")
        if coding and lengths:
            raise _HttpError(400, "both Transfer-Encoding and Content-Length were sent")
        if coding and coding != "chunked":
            raise _HttpError(501, f"Transfer-Encoding {coding!r} is not supported (only chunked)")
        length = 0
        if lengths:
            if len(lengths) > 1 or not all(v.isdigit() for v in lengths):
                raise _HttpError(400, f"invalid Content-Length {','.join(sorted(lengths))!r}")
            length = int(lengths.pop())
            if length > cap:
                raise _HttpError(413, f"the request body is larger than {cap} bytes")
        expect = request.header("expect")
        if expect is not None:
            if expect.lower() != "100-continue":
                raise _HttpError(417, f"cannot meet the expectation {expect!r}")
            if length or coding:
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                await writer.drain()
        if not coding:
            return await reader.readexactly(length) if length else b""
        body = bytearray()
        while True:
            size_line = await reader.readuntil(b"\n")
            try:
                size = int(size_line.split(b";")[0].strip(), 16)
            except ValueError:
                raise _HttpError(400, "malformed chunk size") from None
            if size == 0:
                for _ in range(_MAX_HEADERS):
                    if not (await reader.readuntil(b"\n")).strip():
                        return bytes(body)
                raise _HttpError(431, "too many trailer fields")
            if len(body) + size > cap:
                raise _HttpError(413, f"the request body is larger than {cap} bytes")
            body += await reader.readexactly(size)
            if (await reader.readexactly(2)) != b"\r\n":
                raise _HttpError(400, "malformed chunk")

    async def _send(
        self, writer: asyncio.StreamWriter, response: _Response, *, head: bool = False
    ) -> None:
        reason = http.HTTPStatus(response.status).phrase
        lines = [f"HTTP/1.1 {response.status} {reason}", "Server: llmgraph"]
        if response.status != 204:
            lines.append(f"Content-Type: {response.content_type}")
            lines.append(f"Content-Length: {len(response.body)}")
        lines.append("X-Content-Type-Options: nosniff")
        if self._settings.cors:
            lines.append("Access-Control-Allow-Origin: *")
            lines.append("Access-Control-Expose-Headers: X-LLMGraph-Truncated")
        lines += [f"{k}: {v}" for k, v in response.headers.items()]
        if response.close:
            lines.append("Connection: close")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if not head and response.status != 204:
            data += response.body
        writer.write(data)
        async with asyncio.timeout(_WRITE_TIMEOUT):
            await writer.drain()

    # -- requests -------------------------------------------------------------------------

    def _check_host(self, request: _Request) -> _Response | None:
        if self._hosts is None:
            return None
        hosts = request.headers.get("host", [])
        if len(hosts) > 1:
            return _text(400, "more than one Host header")
        target = urllib.parse.urlsplit(request.target)
        named = target.netloc if target.scheme else (hosts[0] if hosts else None)
        if named is None:
            if request.version == "HTTP/1.1":
                return _text(400, "missing Host header (required by HTTP/1.1)")
            return None
        if named.lower() not in self._hosts:
            return _text(
                421,
                f"Host {named!r} does not name this server: it answers only as "
                + " or ".join(sorted(self._hosts)),
            )
        return None

    async def _dispatch(self, request: _Request) -> _Response:
        refused = self._check_host(request)
        if refused is not None:
            refused.close = True
            return refused
        origin = request.header("origin")
        if origin is not None and not self._settings.cors:
            return _text(
                403,
                f"requests from web pages (Origin {origin!r}) are refused; "
                "start the server with cors=True / --cors to allow them",
            )
        method = request.method
        if request.target == "*" and method == "OPTIONS":
            return _Response(204, headers={"Allow": _ALLOW})
        path = urllib.parse.urlsplit(request.target).path or "/"
        if path == "/update":
            return _text(403, "this endpoint is read-only: updates are refused")
        if path not in _ENDPOINTS:
            return _text(404, f"no such resource {path}; the endpoint is /query")
        if method == "OPTIONS":
            return self._options(request)
        if method not in ("GET", "HEAD", "POST"):
            status = 405 if method in _KNOWN_METHODS else 501
            return _text(status, f"method {method} is not allowed here", Allow=_ALLOW)
        try:
            job = self._job(request)
        except _HttpError as exc:
            exc.response.close = False
            return exc.response
        except QueryError as exc:
            return _text(403, str(exc))
        return await self._answer(job)

    def _options(self, request: _Request) -> _Response:
        headers = {"Allow": _ALLOW}
        if self._settings.cors and request.header("access-control-request-method"):
            headers["Access-Control-Allow-Methods"] = "GET, POST, HEAD, OPTIONS"
            headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
            headers["Access-Control-Max-Age"] = "600"
        return _Response(204, headers=headers)

    def _job(self, request: _Request) -> _Job:
        received = time.monotonic()
        url_params = _form(urllib.parse.urlsplit(request.target).query)
        params = list(url_params)
        sparql: str | None = None
        if request.method == "POST":
            media = (request.header("content-type") or "").split(";")[0].strip().lower()
            if media == "application/sparql-update":
                raise _HttpError(403, "this endpoint is read-only: updates are refused")
            if media == "application/sparql-query":
                sparql = _utf8(request.body, "the query")
            elif media == "application/x-www-form-urlencoded":
                params += _form(_utf8(request.body, "the form"))
            else:
                raise _HttpError(
                    415,
                    f"Content-Type {media or '(none)'!r} is not a SPARQL query; send "
                    "application/x-www-form-urlencoded or application/sparql-query",
                )
        names = [name for name, _ in params]
        if "update" in names:
            raise _HttpError(403, "this endpoint is read-only: updates are refused")
        queries = [value for name, value in params if name == "query"]
        if sparql is not None and queries:
            raise _HttpError(400, "the query was sent both in the URL and in the body")
        if sparql is None:
            if not queries:
                raise _HttpError(400, "missing the 'query' parameter (SPARQL 1.1 Protocol)")
            if len(queries) > 1:
                raise _HttpError(400, "more than one 'query' parameter")
            sparql = queries[0]
        if len(sparql.encode("utf-8")) > self._settings.max_query_bytes:
            raise _HttpError(
                413, f"the query is larger than {self._settings.max_query_bytes} bytes"
            )
        accept = ",".join(request.headers.get("accept", [])) or None
        if _negotiate(accept, _RESULT_OFFERS + _GRAPH_OFFERS) is None:
            raise _HttpError(
                406,
                "the Accept header allows none of the answer formats: SPARQL JSON, XML, CSV, "
                "TSV, N-Triples or Turtle",
            )
        if not self._settings.allow_service:
            refuse_service(sparql)
        graphs = [(n, v) for n, v in params if n in ("default-graph-uri", "named-graph-uri")]
        return _Job(sparql, graphs, accept, received, received + self._settings.timeout)

    async def _answer(self, job: _Job) -> _Response:
        future: concurrent.futures.Future[_Response] = concurrent.futures.Future()

        def reply(response: _Response) -> None:
            if not future.done():
                future.set_result(response)

        try:
            self._pool.submit(self._runner.run, job, reply)
        except RuntimeError:  # shutting down
            return _text(503, "the server is shutting down")
        waiting = asyncio.wrap_future(future)
        try:
            async with asyncio.timeout(max(0.0, job.deadline - time.monotonic()) + 1.0):
                response = await asyncio.shield(waiting)
        except TimeoutError:  # still queued behind other queries
            reply(self._runner.timed_out())
            response = self._runner.timed_out()
        response.headers.setdefault("Vary", "Accept")
        return response


async def _linger(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Close after an early error without resetting: read and drop what the client still sends."""
    with contextlib.suppress(Exception):
        writer.write_eof()
        async with asyncio.timeout(2):
            dropped = 0
            while dropped < 16 << 20 and (data := await reader.read(1 << 16)):
                dropped += len(data)


def _form(text: str) -> list[tuple[str, str]]:
    try:
        return urllib.parse.parse_qsl(
            text, keep_blank_values=True, strict_parsing=False, errors="strict", max_num_fields=64
        )
    except (ValueError, UnicodeDecodeError) as exc:
        raise _HttpError(400, f"malformed form or URL parameters: {exc}") from exc


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _HttpError(400, f"{what} is not UTF-8 (byte {exc.start})") from exc


def _listen(host: str, port: int) -> socket.socket:
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.create_server((host, port), family=family, backlog=128)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.setblocking(False)
    return sock


def _allowed_hosts(host: str, address: str, port: int) -> set[str] | None:
    """Return the ``Host`` values a loopback server answers to (``None``: not loopback)."""
    try:
        if not ipaddress.ip_address(address.split("%")[0]).is_loopback:
            return None
    except ValueError:
        return None
    names = {"localhost", host.lower()}
    names.add(f"[{address}]" if ":" in address else address)
    names = {f"[{n}]" if ":" in n and not n.startswith("[") else n for n in names}
    allowed = {f"{n}:{port}" for n in names}
    if port == 80:
        allowed |= names
    return allowed


# ---------------------------------------------------------------------------------------------
# Building servers


def _settings(
    *,
    timeout: float,
    limit: int,
    cors: bool,
    allow_service: bool,
    memory_limit: int | None,
    max_query_bytes: int,
    max_result_bytes: int,
    idle_timeout: float,
    request_timeout: float,
    workers: int,
    max_connections: int,
) -> _Settings:
    checks = {
        "timeout": timeout,
        "limit": limit,
        "max_query_bytes": max_query_bytes,
        "max_result_bytes": max_result_bytes,
        "idle_timeout": idle_timeout,
        "request_timeout": request_timeout,
        "workers": workers,
        "max_connections": max_connections,
    }
    bad = [f"{k}={v!r}" for k, v in checks.items() if not v > 0]
    if bad:
        raise UsageError(f"these settings must be positive: {', '.join(bad)}")
    if memory_limit is not None and memory_limit < 64 << 20:
        raise UsageError(f"memory_limit must be at least 64 MiB, got {memory_limit} bytes")
    return _Settings(
        timeout=timeout,
        limit=limit,
        cors=cors,
        allow_service=allow_service,
        max_query_bytes=max_query_bytes,
        max_result_bytes=max_result_bytes,
        idle_timeout=idle_timeout,
        request_timeout=request_timeout,
        workers=workers,
        max_connections=max_connections,
    )


def serve_location(
    location: Path | str,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: float = 30.0,
    limit: int = 100_000,
    cors: bool = False,
    allow_service: bool = False,
    memory_limit: int | None = MEMORY_LIMIT,
    max_query_bytes: int = 1 << 20,
    max_result_bytes: int = 128 << 20,
    idle_timeout: float = 10.0,
    request_timeout: float = 10.0,
    workers: int = 16,
    max_connections: int = 256,
    program: str | None = None,
) -> Server:
    """Serve an Oxigraph database directory read-only; return the server, bound, not serving.

    Nothing may write the directory while it is served.

    Args:
        location: the directory of an Oxigraph database (see :func:`write_database`).
        host: the interface to listen on (loopback by default).
        port: the TCP port (0 picks a free one).
        timeout: seconds a query may run; the client then gets 503 and the query stops.
        limit: the most result rows (or triples) sent per query.
        cors: answer web pages of any origin (``Access-Control-Allow-Origin: *``).
        allow_service: let queries use SERVICE, making the server connect where they say.
        memory_limit: bytes of data memory for the query engine (``None``: no limit).
        max_query_bytes: the largest request body or query accepted (413 beyond).
        max_result_bytes: the most bytes of answer read from the engine per query.
        idle_timeout: seconds an idle keep-alive connection stays open.
        request_timeout: seconds a request may take to arrive once started (408 beyond).
        workers: queries answered at once (more wait, within their timeout).
        max_connections: connections open at once (more get 503).
        program: the ``oxigraph`` program (default: found beside Python or on ``PATH``).

    Returns:
        A :class:`Server`; use it as a context manager or call :meth:`Server.serve_forever`.

    Raises:
        UsageError: a bad setting, a port that cannot be bound, no ``oxigraph`` program, or a
            directory Oxigraph cannot serve.

    >>> serve_location("/nonexistent/db", port=0)
    Traceback (most recent call last):
    ...
    llmgraph.errors.UsageError: /nonexistent/db is not an Oxigraph database (no CURRENT file)
    """
    settings = _settings(
        timeout=timeout,
        limit=limit,
        cors=cors,
        allow_service=allow_service,
        memory_limit=memory_limit,
        max_query_bytes=max_query_bytes,
        max_result_bytes=max_result_bytes,
        idle_timeout=idle_timeout,
        request_timeout=request_timeout,
        workers=workers,
        max_connections=max_connections,
    )
    return _server(Path(location), host, port, settings, memory_limit, program, cleanup=None)


def _server(
    location: Path,
    host: str,
    port: int,
    settings: _Settings,
    memory_limit: int | None,
    program: str | None,
    *,
    cleanup: Path | None,
) -> Server:
    current = location / "CURRENT"
    if not current.is_file():
        raise UsageError(f"{location} is not an Oxigraph database (no CURRENT file)")
    if current.read_text(encoding="utf-8", errors="replace").startswith("gen-"):
        raise UsageError(
            f"{location} is an llmgraph store, not one Oxigraph database: serve one of its "
            "generations that nothing writes any more"
        )
    return Server(
        location,
        host=host,
        port=port,
        settings=settings,
        memory_limit=memory_limit,
        program=program,
        cleanup=cleanup,
    )


def write_database(ntriples: bytes, location: Path | str) -> Path:
    r"""Write N-Triples into a new Oxigraph database at ``location`` and close it.

    Args:
        ntriples: the triples, for example ``graph.rdf.serialize(format="nt", encoding="utf-8")``.
        location: a directory that does not exist yet, or is empty.

    Returns:
        ``location``, as a :class:`~pathlib.Path`.

    Raises:
        UsageError: ``location`` exists and is not empty.
        DataLoadError: the bytes are not valid N-Triples.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     db = write_database(b"<http://e/a> <http://e/b> <http://e/c> .\n", Path(tmp) / "db")
    ...     len(ox.Store.read_only(str(db)))
    1
    """
    path = Path(location)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise UsageError(f"{path} exists and is not an empty directory")
    store = ox.Store(str(path))
    try:
        store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
        store.flush()
    except SyntaxError as exc:
        del store
        gc.collect()
        shutil.rmtree(path, ignore_errors=True)
        raise DataLoadError(f"invalid N-Triples: {exc}") from exc
    del store  # closes the database: the server opens it read-only
    gc.collect()
    return path


def serve_ntriples(ntriples: bytes, **options: Any) -> Server:
    """Serve triples from a temporary Oxigraph database, removed when the server shuts down.

    For in-memory graphs: ``serve_ntriples(lg.rdf.serialize(format="nt", encoding="utf-8"))``.
    ``options`` are those of :func:`serve_location`.

    Raises:
        DataLoadError: the bytes are not valid N-Triples.
        UsageError: as :func:`serve_location`.

    >>> serve_ntriples(b"not N-Triples", port=0)
    Traceback (most recent call last):
    ...
    llmgraph.errors.DataLoadError: invalid N-Triples: ...
    """
    folder = Path(tempfile.mkdtemp(prefix="llmgraph-serve-"))
    try:
        database = write_database(ntriples, folder / "db")
        return _with_cleanup(database, folder, options)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _with_cleanup(database: Path, folder: Path, options: dict[str, Any]) -> Server:
    defaults: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": 7878,
        "timeout": 30.0,
        "limit": 100_000,
        "cors": False,
        "allow_service": False,
        "memory_limit": MEMORY_LIMIT,
        "max_query_bytes": 1 << 20,
        "max_result_bytes": 128 << 20,
        "idle_timeout": 10.0,
        "request_timeout": 10.0,
        "workers": 16,
        "max_connections": 256,
        "program": None,
    }
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise UsageError(f"unknown serve option(s): {', '.join(unknown)}")
    values = {**defaults, **options}
    host, port, program = values.pop("host"), values.pop("port"), values.pop("program")
    settings = _settings(**values)
    return _server(database, host, port, settings, values["memory_limit"], program, cleanup=folder)


def make_server(graph: Any, **options: Any) -> Server:
    """Serve any llmgraph graph: an in-memory graph, an on-disk store, or a database directory.

    An in-memory :class:`~llmgraph.LineageGraph` is written to a temporary database; a graph
    on a store is served from its live generation, which no process ever writes (the store
    writes new generations; the serving process holds a reader's lease on this one, so it is
    not deleted under the server); a path is served as it is (:func:`serve_location`).
    ``options`` are those of :func:`serve_location`.

    Raises:
        UsageError: ``graph`` is none of these (an endpoint is served already), or as
            :func:`serve_location`.

    >>> make_server(object())
    Traceback (most recent call last):
    ...
    llmgraph.errors.UsageError: cannot serve object: pass a LineageGraph, a store or a database path
    """
    from llmgraph.backends.store import StoreBackend
    from llmgraph.base import BaseGraph

    if isinstance(graph, BaseGraph):
        backend = graph.backend
        if isinstance(backend, StoreBackend):
            reader = StoreBackend.open(backend.root, read_only=True)  # a lease of its own
            try:
                server = serve_location(reader.location, **options)
            except BaseException:
                reader.close()
                raise
            server.holds.append(reader)
            return server
        if graph.kind == "memory":
            return serve_ntriples(graph.rdf.serialize(format="nt", encoding="utf-8"), **options)
        raise UsageError(
            f"{backend.where} is a SPARQL endpoint already: serve publishes an in-memory "
            "graph or a store"
        )
    if isinstance(graph, str | Path):
        return serve_location(graph, **options)
    raise UsageError(
        f"cannot serve {type(graph).__name__}: pass a LineageGraph, a store or a database path"
    )
