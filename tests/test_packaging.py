"""The package builds from any checkout: real files, declared licences, one version."""

from __future__ import annotations

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
