# llmgraph: `make demo` runs the main job, `make test` runs the whole suite.
# Both start from nothing but Python 3.11+, git and make: they create .venv, install the
# package (editable) with its dev dependencies, and make sure Graphviz's `dot` is present;
# `make test` also installs headless Chromium (it checks the gallery figures as images) and
# OpenLink Virtuoso, the second SPARQL server the tests run against.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.llmgraph-installed
OUT    ?= out

.PHONY: demo test docs lint typecheck pytest setup graphviz chromium virtuoso clean bench bench-start bench-scale bench-results

demo: setup graphviz
	$(PY) examples/demo.py --out $(OUT)

test: setup graphviz chromium virtuoso
	$(PY) -m ruff check llmgraph tests examples bench docs
	$(PY) -m ruff format --check llmgraph tests examples bench docs
	$(PY) -m mypy
	$(PY) -m pytest -q -n auto
	$(MAKE) docs

# The documentation site (mkdocs-material + mkdocstrings): warnings are errors.
docs: setup
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --quiet -d $(OUT)/site

setup: $(STAMP)

$(STAMP): pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "llmgraph needs Python 3.11 or newer; found " + sys.version.split()[0] + " (set PYTHON=python3.x)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Graphviz is a system program, not a Python package: install it with the system package
# manager when we can, otherwise say how.
graphviz:
	@if command -v dot >/dev/null 2>&1; then exit 0; fi; \
	echo "llmgraph: Graphviz 'dot' not found; installing it"; \
	SUDO=""; if [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi; \
	if command -v apt-get >/dev/null 2>&1 && { [ "$$(id -u)" = 0 ] || [ -n "$$SUDO" ]; }; then \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq graphviz >/dev/null; \
	elif command -v dnf >/dev/null 2>&1 && { [ "$$(id -u)" = 0 ] || [ -n "$$SUDO" ]; }; then \
	  $$SUDO dnf install -y -q graphviz; \
	elif command -v apk >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apk add --quiet graphviz; \
	elif command -v brew >/dev/null 2>&1; then \
	  brew install graphviz; \
	fi; \
	command -v dot >/dev/null 2>&1 || { \
	  echo "llmgraph: error: Graphviz 'dot' is required and could not be installed automatically." >&2; \
	  echo "  Install it with your package manager (apt-get install graphviz, dnf install graphviz," >&2; \
	  echo "  brew install graphviz, conda install graphviz) or from https://graphviz.org/download/" >&2; \
	  exit 1; }

# Headless Chromium screenshots the print-sized gallery figures in the tests. Like Graphviz
# it is a system program: install it with the system package manager when we can.
CHROMIUM_NAMES := chromium chromium-browser google-chrome google-chrome-stable
chromium:
	@for name in $(CHROMIUM_NAMES); do command -v $$name >/dev/null 2>&1 && exit 0; done; \
	echo "llmgraph: headless Chromium not found; installing it"; \
	SUDO=""; if [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi; \
	if command -v apt-get >/dev/null 2>&1 && { [ "$$(id -u)" = 0 ] || [ -n "$$SUDO" ]; }; then \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	elif command -v dnf >/dev/null 2>&1 && { [ "$$(id -u)" = 0 ] || [ -n "$$SUDO" ]; }; then \
	  $$SUDO dnf install -y -q chromium; \
	elif command -v apk >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apk add --quiet chromium; \
	elif command -v brew >/dev/null 2>&1; then \
	  brew install --cask chromium; \
	fi; \
	for name in $(CHROMIUM_NAMES); do command -v $$name >/dev/null 2>&1 && exit 0; done; \
	echo "llmgraph: error: headless Chromium is required by the tests and could not be installed automatically." >&2; \
	echo "  Install it with your package manager (apt-get install chromium, dnf install chromium," >&2; \
	echo "  apk add chromium, brew install --cask chromium) and put it on PATH" >&2; \
	exit 1

# OpenLink Virtuoso 7 (`virtuoso-t`, `isql-vt`): the tests start a private one on 127.0.0.1
# beside Oxigraph's server. Installed like Graphviz; the package's own service is not used.
virtuoso:
	@if command -v virtuoso-t >/dev/null 2>&1; then exit 0; fi; \
	echo "llmgraph: Virtuoso 'virtuoso-t' not found; installing it"; \
	SUDO=""; if [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi; \
	if command -v apt-get >/dev/null 2>&1 && { [ "$$(id -u)" = 0 ] || [ -n "$$SUDO" ]; }; then \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq virtuoso-opensource >/dev/null; \
	elif command -v brew >/dev/null 2>&1; then \
	  brew install virtuoso; \
	fi; \
	command -v virtuoso-t >/dev/null 2>&1 || { \
	  echo "llmgraph: error: OpenLink Virtuoso 7 ('virtuoso-t', 'isql-vt') is required by the tests" >&2; \
	  echo "  and could not be installed automatically. Install it with your package manager" >&2; \
	  echo "  (apt-get install virtuoso-opensource, brew install virtuoso) or from" >&2; \
	  echo "  https://github.com/openlink/virtuoso-opensource/releases" >&2; \
	  exit 1; }

bench: setup
	$(PY) bench/bench_queries.py

# Start, load and validate on the bundled data, each beside its peer (bench/README.md)
bench-start: setup
	$(PY) bench/bench_start.py

# Hub scale (bench/README.md): MODELS=1000000 for the 1 M run; RDFLIB= to skip the baseline
MODELS ?= 100000
RDFLIB ?= --rdflib
bench-scale: setup
	$(PY) bench/bench_scale.py --models $(MODELS) $(RDFLIB)

# Large answers as columns against the same answer row by row (bench/README.md)
RESULTS_MODELS ?= 200000
bench-results: setup
	$(PY) bench/bench_results.py --models $(RESULTS_MODELS)

clean:
	rm -rf $(VENV) $(OUT) site .mypy_cache .ruff_cache .pytest_cache .hypothesis
