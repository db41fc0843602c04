r"""Hugging Face model cards: the YAML front matter of ``README.md`` files → lineage.

A card is one file given with its Hub id (``--id owner/name``), or a folder laid out as the Hub
lays out repositories, ``<owner>/<name>/README.md``, where the path gives each card's id.
The front matter is found with the Hub's own pattern for the YAML block at the top of the file
(``huggingface_hub``'s ``REGEX_YAML_BLOCK``) and read as safe YAML (:func:`load_front_matter`);
nothing is read from the card's body, so a mergekit configuration with ``base_model:`` lines
further down is not mistaken for metadata.

What a card gives:

- the model: ``llm:huggingFaceId`` and label = the id; ``dcterms:source`` = the card's Hub URL;
- ``base_model`` (a string or a list) → one lineage edge per parent, of the kind
  ``base_model_relation`` states (``finetune``, ``adapter``, ``quantized``, ``merge``), or, when
  the card does not state it, inferred the way the Hub does (:func:`infer_relation`): several
  parents → merge; PEFT/LoRA signs (``library_name: peft``, ``lora`` tags or names) → adapter;
  GGUF / GGML / GPTQ / AWQ / EXL2 / bitsandbytes / llamafile signs or a ``quantized_by`` key →
  quantized; otherwise fine-tune. Inferred relations are marked (an ``llm:inferred`` statement
  with the reason);
- ``model_creator`` → ``llm:developedBy`` when it names a loaded organization (on a quantized
  build it names the parent's creator, and ``model_name`` the parent), else the Hub owner;
- ``license`` / ``license_name`` → ``llm:license``; ``datasets`` → ``llm:trainingDataset``;
  ``arxiv:`` tags → ``rdfs:seeAlso``; ``new_version: owner/name`` → that model
  ``llm:successorOf`` this one.

Misspelt keys found in the wild are read (``basemodel``, ``base-model``, ``Base_Model``,
``base_model_relationship``, ``Tags``, ``dataset`` …) and the report notes them.

Cards are untrusted input, read within the bounds of :mod:`llmgraph.limits`: only the first
:data:`~llmgraph.limits.MAX_FRONT_MATTER_CHARS` characters of a card are read, its YAML may
not expand past :data:`~llmgraph.limits.MAX_YAML_NODES` nodes (aliases counted as what they
repeat) nor nest deeper than :data:`~llmgraph.limits.MAX_DEPTH`, and ``base_model`` /
``new_version`` may name at most :data:`~llmgraph.limits.MAX_LINKS` models. A card over a
limit is skipped, and the reason names the limit.

>>> record = parse_card('---\nbase_model: mistralai/Mistral-7B-v0.1\n---\n# x', "a/b-GGUF")
>>> [(p.ref.hf_id, p.relation.fragment, p.inferred) for p in record.parents]
[('mistralai/Mistral-7B-v0.1', 'quantizedFrom', 'inferred from the repository name (gguf)')]
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from rdflib import URIRef

from llmgraph.errors import DataLoadError, UsageError
from llmgraph.graph import LineageGraph
from llmgraph.importers.build import Builder
from llmgraph.importers.records import LicenseRef, ModelRecord, Parent, Ref
from llmgraph.importers.report import ImportReport, Skip
from llmgraph.importers.resolve import HF_ID
from llmgraph.limits import (
    MAX_FRONT_MATTER_CHARS,
    check_links,
    line_of,
    load_yaml,
    shown,
)
from llmgraph.vocab import LLM

__all__ = [
    "RELATIONS",
    "canonical_metadata",
    "card_files",
    "front_matter",
    "import_hf_cards",
    "infer_relation",
    "load_front_matter",
    "model_ids",
    "parse_card",
    "parse_metadata",
    "stated_relation",
]

HUB = "https://huggingface.co/"

RELATIONS: dict[str, URIRef] = {
    "finetune": LLM.fineTunedFrom,
    "adapter": LLM.adapterOf,
    "quantized": LLM.quantizedFrom,
    "merge": LLM.mergedFrom,
    "continuedpretraining": LLM.continuedPretrainingFrom,
}
"""The values of ``base_model_relation`` (and the Hub's ``base_model:<relation>:`` tags)."""

_RELATION_SPELLINGS = {
    "finetune": "finetune",
    "finetuned": "finetune",
    "finetuning": "finetune",
    "ft": "finetune",
    "sft": "finetune",
    "adapter": "adapter",
    "adapters": "adapter",
    "lora": "adapter",
    "qlora": "adapter",
    "peft": "adapter",
    "quantized": "quantized",
    "quantised": "quantized",
    "quantization": "quantized",
    "quantisation": "quantized",
    "quantize": "quantized",
    "quant": "quantized",
    "merge": "merge",
    "merged": "merge",
    "merges": "merge",
    "merging": "merge",
    "continuedpretraining": "continuedpretraining",
    "continuedpretrain": "continuedpretraining",
    "pretrain": "continuedpretraining",
}

_KEYS = {
    "basemodel": "base_model",
    "basemodels": "base_model",
    "basemodelid": "base_model",
    "basemodelids": "base_model",
    "basemodelname": "base_model",
    "basemodelrelation": "base_model_relation",
    "basemodelrelations": "base_model_relation",
    "basemodelrelationship": "base_model_relation",
    "basemodelrel": "base_model_relation",
    "basemodelreltype": "base_model_relation",
    "basemodelrelationtype": "base_model_relation",
    "tags": "tags",
    "tag": "tags",
    "datasets": "datasets",
    "dataset": "datasets",
    "license": "license",
    "licence": "license",
    "licensename": "license_name",
    "licencename": "license_name",
    "modelcreator": "model_creator",
    "modelname": "model_name",
    "libraryname": "library_name",
    "quantizedby": "quantized_by",
    "quantisedby": "quantized_by",
    "newversion": "new_version",
}
_FUZZY = {"basemodel": "base_model", "basemodelrelation": "base_model_relation"}

_QUANT_SIGNS = {
    "gguf", "ggml", "gptq", "awq", "exl2", "exl3", "bnb", "bitsandbytes", "4bit", "8bit",
    "4-bit", "8-bit", "int4", "int8", "llamafile", "quantized", "quantised", "hqq", "aqlm",
}  # fmt: skip
_ADAPTER_SIGNS = {"peft", "lora", "qlora", "adapter", "adapters"}
_BPW = re.compile(r"^\d+(\.\d+)?bpw$")
_LEGACY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_DATASET_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def canonical_metadata(meta: Mapping[str, Any], *, where: str) -> tuple[dict[str, Any], list[str]]:
    """Return the card metadata under canonical keys, and notes on misspelt keys read.

    Keys are compared without case and punctuation, and close misspellings of
    ``base_model`` and ``base_model_relation`` are recognised. A canonical key wins over a
    misspelt one.

    >>> meta, notes = canonical_metadata({"Base-Model": "a/b", "tags": ["x"]}, where="c")
    >>> meta["base_model"], notes
    ('a/b', ["c: read base_model from the key 'Base-Model'"])
    """
    out: dict[str, Any] = {}
    notes: list[str] = []
    exact: set[str] = set()
    for raw, value in meta.items():
        if not isinstance(raw, str) or value is None:
            continue
        norm = _key(raw)
        canonical = _KEYS.get(norm)
        if canonical is None:
            close = difflib.get_close_matches(norm, list(_FUZZY), n=1, cutoff=0.82)
            canonical = _FUZZY[close[0]] if close and norm not in ("model", "basemodels") else None
        if canonical is None:
            out.setdefault(raw, value)
            continue
        if raw == canonical:
            out[canonical] = value
            exact.add(canonical)
        elif canonical not in exact and canonical not in out:
            out[canonical] = value
            if canonical.startswith("base_model"):
                notes.append(f"{where}: read {canonical} from the key {raw!r}")
    return out, notes


def model_ids(value: Any) -> tuple[list[str], list[str], list[str]]:
    """Split a ``base_model`` value into Hub ids, legacy one-part ids, and rejected values.

    Hub URLs are reduced to their id; duplicates (any case) are dropped.

    >>> model_ids(["https://huggingface.co/a/b/", "A/B", "gpt2", "./ckpt/x", None])
    (['a/b'], ['gpt2'], ['./ckpt/x'])
    """
    items = value if isinstance(value, list) else [value]
    ids: list[str] = []
    legacy: list[str] = []
    rejected: list[str] = []
    seen: set[str] = set()
    for item in items:
        if item is None:
            continue
        if not isinstance(item, str):
            rejected.append(shown(item))
            continue
        text = item.strip()
        for prefix in (HUB, "http://huggingface.co/", "huggingface.co/", "https://hf.co/"):
            if text.startswith(prefix):
                text = text[len(prefix) :]
        text = text.strip("/")
        if not text or text.casefold() in seen:
            continue
        seen.add(text.casefold())
        if HF_ID.match(text):
            ids.append(text)
        elif _LEGACY_ID.match(text):
            legacy.append(text)
        else:
            rejected.append(text)
    return ids, legacy, rejected


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _tokens(text: str) -> set[str]:
    parts = {t for t in re.split(r"[-_\s/]+", text.casefold()) if t}
    return parts | {p for t in parts for p in t.split(".") if p}


def infer_relation(
    meta: Mapping[str, Any],
    repo_id: str,
    n_parents: int,
    *,
    files: Iterable[str] = (),
    gguf: bool = False,
) -> tuple[str, str]:
    """Infer the kind of ``base_model`` relation the way the Hub does, and say from what.

    Args:
        meta: canonical card metadata (see :func:`canonical_metadata`).
        repo_id: the card's Hub id (its name carries format signs such as ``-GGUF``).
        n_parents: how many base models the card lists.
        files: the repository's file names, when known (``adapter_config.json``, ``*.gguf``).
        gguf: the Hub reports GGUF metadata for the repository.

    Returns:
        ``(relation, reason)``: a key of :data:`RELATIONS` and why.

    >>> infer_relation({"library_name": "peft"}, "a/b", 1)
    ('adapter', 'inferred from library_name: peft')
    >>> infer_relation({}, "TheBloke/phi-2-GGUF", 1)
    ('quantized', 'inferred from the repository name (gguf)')
    >>> infer_relation({"tags": ["merge"]}, "a/b", 1)[0]
    'finetune'
    """
    if n_parents > 1:
        return "merge", f"inferred: base_model lists {n_parents} models"
    tags = {t.casefold() for t in _strings(meta.get("tags"))}
    name = repo_id.rsplit("/", 1)[-1]
    tokens = _tokens(name)
    names = set(files)
    library = meta.get("library_name")
    if isinstance(library, str) and library.casefold() == "peft":
        return "adapter", "inferred from library_name: peft"
    if "adapter_config.json" in names:
        return "adapter", "inferred from the adapter_config.json file"
    if found := sorted(tags & _ADAPTER_SIGNS):
        return "adapter", f"inferred from the tag {found[0]}"
    if (found := sorted(tokens & _ADAPTER_SIGNS)) and not tokens & {"merged", "merge"}:
        return "adapter", f"inferred from the repository name ({found[0]})"
    if gguf or any(n.casefold().endswith(".gguf") for n in names):
        return "quantized", "inferred from the repository's GGUF files"
    if found := sorted(tags & _QUANT_SIGNS):
        return "quantized", f"inferred from the tag {found[0]}"
    found = sorted(tokens & _QUANT_SIGNS) or sorted(t for t in tokens if _BPW.match(t))
    if found:
        return "quantized", f"inferred from the repository name ({found[0]})"
    if isinstance(meta.get("quantized_by"), str):
        return "quantized", f"inferred from quantized_by: {meta['quantized_by'][:80]}"
    return "finetune", "inferred: no base_model_relation and no sign of an adapter or quantization"


def stated_relation(meta: Mapping[str, Any], *, where: str) -> tuple[str | None, list[str]]:
    """Return the relation ``base_model_relation`` states (normalized), and notes.

    >>> stated_relation({"base_model_relation": "Fine-Tuned"}, where="c")
    ('finetune', [])
    >>> relation, notes = stated_relation({"base_model_relation": "distilled"}, where="c")
    >>> relation, notes[0].split(" (")[0]
    (None, "c: unknown base_model_relation 'distilled'")
    """
    value = meta.get("base_model_relation")
    if value is None:
        return None, []
    if isinstance(value, str) and (known := _RELATION_SPELLINGS.get(_key(value))):
        return known, []
    return None, [
        f"{where}: unknown base_model_relation {shown(value)} (expected finetune, adapter, "
        "quantized or merge); the relation is inferred instead"
    ]


_HEAD = MAX_FRONT_MATTER_CHARS + 1024
"""How much of a card is read: the largest front matter allowed and its ``---`` lines."""


class _NoFrontMatter(Exception):
    """Why a card gives no metadata, and the line of the problem when known."""

    def __init__(self, reason: str, line: int | None = None):
        self.reason = reason
        self.line = line
        super().__init__(reason)


def _front_matter(text: str) -> dict[str, Any]:
    from huggingface_hub.repocard import REGEX_YAML_BLOCK

    head = text[:_HEAD]
    match = REGEX_YAML_BLOCK.search(head)
    if match is None:
        if not head.lstrip().startswith("---"):
            raise _NoFrontMatter("no YAML front matter (the card does not start with a --- line)")
        if len(text) > len(head):
            raise _NoFrontMatter(
                f"front matter refused: not closed within the first {MAX_FRONT_MATTER_CHARS:,} "
                "characters (limit llmgraph.limits.MAX_FRONT_MATTER_CHARS)"
            )
        raise _NoFrontMatter("no YAML front matter (the opening --- line is never closed)")
    block = match.group(2)
    first_line = line_of(text, match.start(2))
    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise _NoFrontMatter(
            f"front matter refused: {len(block):,} characters, more than "
            f"{MAX_FRONT_MATTER_CHARS:,} (limit llmgraph.limits.MAX_FRONT_MATTER_CHARS)",
            first_line,
        )
    try:
        data = load_yaml(block, first_line=first_line)
    except DataLoadError as exc:
        if exc.__cause__ is None or "(limit llmgraph.limits." in str(exc):  # not a YAML error
            raise _NoFrontMatter(f"front matter refused: {exc}", exc.line) from exc
        raise _NoFrontMatter(f"front matter is not a YAML mapping: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        # the wording of huggingface_hub's card parser, which the Hub's pattern comes from
        raise _NoFrontMatter(
            "front matter is not a YAML mapping: repo card metadata block should be a dict"
        )
    return {k: v for k, v in data.items() if isinstance(k, str) and v is not None}


def load_front_matter(text: str, *, path: Path | str | None = None) -> dict[str, Any]:
    r"""Return a card's front matter as a dict; raise if it has none or it is refused.

    The YAML block is found with the Hub's own pattern (``huggingface_hub``'s
    ``REGEX_YAML_BLOCK``) in the first :data:`~llmgraph.limits.MAX_FRONT_MATTER_CHARS`
    characters of the card, and parsed with :func:`llmgraph.limits.load_yaml` (YAML's safe
    types, aliases and nesting bounded). Keys that are not strings and ``null`` values are
    left out.

    Args:
        text: the card (``README.md``), or at least its beginning.
        path: the card's file, for the error.

    Returns:
        The metadata.

    Raises:
        DataLoadError: the card has no front matter, or it is not a YAML mapping, or it is over
            a limit of :mod:`llmgraph.limits` (the message names the limit; ``line`` is the
            line of the card where it was hit).

    >>> load_front_matter("---\nlicense: mit\nbase_model: a/b\n---\n# Card")
    {'license': 'mit', 'base_model': 'a/b'}
    >>> load_front_matter("---\nx: &x [a, a]\ny: &y [*x, *x]\nz: *y\n---\n")["z"]
    [['a', 'a'], ['a', 'a']]
    >>> load_front_matter("---\nbase_model: " + "[" * 100 + "\n---\n", path="README.md")
    Traceback (most recent call last):
    ...
    llmgraph.errors.DataLoadError: README.md:2: front matter refused: YAML nested deeper than ...
    """
    try:
        return _front_matter(text)
    except _NoFrontMatter as exc:
        raise DataLoadError(exc.reason, path=path, line=exc.line) from exc.__cause__


def front_matter(text: str) -> dict[str, Any] | str:
    r"""Return a card's front matter as a dict, or why there is none.

    :func:`load_front_matter`, with the reason returned instead of raised (a refused front
    matter's reason gives the line of the card where the limit was hit).

    >>> front_matter("---\nlicense: mit\n---\n# Card")
    {'license': 'mit'}
    >>> front_matter("# Card\n\n```yaml\nbase_model: a/b\n```")
    'no YAML front matter (the card does not start with a --- line)'
    >>> front_matter("---\na: &a [x, x]\nb: *a\nc: &c [*c]\n---\n")
    'front matter refused at line 4: a YAML alias refers to a node that contains it (a cycle)'
    """
    try:
        return _front_matter(text)
    except _NoFrontMatter as exc:
        if exc.line is not None and exc.reason.startswith("front matter refused: "):
            return exc.reason.replace("refused:", f"refused at line {exc.line}:", 1)
        return exc.reason


def parse_metadata(
    raw: Mapping[str, Any],
    repo_id: str,
    *,
    where: str,
    files: Iterable[str] = (),
    gguf: bool = False,
) -> ModelRecord:
    """Turn card metadata (front matter, or a Hub record's card data) into a model record.

    Raises:
        DataLoadError: ``base_model`` or ``new_version`` names more than
            :data:`~llmgraph.limits.MAX_LINKS` models (the message names the limit).

    >>> r = parse_metadata({"base_model": ["a/x", "b/y"], "license": "mit"}, "c/m", where="c")
    >>> [p.relation.fragment for p in r.parents], r.license.hub_id
    (['mergedFrom', 'mergedFrom'], 'mit')
    """
    files = list(files)
    meta, notes = canonical_metadata(raw, where=where)
    record = ModelRecord(
        where=where,
        sources=[HUB + repo_id],
        ref=Ref(hf_id=repo_id),
        fallback_developer=Ref(hf_owner=repo_id.split("/", 1)[0]),
    )
    ids, legacy, rejected = model_ids(meta.get("base_model"))
    check_links(len(ids) + len(legacy), "models in base_model")
    newer, _, _ = model_ids(meta.get("new_version"))
    check_links(len(newer), "models in new_version")
    for value in rejected:
        notes.append(f"{where}: base_model {shown(value)} is not a Hub model id; ignored")
    stated, relation_notes = stated_relation(meta, where=where)
    notes += relation_notes
    parents = [Ref(hf_id=i) for i in ids] + [Ref(name=n) for n in legacy]
    reason: str | None = None
    if stated is not None:
        relation = stated
    else:
        relation, reason = infer_relation(meta, repo_id, len(parents), files=files, gguf=gguf)
    record.parents = [Parent(ref, RELATIONS[relation], reason) for ref in parents]
    creator = meta.get("model_creator")
    creator_ref = (
        Ref(name=creator.strip()) if isinstance(creator, str) and creator.strip() else None
    )
    model_name = meta.get("model_name")
    model_name = model_name.strip() if isinstance(model_name, str) and model_name.strip() else None
    describes_parent = relation == "quantized" or isinstance(meta.get("quantized_by"), str)
    if describes_parent and len(ids) == 1:
        record.parent_names[ids[0]] = (model_name, creator_ref)
    elif not describes_parent:
        if creator_ref is not None:
            record.creator = creator_ref
        if model_name and model_name.casefold() != repo_id.rsplit("/", 1)[-1].casefold():
            record.aliases.append(model_name)
    lic = meta.get("license")
    lic_name = meta.get("license_name")
    if isinstance(lic, list):
        lic = next((v for v in lic if isinstance(v, str)), None)
    if isinstance(lic, str) or isinstance(lic_name, str):
        record.license = LicenseRef(
            hub_id=lic if isinstance(lic, str) else None,
            name=lic_name if isinstance(lic_name, str) else None,
        )
    for dataset in _strings(meta.get("datasets")):
        dataset = "/".join(dataset.strip().strip("/").split("/")[:2])  # a subfolder → its repo
        if _DATASET_ID.match(dataset):
            record.datasets.append(f"{HUB}datasets/{dataset}")
        else:
            notes.append(f"{where}: dataset {shown(dataset)} is not a Hub dataset id; ignored")
    for tag in _strings(meta.get("tags")):
        if tag.startswith("arxiv:") and re.fullmatch(r"\d{4}\.\d{4,5}", tag[6:]):
            record.see_also.append(f"https://arxiv.org/abs/{tag[6:]}")
    record.successors = [Ref(hf_id=i) for i in newer if i.casefold() != repo_id.casefold()]
    record.datasets = list(dict.fromkeys(record.datasets))
    record.see_also = list(dict.fromkeys(record.see_also))
    record.report_notes = notes
    return record


def parse_card(text: str, repo_id: str, *, where: str | None = None) -> ModelRecord | Skip:
    r"""Parse one card's text; return its record, or a :class:`Skip` saying why there is none.

    A card over a limit of :mod:`llmgraph.limits` is a :class:`Skip` whose reason names it.

    >>> parse_card("# A card without front matter", "a/b")
    Skip(record='a/b', reason='no YAML front matter (the card does not start with a --- line)')
    >>> parse_card("---\nbase_model: [" + ", ".join(f"a/m{i}" for i in range(300)) + "]\n---",
    ...            "a/b").reason
    '300 models in base_model, more than 256 (limit llmgraph.limits.MAX_LINKS)'
    """
    where = where or repo_id
    if not HF_ID.match(repo_id):
        return Skip(where, f"{shown(repo_id)} is not a Hub repository id (owner/name)")
    meta = front_matter(text)
    if isinstance(meta, str):
        return Skip(where, meta)
    try:
        return parse_metadata(meta, repo_id, where=where)
    except DataLoadError as exc:
        return Skip(where, str(exc))


def _path_id(readme: Path) -> str:
    return f"{readme.parent.parent.name}/{readme.parent.name}"


def _readmes(folder: Path) -> list[Path]:
    """Return the cards under ``folder`` (see :func:`card_files`)."""
    by_depth: dict[int, list[Path]] = {}
    for readme in sorted(folder.rglob("README.md")):
        depth = len(readme.relative_to(folder).parts)
        by_depth.setdefault(min(depth, 3), []).append(readme)
    for depth in (3, 2, 1):
        if by_depth.get(depth):
            return by_depth[depth]
    return []


def card_files(
    paths: Sequence[Path | str], *, repo_id: str | None = None
) -> list[tuple[str, Path]]:
    r"""List the cards to read as ``(hub id, path)``, sorted by id.

    A file needs ``repo_id``; a folder is searched for ``<owner>/<name>/README.md`` files, and
    each one's id is its two enclosing folders. A folder without such cards may be one owner's
    folder (``<name>/README.md``) or one repository's (its ``README.md``); a ``README.md`` above
    the cards (describing the collection) is not a card.

    Raises:
        DataLoadError: a path does not exist.
        UsageError: a file is given without ``repo_id``, or ``repo_id`` with several inputs.

    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for path in ("README.md", "TheBloke/phi-2-GGUF/README.md"):
    ...     (root / path).parent.mkdir(parents=True, exist_ok=True)
    ...     _ = (root / path).write_text("---\n---\n")
    >>> [hub_id for hub_id, _ in card_files([root])]
    ['TheBloke/phi-2-GGUF']
    """
    if repo_id is not None and (len(paths) != 1 or Path(paths[0]).is_dir()):
        raise UsageError("--id names one card: pass exactly one README.md file with it")
    found: list[tuple[str, Path]] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found += [(_path_id(readme), readme) for readme in _readmes(path)]
        elif path.is_file():
            if repo_id is None:
                raise UsageError(
                    f"{path}: a single card needs its Hub id: pass --id owner/name "
                    "(or give the folder that holds <owner>/<name>/README.md)"
                )
            found.append((repo_id, path))
        else:
            raise DataLoadError("no such file or folder", path=path)
    return sorted(found, key=lambda pair: (pair[0].casefold(), str(pair[1])))


def import_hf_cards(
    lg: LineageGraph,
    paths: Sequence[Path | str],
    *,
    repo_id: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    r"""Import Hugging Face model cards into ``lg``.

    Args:
        lg: the graph; names resolve against it, and the new facts are added to it at once.
        paths: ``README.md`` files (with ``repo_id``) or folders of ``<owner>/<name>/README.md``.
        repo_id: the Hub id of the one card file given.
        progress: called as ``progress(done, total)`` after each card.

    Returns:
        The :class:`ImportReport`; ``report.triples`` are the facts added.

    Raises:
        DataLoadError: an input path does not exist.
        UsageError: a card file without its ``repo_id``.
        LineageCycleError: the facts would close a derivation cycle (nothing is added).

    >>> import tempfile, pathlib
    >>> from llmgraph import LineageGraph
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> cards = {"me/tune-Q4-GGUF": "me/tune", "me/tune": "mistralai/Mistral-7B-v0.1"}
    >>> for repo, base in cards.items():
    ...     card = folder / repo / "README.md"
    ...     card.parent.mkdir(parents=True)
    ...     _ = card.write_text(f"---\nbase_model: {base}\n---\n# {repo}\n")
    >>> lg = LineageGraph.load(bundled=False)
    >>> report = import_hf_cards(lg, [folder])
    >>> [(a.label, a.relation) for a in lg.ancestors("me/tune-Q4-GGUF")]
    [('me/tune', 'quantizedFrom'), ('mistralai/Mistral-7B-v0.1', 'fineTunedFrom')]
    """
    report = ImportReport("hf-cards")
    cards = card_files(paths, repo_id=repo_id)
    builder = Builder(lg, report, prefix="hf")
    noted: set[str] = set()

    def steps() -> Iterator[None]:
        for done, (hub_id, path) in enumerate(cards, 1):
            report.records_read += 1
            where = str(path)
            try:
                text = _read_head(path)
            except (OSError, UnicodeDecodeError) as exc:
                report.skip(where, f"cannot read the card: {exc}")
            else:
                add_record(builder, report, parse_card(text, hub_id, where=where), noted=noted)
            if progress is not None:
                progress(done, len(cards))
            yield None

    return builder.finish(steps())


def _read_head(path: Path) -> str:
    """Read the beginning of a card: its front matter if it has one within the limit."""
    with path.open(encoding="utf-8-sig") as card:
        return card.read(_HEAD + 1)  # one more character tells a longer card


def add_record(
    builder: Builder,
    report: ImportReport,
    record: ModelRecord | Skip,
    *,
    noted: set[str] | None = None,
) -> None:
    """Hand one parsed record to ``builder`` (or note its skip) — shared with the Hub importer.

    ``noted`` holds the notes already in ``report`` (kept by the caller across records), so
    that a note is added once in constant time.
    """
    if isinstance(record, Skip):
        report.skipped.append(record)
        return
    seen = noted if noted is not None else set(report.notes)
    for note in record.report_notes:
        if note not in seen:
            seen.add(note)
            report.notes.append(note)
    builder.add_model(record)
