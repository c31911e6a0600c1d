# The book's commands. `make book` and `make test` set up what they need on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book catalogues check lint linkcheck test data serve bench bench-pages bench-tests bench-lighthouse register register-sources clean setup browser pdf lab

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP)

# Every build is strict, as in `make test`: a warning or a failing cell fails it. --keep-going
# lists every problem before failing.
BUILD := $(BIN)/jupyter-book build . -W -n --keep-going

## book: execute every chapter (those whose code or inputs changed) and write _build/html, the
## English edition, with the Arabic edition in _build/html/ar (translated from locales/ar)
book: $(STAMP)
	@mkdir -p _build
	@set -o pipefail; { $(BUILD) && $(BIN)/python tools/build_edition.py ar; } 2>&1 | tee _build/build.log || { status=$$?; \
	  echo; echo "make book failed: the build has warnings or errors, which fail it (as in make test):"; \
	  sed 's/\x1b\[[0-9;]*m//g' _build/build.log | grep -E "WARNING|ERROR|failed" | sort -u; \
	  echo "(the whole log: _build/build.log)"; exit $$status; }
	@echo "Open _build/html/index.html (English) or _build/html/ar/index.html (Arabic)"

## catalogues: after editing the English text, update the Arabic edition's message catalogues
## (locales/ar/LC_MESSAGES: new and changed messages come back untranslated or fuzzy)
catalogues: $(STAMP)
	$(BIN)/python tools/build_edition.py --catalogues

## pdf: the PDF edition, _build/pdf/book.pdf (printed by chromium); make pdf LANGUAGE=ar: the
## Arabic edition's, _build/pdf/book.ar.pdf
LANGUAGE ?= en
pdf: $(STAMP) browser
	$(BIN)/python tools/make_pdf.py --language $(LANGUAGE)

## check: the fast loop: every test that needs no full build, no browser and no minute of its own
## (markers full_build and slow; `make test` adds those), on two workers, then a strict incremental build
CHECK_TESTS := -m "not full_build and not slow"
check: $(STAMP) lint
	$(BIN)/python -m pytest -q -n 2 $(CHECK_TESTS)
	@$(MAKE) --no-print-directory book

## lint: ruff over the code (its rules in pyproject.toml; `make check` and `make test` run it first)
lint: $(STAMP)
	$(BIN)/ruff check .

## linkcheck: every link readers get (references.bib, data/, the pages' sources and, if built,
## _build/html), without building or executing anything; known false positives in
## tools/linkcheck-ignore.txt; fails on a dead link (unreachable hosts are reported, not failed)
linkcheck: $(STAMP)
	@mkdir -p _build
	$(BIN)/python tools/linkcheck.py --report _build/linkcheck.md

## browser: Debian's chromium for the browser tests (needs root or sudo)
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

## test: the whole suite on four workers (they mostly wait for builds, kernels and chromium, so
## four keep two cores busy): data, clean builds with warnings as errors, the built pages
test: $(STAMP) browser lint
	$(BIN)/python -m pytest -n 4

## register: add data/NEW.csv to data/datapackage.json, types inferred (make register TABLE=data/NEW.csv)
register: $(STAMP)
	$(BIN)/python -m cstobook.register $(TABLE)
## register-sources: after rows cite new sources (or a bibliography entry is merged or retitled), state
## in data/datapackage.json, for every researched table, the sources its rows cite
register-sources: $(STAMP)
	$(BIN)/python -m cstobook.register --sources

## data: fetch the raw sources (a mirror named by CSTOBOOK_SOURCES_URL, else ../shared/sources,
## else their original locations), check each one's sha256, cache them in .sources-cache/, and
## re-derive data/ (committed; a clone does not need this). A failure leaves data/ as it was.
data: $(STAMP)
	$(BIN)/python -m cstobook.derive

## lab: JupyterLab on http://127.0.0.1:$(LAB_PORT) from the project's environment; with jupytext,
## chapters/*.md open (double-click) and run as notebooks, and save back to the .md
LAB_PORT ?= 8888
LAB_OPTIONS ?=
ROOT_USER := $(if $(filter 0,$(shell id -u)),--allow-root)  # containers and CI run as root
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
lab: $(STAMP)
	mkdir -p $(LAB_SETTINGS) && cp binder/overrides.json $(LAB_SETTINGS)/overrides.json  # .md opens as a notebook
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) --ServerApp.port_retries=0 \
	  --ServerApp.root_dir=. --ServerApp.contents_manager_class=jupytext.TextFileContentsManager $(ROOT_USER) $(LAB_OPTIONS)

## bench: time a clean build and rebuilds (no change, prose edit, code edit, table edit) on a copy
bench: $(STAMP)
	$(BIN)/python bench/rebuild.py --profile

## bench-tests: the wall time of `make test` on this machine, the load beside it, the CPU time
## of the suite, of the whole machine meanwhile, and of each test and test file, and a timeline
## (per half minute: the busy cores and what each worker ran)
bench-tests: $(STAMP) browser
	$(BIN)/python bench/test_suite.py

## bench-pages: per page, bytes and time until its maps are drawn, against a naive folium map
bench-pages: $(STAMP) browser
	$(BIN)/python bench/page_weight.py

## bench-lighthouse: Lighthouse (mobile preset, median of 3 runs) on every page of both editions of
## the built book, served with gzip, against a stock page shell; installs Node and npm (Debian) if
## missing and Lighthouse from bench/lighthouse/package-lock.json. A quick look:
## CSTOBOOK_LIGHTHOUSE_RUNS=1 CSTOBOOK_LIGHTHOUSE_PAGES=index,ar/index make bench-lighthouse
bench-lighthouse: $(STAMP) browser
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
	@test -x bench/lighthouse/node_modules/.bin/lighthouse || \
	  (cd bench/lighthouse && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
	@test -f _build/html/index.html || $(MAKE) --no-print-directory book
	$(BIN)/python bench/lighthouse.py

## serve: build, then serve the book on http://127.0.0.1:8000 (Ctrl-C stops it)
serve: book
	$(BIN)/python -m http.server --directory _build/html --bind 127.0.0.1 8000

clean:
	rm -rf _build
