# The book's commands. `make book` and `make test` set up what they need on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book test data serve bench bench-pages clean setup browser pdf

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP)

## book: execute every chapter and write the HTML book to _build/html
book: $(STAMP)
	$(BIN)/jupyter-book build . --keep-going
	@echo "Open _build/html/index.html"

## pdf: the PDF edition, _build/pdf/book.pdf (one page of every chapter, printed by chromium)
pdf: $(STAMP) browser
	$(BIN)/python tools/make_pdf.py
	@echo "Open _build/pdf/book.pdf"

## browser: Debian's chromium for the browser tests (needs root or sudo)
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

## test: the whole suite: data, a clean build with warnings as errors, the built pages
test: $(STAMP) browser
	$(BIN)/python -m pytest

## data: re-derive data/ from ../shared/sources (committed; a clone does not need this)
data: $(STAMP)
	$(BIN)/python -m cstobook.derive

## bench: time a clean build and rebuilds (no change, prose edit, code edit, table edit) on a copy
bench: $(STAMP)
	$(BIN)/python bench/rebuild.py --profile

## bench-pages: per page, bytes and time until its maps are drawn, against a naive folium map
bench-pages: $(STAMP) browser
	$(BIN)/python bench/page_weight.py

## serve: build, then serve the book on http://127.0.0.1:8000 (Ctrl-C stops it)
serve: book
	$(BIN)/python -m http.server --directory _build/html --bind 127.0.0.1 8000

clean:
	rm -rf _build
