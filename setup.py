"""Build hook: copy ``ontology/`` and ``data/`` into the package as real files.

The design keeps the ontology and the dataset in top-level folders; a wheel carries copies
under ``llmgraph/_bundled/`` (no symlinks, so any checkout and any platform builds it). An
editable install and a checkout read the top-level folders directly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = {"ontology": ("*.ttl", "*.jsonld"), "data": ("*.ttl", "*.md", "*.csv")}


class BuildWithData(build_py):
    """``build_py`` that also writes ``llmgraph/_bundled/{ontology,data}`` into the build."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for folder, patterns in BUNDLED.items():
            target = Path(self.build_lib) / "llmgraph" / "_bundled" / folder
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for pattern in patterns:
                for source in sorted((ROOT / folder).glob(pattern)):
                    shutil.copyfile(source, target / source.name)


setup(cmdclass={"build_py": BuildWithData})
