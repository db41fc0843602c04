"""Real SPARQL servers for the tests, started on 127.0.0.1 and stopped by their PID."""

from __future__ import annotations

import shutil
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


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    """Poll ``url`` until the server answers (or fail if it died or took over 30 s)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with status {process.returncode}")
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
