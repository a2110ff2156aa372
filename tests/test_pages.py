"""Pages that teach: numbers as a spreadsheet shows them, print setup, grey printing.

Numbers are read as LibreOffice *displays* them (a CSV export "as shown" of every sheet, one
soffice run for the module); the page setup and borders with openpyxl; one step page is rendered
and looked at in grey.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

import soffice as lo
from mlptrace import OutputConfig, TrainConfig, layout, train
from mlptrace import expr as ex
from mlptrace.writers import xlsx as writer

#: LibreOffice's CSV filter: comma, quote ", UTF-8, from row 1, cells *as shown*, every sheet
AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def book(trace, epoch, **kw):
    return layout.epoch_book(trace, trace.epoch(epoch), OutputConfig(**kw))


@pytest.fixture(scope="module")
def shown(article_trace, tmp_path_factory):
    """{(epoch, sheet): rows of displayed text} for the article's epochs 1 and 5000."""
    folder = tmp_path_factory.mktemp("shown")
    paths = []
    for epoch in (1, 5000):
        path = folder / f"e{epoch}.xlsx"
        path.write_bytes(writer.book_bytes(book(article_trace, epoch)))
        paths.append(path)
    lo.require_soffice()
    profile = lo.recalc_profile(tmp_path_factory.mktemp("profile"))
    lo._run(["--convert-to", AS_SHOWN, "--outdir", str(folder / "csv"), *map(str, paths)], profile)
    out = {}
    for epoch in (1, 5000):
        for sheet in book(article_trace, epoch).sheets:
            text = (folder / "csv" / f"e{epoch}-{sheet.name}.csv").read_text(encoding="utf-8")
            out[(epoch, sheet.name)] = list(csv.reader(io.StringIO(text)))
    return out


def _at(rows, row, col) -> str:
    """The displayed text of 1-based (row, col), '' beyond the exported area."""
    return rows[row - 1][col - 1] if row <= len(rows) and col <= len(rows[row - 1]) else ""


def _significant(text: str) -> int:
    return len(text.lstrip("-−").replace(".", "").lstrip("0"))


@lo.requires_soffice
@pytest.mark.parametrize("epoch", [1, 5000])
def test_every_number_shows_its_digits(article_trace, shown, epoch):
    """As LibreOffice shows them: the data bare; every other number with at least 3 decimals and
    3 significant digits, rounded from the trace's number; every updated weight and bias
    differing from the one it replaces wherever the two differ."""
    e = article_trace.epoch(epoch)
    u = e.updates[0]
    board = layout.make_board(u, layout.header_rows(u) + 1, 3, e.updates)
    sheet = book(article_trace, epoch).sheets[-1].name  # the last step shows every matrix
    rows = shown[(epoch, sheet)]
    moved = 0
    for name, values in u.values.items():
        for i, j in np.ndindex(values.shape):
            text = _at(rows, *board.address(ex.Ref(name, i, j)))
            value = float(values[i, j])
            if name in ("X", "y"):
                assert text == str(int(value)), (name, text)
                continue
            places = len(text.split(".")[1]) if "." in text else 0
            assert places >= 3 and abs(float(text) - value) <= 0.5 * 10.0 ** -places * (1 + 1e-9), (name, text)
            assert value == 0 or _significant(text) >= 3, (name, i, j, text)
            if name.endswith("_next"):
                old = name[:-len("_next")]
                before = _at(rows, *board.address(ex.Ref(old, i, j)))
                if abs(value - u[old][i, j]) > 1e-12 * abs(value):
                    assert text != before, (name, i, j, text, before)
                    moved += 1
    assert moved >= 10  # the weights did move, so the check above bit


@lo.requires_soffice
def test_arithmetic_writes_the_digits_the_cells_show(article_trace, shown):
    """Each number of an arithmetic line is the displayed text of a cell it reads (or the
    constant 1 of a formula), and its result is the yellow cell's displayed text."""
    checked = 0
    for sheet in book(article_trace, 1).sheets[1:]:
        rows = shown[(1, sheet.name)]
        roles = {(c.row, c.col): c.role for c in sheet.cells}
        inputs = {_at(rows, *a).lstrip("-") for a, r in roles.items() if r == "input"}
        focus = {_at(rows, *a).replace("-", "−") for a, r in roles.items() if r == "focus"}
        # a step computing two matrices (step 5) reads the first one's yellow cell in the second
        read = inputs | {f.lstrip("−") for f in focus}
        for c in sheet.cells:
            if c.role != "arithmetic":
                continue
            line = _at(rows, c.row, c.col)
            assert line == c.value  # LibreOffice shows the line the layout wrote
            head, body, result = line.split(" = ")
            assert result in focus, (sheet.name, line)
            for token in NUMBER.findall(body):  # signs aside: LibreOffice computes the line
                assert token in read or token == "1", (sheet.name, token, line)
            checked += 1
    assert checked == 14


# ---------------------------------------------------------------- print


@pytest.fixture(scope="module")
def deep_and_moons():
    return {"deep": train(TrainConfig(hidden=(5, 4, 3), epochs=2, record="1")),
            "moons": train(TrainConfig(data="moons", epochs=2, record="1"))}


def _loaded(trace, epoch=1):
    return load_workbook(io.BytesIO(writer.book_bytes(book(trace, epoch))))


def test_header_and_footer_clear_of_the_body(article_trace):
    for ws in _loaded(article_trace).worksheets:
        m = ws.page_margins
        assert m.top - m.header >= 0.2 and m.bottom - m.footer >= 0.2, ws.title
        assert ws.oddHeader.center.text and ws.oddFooter.center.text


def test_a_step_is_one_landscape_page_unless_too_small_to_read(article_trace, deep_and_moons):
    """The article's steps: one page each, scaled to the page's width.  A deep network or the
    moons data: each step on one page while its board up to that step fits one readably; else
    one page wide, several tall, at full size, each page starting at a line of matrices and
    repeating the step's title, sentence, formula and arithmetic."""
    for trace, one in ((article_trace, True), (deep_and_moons["deep"], False), (deep_and_moons["moons"], False)):
        several = []
        for ws in _loaded(trace).worksheets[1:]:
            assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
            assert ws.page_setup.fitToWidth == 1
            labels = {c.row for row in ws.iter_rows() for c in row if c.style.startswith("mlptrace label")}
            breaks = [b.id + 1 for b in ws.row_breaks.brk]
            if ws.page_setup.fitToHeight == 1:
                assert breaks == [] and not ws.print_title_rows, ws.title
                continue
            assert ws.page_setup.fitToHeight == 0 and breaks and set(breaks) <= labels, (ws.title, breaks)
            header = [ws.cell(r, 1).value for r in range(1, min(labels))]
            last = max(r for r, v in enumerate(header, start=1) if v is not None)  # the arithmetic line
            assert ws.print_title_rows == f"$1:${last}", (ws.title, ws.print_title_rows)
            several.append(ws.title)
        steps = [ws.title for ws in _loaded(trace).worksheets[1:]]
        if one:
            assert several == []
        elif trace is deep_and_moons["deep"]:  # the first steps are short enough for a page, the last not
            assert steps[0] not in several and steps[-1] in several, several
        else:  # 100 samples: every step is taller than a page
            assert several == steps


@lo.requires_soffice
@lo.requires_pdftoppm
def test_a_deep_networks_step_prints_its_focus_with_its_inputs(tmp_path):
    """Printed: a deep network's early step is one page holding its yellow cell and its orange
    ones; every page of a longer step shows the step's arithmetic line again."""
    trace = train(TrainConfig(hidden=(4, 3), epochs=1, record="1"))
    path = tmp_path / "deep.xlsx"
    path.write_bytes(writer.book_bytes(book(trace, 1)))
    pdf = lo.to_pdf(path, tmp_path, profile=lo.recalc_profile(tmp_path))
    pages = subprocess.run([lo.PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True, timeout=60).stdout.split("\f")
    first = lo.pdf_page_of(pdf, "Step 3.1 Hidden layer input 1 —")
    assert "Step 3.1 Hidden layer input 1 —" not in pages[first]  # the next page is another step's
    rgb = lo.render_page(pdf, first, tmp_path, dpi=50)
    for colour in ((255, 255, 0), (255, 192, 0)):
        assert np.all(rgb == colour, axis=-1).sum() > 20, colour
    last_step = [p for p in pages if "Step 12 Update biases —" in p]
    assert len(last_step) > 1
    assert all("bh_1_next[1,1] = " in p for p in last_step), [p[:300] for p in last_step]


@pytest.mark.parametrize("which", ["article", "deep", "moons"])
def test_matrix_columns_have_one_width_and_labels_room(article_trace, deep_and_moons, which):
    """Every column holding a matrix number has the same width; each label above a matrix has
    room to run on to the right before the next cell in its row."""
    trace = article_trace if which == "article" else deep_and_moons[which]
    steps = book(trace, 1).sheets[1:]
    for sheet in steps:
        numbers = {c.col for c in sheet.cells if isinstance(c.value, float)}
        assert len({sheet.widths[c] for c in numbers}) == 1, sheet.name
        occupied = {(c.row, c.col) for c in sheet.cells}
        for c in sheet.cells:
            if c.role == "label":
                room, col = 0.0, c.col
                while True:
                    room += sheet.widths.get(col, 8.43)
                    col += 1
                    if (c.row, col) in occupied or col > max(sheet.widths) + 1:
                        break
                assert room >= len(c.value) * 0.9, (sheet.name, c.value, room)


def test_focus_and_inputs_are_framed_for_grey_printers(article_trace):
    """Without colour the focus cell has a thick frame, its inputs a dashed one, others thin."""
    ws = _loaded(article_trace)["3 Hidden layer input"]
    kinds = {}
    for row in ws.iter_rows():
        for c in row:
            fill = (c.fill.fgColor.rgb or "")[-6:] if c.fill.fill_type == "solid" else ""
            b = c.border
            sides = {getattr(side, "style", None) for side in (b.left, b.right, b.top, b.bottom)}
            if c.value is not None and c.data_type in "nf" and not str(c.value).startswith('="'):
                kinds.setdefault(fill, set()).update(sides)
    assert kinds["FFFF00"] == {"thick"} and kinds["FFC000"] == {"mediumDashed"} and kinds[""] == {"thin"}, kinds


@lo.requires_soffice
@lo.requires_pdftoppm
def test_printed_in_grey_the_focus_and_inputs_stand_out(article_trace, tmp_path):
    """The step-3 page printed and turned grey: the focus cell's frame is darker than the
    inputs', which is dark too (a yellow cell alone would be nearly white)."""
    path = tmp_path / "e1.xlsx"
    path.write_bytes(writer.book_bytes(book(article_trace, 1)))
    pdf = lo.to_pdf(path, tmp_path, profile=lo.recalc_profile(tmp_path))
    rgb = lo.render_page(pdf, lo.pdf_page_of(pdf, "Step 3 Hidden layer input —"), tmp_path, dpi=100).astype(int)
    grey = 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]

    def ring(colour):
        """Darkness (255 − grey: 0 white, 255 black), mean, of the 3 pixels just outside each
        block of cells filled with ``colour`` (a block: cells whose fills touch)."""
        mask = np.all(rgb == colour, axis=-1)
        assert mask.sum() > 50, colour
        seen, values = set(), []
        for start in zip(*np.nonzero(mask)):
            if start in seen:
                continue
            stack, block = [start], []
            seen.add(start)
            while stack:  # flood fill, through the gaps of a dashed line between two cells
                y, x = stack.pop()
                block.append((y, x))
                for n in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                    if mask[n] and n not in seen:
                        seen.add(n)
                        stack.append(n)
            ys, xs = zip(*block)
            top, bottom, left, right = min(ys), max(ys), min(xs), max(xs)
            outer = grey[top - 3:bottom + 4, left - 3:right + 4]
            inner = grey[top:bottom + 1, left:right + 1]
            values.append((outer.sum() - inner.sum(), outer.size - inner.size))
        total, count = map(sum, zip(*values))
        return 255 - total / count

    focus, inputs = ring((255, 255, 0)), ring((255, 192, 0))
    assert focus > inputs > 40, (focus, inputs)
    # a yellow cell alone, in grey, is nearly white: the frame is what tells it apart
    assert 255 - 0.299 * 255 - 0.587 * 255 < 40


# ---------------------------------------------------------------- charts and files


CHART_NS = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
            "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}


@pytest.fixture(scope="module")
def summaries(tmp_path_factory):
    """summary.xlsx and epoch_1 of the article's default run and of moons with 20 hidden
    neurons (a 2×20 wh: charted by a subset), 600 epochs (more than 500 sampled)."""
    from mlptrace.cli import main
    out = {}
    for run, args in (("article", []), ("moons", ["--data", "moons", "--hidden", "20", "--epochs", "600"])):
        folder = tmp_path_factory.mktemp(run)
        assert main(["--out", str(folder), "--quiet", "--record", "1", *args]) == 0
        out[run] = folder
    return out


def _charts(path) -> list:
    """Each chart of the workbook as (title, parsed chart XML)."""
    from lxml import etree
    with zipfile.ZipFile(path) as z:
        charts = [etree.fromstring(z.read(n)) for n in sorted(z.namelist()) if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    return [("".join(t.text for t in x.find("c:chart/c:title", CHART_NS).iterfind(".//a:t", CHART_NS)), x)
            for x in charts]


def test_one_chart_per_matrix_at_most_twelve_lines(summaries):
    titles = [t for t, _ in _charts(summaries["article"] / "summary.xlsx")]
    assert titles[:6] == ["Loss ½·ΣE² over the epochs", "Loss on a logarithmic scale", "wh over the epochs",
                          "bh over the epochs", "wout over the epochs", "bout over the epochs"]
    charts = dict(_charts(summaries["moons"] / "summary.xlsx"))
    wh = charts["wh over the epochs (12 of its 40, evenly chosen)"]
    names = ["".join(v.itertext()) for v in wh.iterfind(".//c:ser/c:tx//c:v", CHART_NS)]
    # 12 of the 2×20 entries, evenly spread, the first and the last among them
    assert len(names) == 12 and names[0] == "wh[1,1]" and names[-1] == "wh[2,20]" and len(set(names)) == 12
    assert "bh over the epochs (12 of its 20, evenly chosen)" in charts
    assert "wout over the epochs (12 of its 20, evenly chosen)" in charts and "bout over the epochs" in charts
    for title, chart in charts.items():
        assert len(chart.findall(".//c:ser", CHART_NS)) <= 12, title


def test_chart_axes_read(summaries):
    """Every scatter chart has its scatterStyle; epochs are whole numbers; a value axis has the
    decimals its range needs; the second loss chart is logarithmic."""
    charts = dict(_charts(summaries["article"] / "summary.xlsx"))
    for title, chart in charts.items():
        assert chart.find(".//c:scatterChart/c:scatterStyle", CHART_NS) is not None, title
        x, y = chart.findall(".//c:valAx", CHART_NS)
        assert x.find("c:numFmt", CHART_NS).get("sourceLinked") == "0"
        if "epochs" in title or "scale" in title:
            assert x.find("c:numFmt", CHART_NS).get("formatCode") == "0", title
    fmt = {t: c.findall(".//c:valAx", CHART_NS)[1].find("c:numFmt", CHART_NS).get("formatCode")
           for t, c in charts.items()}
    # wh runs from about −3 to 3, bout from about −0.8 to 0.8, the loss from 0 to 0.36
    assert fmt["wh over the epochs"] == "0" and fmt["bout over the epochs"] == "0.0", fmt
    assert fmt["Loss ½·ΣE² over the epochs"] == "0.0", fmt
    log = charts["Loss on a logarithmic scale"].findall(".//c:valAx", CHART_NS)[1]
    assert log.find("c:scaling/c:logBase", CHART_NS).get("val") == "10"


def test_parameters_sheet_holds_what_the_charts_draw(summaries):
    wb = load_workbook(summaries["moons"] / "summary.xlsx")
    ws = wb["Parameters"]
    charted = sum(len(c.findall(".//c:ser", CHART_NS)) for t, c in _charts(summaries["moons"] / "summary.xlsx")
                  if t.startswith(("wh", "bh", "wout", "bout")))
    assert ws.max_column == 1 + charted == 1 + 12 + 12 + 12 + 1
    assert ws.max_row == 1 + 1 + 500  # the start, then the 500 epochs the loss chart shows
    assert ws["A2"].value == 0 and ws.cell(ws.max_row, 1).value == 600


def test_no_empty_text_cells(summaries):
    for path in summaries["article"].glob("*.xlsx"):
        for ws in load_workbook(path).worksheets:
            empty = [c.coordinate for row in ws.iter_rows() for c in row if c.value == ""]
            assert not empty, (path.name, ws.title, empty[:5])


GNUMERIC = shutil.which("ssconvert")
AUDIT = shutil.which("openxml-audit") or (Path(sys.executable).parent / "openxml-audit")


@pytest.mark.skipif(GNUMERIC is None, reason="Gnumeric (ssconvert) is not installed")
@pytest.mark.parametrize("run", ["article", "moons"])
def test_gnumeric_loads_every_chart_and_series(summaries, run, tmp_path):
    path = summaries[run] / "summary.xlsx"
    charts = _charts(path)
    series = sum(len(c.findall(".//c:ser", CHART_NS)) for _, c in charts)
    target = tmp_path / "s.gnumeric"
    subprocess.run([GNUMERIC, str(path), str(target)], capture_output=True, timeout=120, check=True)
    xml = gzip.decompress(target.read_bytes()).decode("utf-8")
    assert xml.count("<gnm:SheetObjectGraph") == len(charts) >= 8
    assert xml.count('role="Series"') == series


def _audit_findings(path) -> list:
    """openxml-audit's findings, without its known false positives: the order of a font's
    children in styles.xml and inline-string cells."""
    done = subprocess.run([str(AUDIT), "-o", "json", "-m", "0", str(path)], capture_output=True, text=True,
                          timeout=300)
    report = json.loads(done.stdout)[0]
    return [f"{e['part_uri']} {e['path']}: {e['description']}" for e in report["errors"]
            if not (e["part_uri"] == "/xl/styles.xml" and "/font[" in e["path"])
            and "inline-string" not in e["description"] and "inlineStr" not in e["description"]]


@pytest.mark.skipif(not Path(AUDIT).exists(), reason="openxml-audit is not installed")
@pytest.mark.parametrize("name", ["summary.xlsx", "epoch_0001.xlsx"])
def test_files_pass_the_office_open_xml_validator(summaries, name):
    assert _audit_findings(summaries["article"] / name) == []


@pytest.mark.skipif(GNUMERIC is None, reason="Gnumeric (ssconvert) is not installed")
def test_gnumeric_computes_the_same_arithmetic_lines(article_trace, tmp_path):
    """A second spreadsheet engine, from cached values made wrong on purpose, writes every
    arithmetic line exactly as the layout wrote it."""
    epoch = book(article_trace, 1)
    path, poisoned = tmp_path / "e1.xlsx", tmp_path / "poisoned.xlsx"
    path.write_bytes(writer.book_bytes(epoch))
    assert lo.set_cached_values(path, poisoned, "-987654.3125") > 0
    subprocess.run([GNUMERIC, "--recalc", "-S", str(poisoned), str(tmp_path / "out.%s.csv")],
                   capture_output=True, timeout=120, check=True)
    checked = 0
    for sheet in epoch.sheets[1:]:
        rows = list(csv.reader(io.StringIO((tmp_path / f"out.{sheet.name}.csv").read_text(encoding="utf-8"))))
        for c in sheet.cells:
            if c.role == "arithmetic":
                assert c.formula and _at(rows, c.row, c.col) == c.value, (sheet.name, _at(rows, c.row, c.col))
                checked += 1
    assert checked == 14
