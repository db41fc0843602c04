"""Faults a store survives: racing writers, a damaged CURRENT, a full disk, kill -9 at any time.

Every test runs real processes on the machine's own disk, bounded in count and time, and
stops every process it starts by its PID.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from llmgraph import DataLoadError, LineageGraph
from llmgraph.cli import main
from tests.conftest import REPO, TINY

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def _tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` with a hash of its bytes (the lock and leases left out)."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != "LOCK" and path.parent.name != "readers":
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _facts(n: int, tag: str) -> str:
    return "".join(
        f"<https://example.org/{tag}/m{i}> <http://www.w3.org/2000/01/rdf-schema#label> "
        f'"{tag} {i}" .\n'
        for i in range(n)
    )


def _count(store: Path, tag: str) -> int:
    with LineageGraph.open(store, read_only=True) as lg:
        rows = lg.query(
            f'SELECT (COUNT(*) AS ?n) WHERE {{ ?s rdfs:label ?l FILTER(STRSTARTS(?l, "{tag} ")) }}'
        )
        return int(str(next(iter(rows))[0]))  # type: ignore[index]


# A writer that holds the lock at a chosen moment: right after taking it ("start"), in the
# middle of its load ("load"), or just before switching CURRENT ("switch"). It says so in the
# marker file and goes on when the test writes the release file (at most 60 s later).
_SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import llmgraph.backends.store as store
    from llmgraph import LineageGraph

    where, moment, marker, data = sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4]
    release = marker.with_name("release")

    def pause():
        marker.write_text("holding")
        deadline = time.monotonic() + 60
        while not release.exists() and time.monotonic() < deadline:
            time.sleep(0.01)

    if moment == "start":
        begin = store.StoreBackend.begin
        def slow_begin(self):
            tx = begin(self)
            pause()
            return tx
        store.StoreBackend.begin = slow_begin
    elif moment == "load":
        load = store.StoreTransaction.load
        def slow_load(self, path, *, format):
            load(self, path, format=format)
            pause()
        store.StoreTransaction.load = slow_load
    else:
        write_current = store._write_current
        def slow_switch(root, generation):
            pause()
            write_current(root, generation)
        store._write_current = slow_switch
    with LineageGraph.open(where) as lg:
        lg.import_files([data])
    print("imported")
    """
)


@pytest.mark.parametrize("moment", ["start", "load", "switch"])
def test_racing_writers_both_land_or_the_second_is_told(tmp_path: Path, moment: str) -> None:
    """A second writer never destroys the first: it waits, or gives up with a clear message.

    Every import that reported success is complete in the store afterwards.
    """
    store = tmp_path / "db"
    with LineageGraph.open(store) as lg:
        lg.import_files([TINY])
    first, second = tmp_path / "first.nt", tmp_path / "second.nt"
    first.write_text(_facts(3000, "first"), encoding="utf-8")
    second.write_text(_facts(2000, "second"), encoding="utf-8")
    marker = tmp_path / "holding"
    writer = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(store), moment, str(marker), str(first)],
        env=ENV,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists(), "the first writer did not start"
        impatient = LineageGraph.open(store, lock_timeout=0.1)
        with pytest.raises(DataLoadError, match=r"being written by process \d+"):
            impatient.import_files([second])
        impatient.close()
        (tmp_path / "release").write_text("go")  # the first writer goes on; this one waits
        patient = LineageGraph.open(store, lock_timeout=60)
        patient.import_files([second])
        patient.close()
        out, _ = writer.communicate(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert writer.returncode == 0 and out.strip() == "imported"
    assert (_count(store, "first"), _count(store, "second")) == (3000, 2000)
    assert sorted(p.name for p in store.glob("gen-*")) == ["gen-000004"]


@pytest.mark.parametrize(
    "content",
    ["gen-000009\n", "", "\n", "../evil\n", "gen-1\n", "gen-000002 gen-000003\n", "\x00\xff"],
)
def test_a_damaged_current_never_deletes_anything(tmp_path: Path, content: str) -> None:
    """Whatever CURRENT holds, writes and reads refuse with a message; no byte changes."""
    store = tmp_path / "db"
    with LineageGraph.open(store) as lg:
        lg.import_files([TINY])
    (store / "CURRENT").write_bytes(content.encode("utf-8", "surrogateescape"))
    before = _tree(store)
    good = tmp_path / "good.nt"
    good.write_text(_facts(10, "good"), encoding="utf-8")
    with pytest.raises(DataLoadError, match=r"CURRENT|no llmgraph store"):
        LineageGraph.open(store).import_files([good])
    with pytest.raises(DataLoadError):
        LineageGraph.open(store, read_only=True)
    assert _tree(store) == before
    assert not (tmp_path / "evil").exists()


def test_a_full_disk_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """A write that fills the disk (a file-size limit here) fails with one clear line.

    The store stays byte for byte as it was, and the next write works.
    """
    store = tmp_path / "db"
    assert main(["--store", str(store), "load", str(TINY)]) == 0
    big = tmp_path / "big.nt"
    big.write_text(_facts(100_000, "big"), encoding="utf-8")
    before = _tree(store)
    script = textwrap.dedent(
        """
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
        from llmgraph.cli import main
        sys.exit(main(sys.argv[1:]))
        """
    )
    process = subprocess.run(
        [sys.executable, "-c", script, "--store", str(store), "load", str(big)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 1
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("llmgraph: error: ")
    assert "the disk is full" in lines[0] and "the store is unchanged" in lines[0]
    assert _tree(store) == before
    small = tmp_path / "small.nt"
    small.write_text(_facts(5, "small"), encoding="utf-8")
    assert main(["--store", str(store), "load", str(small)]) == 0
    assert _count(store, "small") == 5


def test_a_full_disk_during_a_hub_import_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """A Hub import whose loader fills the disk fails with one clear line; nothing changes."""
    store = tmp_path / "db"
    assert main(["--store", str(store), "load", str(TINY)]) == 0
    records = tmp_path / "hub.jsonl"
    with records.open("w", encoding="utf-8") as out:
        # the loader's file passes the 400 KB limit from about 2,000 records on (below that
        # the limit is met later, in the commit): 6,000 fill the disk in the loader for sure
        for i in range(6_000):
            tags = [f"base_model:finetune:org/m{i - 1}"] if i else []
            out.write(json.dumps({"id": f"org/m{i}", "tags": [*tags, "license:mit"]}) + "\n")
    before = _tree(store)
    script = textwrap.dedent(
        """
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))
        from llmgraph.cli import main
        sys.exit(main(sys.argv[1:]))
        """
    )
    process = subprocess.run(
        [sys.executable, "-c", script, "--store", str(store), "import", "hf-hub", str(records)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert process.returncode == 1, process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("llmgraph: error: "), process.stderr
    assert "the disk is full" in lines[0] and "the store is unchanged" in lines[0]
    assert ": importing failed: " in lines[0]  # in the loader, as the records are streamed
    assert _tree(store) == before


_IMPORTER = textwrap.dedent(
    """
    import sys
    from llmgraph import LineageGraph
    with LineageGraph.open(sys.argv[1], lock_timeout=60) as lg:
        lg.import_files([sys.argv[2]])
    """
)


def test_kill_nine_at_random_moments_leaves_before_or_complete(tmp_path: Path) -> None:
    """Imports killed with SIGKILL at random moments leave the store as it was or complete.

    The moments fall within the time a whole import takes on this machine (measured first),
    so that imports are killed while they run, not only after they end. The next writer
    cleans up what they left and writes.
    """
    store = tmp_path / "db"
    with LineageGraph.open(store) as lg:
        lg.import_files([TINY])
    calibration = tmp_path / "calibration.nt"
    calibration.write_text(_facts(20_000, "calibration"), encoding="utf-8")
    start = time.monotonic()
    subprocess.run(
        [sys.executable, "-c", _IMPORTER, str(store), str(calibration)], env=ENV, check=True
    )
    whole = time.monotonic() - start  # interpreter start, import, switch, exit
    rng = random.Random(11)
    killed = 0
    for round_ in range(6):
        data = tmp_path / f"round{round_}.nt"
        data.write_text(_facts(20_000, f"round{round_}"), encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, "-c", _IMPORTER, str(store), str(data)], env=ENV
        )
        moment = rng.uniform(0.3, 1.0) * whole
        # wait until the moment, or less if the import ends first: a kill after its end finds
        # the store complete, as it is now (send_signal does nothing to an exited process)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=moment)
        process.send_signal(signal.SIGKILL)
        process.wait()
        killed += process.returncode == -signal.SIGKILL
        got = _count(store, f"round{round_}")
        assert got in (0, 20_000), f"round {round_}: {got} of 20000 facts"
    assert killed >= 1, f"all six imports ended before their kill (a whole one: {whole:.2f} s)"
    with LineageGraph.open(store) as lg:
        lg.import_files([TINY])  # a writer after the kills cleans the partial generations
    assert not list(store.glob("*.partial"))
