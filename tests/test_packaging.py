"""The package builds from any checkout: real files, declared licences, one version."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import llmgraph
from llmgraph.cli import main
from tests.conftest import REPO


def test_the_checkout_holds_no_symlinks() -> None:
    """`git ls-files -s` lists no symbolic link: a checkout without symlink support works."""
    listed = subprocess.run(
        ["git", "ls-files", "-s"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert listed and not [line for line in listed if line.startswith("120000 ")]


def test_the_wheel_carries_data_ontology_and_licences(tmp_path: Path) -> None:
    """The built wheel holds the data, the ontology and both licences as regular files."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("llmgraph-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        names = set(infos)
        data = sorted(n for n in names if n.startswith("llmgraph/_bundled/data/"))
        ours = sorted(p.name for p in (REPO / "data").glob("*.ttl"))
        assert [n.rsplit("/", 1)[1] for n in data if n.endswith(".ttl")] == ours
        assert "llmgraph/_bundled/data/colours.csv" in names  # the diagrams' colour table
        for name in ("ontology/llmgraph.ttl", "ontology/shapes.ttl", "ontology/context.jsonld"):
            assert f"llmgraph/_bundled/{name}" in names
        licences = {n.rsplit("/", 1)[1] for n in names if "/licenses/" in n}
        assert licences == {"LICENSE", "LICENSE-DATA.md"}
        assert not [i for i in infos.values() if (i.external_attr >> 28) == 0xA]  # no symlinks
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = archive.read(metadata).decode("utf-8")
        assert "License-Expression: Apache-2.0 AND CC-BY-4.0" in text


def test_one_version_everywhere(capsys: object) -> None:
    """`llmgraph.__version__`, the package metadata and `llmgraph --version` agree."""
    import pytest

    assert llmgraph.__version__ == version("llmgraph")
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"llmgraph {llmgraph.__version__}"  # type: ignore[attr-defined]


def test_the_api_pages_list_every_public_name() -> None:
    """docs/api.md documents exactly the names of `llmgraph.__all__` (the version aside)."""
    import re

    page = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^::: llmgraph\.(\w+)$", page, re.MULTILINE))
    assert documented == set(llmgraph.__all__) - {"__version__"}


def test_the_sdist_builds_a_wheel_that_installs_and_runs(tmp_path: Path) -> None:
    """The sdist → a wheel (declared build requirements) → a fresh venv → the CLI works."""
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--outdir", str(dist), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (sdist,) = dist.glob("llmgraph-*.tar.gz")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(sdist)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = dist.glob("llmgraph-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        data = [n for n in archive.namelist() if n.startswith("llmgraph/_bundled/data/")]
    assert len(data) == len(list((REPO / "data").glob("*.ttl"))) + len(
        [*(REPO / "data").glob("*.md"), *(REPO / "data").glob("*.csv")]
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    # without this run's PYTHONPATH, which may point at a checkout: pip would take that
    # checkout's llmgraph.egg-info for an installed llmgraph and skip the wheel
    fresh = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
        env=fresh,
    )
    # the dependencies come from this environment's site-packages (no download), llmgraph
    # itself only from the wheel just installed
    here = subprocess.run(
        [
            sys.executable,
            "-c",
            "import rdflib, pathlib; print(pathlib.Path(rdflib.__file__).parents[1])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (site,) = (venv / "lib").glob("python3*/site-packages")
    (site / "llmgraph-test-deps.pth").write_text(here + "\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "LLMGRAPH_CACHE": "off", "HOME": str(tmp_path)}

    def run(*argv: str) -> str:
        done = subprocess.run(
            [str(venv / "bin" / "llmgraph"), *argv],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert run("--version").strip() == f"llmgraph {llmgraph.__version__}"
    assert "Llama 2 13B" in run("ancestors", "Vicuna 13B v1.5")
    where = subprocess.run(
        [str(python), "-c", "import llmgraph; print(llmgraph.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(venv)), where
