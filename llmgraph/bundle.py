"""Where the bundled ontology, shapes and data are (a light module: paths only).

>>> bundled_ontology_file().name, bundled_shapes_file().name
('llmgraph.ttl', 'shapes.ttl')
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "bundled_colours_file",
    "bundled_data_files",
    "bundled_ontology_file",
    "bundled_shapes_file",
]


def _bundled_root() -> Path:
    """Return where the ontology and the data are.

    Inside the installed package (a wheel carries them as ``llmgraph/_bundled/``), or the
    checkout's own ``ontology/`` and ``data/`` folders.
    """
    package = Path(__file__).resolve().parent
    inside = package / "_bundled"
    if (inside / "ontology" / "llmgraph.ttl").is_file():
        return inside
    return package.parent


_BUNDLED = _bundled_root()


def bundled_ontology_file() -> Path:
    """Return the path of the bundled ontology, ``ontology/llmgraph.ttl``.

    >>> bundled_ontology_file().name
    'llmgraph.ttl'
    """
    return _BUNDLED / "ontology" / "llmgraph.ttl"


def bundled_shapes_file() -> Path:
    """Return the path of the bundled SHACL shapes, ``ontology/shapes.ttl``.

    >>> bundled_shapes_file().name
    'shapes.ttl'
    """
    return _BUNDLED / "ontology" / "shapes.ttl"


def bundled_data_files() -> list[Path]:
    """Return the bundled data files (``data/*.ttl``), sorted by name.

    >>> all(p.suffix == ".ttl" for p in bundled_data_files())
    True
    """
    return sorted((_BUNDLED / "data").glob("*.ttl"))


def bundled_colours_file() -> Path:
    """Return the path of the curated organization colours, ``data/colours.csv``.

    >>> bundled_colours_file().name
    'colours.csv'
    """
    return _BUNDLED / "data" / "colours.csv"
