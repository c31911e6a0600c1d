"""The contributors' guide (CONTRIBUTING.md) says what the tests enforce: every test it links exists,
every rule of its tables links a test, its "In brief" labels are the template's and the chapters',
its house colours are those of cstobook.style, and `make check` runs every test that needs no full
build, no browser and no minute of its own."""
from __future__ import annotations

import ast
import re

import pytest

from build_support import ROOT
from cstobook import style, toc

GUIDE = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
LINK = re.compile(r"\[`?(?P<text>[^\]`]+)`?\]\((?P<target>tests/[^)#]+)\)")
IN_BRIEF = re.compile(r":::\{admonition\} In brief\n:class: in-brief\n(?P<body>.*?)\n:::", re.S)
LABEL = re.compile(r"\*\*(?P<label>[A-Z][A-Za-z ]*)\.\*\*")
LABELS = ("Claim", "Verdict", "Headline number")  # in this order; Headline number where the box gives one


def functions_of(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_every_test_the_guide_links_exists():
    links = list(LINK.finditer(GUIDE))
    assert len(links) >= 30
    missing = []
    for link in links:
        path = ROOT / link["target"]
        if not path.is_file():
            missing.append(link["target"])
        elif link["text"].startswith("test_") and link["text"] not in functions_of(path):
            missing.append(f"{link['target']}::{link['text']}")
    assert missing == []


def rule_rows() -> list[str]:
    """Rows of the guide's rules tables (a table whose header starts with `| rule |`)."""
    rows, inside = [], False
    for line in GUIDE.splitlines():
        if line.startswith("| rule |"):
            inside = True
            continue
        if inside and line.startswith("|---"):
            continue
        if inside and line.startswith("|"):
            rows.append(line)
        else:
            inside = False
    return rows


def test_every_rule_of_the_guide_links_its_test():
    rows = rule_rows()
    assert len(rows) >= 25
    assert [row[:80] for row in rows if not LINK.search(row.rsplit("|", 2)[-2])] == []


def in_brief_labels(text: str) -> list[list[str]]:
    return [[m["label"] for m in LABEL.finditer(box["body"])] for box in IN_BRIEF.finditer(text)]


def test_one_set_of_in_brief_labels_in_guide_template_and_chapters():
    sources = {"CONTRIBUTING.md": GUIDE, "chapters/_template.md": (ROOT / "chapters" / "_template.md").read_text(encoding="utf-8")}
    sources.update({f"{page}.md": (ROOT / f"{page}.md").read_text(encoding="utf-8") for page in toc.part("The argument")})
    wrong = {}
    for name, text in sources.items():
        boxes = in_brief_labels(text)
        if name.startswith("chapters/") and name != "chapters/_template.md":
            assert boxes, f"{name} has no In brief box"
        for labels in boxes:
            if labels[:2] != list(LABELS[:2]) or labels not in (list(LABELS[:2]), list(LABELS)):
                wrong[name] = labels
    assert wrong == {}, f"In brief labels are {LABELS} (the last where the box gives a number)"
    assert in_brief_labels(sources["chapters/_template.md"]) == [list(LABELS)]


def test_the_guide_lists_the_house_colours():
    colours = {**style.CATEGORY_COLOURS, **{f"member {k}": v for k, v in style.MEMBER_COLOURS.items()},
               "ink": style.INK, "sea": style.SEA_COLOUR}
    missing = [f"{name} {value}" for name, value in colours.items() if value.upper() not in GUIDE.upper()]
    assert missing == []


def makefile_recipe(target: str) -> str:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", text, re.M)
    assert match, f"no target {target}"
    variables = dict(re.findall(r"^(\w+) :?= (.*)$", text, re.M))
    return re.sub(r"\$\((\w+)\)", lambda m: variables.get(m[1], m[0]), match[1])


def test_make_check_runs_every_fast_test_by_marker_not_by_file():
    """`make check` selects tests by marker (full_build, slow), never by file: a new test file is
    in the fast loop unless it needs a full build or a minute of its own."""
    recipe = makefile_recipe("check")
    command = next(line for line in recipe.splitlines() if "pytest" in line)
    assert "tests/" not in command and '-m "not full_build and not slow"' in command
    assert "$(MAKE)" in recipe and "book" in recipe.split(command, 1)[1]


@pytest.mark.parametrize("marker", ["full_build", "slow"])
def test_the_guide_says_what_make_test_adds(marker):
    assert marker in GUIDE.split("## Add a chapter", 1)[0]
