"""The on-disk backend: Oxigraph (RocksDB) in immutable generations, one writer at a time.

Layout of a store directory ``PATH``::

    PATH/CURRENT               the live generation's name, e.g. "gen-000003"
    PATH/gen-000003/           an Oxigraph database, never written once CURRENT names it
    PATH/gen-000004.partial/   the generation a write is building (the writer's own)
    PATH/LOCK                  the writer lock (flock), taken before anything is touched
    PATH/readers/gen-000003    a shared lease held by each process reading that generation
    PATH/index/<version>/      the traversal engine of a store version (see llmgraph.engine)

**Writes.** A transaction first takes ``LOCK`` (waiting up to ``lock_timeout`` seconds, then
failing with a message naming the process that holds it), then re-reads ``CURRENT``, checks
it (a generation name that exists and holds a database; anything else is refused and nothing
is touched) and removes what an earlier, killed writer left (``*.partial``). It checkpoints
the live generation into a new ``.partial`` one (RocksDB hard links: no copy), writes there,
flushes and closes it, renames it, and switches ``CURRENT`` with an atomic rename. A failure
before the switch removes the partial generation and leaves every byte of the store as it
was; a process killed at any moment leaves ``CURRENT`` naming a complete generation. After the
switch, the previous generation is deleted unless a reader still holds its lease (a later
writer removes it then).

**Reads.** Every process, the writer included, reads the live generation through a read-only
handle, which Oxigraph allows beside other readers; no process ever writes a generation that
another has open, so no read runs beside a writer of the same database (undefined behaviour in
Oxigraph). A reader holds a shared lease on its generation, checks ``CURRENT`` before each
operation, and moves to a newer generation as soon as one is switched in.

>>> import tempfile
>>> from llmgraph.terms import IRI
>>> with tempfile.TemporaryDirectory() as tmp:
...     store = StoreBackend.open(Path(tmp) / "db")
...     tx = store.begin()
...     tx.add([(IRI("http://e/a"), IRI("http://e/p"), IRI("http://e/b"))])
...     tx.commit()
...     print(sorted(p.name for p in (Path(tmp) / "db").iterdir() if p.name.startswith("gen")))
...     store.close()
['gen-000002']
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import io
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import pyoxigraph as ox

from llmgraph.backends import BackendKind
from llmgraph.errors import DataLoadError, QueryError, UsageError
from llmgraph.terms import IRI, NAMESPACES
from llmgraph.triples import XSD_STRING, Blank, LightTerm, LightTriple, Lit

if TYPE_CHECKING:
    from rdflib.query import Result
    from rdflib.term import Node

__all__ = ["FORMATS", "StoreBackend", "from_ox", "to_ox", "to_result"]

_T = TypeVar("_T")

FORMATS: dict[str, Any] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
"""The RDF formats a store bulk-loads, by file suffix."""

_GENERATION = re.compile(r"^gen-([0-9]{6})$")
_META = ox.NamedNode("urn:llmgraph:meta")
_STORE = ox.NamedNode("urn:llmgraph:store")
_VERSION = ox.NamedNode("urn:llmgraph:version")
_DEFAULT = ox.DefaultGraph()
_PREFIXES = dict(NAMESPACES)  # the prefix table as text: rdflib is not loaded for it


def to_ox(term: Any) -> Any:
    """Convert an rdflib or light term to a pyoxigraph term.

    >>> to_ox(IRI("http://e/a"))
    <NamedNode value=http://e/a>
    """
    from rdflib import BNode, URIRef
    from rdflib import Literal as RdfLiteral

    if isinstance(term, Lit):
        if term.lang:
            return ox.Literal(term.lexical, language=term.lang)
        return ox.Literal(term.lexical, datatype=ox.NamedNode(term.datatype))
    if isinstance(term, Blank | BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, RdfLiteral):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, URIRef | str):
        return ox.NamedNode(str(term))
    raise UsageError(f"cannot store {term!r}: expected an IRI, a blank node or a literal")


def from_ox(term: Any) -> Node:
    """Convert a pyoxigraph term to an rdflib term.

    >>> from_ox(ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    rdflib.term.Literal('7', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    """
    from rdflib import BNode, URIRef
    from rdflib import Literal as RdfLiteral

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return RdfLiteral(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return RdfLiteral(term.value)
        return RdfLiteral(term.value, datatype=URIRef(datatype))
    raise UsageError(f"cannot convert {term!r} to an rdflib term")


def _light(term: Any) -> LightTerm:
    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.BlankNode):
        return Blank(term.value)
    if term.language:
        return Lit(
            term.value, "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", term.language
        )
    return Lit(term.value, term.datatype.value)


def to_result(raw: Any) -> Result:
    """Convert a pyoxigraph query result into an rdflib :class:`~rdflib.query.Result`."""
    from rdflib import Graph
    from rdflib.query import Result

    from llmgraph.vocab import PREFIXES

    if isinstance(raw, bool | ox.QueryBoolean):
        result = Result("ASK")
        result.askAnswer = bool(raw)
        return result
    if isinstance(raw, ox.QuerySolutions):
        data = raw.serialize(format=ox.QueryResultsFormat.JSON) or b""
        return Result.parse(io.BytesIO(data), format="json")
    graph = Graph(bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    for triple in raw:
        graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
    result = Result("CONSTRUCT")
    result.graph = graph
    return result


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_current(root: Path, generation: str) -> None:
    tmp = root / "CURRENT.partial"
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(generation + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / "CURRENT")
    _fsync_dir(root)


def _disk_error(exc: OSError, root: Path, doing: str) -> DataLoadError:
    text = str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or any(
        marker in text for marker in ("No space left", "File too large", "Disk quota")
    ):
        why = f"the disk is full (or a file-size limit was reached): {text}"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "permission denied"
    else:
        why = exc.strerror or str(exc)
    return DataLoadError(f"{doing} failed: {why}; the store is unchanged", path=root)


class StoreBackend:
    """An Oxigraph store on disk behind the :class:`~llmgraph.backends.Backend` seam.

    Open one with :meth:`open`. See the module docstring for the layout and the guarantees.
    """

    kind: BackendKind = "store"
    local: bool = True
    bulk: bool = True

    def __init__(self, root: Path, *, read_only: bool, lock_timeout: float):
        self.root = root
        self.where = str(root)
        self.read_only = read_only
        self.lock_timeout = lock_timeout
        self._store: Any = None
        self._generation = ""
        self._lease: IO[bytes] | None = None
        self._version: str | None = None
        self._current_stamp: tuple[int, int, int] | None = None

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        read_only: bool = False,
        create: bool = True,
        lock_timeout: float = 10.0,
    ) -> StoreBackend:
        """Open (or create) the store at ``path``.

        Args:
            path: the store's directory.
            read_only: refuse writes.
            create: create an empty store (holding the llmgraph ontology) if there is none.
            lock_timeout: how long a write waits for another writer to finish.

        Raises:
            DataLoadError: ``path`` is not an llmgraph store (a file, a folder of something
                else, a damaged ``CURRENT``), or cannot be read or created.
        """
        root = Path(path)
        if root.exists() and not root.is_dir():
            raise DataLoadError("is a file, not a store directory", path=root)
        backend = cls(root, read_only=read_only, lock_timeout=lock_timeout)
        if not (root / "CURRENT").exists():
            if read_only or not create:
                raise DataLoadError("no llmgraph store here (no CURRENT file)", path=root)
            backend._create()
        backend._refresh()
        return backend

    def _create(self) -> None:
        root = self.root
        try:
            if root.exists() and any(p.name not in ("LOCK",) for p in root.iterdir()):
                raise DataLoadError(
                    "directory is not empty and holds no llmgraph store; pick a new path",
                    path=root,
                )
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _disk_error(exc, root, "creating the store") from exc
        with self._writer_lock():
            if (root / "CURRENT").exists():  # another process created it meanwhile
                return
            from llmgraph.store import bundled_ontology_file

            partial = root / "gen-000001.partial"
            shutil.rmtree(partial, ignore_errors=True)
            try:
                store = ox.Store(str(partial))
                store.bulk_load(path=str(bundled_ontology_file()), format=ox.RdfFormat.TURTLE)
                _set_version(store)
                store.flush()
                del store
                gc.collect()
                os.rename(partial, root / "gen-000001")
                _write_current(root, "gen-000001")
            except OSError as exc:
                shutil.rmtree(partial, ignore_errors=True)
                raise _disk_error(exc, root, "creating the store") from exc

    # ------------------------------------------------------------------ the live generation

    def _read_current(self) -> str:
        path = self.root / "CURRENT"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DataLoadError(
                "no llmgraph store here (no CURRENT file)", path=self.root
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise DataLoadError(f"cannot read CURRENT: {exc}", path=self.root) from exc
        name = text.strip()
        if not _GENERATION.match(name) or text not in (name, name + "\n"):
            raise DataLoadError(
                f"CURRENT holds {text[:60]!r}, not a generation name such as 'gen-000003': "
                "the store is damaged; nothing was changed",
                path=self.root,
            )
        location = self.root / name
        if not (location / "CURRENT").is_file():
            raise DataLoadError(
                f"CURRENT names {name!r}, which is missing or holds no database: the store "
                "is damaged; nothing was changed",
                path=self.root,
            )
        return name

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            st = (self.root / "CURRENT").stat()
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _refresh(self) -> None:
        """Open the live generation read-only, or move to it if ``CURRENT`` changed."""
        stamp = self._stamp()
        if self._store is not None and stamp == self._current_stamp:
            return
        for _ in range(20):
            name = self._read_current()
            if name == self._generation and self._store is not None:
                self._current_stamp = stamp
                return
            lease = self._take_lease(name)
            if (self.root / name / "CURRENT").is_file():
                break
            if lease is not None:
                lease.close()
            time.sleep(0.05)  # the generation was switched out and deleted meanwhile
        else:
            raise DataLoadError("CURRENT keeps changing; cannot open the store", path=self.root)
        try:
            store = ox.Store.read_only(str(self.root / name))
        except (OSError, RuntimeError) as exc:  # RocksDB reports corruption as RuntimeError
            if lease is not None:
                lease.close()
            raise DataLoadError(
                f"cannot open the store's generation {name}: {exc}", path=self.root
            ) from exc
        self._release()
        self._store, self._generation, self._lease = store, name, lease
        self._version = None
        self._current_stamp = stamp

    def _take_lease(self, name: str) -> IO[bytes] | None:
        folder = self.root / "readers"
        try:
            folder.mkdir(exist_ok=True)
            handle = (folder / name).open("ab")
        except OSError:
            return None  # a store on a read-only medium: no writer can delete anything
        fcntl.flock(handle, fcntl.LOCK_SH)
        return handle

    def _release(self) -> None:
        if self._store is not None:  # let RocksDB close before the lease goes (not at first open)
            self._store = None
            gc.collect()
        if self._lease is not None:
            self._lease.close()
            self._lease = None

    @property
    def store(self) -> Any:
        """The pyoxigraph store of the live generation (read-only)."""
        self._refresh()
        return self._store

    @property
    def generation(self) -> str:
        """The name of the live generation (``gen-000003``)."""
        self._refresh()
        return self._generation

    @property
    def location(self) -> Path:
        """The directory of the live generation's database (never written while live)."""
        return self.root / self.generation

    def __repr__(self) -> str:
        return f"<StoreBackend {self.root} ({self._generation})>"

    # ------------------------------------------------------------------ reading

    def version(self) -> str:
        """Return the store version (a new id with every committed write)."""
        store = self.store
        if self._version is None:
            found = "none"
            for quad in store.quads_for_pattern(_STORE, _VERSION, None, _META):
                found = str(getattr(quad.object, "value", quad.object))
            self._version = found
        return self._version

    def count(self) -> int:
        """Return the number of triples in the default graph (a full count at Hub scale)."""
        store = self.store
        meta = sum(1 for _ in store.quads_for_pattern(None, None, None, _META))
        return len(store) - meta

    def read(self, predicate: str) -> Iterator[tuple[str, LightTerm]]:
        """Yield ``(subject, object)`` of ``predicate`` in the default graph."""
        return _read(self.store, predicate)

    def triples(self, pattern: tuple[Any, Any, Any]) -> Iterator[tuple[Node, Node, Node]]:
        """Yield the triples matching ``pattern`` (rdflib terms, ``None`` as wildcard)."""
        s, p, o = (None if t is None else to_ox(t) for t in pattern)
        for quad in self.store.quads_for_pattern(s, p, o, _DEFAULT):
            yield from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)

    def missing(self, triples: Sequence[LightTriple]) -> list[LightTriple]:
        """Return the triples the store does not hold."""
        return _missing(self.store, triples)

    def query(self, sparql: str, *, bindings: Mapping[str, Node] | None = None) -> Result:
        """Run SPARQL in Oxigraph with llmgraph's prefixes and ``bindings`` bound.

        Raises:
            QueryError: a syntax or evaluation error.
        """
        return to_result(self.query_raw(sparql, bindings=bindings))

    def query_raw(self, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> Any:
        """Run SPARQL and return pyoxigraph's own result (solutions, triples or a bool)."""
        return _query(self.store, sparql, bindings)

    def engine_folder(self) -> Path | None:
        """Return ``PATH/index/<version>``."""
        return self.root / "index" / self.version()

    def close(self) -> None:
        """Release the store, its lease and its lock."""
        self._release()
        self._generation = ""

    def __del__(self) -> None:
        lease, self._lease = getattr(self, "_lease", None), None
        if lease is not None:
            lease.close()

    # ------------------------------------------------------------------ writing

    def _writer_lock(self) -> _WriterLock:
        return _WriterLock(self.root, self.lock_timeout)

    def begin(self) -> StoreTransaction:
        """Start a write: take the writer lock, then build the next generation.

        Raises:
            UsageError: the store was opened read-only.
            DataLoadError: another writer holds the lock past ``lock_timeout``, ``CURRENT`` is
                damaged, or the new generation cannot be made (disk full …).
        """
        if self.read_only:
            raise UsageError(f"the store {self.root} was opened read-only")
        lock = self._writer_lock()
        lock.acquire()
        try:
            self._refresh()
            name = self._generation
            number = int(name.rsplit("-", 1)[1]) + 1
            _remove_partials(self.root)
            target = self.root / f"gen-{number:06d}"
            _remove_unswitched(self.root, number)
            partial = self.root / f"gen-{number:06d}.partial"
            try:
                self._store.backup(str(partial))
                work = ox.Store(str(partial))
            except RuntimeError as exc:
                shutil.rmtree(partial, ignore_errors=True)
                raise DataLoadError(
                    f"cannot start a write: the store is damaged: {exc}", path=self.root
                ) from exc
            except OSError as exc:
                shutil.rmtree(partial, ignore_errors=True)
                raise _disk_error(exc, self.root, "starting a write") from exc
        except BaseException:
            lock.release()
            raise
        return StoreTransaction(self, lock, work, partial, target, base=self.version())

    def _switched(self, target: Path) -> None:
        """Move to the generation just committed and delete the old one if nobody reads it."""
        old = self._generation
        self._release()
        self._generation = ""
        self._refresh()
        _delete_unread(self.root, exclude={self._generation})
        del old


def _read(store: Any, predicate: str) -> Iterator[tuple[str, LightTerm]]:
    for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, _DEFAULT):
        subject = quad.subject
        if isinstance(subject, ox.NamedNode):
            obj = quad.object
            yield subject.value, IRI(obj.value) if isinstance(obj, ox.NamedNode) else _light(obj)


def _open_pipe(pipe: Path, reader: threading.Thread) -> IO[bytes] | None:
    """Open ``pipe`` for writing once ``reader`` has it open; ``None`` if ``reader`` stopped."""
    while True:
        try:
            fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
            if not reader.is_alive():
                return None
            time.sleep(0.001)  # the reader has not opened its end yet
            continue
        os.set_blocking(fd, True)
        return os.fdopen(fd, "wb", buffering=1 << 20)


def _missing(store: Any, triples: Sequence[LightTriple]) -> list[LightTriple]:
    return [t for t in triples if ox.Quad(to_ox(t[0]), to_ox(t[1]), to_ox(t[2])) not in store]


def _query(store: Any, sparql: str, bindings: Mapping[str, Any] | None) -> Any:
    from llmgraph.triples import light_term

    subs = {
        ox.Variable(str(k).lstrip("?$")): to_ox(light_term(v)) for k, v in (bindings or {}).items()
    }
    try:
        try:
            return store.query(sparql, prefixes=_PREFIXES, substitutions=subs or None)
        except RuntimeError as exc:
            if not subs or "projection" not in str(exc):
                raise
        # a bound variable that is not projected: join the values at the end instead
        return store.query(with_values(sparql, bindings), prefixes=_PREFIXES)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"SPARQL evaluation failed: {exc}") from exc


def with_values(sparql: str, bindings: Mapping[str, Any] | None) -> str:
    """Return ``sparql`` with ``bindings`` as a trailing ``VALUES`` clause (escaped terms).

    >>> print(with_values("ASK { ?m ?p ?o }", {"m": IRI("http://e/a")}))
    ASK { ?m ?p ?o }
    VALUES (?m) { (<http://e/a>) }
    """
    from llmgraph.triples import light_term

    if not bindings:
        return sparql
    names = [str(k).lstrip("?$") for k in bindings]
    for name in names:
        if not name.replace("_", "a").isalnum():
            raise QueryError(f"not a SPARQL variable name: {name!r}")
    terms = " ".join(str(to_ox(light_term(v))) for v in bindings.values())
    variables = " ".join(f"?{n}" for n in names)
    return f"{sparql}\nVALUES ({variables}) {{ ({terms}) }}"


def _set_version(store: Any) -> str:
    version = str(uuid.uuid4())
    store.update(
        "DELETE WHERE { GRAPH <urn:llmgraph:meta> { <urn:llmgraph:store> "
        "<urn:llmgraph:version> ?v } } ;\n"
        f"INSERT DATA {{ GRAPH <urn:llmgraph:meta> {{ <urn:llmgraph:store> "
        f'<urn:llmgraph:version> "{version}" }} }}'
    )
    return version


def _remove_partials(root: Path) -> None:
    """Remove the partial generations of earlier writers (the caller holds the lock)."""
    for leftover in root.glob("gen-*.partial"):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.rmtree(root / "import-parts", ignore_errors=True)
    (root / "CURRENT.partial").unlink(missing_ok=True)


def _remove_unswitched(root: Path, first: int) -> None:
    """Remove generations numbered ``first`` or later, which were never live.

    A writer killed between renaming its generation and switching ``CURRENT`` left them, and
    no reader ever opened them (readers open only what ``CURRENT`` names). The caller holds
    the writer lock.
    """
    for folder in root.glob("gen-*"):
        match = _GENERATION.match(folder.name)
        if match is not None and int(match.group(1)) >= first:
            shutil.rmtree(folder, ignore_errors=True)


def _delete_unread(root: Path, *, exclude: set[str]) -> None:
    """Delete old generations that no reader holds (the caller holds the writer lock)."""
    try:
        live = int(_read_name(root).rsplit("-", 1)[1])
    except (DataLoadError, ValueError):
        return
    for folder in sorted(root.glob("gen-*")):
        match = _GENERATION.match(folder.name)
        if match is None or folder.name in exclude or int(match.group(1)) >= live:
            continue
        lease_file = root / "readers" / folder.name
        try:
            (root / "readers").mkdir(exist_ok=True)
            handle = lease_file.open("ab")
        except OSError:
            continue
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a reader holds it; a later writer removes it
            shutil.rmtree(folder, ignore_errors=True)
            lease_file.unlink(missing_ok=True)
    index = root / "index"
    if index.is_dir():
        keep = set()
        for folder in root.glob("gen-*"):
            if _GENERATION.match(folder.name) and (folder / "CURRENT").is_file():
                try:
                    keep.add(_version_of(folder))
                except OSError:
                    continue
        for old in index.iterdir():
            if old.name not in keep and not old.name.endswith(".partial"):
                shutil.rmtree(old, ignore_errors=True)


def _read_name(root: Path) -> str:
    name = (root / "CURRENT").read_text(encoding="utf-8").strip()
    if not _GENERATION.match(name):
        raise DataLoadError("damaged CURRENT", path=root)
    return name


def _version_of(folder: Path) -> str:
    store = ox.Store.read_only(str(folder))
    try:
        for quad in store.quads_for_pattern(_STORE, _VERSION, None, _META):
            return str(getattr(quad.object, "value", quad.object))
        return "none"
    finally:
        del store
        gc.collect()


class _WriterLock:
    """The store's writer lock: ``flock`` on ``PATH/LOCK`` (released when the process dies)."""

    def __init__(self, root: Path, timeout: float):
        self._root = root
        self._timeout = timeout
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        path = self._root / "LOCK"
        try:
            handle = path.open("a+", encoding="utf-8")
        except OSError as exc:
            raise _disk_error(exc, self._root, "taking the writer lock") from exc
        deadline = time.monotonic() + max(self._timeout, 0.0)
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    handle.close()
                    raise DataLoadError(
                        f"the store is being written by {holder}; waited {self._timeout:g} s. "
                        "Run the write again when it has finished",
                        path=self._root,
                    ) from None
                time.sleep(0.05)
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()} (since {time.strftime('%Y-%m-%d %H:%M:%S')})\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.seek(0)
            self._handle.truncate()
            self._handle.close()
            self._handle = None

    def __enter__(self) -> _WriterLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class StoreTransaction:
    """A write on a new generation of a store (see the module docstring)."""

    def __init__(
        self,
        backend: StoreBackend,
        lock: _WriterLock,
        work: Any,
        partial: Path,
        target: Path,
        *,
        base: str,
    ):
        self._backend = backend
        self._lock = lock
        self._work = work
        self._partial = partial
        self._target = target
        self.base = base
        self.version: str | None = None
        self._open = True

    @property
    def store(self) -> Any:
        """The pyoxigraph store being written."""
        return self._work

    def _guard(self, doing: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except OSError as exc:
            raise _disk_error(exc, self._backend.root, doing) from exc

    def add(self, triples: Sequence[LightTriple]) -> None:
        quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples]
        self._guard("writing", self._work.extend, quads)

    def remove(self, triples: Sequence[LightTriple]) -> None:
        for s, p, o in triples:
            self._guard("writing", self._work.remove, ox.Quad(to_ox(s), to_ox(p), to_ox(o)))

    def load(self, path: Path, *, format: str) -> None:
        fmt = FORMATS.get(format)
        if fmt is None:
            raise DataLoadError(
                f"unknown RDF format {format!r}; expected one of {', '.join(sorted(FORMATS))}",
                path=path,
            )
        try:
            self._work.bulk_load(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
        except SyntaxError as exc:
            raise DataLoadError(f"invalid RDF: {exc}", path=path) from exc
        except OSError as exc:
            raise _disk_error(exc, self._backend.root, f"loading {path}") from exc
        except ValueError as exc:
            raise DataLoadError(f"cannot load: {exc}", path=path) from exc

    def load_chunks(
        self, chunks: Iterable[bytes], *, then: Callable[[], _T] | None = None
    ) -> _T | None:
        """Bulk-load the N-Triples that ``chunks`` yields while it is still yielding them.

        Oxigraph's loader runs in a thread that reads a named pipe (under ``PATH/import-parts``,
        removed by the next writer if this process dies) and releases the GIL while it parses,
        so making the N-Triples (Python) and loading them (Rust) use both cores.

        Args:
            chunks: N-Triples, in pieces of whole lines.
            then: work that needs none of the loaded facts, run once every chunk is written,
                while the loader writes its last batches to disk (an importer builds the
                lineage index there from what it wrote).

        Returns:
            What ``then`` returned (``None`` without it).

        Raises:
            DataLoadError: the N-Triples are invalid, or the disk is full.
            Exception: whatever ``chunks`` or ``then`` raised (the loader is stopped first).
        """
        folder = self._backend.root / "import-parts"
        try:
            folder.mkdir(exist_ok=True)
            pipe = folder / f"load-{os.getpid()}-{uuid.uuid4().hex[:8]}.nt"
            os.mkfifo(pipe)
        except OSError as exc:
            raise _disk_error(exc, self._backend.root, "importing") from exc
        failure: list[BaseException] = []

        def run() -> None:
            try:
                self._work.bulk_load(path=str(pipe), format=ox.RdfFormat.N_TRIPLES)
            except BaseException as exc:  # handed to the writing thread below
                failure.append(exc)

        loader = threading.Thread(target=run, name="llmgraph-bulk-load", daemon=True)
        loader.start()
        result: _T | None = None
        try:
            out = _open_pipe(pipe, loader)
            if out is not None:
                try:
                    with out:
                        for chunk in chunks:
                            out.write(chunk)
                except BrokenPipeError:
                    pass  # the loader stopped early: its failure is raised below
            if then is not None and not failure:
                result = then()
        finally:
            loader.join()
            pipe.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # another leftover in it: the next writer's
                folder.rmdir()
        if failure:
            error = failure[0]
            if isinstance(error, SyntaxError):
                raise DataLoadError(f"invalid N-Triples from the import: {error}") from error
            if isinstance(error, OSError):
                raise _disk_error(error, self._backend.root, "importing") from error
            raise error
        return result

    def read(self, predicate: str) -> Iterator[tuple[str, LightTerm]]:
        return _read(self._work, predicate)

    def missing(self, triples: Sequence[LightTriple]) -> list[LightTriple]:
        return _missing(self._work, triples)

    def triples_of(self, predicate: str) -> Iterator[LightTriple]:
        """Yield every triple of ``predicate`` being written, blank-node subjects included."""
        pred = IRI(predicate)
        for quad in self._work.quads_for_pattern(None, ox.NamedNode(predicate), None, _DEFAULT):
            yield _light(quad.subject), pred, _light(quad.object)

    def count(self) -> int:
        """Return the number of triples in the default graph being written."""
        meta = sum(1 for _ in self._work.quads_for_pattern(None, None, None, _META))
        return len(self._work) - meta

    def prepare(self) -> str:
        """Give the new generation its version id (before its engine is saved) and return it."""
        if self.version is None:
            self.version = self._guard("writing", _set_version, self._work)
        return self.version

    def engine_folder(self) -> Path:
        """Return where the engine of the new generation is saved."""
        return self._backend.root / "index" / self.prepare()

    def commit(self) -> None:
        if not self._open:
            raise UsageError("this transaction is closed")
        root = self._backend.root
        try:
            self.prepare()
            self._guard("writing", self._work.flush)
            self._work = None
            gc.collect()
            _fsync_dir(self._partial)
            os.rename(self._partial, self._target)
        except BaseException:
            shutil.rmtree(self._target, ignore_errors=True)
            self.abort()
            raise
        try:
            _write_current(root, self._target.name)
        except BaseException as exc:
            if self._read_current_name() != self._target.name:
                shutil.rmtree(self._target, ignore_errors=True)
                self.abort()
                if isinstance(exc, OSError):
                    raise _disk_error(exc, root, "switching to the new generation") from exc
                raise
            self._open = False  # CURRENT names the new generation: the write is committed
            self._lock.release()
            if isinstance(exc, OSError):
                raise DataLoadError(
                    f"the write was committed ({self._target.name}), but syncing the store "
                    f"directory afterwards failed: {exc.strerror or exc}",
                    path=root,
                ) from exc
            raise
        self._open = False
        try:
            self._backend._switched(self._target)
        finally:
            self._lock.release()

    def _read_current_name(self) -> str | None:
        try:
            return _read_name(self._backend.root)
        except (OSError, DataLoadError):
            return None

    def abort(self) -> None:
        if not self._open:
            return
        self._open = False
        self._work = None
        gc.collect()
        shutil.rmtree(self._partial, ignore_errors=True)
        if self.version is not None:
            shutil.rmtree(self._backend.root / "index" / self.version, ignore_errors=True)
        self._lock.release()
