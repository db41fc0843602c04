"""Real SPARQL servers for the tests, started on 127.0.0.1 and stopped by their PID."""

from __future__ import annotations

import dataclasses
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from llmgraph import LineageGraph


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def oxigraph_program() -> str:
    """Return the `oxigraph` server program installed with the dev dependencies."""
    found = Path(sys.executable).with_name("oxigraph")
    program = str(found) if found.exists() else shutil.which("oxigraph")
    if program is None:
        pytest.fail("the `oxigraph` server is missing: run `make setup` (dev dependency oxigraph)")
    return program


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path | None = None) -> None:
    """Poll ``url`` until the server answers (or fail if it died or took over 60 s)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            pytest.fail(f"the server exited with status {process.returncode}\n{said}")
        try:
            with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    pytest.fail(f"the server at {url} did not come up")


@contextmanager
def oxigraph_server(folder: Path, data: Path | None = None) -> Iterator[str]:
    """Run `oxigraph serve` (read-write) on a free loopback port; yield its base URL."""
    program = oxigraph_program()
    database = folder / "db"
    if data is not None:
        subprocess.run(
            [program, "load", "--location", str(database), "--file", str(data)],
            check=True,
            capture_output=True,
        )
    port = free_port()
    process = subprocess.Popen(
        [program, "serve", "--location", str(database), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/query", process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def replace_data(base: str, ntriples: str) -> None:
    """Replace everything on the server at ``base`` with these N-Triples."""
    update = "DROP ALL ;\nINSERT DATA {\n" + ntriples + "\n}"
    body = urllib.parse.urlencode({"update": update}).encode("utf-8")
    request = urllib.request.Request(base + "/update", data=body, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(request, timeout=30):
        pass


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """A running SPARQL server: its engine, URLs and the graph that holds the data."""

    engine: str
    query: str
    update: str
    graph: str | None = None
    data: Path | None = None
    """The N-Triples file the server was started with."""

    @property
    def argv(self) -> list[str]:
        """The global options that point the command line at this endpoint (read-only)."""
        graph = [] if self.graph is None else ["--graph", self.graph]
        return ["--endpoint", self.query, *graph]

    @property
    def write_argv(self) -> list[str]:
        """The global options that point the command line at this endpoint, writable."""
        return [*self.argv, "--update-endpoint", self.update]

    def connect(self, *, writable: bool = False, **options: object) -> LineageGraph:
        """Return a graph connected to this endpoint (``writable`` passes the update URL)."""
        update = self.update if writable else None
        return LineageGraph.connect(self.query, update, graph=self.graph, **options)  # type: ignore[arg-type]

    def replace(self, data: Path) -> None:
        """Replace every triple of the data graph with those of the N-Triples file ``data``."""
        if self.engine == "oxigraph":
            replace_data(self.query.rsplit("/", 1)[0], data.read_text(encoding="utf-8"))
        else:
            virtuoso_load(self, data, replace=True)


ENGINES = ("oxigraph", "virtuoso")
"""The SPARQL servers every endpoint test runs against."""

VIRTUOSO_GRAPH = "https://w3id.org/llmgraph/data"
_VIRTUOSO: dict[str, tuple[int, Path]] = {}  # query URL → SQL port, database folder


def virtuoso_programs() -> tuple[str, str]:
    """Return the Virtuoso server (`virtuoso-t`) and its SQL client (`isql-vt` or `isql`)."""
    server = shutil.which("virtuoso-t")
    beside = Path(server).with_name("isql") if server else None  # upstream builds, Homebrew
    client = shutil.which("isql-vt") or (str(beside) if beside and beside.exists() else None)
    if server is None or client is None:
        pytest.fail(
            "OpenLink Virtuoso is missing (`virtuoso-t` and `isql-vt`): run `make virtuoso` "
            "(apt-get install virtuoso-opensource) or install Virtuoso 7 from "
            "https://github.com/openlink/virtuoso-opensource/releases"
        )
    return server, client


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def virtuoso_sql(endpoint: Endpoint, statements: str) -> str:
    """Run SQL statements through isql on the server's SQL port; fail on any error."""
    _, client = virtuoso_programs()
    port, _ = _VIRTUOSO[endpoint.query]
    done = subprocess.run(
        [client, f"127.0.0.1:{port}", "dba", "dba", "VERBOSE=OFF", f"EXEC={statements}"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    said = done.stdout + done.stderr
    if done.returncode != 0 or "*** Error" in said:
        pytest.fail(f"isql failed ({done.returncode}) on {statements!r}:\n{said[-2000:]}")
    return said


def virtuoso_load(endpoint: Endpoint, data: Path, *, replace: bool = False) -> None:
    """Bulk-load an N-Triples file into the endpoint's graph (`ld_dir`, `rdf_loader_run`)."""
    _, folder = _VIRTUOSO[endpoint.query]
    if data.parent != folder:  # ld_dir reads only from the server's DirsAllowed
        data = Path(shutil.copy(data, folder / f"load-{time.monotonic_ns()}.nt"))
    graph = _sql_string(endpoint.graph or VIRTUOSO_GRAPH)
    clear = f"SPARQL CLEAR GRAPH <{endpoint.graph}>; " if replace else ""
    virtuoso_sql(
        endpoint,
        f"{clear}DELETE FROM DB.DBA.load_list; "
        f"ld_dir({_sql_string(str(data.parent))}, {_sql_string(data.name)}, {graph}); "
        "rdf_loader_run(); checkpoint;",
    )
    errors = virtuoso_sql(
        endpoint, "SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;"
    )
    if str(data) in errors:
        pytest.fail(f"Virtuoso did not load {data}:\n{errors}")


@contextmanager
def virtuoso_server(
    folder: Path,
    data: Path | None = None,
    *,
    max_rows: int = 10_000,
    max_seconds: int = 120,
    buffers: int = 20_000,
    vector_size: int | None = 1_000,
) -> Iterator[Endpoint]:
    """Run a private Virtuoso 7 on free loopback ports, its database in ``folder``.

    The data is bulk-loaded into the graph :data:`VIRTUOSO_GRAPH`; SPARQL updates are allowed
    on ``/sparql`` (a private test server); ``max_rows`` is its ``ResultSetMaxRows`` cap,
    ``max_seconds`` its ``MaxQueryExecutionTime``, ``buffers`` its ``NumberOfBuffers``
    (8 KiB pages of cache) and ``vector_size`` its ``VectorSize`` (rows per batch of the
    vectored engine): 1,000 as in the ``virtuoso.ini`` Virtuoso ships, ``None`` for the
    larger built-in default, with which Virtuoso spent a third of its CPU time in the tests
    zeroing batch buffers for each of their thousands of small queries.
    The server is stopped by its PID (SIGTERM, then SIGKILL).
    """
    program, _ = virtuoso_programs()
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    vectors = "" if vector_size is None else f"VectorSize = {vector_size}\n"
    ini.write_text(
        f"""[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {folder}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {buffers * 3 // 4}
ThreadsPerQuery = 2
{vectors}CheckpointInterval = 0
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 4
MaxClientConnections = 4
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {max_seconds}
MaxQueryCostEstimationTime = 0
""",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [program, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{http_port}"
    endpoint = Endpoint("virtuoso", base + "/sparql", base + "/sparql", VIRTUOSO_GRAPH)
    _VIRTUOSO[endpoint.query] = (sql_port, folder)
    try:
        wait_until_up(endpoint.query, process, folder / "virtuoso.log")
        virtuoso_sql(endpoint, 'GRANT SPARQL_UPDATE TO "SPARQL";')
        if data is not None:
            virtuoso_load(endpoint, data)
        yield dataclasses.replace(endpoint, data=data)
    finally:
        _VIRTUOSO.pop(endpoint.query, None)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def sparql_server(engine: str, folder: Path, data: Path | None = None) -> Iterator[Endpoint]:
    """Run a real SPARQL server of ``engine`` (``"oxigraph"`` or ``"virtuoso"``) with ``data``."""
    if engine == "virtuoso":
        with virtuoso_server(folder, data) as endpoint:
            yield endpoint
        return
    with oxigraph_server(folder, data) as base:
        yield Endpoint("oxigraph", base + "/query", base + "/update", data=data)
