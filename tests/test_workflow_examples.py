"""The research-workflow examples print exactly the output kept beside them, and write files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

EXAMPLES = REPO / "examples"
SCRIPTS = ("licence_compliance", "ecosystem_as_of", "common_ancestry", "find_models", "ml_bom")


def _run(script: str, out: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's llmgraph, not another
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{script}.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_prints_its_kept_output(script: str, tmp_path: Path) -> None:
    """Each script's printed output equals examples/output/<script>.txt."""
    kept = (EXAMPLES / "output" / f"{script}.txt").read_text(encoding="utf-8")
    assert _run(script, tmp_path) == kept


def test_examples_write_their_files(tmp_path: Path) -> None:
    """The licence script writes the findings CSV; the ML-BOM script a CycloneDX document."""
    _run("licence_compliance", tmp_path)
    header = (tmp_path / "licence-findings.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("status,edge,model,model_licence,ancestor")
    _run("ml_bom", tmp_path)
    bom = json.loads((tmp_path / "code-llama-7b-instruct.cdx.json").read_text(encoding="utf-8"))
    assert bom["specVersion"] == "1.6"
