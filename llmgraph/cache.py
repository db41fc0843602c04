r"""The load cache: the parsed, checked bundle, kept between processes.

``LineageGraph.load()`` parses the ontology and the bundled data (about twenty Turtle files),
checks every fact, materializes ``llm:derivedFrom`` / ``llm:backs`` and builds the traversal
engine: most of a second, spent again by every command and every script. The result is the same
for the same files, so it is kept in the user's cache folder, keyed by a hash of the *contents*
of every file loaded (and of llmgraph's code and the rdflib, numpy and Python it runs on): a
changed, added or removed file gives another key, so a cached graph is never a stale one.

A cache entry holds the engine (what ``ancestors``, ``descendants``, ``backers`` and names
answer from) and the rdflib graph as bytes, which are unpickled only when a triple, a SPARQL
query or a write needs them. An entry is written only after the files loaded without error, and
atomically (a temporary file renamed into place), so a crash or a racing process never leaves a
half entry; an entry that cannot be read is ignored and rewritten.

Where: ``$LLMGRAPH_CACHE`` if set (``off``, ``0`` or an empty value turn the cache off), else
``$XDG_CACHE_HOME/llmgraph``, else ``~/.cache/llmgraph`` (``%LOCALAPPDATA%\\llmgraph`` on
Windows). The folder is created private to the user (mode 0700): an entry is a pickle, and
loading one runs code, so it must be writable only by its owner. Remove the folder at any
time; :func:`clear` does it for llmgraph's own entries.

>>> from llmgraph import LineageGraph
>>> first = LineageGraph.load()    # parsed and checked, then kept (or read, if kept before)
>>> again = LineageGraph.load()    # read from the cache: the engine now, the triples on use
>>> len(first) == len(again), again.backend.materialized
(True, False)
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph

    from llmgraph.engine import LineageIndex

__all__ = ["CachedBundle", "cache_folder", "clear", "key_of", "read", "write"]

_FORMAT = "llmgraph-load-cache-1"
_PREFIX = "load-"
_SUFFIX = ".pickle"
_KEEP = 8  # entries kept per folder (the newest); older ones are removed on write
_OFF = {"", "0", "off", "no", "false"}


@dataclass(frozen=True)
class CachedBundle:
    """One cache entry: the engine, the triple count and the pickled rdflib graph."""

    engine: LineageIndex
    count: int
    graph_bytes: bytes

    def graph(self) -> Graph:
        """Unpickle the rdflib graph (a new, independent graph each call)."""
        graph = pickle.loads(self.graph_bytes)
        return graph  # type: ignore[no-any-return]


def cache_folder(environ: Mapping[str, str] | None = None) -> Path | None:
    """Return the cache folder, or ``None`` when the cache is turned off.

    Args:
        environ: the environment to read (default ``os.environ``).

    >>> cache_folder({"LLMGRAPH_CACHE": "off"}) is None
    True
    >>> cache_folder({"XDG_CACHE_HOME": "/var/cache/me"}).as_posix()
    '/var/cache/me/llmgraph'
    """
    env = os.environ if environ is None else environ
    chosen = env.get("LLMGRAPH_CACHE")
    if chosen is not None:
        if chosen.strip().lower() in _OFF:
            return None
        return Path(chosen).expanduser()
    if sys.platform == "win32" and env.get("LOCALAPPDATA"):
        return Path(env["LOCALAPPDATA"]) / "llmgraph"
    xdg = env.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "llmgraph"


def key_of(files: Sequence[Path]) -> str | None:
    """Return the cache key of loading ``files`` in this order, or ``None`` if one is unreadable.

    The key hashes each file's resolved path and bytes, with a fingerprint of the code that
    reads them and of the objects pickled (llmgraph's own modules, rdflib, numpy, Python). An
    unreadable file has no key: the normal load then reports it.

    >>> from llmgraph.bundle import bundled_ontology_file
    >>> key = key_of([bundled_ontology_file()])
    >>> len(key), key == key_of([bundled_ontology_file()])
    (64, True)
    """
    digest = hashlib.sha256(_code_fingerprint())
    for path in files:
        try:
            data = Path(path).read_bytes()
            where = str(Path(path).resolve())
        except (OSError, ValueError):
            return None
        digest.update(where.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def _code_fingerprint() -> bytes:
    """Size and modification time of every module of llmgraph, rdflib and numpy's entry point.

    Any edit, upgrade or reinstall changes it (stat only: no library is imported for it).
    """
    parts = [_FORMAT, sys.version, sys.executable]
    package = Path(__file__).resolve().parent
    sources = sorted(package.rglob("*.py"))
    for library in ("rdflib", "numpy"):
        spec = importlib.util.find_spec(library)
        if spec is not None and spec.origin:
            sources.append(Path(spec.origin))
    for source in sources:
        try:
            stat = source.stat()
        except OSError:
            continue
        parts.append(f"{source}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts).encode("utf-8", "surrogateescape")


def _entry(folder: Path, key: str) -> Path:
    return folder / f"{_PREFIX}{key}{_SUFFIX}"


def read(key: str, *, folder: Path | None = None) -> CachedBundle | None:
    """Return the entry stored under ``key``, or ``None`` (none, turned off, or unreadable).

    Args:
        key: the key (:func:`key_of`).
        folder: the cache folder (default :func:`cache_folder`).

    >>> read("0" * 64) is None
    True
    """
    folder = cache_folder() if folder is None else folder
    if folder is None:
        return None
    try:
        with open(_entry(folder, key), "rb") as handle:
            found = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or foreign entry: ignored, and rewritten by the next load
        return None
    if not (isinstance(found, tuple) and len(found) == 5 and found[0] == _FORMAT):
        return None
    _, stored_key, engine, count, graph_bytes = found
    if stored_key != key or not isinstance(graph_bytes, bytes) or not isinstance(count, int):
        return None
    return CachedBundle(engine=engine, count=count, graph_bytes=graph_bytes)


def write(key: str, engine: LineageIndex, graph: Graph, *, folder: Path | None = None) -> bool:
    """Store ``engine`` and ``graph`` under ``key``; return whether it was written.

    Never raises for the cache's sake: a read-only or full disk leaves no entry and no error.

    Args:
        key: the key (:func:`key_of` of the files the graph was loaded from).
        engine: the graph's engine.
        graph: the checked, materialized triples.
        folder: the cache folder (default :func:`cache_folder`).

    >>> import tempfile
    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load(bundled=False)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     written = write("0" * 64, lg.engine, lg.rdf, folder=Path(tmp))
    ...     written, read("0" * 64, folder=Path(tmp)).count == len(lg)
    (True, True)
    """
    folder = cache_folder() if folder is None else folder
    if folder is None:
        return False
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        payload = (_FORMAT, key, engine, len(graph), pickle.dumps(graph, protocol=5))
        fd, partial = tempfile.mkstemp(prefix=".partial-", suffix=_SUFFIX, dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(payload, handle, protocol=5)
            os.replace(partial, _entry(folder, key))
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    except Exception:
        return False
    _prune(folder)
    return True


def _prune(folder: Path) -> None:
    try:
        entries = sorted(
            folder.glob(f"{_PREFIX}*{_SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in entries[_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def clear(folder: Path | None = None) -> int:
    """Remove llmgraph's entries from the cache folder; return how many were removed.

    Args:
        folder: the folder (default :func:`cache_folder`).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     clear(Path(tmp))
    0
    """
    folder = cache_folder() if folder is None else folder
    if folder is None or not folder.is_dir():
        return 0
    removed = 0
    for entry in folder.glob(f"{_PREFIX}*{_SUFFIX}"):
        entry.unlink(missing_ok=True)
        removed += 1
    return removed
