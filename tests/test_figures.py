"""The static figures in figures/: each names its sources in a line drawn under it, and each chart
has a phone layout whose text is never smaller than charts.PHONE_MIN_PT (the browser tests
measure how large it renders on a phone, page by page)."""
from __future__ import annotations

import functools
import importlib
import inspect
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from cstobook import charts, data, i18n, notebook, paths, style, tables  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"
STATIC_FIGURES = sorted(p for p in paths.FIGURES.glob("*.svg"))


def texts(svg: Path) -> list[tuple[str, float]]:
    """Every text of an SVG written by matplotlib (svg.fonttype 'none'), with its font size (pt)."""
    found = []
    for text in ElementTree.parse(svg).getroot().iter(f"{SVG}text"):
        size = re.search(r"font-size:\s*([\d.]+)px", text.get("style", ""))
        words = "".join(text.itertext()).strip()
        if words and size:
            found.append((words, float(size[1])))
    return found


def source_text(svg: Path) -> str:
    """The figure's source line: the texts of its group (save_figure gives it an SVG id; wrapped
    lines are separate texts)."""
    root = ElementTree.parse(svg).getroot()
    return " ".join("".join(text.itertext()).strip() for group in root.iter(f"{SVG}g")
                    if group.get("id") == charts.SOURCE_GID for text in group.iter(f"{SVG}text"))


def translated_language(svg: Path) -> str | None:
    """The language of a figure's twin in another language (figures/NAME.ar.svg), else None."""
    return next((language for language in i18n.LANGUAGES if f".{language}." in svg.name), None)


def test_figures_folder_holds_figures():
    assert len(STATIC_FIGURES) >= 10


@functools.cache
def cited_sources() -> frozenset[str]:
    """Every bibliography entry as the book cites it ('Author Year'). (Formatting them all costs
    seconds: done once, not once per figure.)"""
    return frozenset(tables.author_year(key) for key in data.bibliography_keys())


@pytest.mark.parametrize("svg", STATIC_FIGURES, ids=lambda p: p.stem)
def test_every_static_figure_names_its_sources_under_it(svg):
    """Drawn into the image (the SVG and its PNG twin): 'Source(s): Author Year; ...', each named
    source a bibliography entry formatted as the book cites it."""
    assert svg.with_suffix(".png").is_file(), f"{svg.stem} has no PNG twin"
    line = source_text(svg)
    assert line, f"{svg.name} carries no source line"
    language = translated_language(svg)
    if language:  # a twin in another language: the English figure's line, translated (the same sources)
        english = source_text(svg.with_name(svg.name.replace(f".{language}.", ".")))
        line = line.replace(charts.RIGHT_TO_LEFT_MARK, "")
        assert line == i18n.translate(english, language, "figures") != english, f"{svg.name}: {line!r}"
        return
    known = cited_sources()
    assert line.startswith(("Source: ", "Sources: ")), line
    named = [part.strip() for part in line.removesuffix(".").split(":", 1)[1].split(";")]
    named = [n for n in named if not n.startswith("and ")]
    assert named and all(n in known for n in named), f"{svg.name}: {named} are not all author-year sources"


def test_source_line_formats_keys_author_year_and_stays_one_line():
    keys = sorted(data.bibliography_keys())[:9]
    assert charts.source_line(keys[:1]) == f"Source: {tables.author_year(keys[0])}."
    table = pd.DataFrame({"source_id": [f"{keys[0]};{keys[1]}", keys[0]]})
    assert charts.source_line(table) == f"Sources: {tables.author_year(keys[0])}; {tables.author_year(keys[1])}."
    many = charts.source_line(keys)
    labels = list(dict.fromkeys(tables.author_year(k) for k in keys))
    assert many.count(";") == charts.MAX_SOURCES_NAMED - 1
    assert f"and {len(labels) - charts.MAX_SOURCES_NAMED + 1} more sources" in many
    with pytest.raises(ValueError):
        charts.source_line([])


def chart_functions() -> list[str]:
    """The public functions of the chart families (cstobook.charts.FAMILIES) that draw a figure."""
    found = []
    for family in charts.FAMILIES:
        module = importlib.import_module(f"cstobook.{family}")
        found += [name for name, member in inspect.getmembers(module, inspect.isfunction)
                  if member.__module__ == module.__name__ and not name.startswith("_")]
    return found


def test_the_phone_layout_is_a_context_not_a_module_flag():
    """The layout a chart is drawn in is a context object (chart_layout.Layout, held in a context
    variable): phone_layout() sets it for what is drawn inside, and restores the one before on
    leaving, also when drawing fails; no chart module keeps it in a flag of its own."""
    from cstobook import chart_layout

    assert chart_layout.current() == chart_layout.DESKTOP and chart_layout.pt(8) == 8
    with charts.phone_layout() as layout:
        assert layout.phone and chart_layout.current() is layout and layout.suffix == charts.PHONE_SUFFIX
        assert chart_layout.pt(8) == charts.PHONE_MIN_PT and chart_layout.width(9) == charts.PHONE_WIDTH_IN
        with chart_layout.drawn_in(chart_layout.DESKTOP):
            assert not chart_layout.on_phone()
        assert chart_layout.on_phone()
    with pytest.raises(RuntimeError), charts.phone_layout():
        raise RuntimeError("a chart that fails")
    assert chart_layout.current() == chart_layout.DESKTOP
    for family in ("chart_layout", "chart_files", "chart_twins", "chart_output", *charts.FAMILIES):
        module = importlib.import_module(f"cstobook.{family}")
        assert [name for name, value in vars(module).items() if isinstance(value, bool)] == [], family


def test_every_chart_function_has_a_phone_layout():
    """Every chart function records how it was drawn, so that save_figure can draw it again in
    its phone layout, and chapters reach it through the front module: a chart added later without
    either fails here."""
    names = chart_functions()
    assert len(names) >= 10
    assert [n for n in names if not hasattr(getattr(charts, n, None), "__wrapped__")] == []


def phone_twins() -> list[Path]:
    return sorted(paths.FIGURES.glob(f"*{charts.PHONE_SUFFIX}.svg"))


@pytest.mark.parametrize("svg", phone_twins(), ids=lambda p: p.stem)
def test_phone_layouts_are_narrow_with_no_small_text(svg):
    """A phone layout is at most a little wider than PHONE_WIDTH_IN (its source line and labels
    may reach past the axes) and holds no text under PHONE_MIN_PT."""
    root = ElementTree.parse(svg).getroot()
    width_in = float(root.get("viewBox").split()[2]) / 72
    assert width_in <= charts.PHONE_WIDTH_IN + 0.5, f"{svg.stem} is {width_in:.2f} in wide"
    smallest = min(size for _, size in texts(svg))
    assert smallest >= charts.PHONE_MIN_PT, f"{svg.stem}: text at {smallest} pt"
    assert svg.with_suffix(".png").is_file()


def test_every_chart_in_figures_has_a_phone_layout():
    """Charts (not maps) have their phone layout beside them."""
    maps = {p.stem for p in STATIC_FIGURES if p.stem.split(".")[0].endswith("_map")}  # and their twins, NAME_map.ar
    charts_written = {p.stem for p in STATIC_FIGURES if not p.stem.endswith(charts.PHONE_SUFFIX)} - maps
    missing = [name for name in charts_written if not (paths.FIGURES / f"{name}{charts.PHONE_SUFFIX}.svg").is_file()]
    assert missing == []


def example_chart():
    """A chart of the chart families from a two-row table citing one source, and that source's key."""
    style.use_house_style()
    key = sorted(data.bibliography_keys())[0]
    table = pd.DataFrame({"name": ["a", "b"], "count": [3, 5], "source_id": [key, key]})
    counts = table.set_index("name")[["count"]]
    return charts.stacked_counts(counts, {"count": "#0072B2"}, "A title", "Count"), table, key


def test_save_figure_writes_a_source_line_and_a_phone_layout(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "FIGURES", tmp_path)
    monkeypatch.setenv(notebook.BOOK_BUILD_VARIABLE, "1")
    figure, table, key = example_chart()
    written = charts.save_figure(figure, "example", close=True, source=table)
    assert written == ["figures/example.png", "figures/example.svg",
                       "figures/example.phone.png", "figures/example.phone.svg"]
    assert source_text(tmp_path / "example.svg") == f"Source: {tables.author_year(key)}."
    assert source_text(tmp_path / "example.phone.svg") == f"Source: {tables.author_year(key)}."
    assert min(size for _, size in texts(tmp_path / "example.phone.svg")) >= charts.PHONE_MIN_PT


def test_save_figure_writes_nothing_outside_a_build_of_the_book(tmp_path, monkeypatch):
    """In a reader's notebook the chart gets its source line and figures/ is left alone (it may be
    read-only, inside an installed package); the chapter's glue shows the chart."""
    import matplotlib.pyplot as plt

    monkeypatch.setattr(paths, "FIGURES", tmp_path / "figures")
    monkeypatch.delenv(notebook.BOOK_BUILD_VARIABLE, raising=False)
    figure, table, key = example_chart()
    assert charts.save_figure(figure, "example", source=table) == []
    assert not (tmp_path / "figures").exists()
    assert f"Source: {tables.author_year(key)}." in [text.get_text() for text in figure.texts]
    assert plt.fignum_exists(figure.number)
    charts.save_figure(figure, "example", close=True, source=table)
    assert not plt.fignum_exists(figure.number)
