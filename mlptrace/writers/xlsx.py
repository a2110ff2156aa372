"""Turn layout books into .xlsx files.  The only module that imports openpyxl.

Roles become named styles here (``palette``: yellow for the focus, orange for its inputs).
Every formula cell is saved *with* its computed value, so previewers and LibreOffice (which
trusts cached values) show the numbers without recalculating.  Document and zip dates are
fixed, so the same book always gives the same bytes.  Files are put in place by ``files``.
"""
from __future__ import annotations

import copy
import html
import io
import re
import zipfile
from datetime import datetime

from lxml import etree

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell as OpenpyxlCell
from openpyxl.chart import Reference, ScatterChart, Series as ChartSeries
from openpyxl.chart.data_source import NumFmt
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.writer.excel import ExcelWriter

from . import palette
from ..errors import MAX_COLS, MAX_NUMBER, MAX_ROWS, MAX_TEXT, MlptraceError
from ..expr import cell_name, number_format
from ..layout.cells import quoted
from ..i18n import catalogue
from ..layout.exercise import ANSWER_HELP, ANSWER_TITLE, is_right, tolerance

FONT = "Calibri"  # named explicitly: LibreOffice renders unnamed fonts as serif
#: a font with the letters of a book's language, where Calibri has none (Debian fonts-noto-cjk)
FONTS = {"zh": "Noto Sans CJK SC"}
#: the hidden sheet of a copy's marks (one 1-or-0 per answer) behind the names Score, MaxScore
MARKS = "Marks"
FIXED_DATE = datetime(2000, 1, 1)  # document dates: fixed, so identical runs give identical bytes
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

_thin = Side(style="thin", color="BFBFBF")
_box = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
# told apart without colour too, for grey printers: the focus cell framed thick, its inputs dashed
_thick, _dashed = Side(style="thick", color="000000"), Side(style="mediumDashed", color="000000")
_focus_box = Border(left=_thick, right=_thick, top=_thick, bottom=_thick)
_input_box = Border(left=_dashed, right=_dashed, top=_dashed, bottom=_dashed)
_centre = Alignment(horizontal="center", vertical="center")
_wrapped = Alignment(wrap_text=True, vertical="top")

# role -> font, fill, border, alignment
_ROLES = {
    "title": (Font(name=FONT, size=14, bold=True), None, None, None),
    "subtitle": (Font(name=FONT, size=12, bold=True), None, None, None),
    "text": (Font(name=FONT, size=11, italic=True), None, None, Alignment(wrap_text=True, vertical="top")),
    "note": (Font(name=FONT, size=10, italic=True, color="595959"), None, None,
             Alignment(wrap_text=True, vertical="top")),
    "formula_text": (Font(name=FONT, size=11, bold=True, color="1F4E79"), None, None, _wrapped),
    "arithmetic": (Font(name=FONT, size=11), None, None, _wrapped),
    "label": (Font(name=FONT, size=10, bold=True, color="1F4E79"), None, None, None),
    "header": (Font(name=FONT, size=10, italic=True, color="595959"), None, None,
               Alignment(horizontal="center", vertical="bottom", wrap_text=True)),
    "header_up": (Font(name=FONT, size=10, italic=True, color="595959"), None, None,
                  Alignment(horizontal="center", vertical="bottom", textRotation=90)),
    "heading": (Font(name=FONT, size=14, bold=True), None, None, Alignment(wrap_text=True, vertical="top")),
    "shape": (Font(name=FONT, size=9, italic=True, color="7F7F7F"), None, None, None),
    "key": (Font(name=FONT, size=11, bold=True), None, None, None),
    "fact": (Font(name=FONT, size=11), None, None, Alignment(horizontal="left")),
    "score": (Font(name=FONT, size=11, bold=True), None, None, Alignment(horizontal="right")),  # beside "of N right"
    "link": (Font(name=FONT, size=11, color="0563C1", underline="single"), None, None, None),
    "value": (Font(name=FONT, size=11), None, _box, _centre),
    "number": (Font(name=FONT, size=11), None, None, None),
    "focus": (Font(name=FONT, size=11, bold=True), PatternFill("solid", fgColor=palette.FOCUS), _focus_box, _centre),
    "input": (Font(name=FONT, size=11), PatternFill("solid", fgColor=palette.INPUT), _input_box, _centre),
    "blank": (Font(name=FONT, size=11, bold=True), PatternFill("solid", fgColor=palette.FOCUS), _focus_box, _centre),
    "entry": (Font(name=FONT, size=11), None, Border(bottom=Side(style="thin", color="000000")), None),
}
#: roles of the cells a student types in, the only ones unlocked on a protected sheet
_TYPED_ROLES = ("blank", "entry")


class _Styles:
    """Named styles made on first use, one per (role, number format): fast and small files."""

    def __init__(self, wb, decimals: int, font: str = FONT):
        self.wb, self.decimals, self.font, self.made, self.arrays, self.ids = wb, decimals, font, {}, {}, {}

    def style_id(self, name: str) -> int:
        """The workbook's index of the named style ``name``, registered on first use exactly as
        openpyxl registers it when it writes a cell (so the styles part is the same)."""
        if name not in self.ids:
            scratch = OpenpyxlCell(self.wb.worksheets[0], row=1, column=1)
            scratch.style = name
            self.ids[name] = self.wb._cell_styles.add(scratch._style)
        return self.ids[name]

    def apply(self, c, cell) -> None:
        """Give openpyxl cell ``c`` the named style of layout ``cell``; after the first cell of a
        style, reuse the style reference openpyxl computed then instead of searching again."""
        name = self.named(cell.role, self.number_format(cell))
        if name in self.arrays:
            c._style = self.arrays[name]  # shared: nothing changes a cell's style after this
        else:
            c.style = name
            self.arrays[name] = c._style

    def number_format(self, cell) -> str:
        """The decimals the layout chose for the cell, else whole numbers bare and other numbers
        with the book's decimals."""
        number = isinstance(cell.value, float) or cell.role == "blank" or (cell.value is None and cell.formula)
        if not number:
            return "General"
        if cell.places is not None:
            return number_format(cell.places)
        if cell.whole or self.decimals == 0:
            return "0"
        return "0." + "0" * self.decimals

    def named(self, role: str, fmt: str) -> str:
        key = (role, fmt)
        if key not in self.made:
            font, fill, border, align = _ROLES[role]
            if self.font != font.name:
                font = copy.copy(font)
                font.name = self.font
            style = NamedStyle(name=f"mlptrace {role} {fmt}", font=font, number_format=fmt)
            if fill is not None:
                style.fill = fill
            if border is not None:
                style.border = border
            if align is not None:
                style.alignment = align
            if role in _TYPED_ROLES:  # the student's cells: the only ones typed in on a protected sheet
                style.protection = Protection(locked=False)
            self.wb.add_named_style(style)
            self.made[key] = style.name
        return self.made[key]


def _check(sheet, cell) -> None:
    if cell.row > MAX_ROWS or cell.col + cell.span - 1 > MAX_COLS:
        raise MlptraceError(f"sheet {sheet.name!r} needs cell {cell.row},{cell.col}: "
                            "more rows or columns than a spreadsheet has; use less data")
    if isinstance(cell.value, float) and not abs(cell.value) <= MAX_NUMBER:
        raise MlptraceError(f"sheet {sheet.name!r}, cell {cell_name(cell.row, cell.col)}: "
                            f"{cell.value} cannot be shown in a spreadsheet")
    if isinstance(cell.value, str) and ILLEGAL_CHARACTERS_RE.search(cell.value):
        raise MlptraceError(f"sheet {sheet.name!r}, cell {cell_name(cell.row, cell.col)}: "
                            f"{cell.value!r} holds a control character a spreadsheet cannot hold")
    if isinstance(cell.value, str) and len(cell.value) > MAX_TEXT:
        raise MlptraceError(f"sheet {sheet.name!r}: a text longer than a spreadsheet cell holds")
    if cell.formula is not None and len(cell.formula) + 1 > 8192:
        raise MlptraceError(f"sheet {sheet.name!r}, cell {cell_name(cell.row, cell.col)}: "
                            "formula longer than 8,192 characters")


def _check_name(name: str) -> None:
    if len(name) > 31:
        raise MlptraceError(f"sheet name {name!r} is longer than the 31 characters a spreadsheet allows")


def _check_sheet(sheet) -> None:
    """Raise MlptraceError for anything in ``sheet`` a spreadsheet cannot hold."""
    for cell in sheet.cells:
        _check(sheet, cell)


def _fill_sheet(ws, sheet, styles, marks, book) -> tuple[str, str]:
    """Set one layout sheet up in openpyxl (widths, heights, merges, links, checks, charts,
    page) and write its cells' XML here; return (the sheetData element, its dimension ref).

    Answer cells are added to ``marks`` as (sheet, address, answer, right now?, how it is
    worked out from the student's own numbers) and coloured green/red by their mark; cells
    to type in also accept numbers only.

    openpyxl holds only the cells that carry a link (it writes the links and their
    relationships); every cell's own XML is written as openpyxl writes it, but with every
    number's every bit and each formula's computed value, and an order of magnitude faster.
    """
    named, typed = {}, []  # in the layout's order, as openpyxl made them: named styles, merges, links, checks
    for cell in sheet.cells:
        named[cell.row, cell.col] = styles.named(cell.role, styles.number_format(cell))
        wrapped = _ROLES[cell.role][3]
        if cell.span > 1 and wrapped is not None and wrapped.wrap_text:
            # only wrapped text needs a merge; other text simply runs on into the empty cells.
            # Added directly: ws.merge_cells would also give every edge cell an empty border,
            # which costs more than the rest of the sheet and changes nothing (no border here).
            ws.merged_cells.add(MergedCellRange(
                ws, f"{cell_name(cell.row, cell.col)}:{cell_name(cell.row, cell.col + cell.span - 1)}"))
        if cell.link or cell.url:
            c = ws.cell(row=cell.row, column=cell.col, value=cell.value)
            styles.apply(c, cell)
            c.hyperlink = (Hyperlink(ref=c.coordinate, location=f"'{cell.link}'!A1", display=str(cell.value))
                           if cell.link else cell.url)
        if cell.answer is not None:
            marks.append((sheet.name, cell_name(cell.row, cell.col), cell.answer, is_right(cell.value, cell.answer),
                          cell.worked))
            _add_check(ws, cell_name(cell.row, cell.col), len(marks))
            if cell.value is None and cell.formula is None:
                typed.append(cell_name(cell.row, cell.col))
    t = catalogue(book.lang)
    if typed:
        _numbers_only(ws, typed, t)
    cells = sorted(sheet.cells, key=lambda cell: (cell.row, cell.col))  # in the order openpyxl writes
    rows: dict[int, list[str]] = {}
    for cell in cells:
        rows.setdefault(cell.row, []).append(_cell_xml(cell, styles.style_id(named[cell.row, cell.col])))
    for chart in sheet.charts:
        ws.add_chart(_chart(ws.parent, chart), cell_name(chart.row, chart.col))
    for col, width in sheet.widths.items():
        ws.column_dimensions[cell_name(1, col).rstrip("0123456789")].width = round(width, 2)
    for row, height in sheet.heights.items():
        ws.row_dimensions[row].height = height
    _page_setup(ws, sheet, book.header, t("Page &P of &N"), styles.font)
    for row in sheet.breaks:
        ws.row_breaks.append(Break(id=row - 1))  # the break goes below the row before
    if sheet.hidden:
        ws.sheet_state = "hidden"
    if book.protect:
        ws.protection.sheet = True  # no password: a teacher (or anyone) can lift it on purpose
    return _sheet_data(ws, rows), _dimension(cells)


def _cell_xml(cell, style: int) -> str:
    """A cell as openpyxl writes it (``<c r=… s=… t=…>``), numbers and cached values exact."""
    head = f'<c r="{cell_name(cell.row, cell.col)}" s="{style}"'
    value = cell.value
    if cell.formula is not None:
        if isinstance(value, str):  # a formula that builds text: its cached text, typed as such
            return f'{head} t="str"><f>{_xml_text(cell.formula)}</f><v>{html.escape(value, quote=False)}</v></c>'
        cached = "" if value is None else repr(value)
        return f"{head}><f>{_xml_text(cell.formula)}</f><v>{cached}</v></c>"
    if isinstance(value, str):  # text typed by a user is never a formula, even "=1+1"
        if value == "":
            return f'{head} t="inlineStr"></c>'
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'{head} t="inlineStr"><is><t{space}>{_xml_text(value)}</t></is></c>'
    if value is None:
        return f'{head} t="n"></c>'
    if isinstance(value, bool):
        return f'{head} t="b"><v>{int(value)}</v></c>'
    number = repr(value) if isinstance(value, float) else "%.16g" % value  # floats: every bit
    return f'{head} t="n"><v>{number}</v></c>'


def _xml_text(text: str) -> str:
    """Text escaped as openpyxl's XML writer escapes it (characters beyond ASCII as &#N;)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")


def _sheet_data(ws, rows: dict) -> str:
    """The sheetData element: every row with cells or a height, as openpyxl writes rows."""
    out = ["<sheetData>"]
    for r in sorted(rows.keys() | ws.row_dimensions.keys()):
        attrs = {"r": f"{r}"}
        attrs.update(ws.row_dimensions.get(r, {}))
        out.append("<row " + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + ">")
        out.extend(rows.get(r, ()))
        out.append("</row>")
    out.append("</sheetData>")
    return "".join(out)


def _dimension(cells) -> str:
    """The range a sheet's cells span, as openpyxl's calculate_dimension says it."""
    if not cells:
        return "A1:A1"
    rows, cols = [c.row for c in cells], [c.col for c in cells]
    return f"{cell_name(min(rows), min(cols))}:{cell_name(max(rows), max(cols))}"


def _right(coordinate: str, answer: float) -> str:
    """The check of one answer cell as a formula: a number within one unit of the answer's third
    significant digit (``layout.exercise.tolerance``; blank and text are not right)."""
    return f"AND(ISNUMBER({coordinate}),ABS(N({coordinate})-({answer!r}))<={tolerance(answer)!r})"


def _agrees(coordinate: str, own: str) -> str:
    """A number within one unit of the third significant digit of formula ``own`` (the rule of
    ``tolerance``, in a formula); an error (a blank the formula reads) leaves it FALSE."""
    unit = f"10^(INT(LOG10(ABS({own})))-2)*{1 + 1e-9!r}"
    return f"AND(ISNUMBER({coordinate}),ABS(N({coordinate})-({own}))<={unit})"


def _mark(coordinate: str, answer: float, worked, index: dict) -> str:
    """The formula of one answer's mark: right against the answer or, when every earlier
    answer it reads is right (marked 1), against the answer worked out from the sheet's numbers."""
    right = _right(coordinate, answer)
    if not worked:
        return f"IF({right},1,0)"
    formulas, needs = worked
    gate = "".join(f"A{index[n]}=1," for n in needs)
    own = ",".join(f"IFERROR(AND({gate}{_agrees(coordinate, f)}),FALSE)" for f in formulas)
    formula = f"IF(OR({right},{own}),1,0)"
    return formula if len(formula) < 8000 else f"IF({right},1,0)"  # a spreadsheet's formula limit


def _add_check(ws, coordinate: str, k: int) -> None:
    """Green when the student's number is right (its mark, ``k``-th on the marks sheet, is 1),
    red when anything else is typed."""
    mark = f"{MARKS}!$A${k}"
    ws.conditional_formatting.add(coordinate, FormulaRule(
        formula=[f"{mark}=1"], fill=PatternFill("solid", bgColor=palette.RIGHT), stopIfTrue=True))
    ws.conditional_formatting.add(coordinate, FormulaRule(
        formula=[f"AND(NOT(ISBLANK({coordinate})),{mark}<>1)"],
        fill=PatternFill("solid", bgColor=palette.WRONG), stopIfTrue=True))


def _numbers_only(ws, coordinates, t) -> None:
    """The cells a student types in take numbers only, with a message (in the book's language,
    ``t``) that says how."""
    dv = DataValidation(type="decimal", operator="between", formula1="-1E+307", formula2="1E+307",
                        allow_blank=True, showErrorMessage=True, errorStyle="stop",
                        errorTitle=t(ANSWER_TITLE), error=t(ANSWER_HELP),
                        showInputMessage=True, promptTitle=t(ANSWER_TITLE), prompt=t(ANSWER_HELP))
    dv.sqref = " ".join(coordinates)
    ws.add_data_validation(dv)


def _add_marks(wb, marks, protect: bool) -> tuple[str, str]:
    """A hidden sheet with 1 for each right answer and 0 otherwise, and the workbook-scoped
    names Score (their sum) and MaxScore (how many); returns its (sheetData, dimension)."""
    ws = wb.create_sheet(MARKS)
    ws.sheet_state = "veryHidden"  # not in the Unhide list: the answers are not one click away
    ws.protection.sheet = protect
    index = {(sheet, coordinate): k for k, (sheet, coordinate, *_) in enumerate(marks, start=1)}
    rows = {}
    for k, (sheet, coordinate, answer, now, worked) in enumerate(marks, start=1):
        formula = _xml_text(_mark(f"{quoted(sheet)}!{coordinate}", answer, worked, index))
        rows[k] = [f'<c r="A{k}"><f>{formula}</f><v>{float(now)!r}</v></c>']  # unstyled, as openpyxl writes it
    wb.defined_names["Score"] = DefinedName("Score", attr_text=f"SUM({MARKS}!$A$1:$A${len(marks)})")
    wb.defined_names["MaxScore"] = DefinedName("MaxScore", attr_text=str(len(marks)))
    return _sheet_data(ws, rows), f"A1:A{len(marks)}"


def _reference(wb, series) -> Reference:
    return Reference(wb[series.sheet], min_col=series.col, min_row=series.first_row, max_row=series.last_row)


def _chart(wb, spec) -> ScatterChart:
    """A native line chart (a scatter chart with straight lines, so x is numeric)."""
    chart = ScatterChart(scatterStyle="lineMarker")  # required by the schema; openpyxl omits it
    chart.title, chart.style = spec.title, 2
    chart.x_axis.title, chart.y_axis.title = spec.x_title, spec.y_title
    chart.width, chart.height = spec.width, spec.height
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl hides axes by default
    chart.x_axis.tickLblPos = chart.y_axis.tickLblPos = "low"  # labels at the edge, not across the plot
    chart.x_axis.numFmt = NumFmt(formatCode=number_format(spec.x_places), sourceLinked=False)
    if spec.y_places is not None:
        chart.y_axis.numFmt = NumFmt(formatCode=number_format(spec.y_places), sourceLinked=False)
    if spec.x_max is not None:
        chart.x_axis.scaling.min, chart.x_axis.scaling.max = 0, spec.x_max
    if spec.x_step is not None:
        chart.x_axis.majorUnit = spec.x_step
    if spec.log_y:
        chart.y_axis.scaling.logBase = 10
    xs = _reference(wb, spec.x)
    for line in spec.series:
        s = ChartSeries(_reference(wb, line), xs, title=line.name)
        s.marker.symbol = "none"
        s.smooth = False
        chart.series.append(s)
    return chart


def _page_setup(ws, sheet, header: str | None, footer: str, font: str) -> None:
    """Landscape A4; the sheet's name (and a copy's variant and name) above, page numbers
    below, in ``font``."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if sheet.fit_width or sheet.one_page:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1 if sheet.one_page else 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    rows, cols = sheet.titles
    if rows:
        ws.print_title_rows = f"{rows[0]}:{rows[1]}"
    if cols:
        ws.print_title_cols = f"A:{cell_name(1, cols).rstrip('0123456789')}"
    # inches; the header and footer sit 0.45 inch clear of the body, so never clipped
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddHeader.center.text = "&A"
    if header:
        ws.oddHeader.left.text = header.replace("&", "&&")  # "&" starts a field code in headers
    ws.oddFooter.center.text = footer
    if font != FONT:  # the book's language needs a font of its own in the margins too
        ws.oddHeader.center.font = ws.oddFooter.center.font = font
        if header:
            ws.oddHeader.left.font = font
    ws.sheet_view.showGridLines = False


def book_bytes(book) -> bytes:
    """The .xlsx bytes of a layout book (deterministic).

    Each sheet is checked as it is written: a MlptraceError names anything a spreadsheet
    cannot hold.  A book whose sheets are made one at a time (``book.names`` given) is
    written one sheet at a time, so only one sheet's cells are ever held.
    """
    wb = Workbook()
    wb.remove(wb.active)
    styles = _Styles(wb, book.decimals, FONTS.get(book.lang, FONT))
    sheets = iter(book.sheets) if book.names else list(book.sheets)
    names = book.names or [sheet.name for sheet in sheets]
    for name in names:
        _check_name(name)
        wb.create_sheet(name)  # all sheets first: charts refer to sheets further on
    data, marks = [], []
    for name, sheet in zip(names, sheets, strict=True):
        assert sheet.name == name, (sheet.name, name)
        _check_sheet(sheet)
        data.append(_fill_sheet(wb[name], sheet, styles, marks, book))
        del sheet  # let it go before the next one is made
    if marks:
        data.append(_add_marks(wb, marks, book.protect))
    if book.protect:
        wb.security = WorkbookProtection(lockStructure=True)  # no sheet added, removed or unhidden
    wb.calculation.fullCalcOnLoad = True  # Excel recomputes on open; the cached values are for the rest
    wb.properties.creator = "mlptrace"
    wb.properties.created = wb.properties.modified = FIXED_DATE
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()  # stored, not compressed: _finish compresses, once
    return _finish(raw.getvalue(), data)


_DATES = re.compile(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)")
_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')


#: the namespaces of drawings and charts, declared once on the root element: Gnumeric drops a
#: chart whose namespaces are declared on inner elements, as openpyxl writes them
_DRAWING_NAMESPACES = {
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}


def _namespaces_on_root(body: bytes) -> bytes:
    """The same XML with every namespace declared, with its usual prefix, on the root."""
    old = etree.fromstring(body)
    root = etree.Element(old.tag, old.attrib, nsmap=_DRAWING_NAMESPACES)
    root.text = old.text
    root[:] = old[:]
    etree.cleanup_namespaces(root, top_nsmap=_DRAWING_NAMESPACES)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _with_cells(xml: str, sheet_data: str, dimension: str) -> str:
    start = xml.find("<sheetData")
    end = xml.find("</sheetData>", start)
    end = xml.find(">", start) + 1 if end < 0 else end + len("</sheetData>")  # <sheetData/>
    xml = xml[:start] + sheet_data + xml[end:]
    return _DIMENSION.sub(f'<dimension ref="{dimension}"/>', xml, count=1)


def _finish(data: bytes, sheets: list) -> bytes:
    """Put each sheet's cells (``sheets``: (sheetData, dimension) per sheet) in place of the
    few openpyxl wrote, fix the dates, and rezip with fixed entry dates."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if m:
                body = _with_cells(body.decode("utf-8"), *sheets[int(m.group(1)) - 1]).encode("utf-8")
            elif re.fullmatch(r"xl/(drawings/drawing|charts/chart)\d+\.xml", info.filename):
                body = _namespaces_on_root(body)
            elif info.filename == "docProps/core.xml":
                stamp = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ")
                body = _DATES.sub(lambda x: x.group(1) + stamp + x.group(3), body.decode("utf-8")).encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, body)
    return out.getvalue()
