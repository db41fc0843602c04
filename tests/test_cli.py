"""The llmgraph command line: every command, every format, every error path."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from llmgraph.cli import main

from .conftest import DATA, TINY

T = "https://example.org/tiny/"
TINY_ARGS = ["--no-bundled", "--data", str(TINY)]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ancestors_table(capsys: pytest.CaptureFixture[str]) -> None:
    """`ancestors` prints a table: depth, relation, label, developer, date, licence, via."""
    code, out, _ = run(capsys, *TINY_ARGS, "ancestors", "Tuned 7B GGUF")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "depth",
        "relation",
        "label",
        "developer",
        "released",
        "licence",
        "via",
    ]
    assert lines[2].split()[:3] == ["1", "quantizedFrom", "Tuned"]
    assert lines[3].split()[:3] == ["2", "fineTunedFrom", "Base"]


def test_descendants_json_and_options(capsys: pytest.CaptureFixture[str]) -> None:
    """`descendants --format json --depth 1` returns one object per descendant."""
    code, out, _ = run(
        capsys, *TINY_ARGS, "descendants", "Base 7B", "--depth", "1", "--format", "json"
    )
    assert code == 0
    assert [(r["label"], r["relation"], r["depth"]) for r in json.loads(out)] == [
        ("Base 7B Chat", "fineTunedFrom", 1),
        ("Tuned 7B", "fineTunedFrom", 1),
    ]


def test_ancestors_all_relations_csv(capsys: pytest.CaptureFixture[str]) -> None:
    """`--all` adds teachers; `--format csv` writes a header and rows."""
    code, out, _ = run(capsys, *TINY_ARGS, "ancestors", "Tuned 7B", "--all", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["label"], r["relation"]) for r in rows] == [
        ("Base 7B", "fineTunedFrom"),
        ("Teacher", "trainedOnOutputsOf"),
    ]


def test_root_has_no_ancestors(capsys: pytest.CaptureFixture[str]) -> None:
    """A root model says so instead of printing an empty table."""
    code, out, _ = run(capsys, *TINY_ARGS, "ancestors", "Base 7B")
    assert code == 0
    assert out.strip() == "(none for 'Base 7B' (a root))"


def test_path_command(capsys: pytest.CaptureFixture[str]) -> None:
    """`path` prints each step; a step walked against the edge is marked with ^."""
    code, out, _ = run(capsys, *TINY_ARGS, "path", "Tuned 7B", "Base 7B Chat", "--format", "csv")
    assert code == 0
    assert out.splitlines() == [
        "step,from,relation,to",
        "1,Tuned 7B,fineTunedFrom,Base 7B",
        "2,Base 7B,^fineTunedFrom,Base 7B Chat",
    ]


def test_backers_and_portfolio(capsys: pytest.CaptureFixture[str]) -> None:
    """`backers --transitive` and `portfolio` answer who backs whom."""
    code, out, _ = run(capsys, *TINY_ARGS, "backers", "Acme AI", "--transitive", "--format", "json")
    assert code == 0
    assert [(r["label"], r["relation"], r["depth"]) for r in json.loads(out)] == [
        ("Big Fund", "investsIn", 1),
        ("Holding Co", "owns", 2),
    ]
    _, out, _ = run(capsys, *TINY_ARGS, "portfolio", "Big Fund", "--format", "csv")
    assert out.splitlines()[1] == "1,investsIn,Acme AI,organization,,,,,Big Fund," + T + "acme"


def test_query_json_is_sparql_results_json(capsys: pytest.CaptureFixture[str]) -> None:
    """`query --format json` prints the SPARQL 1.1 Query Results JSON format."""
    code, out, _ = run(
        capsys, *TINY_ARGS, "query", "--format", "json", "SELECT ?m WHERE { ?m llm:adapterOf ?p }"
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["head"]["vars"] == ["m"]
    assert doc["results"]["bindings"] == [{"m": {"type": "uri", "value": T + "tuned-lora"}}]


def test_query_from_file_with_bindings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`query -f file.rq --bind var=NAME` reads the query and binds an entity by name."""
    rq = tmp_path / "parents.rq"
    rq.write_text("SELECT ?label WHERE { ?m llm:derivedFrom ?p . ?p rdfs:label ?label }\n")
    code, out, _ = run(
        capsys, *TINY_ARGS, "query", "-f", str(rq), "--bind", "m=Merge 7B", "--format", "csv"
    )
    assert code == 0
    assert sorted(out.splitlines()[1:]) == ["Other 7B", "Tuned 7B"]


def test_query_ask_and_construct(capsys: pytest.CaptureFixture[str]) -> None:
    """ASK prints true/false; CONSTRUCT prints Turtle."""
    assert run(capsys, *TINY_ARGS, "query", "ASK { ?m llm:mergedFrom ?p }")[1] == "true\n"
    out = run(
        capsys,
        *TINY_ARGS,
        "query",
        "CONSTRUCT { ?m llm:derivedFrom ?p } WHERE { ?m llm:adapterOf ?p }",
    )[1]
    assert "tuned-lora" in out and "llm:derivedFrom" in out


def test_render_writes_svg(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`render -o x.svg` writes real SVG and says where."""
    target = tmp_path / "tree.svg"
    code, out, _ = run(capsys, *TINY_ARGS, "render", "Tuned 7B", "-o", str(target))
    assert code == 0
    assert out.startswith(f"wrote {target} (6 nodes, 5 edges)")
    assert b"<svg" in target.read_bytes()


def test_render_backing_dot(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`render --backing` with a .dot output writes DOT text."""
    target = tmp_path / "money.dot"
    code, _, _ = run(capsys, *TINY_ARGS, "render", "--backing", "Acme AI", "-o", str(target))
    assert code == 0
    assert target.read_text().startswith("digraph lineage {")


def test_render_selections_and_options(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`render --family/--organization/--platform/--sparql` select; the options reach the DOT."""
    dot = tmp_path / "x.dot"
    code, out, _ = run(
        capsys, *TINY_ARGS, "render", "--family", "Tuned 7B", "--collapse", "1", "-o", str(dot)
    )
    assert code == 0
    assert out == f"wrote {dot} (8 nodes, 7 edges; 2 in collapsed groups)\n"
    assert f'"group:quantizedFrom:{T}tuned"' in dot.read_text()
    run(
        capsys,
        *TINY_ARGS,
        "render",
        "--organization",
        "Tiny Lab",
        "--no-bases",
        "--clusters",
        "developer",
        "--rankdir",
        "TB",
        "--timeline",
        "year",
        "-o",
        str(dot),
    )
    text = dot.read_text()
    assert "subgraph cluster_0" in text and "rankdir=TB" in text and '"time:2023"' in text
    assert f'"{T}base"' not in text
    run(capsys, *TINY_ARGS, "render", "--platform", "Tiny Cloud", "--no-legend", "-o", str(dot))
    assert f'"{T}cloud" -> "{T}base-chat"' in dot.read_text()
    assert "label=<<TABLE" not in dot.read_text()
    query = tmp_path / "q.rq"
    query.write_text("CONSTRUCT { ?s llm:owns ?o } WHERE { ?s llm:owns ?o }")
    code, out, _ = run(capsys, *TINY_ARGS, "render", "--sparql", str(query), "-o", str(dot))
    assert out.startswith(f"wrote {dot} (2 nodes, 1 edges)")
    run(capsys, *TINY_ARGS, "render", "Base 7B", "--max-children", "1", "-o", str(dot))
    assert f'"more:{T}base"' in dot.read_text()


def test_render_size_dpi_and_font(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`render --width/--height/--dpi/--font` size the figure, set PNG pixels and the font."""
    svg = tmp_path / "col.svg"
    argv = ["render", "Tuned 7B GGUF", "--ancestors", "--rankdir", "TB"]
    code, _, _ = run(capsys, *TINY_ARGS, *argv, "--width", "3.5in", "-o", str(svg))
    assert code == 0 and '<svg width="252pt"' in svg.read_text(encoding="utf-8")
    png = tmp_path / "col.png"
    code, _, _ = run(capsys, *TINY_ARGS, *argv, "--width", "3.5in", "--dpi", "300", "-o", str(png))
    assert code == 0 and int.from_bytes(png.read_bytes()[16:20], "big") == pytest.approx(1050, 2)
    code, _, _ = run(capsys, *TINY_ARGS, *argv, "--font", "DejaVu Serif", "-o", str(svg))
    assert code == 0 and 'font-family="DejaVu Serif"' in svg.read_text(encoding="utf-8")
    code, _, err = run(capsys, *TINY_ARGS, *argv, "--height", "2 ft", "-o", str(svg))
    assert code == 1 and "height must be a length such as 3.5in" in err


def test_render_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Bad render command lines exit 1 and say what was wrong; nothing is written."""
    target = tmp_path / "x.svg"
    for argv, message in [
        (["render", "-o", str(target)], "render needs at least one name (or --sparql FILE)"),
        (
            ["render", "--sparql", str(tmp_path / "none.rq"), "-o", str(target)],
            "cannot read query file",
        ),
        (["render", "--organization", "Big Fund", "-o", str(target)], "nothing to draw"),
        (["render", "Base 7B", "--collapse", "-1", "-o", str(target)], "collapse must be 0"),
    ]:
        code, _, err = run(capsys, *TINY_ARGS, *argv)
        assert code == 1 and message in err, (argv, err)
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?s WHERE { ?s a llm:Model }")
    code, _, err = run(capsys, *TINY_ARGS, "render", "Base 7B", "--sparql", str(query), "-o", "x")
    assert code == 1 and "drop the names" in err
    assert not target.exists()


@pytest.mark.parametrize(
    ("stem", "argv"),
    [
        ("llama-family", ["--family", "LLaMA"]),
        ("mistral-family", ["--family", "Mistral"]),
        ("backing-network", ["--backing", "OpenAI", "Anthropic", "Mistral AI", "Hugging Face"]),
        ("teachers", ["--sparql", "examples/gallery/teachers.rq"]),
        ("falcon-column", ["--family", "Falcon", "--width", "3.5in"]),
        ("falcon-page", ["--family", "Falcon", "--width", "17.8cm", "--height", "24cm"]),
    ],
)
def test_render_reproduces_the_gallery(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, stem: str, argv: list[str]
) -> None:
    """The command lines in examples/gallery/README.md give the committed gallery DOT."""
    gallery = Path(__file__).resolve().parent.parent / "examples" / "gallery"
    lines = (gallery / "README.md").read_text(encoding="utf-8").splitlines()
    command = next(i for i, line in enumerate(lines) if f"-o {stem}.svg" in line)
    assert lines[command].startswith(f"llmgraph render {argv[0]}")
    title = lines[command + 1].split('--title "', 1)[1].rstrip('"')
    target = tmp_path / f"{stem}.dot"
    argv = [a.replace("examples/", str(gallery.parent) + "/") for a in argv]
    assert run(capsys, "render", *argv, "--title", title, "-o", str(target))[0] == 0
    assert target.read_text(encoding="utf-8") == (gallery / f"{stem}.dot").read_text("utf-8")


def test_validate_and_stats(capsys: pytest.CaptureFixture[str]) -> None:
    """`validate` exits 0 on conforming data and 1 otherwise; `stats` counts."""
    assert run(capsys, *TINY_ARGS, "validate")[0] == 0
    code, out, _ = run(
        capsys, "--no-bundled", "--data", str(DATA / "nonconforming.ttl"), "validate"
    )
    assert code == 1 and "SHACL violation(s)" in out
    code, out, _ = run(capsys, *TINY_ARGS, "stats", "--format", "json")
    counts = {(r["group"], str(r["key"])): r["count"] for r in json.loads(out)}
    assert counts[("class", "Model")] == 10
    assert counts[("relation", "mergedFrom")] == 2
    assert counts[("facts without a source", "all")] == 0
    assert counts[("identified", "models with a Hugging Face id")] == 2
    assert counts[("identified", "organizations with a Wikidata item")] == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ancestors", "Tuned 8B"], "unknown model or family 'Tuned 8B'; did you mean 'Tuned 7B'"),
        (["query", "SELECT ?x WHERE { ?x }"], "SPARQL syntax error at line 1, column"),
        (["query"], "query takes the SPARQL text or -f FILE"),
        (["query", "-f", "/nonexistent/q.rq"], "cannot read query file /nonexistent/q.rq"),
        (["render", "Tuned 7B", "-o", "x.gif"], "cannot tell the image format"),
        (["descendants", "Base 7B", "--relations", "bogus"], "unknown relation 'bogus'"),
        (["ancestors", "Merge 7B", "--depth", "-2"], "depth must be 0 or more, got -2"),
    ],
)
def test_errors_exit_1_with_message(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Bad input exits 1 with `llmgraph: error: …` on stderr and no traceback."""
    code, out, err = run(capsys, *TINY_ARGS, *argv)
    assert code == 1
    assert err.startswith("llmgraph: error: ")
    assert message in err
    assert "Traceback" not in err
    assert out == ""


def test_data_errors_name_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    """Malformed Turtle, missing files and cycles are reported with file, line or cycle."""
    code, _, err = run(capsys, "--no-bundled", "--data", str(DATA / "bad_syntax.ttl"), "stats")
    assert code == 1 and f"{DATA / 'bad_syntax.ttl'}:6: invalid Turtle" in err
    code, _, err = run(capsys, "--data", "/nonexistent/x.ttl", "stats")
    assert code == 1 and "/nonexistent/x.ttl: no such file" in err
    code, _, err = run(capsys, *TINY_ARGS, "--data", str(DATA / "cycle.ttl"), "stats")
    assert code == 1 and "derivation cycle: " in err and " → " in err


def test_debug_shows_traceback() -> None:
    """--debug lets the exception through so the traceback shows."""
    with pytest.raises(LookupError):
        main([*TINY_ARGS, "--debug", "ancestors", "nothing-like-this"])


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A command line that does not parse exits 2 (argparse)."""
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2


def test_python_dash_m_and_console_script() -> None:
    """`python -m llmgraph` and the `llmgraph` script run in a real process."""
    proc = subprocess.run(
        [sys.executable, "-m", "llmgraph", *TINY_ARGS, "ancestors", "Merge 7B", "--format", "csv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1].startswith(
        "1,mergedFrom,Other 7B,model,Tiny Lab,2023-01-15,day,,Merge 7B,"
    )
    script = Path(sys.executable).parent / "llmgraph"
    proc = subprocess.run(
        [str(script), *TINY_ARGS, "ancestors", "Nope"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("llmgraph: error: unknown model or family 'Nope'")
