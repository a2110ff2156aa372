"""Turn layout books into self-contained HTML pages (and notebook fragments).

The same sheets as the workbooks (board, names, shapes, digits, sentences), each as a section
of the page; roles become classes (``palette``: yellow for the focus, orange for its inputs,
with borders that tell them apart in grey).  For every matrix cell the page carries, as JSON,
the cells it is computed from and its written-out arithmetic (``layout.trails``): a click only
swaps classes and texts, the page never does any maths.  Styles and script are inline; the page
loads nothing, so it opens from a USB stick.  Same book, same bytes.
"""
from __future__ import annotations

import html
import json

from ..expr import Ref
from . import palette
from ..i18n import N_, catalogue

#: the page's own words, in English (everything else comes from the layout), translated by
#: the book's catalogue
TEXTS = {
    "previous": N_("← Previous"),
    "next": N_("Next →"),
    "steps": N_("Sheet"),
    "hint": N_("Click, tap or tab to any number of the board: it turns yellow, the numbers it is "
               "computed from orange, and its arithmetic is written out above. Esc shows the step's "
               "own focus again; ← and → turn the pages."),
}

#: roles written as lines of text above the board (or across a grid row)
TEXT_ROLES = {"title", "subtitle", "text", "note", "formula_text", "arithmetic"}

CSS = """
.mlptrace{font-family:Calibri,Carlito,"Segoe UI",system-ui,sans-serif;font-size:14px;color:#000;background:#fff}
.mlptrace nav{position:sticky;top:0;z-index:1;background:#f2f2f2;padding:6px 8px;border-bottom:1px solid #bfbfbf;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.mlptrace nav button,.mlptrace nav select{font:inherit;padding:3px 10px}
.mlptrace .hint{color:#595959;font-size:12px;margin:4px 8px}
.mlptrace section{padding:8px 12px 24px}
.mlptrace.js section:not(.on){display:none}
.mlptrace p{margin:2px 0}
.mlptrace .title{font-size:19px;font-weight:bold;margin:4px 0}
.mlptrace .subtitle{font-size:16px;font-weight:bold}
.mlptrace .text{font-style:italic;max-width:110ch}
.mlptrace .note{font-style:italic;font-size:13px;color:#595959;max-width:110ch}
.mlptrace .formula_text{font-weight:bold;color:#1f4e79}
.mlptrace .lines{min-height:3em;margin:6px 0 10px;padding:2px 0;background:#fff}
.mlptrace.js .lines{position:sticky;left:0;top:44px;z-index:1;border-bottom:1px solid #e0e0e0}
.mlptrace .grid{display:grid;grid-auto-rows:minmax(1.6em,auto);align-items:center;width:max-content;max-width:100%;overflow-x:auto}
.mlptrace .grid>*{min-width:0}
.mlptrace .label{font-size:13px;font-weight:bold;color:#1f4e79;white-space:nowrap;overflow:visible}
.mlptrace .header{font-size:13px;font-style:italic;color:#595959;text-align:center;align-self:end}
.mlptrace .shape{font-size:12px;font-style:italic;color:#7f7f7f;white-space:nowrap}
.mlptrace .key{font-weight:bold;padding-right:8px}
.mlptrace .fact{padding-right:8px}
.mlptrace .v{text-align:center;border:1px solid #bfbfbf;margin:-1px 0 0 -1px;padding:1px 2px;cursor:pointer;font-variant-numeric:tabular-nums;white-space:nowrap}
.mlptrace .v:hover{outline:1px solid #1f4e79}
.mlptrace .focus{background:#FOCUS;font-weight:bold;border:3px double #000}
.mlptrace .input{background:#INPUT;border:2px dashed #000}
.mlptrace .v:focus-visible{outline:2px solid #0563c1;outline-offset:1px}
.mlptrace a{color:#0563c1}
@media print{
.mlptrace.js .lines{position:static;border:0}
@page{size:A4 landscape;margin:1cm}
.mlptrace{font-size:11px}
.mlptrace .grid{grid-auto-rows:minmax(1.3em,auto)}
.mlptrace nav,.mlptrace .hint{display:none}
.mlptrace section,.mlptrace.js section:not(.on){display:block;padding:0;break-after:page;page-break-after:always}
.mlptrace section:last-of-type{break-after:auto;page-break-after:auto}
.mlptrace .grid{overflow:visible;max-width:none}
.mlptrace .board{zoom:min(1,calc(190 / var(--w)))}
.mlptrace *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
""".replace("#FOCUS", "#" + palette.FOCUS.lower()).replace("#INPUT", "#" + palette.INPUT.lower())

# Only swaps classes and texts; every number and line comes from the JSON trails.
SCRIPT = """
(function(root, standalone){
  root.classList.add('js');
  var data = JSON.parse(root.querySelector('script.trails').textContent);
  var pages = root.querySelectorAll('section'), select = root.querySelector('nav select');
  var shown = 0, saved = new Map();
  function show(k, quiet){
    if (k < 0 || k >= pages.length) return;
    pages[shown].classList.remove('on'); shown = k; pages[k].classList.add('on');
    if (select) select.value = String(k);
    // the address keeps the page across a reload (not at load: the browser would scroll to it)
    if (standalone && !quiet) history.replaceState(null, '', '#' + pages[k].id);
  }
  function cell(board, name, row, col){
    return board.querySelector('[data-name="' + name + '"][data-row="' + row + '"][data-col="' + col + '"]');
  }
  function pick(el){
    var board = el.closest('[data-step]');
    var matrix = data.updates[board.dataset.update][el.dataset.name];
    var trail = matrix[2][(el.dataset.row - 1) * matrix[1] + (el.dataset.col - 1)];
    var lines = board.parentNode.querySelector('.lines');
    lines.style.minHeight = Math.max(lines.offsetHeight, parseFloat(lines.style.minHeight) || 0) + 'px';  // the board stays put
    if (!saved.has(board)) saved.set(board, [Array.from(board.querySelectorAll('.focus,.input'), function(e){
      return [e, e.className]; }), lines.innerHTML]);
    board.querySelectorAll('.focus,.input').forEach(function(e){ e.classList.remove('focus', 'input'); });
    el.classList.add('focus');
    for (var k = 0; k < trail[0].length; k += 3) {
      var input = cell(board, data.names[trail[0][k]], trail[0][k + 1], trail[0][k + 2]);
      if (input) input.classList.add('input');
    }
    lines.innerHTML = '<p class="formula_text"></p><p class="arithmetic"></p>';
    lines.children[0].textContent = matrix[0];
    lines.children[1].textContent = trail[1];
  }
  function restore(){
    var board = pages[shown].querySelector('[data-step]'), old = board && saved.get(board);
    if (!old) return;
    board.querySelectorAll('.focus,.input').forEach(function(e){ e.classList.remove('focus', 'input'); });
    old[0].forEach(function(p){ p[0].className = p[1]; });
    board.parentNode.querySelector('.lines').innerHTML = old[1];
    saved.delete(board);
  }
  root.addEventListener('click', function(ev){
    var go = ev.target.closest('[data-go]'), to = ev.target.closest('[data-to]');
    var el = ev.target.closest('[data-name]');
    if (go) show(shown + Number(go.dataset.go));
    else if (to) { ev.preventDefault(); show(Number(to.dataset.to)); }
    else if (el) pick(el);
  });
  root.addEventListener('focusin', function(ev){
    var el = ev.target.closest && ev.target.closest('[data-name]');
    if (el) pick(el);
  });
  if (select) select.addEventListener('change', function(){ show(Number(select.value)); });
  (standalone ? document : root).addEventListener('keydown', function(ev){
    if (ev.altKey || ev.ctrlKey || ev.metaKey || /SELECT|INPUT|TEXTAREA/.test(ev.target.tagName)) return;
    if (ev.key === 'ArrowLeft') { show(shown - 1); ev.preventDefault(); }
    else if (ev.key === 'ArrowRight') { show(shown + 1); ev.preventDefault(); }
    else if (ev.key === 'Escape') restore();
  });
  var start = 0;
  if (standalone && location.hash) pages.forEach(function(p, k){ if ('#' + p.id === location.hash) start = k; });
  pages[0].classList.add('on'); show(start, true);
})((function(){
  // the element this script sits in; where a notebook runs scripts elsewhere (jQuery's eval),
  // the last root not yet set up, the one just shown
  var s = document.currentScript, p = s && s.parentNode;
  if (p && p.classList && p.classList.contains('mlptrace')) return p;
  var all = document.querySelectorAll('.mlptrace:not(.js)'); return all[all.length - 1];
})(), %s);
"""


def _number(value: float, decimals: int) -> str:
    """A number as a workbook's number format shows it, with a true minus sign."""
    text = f"{value:.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−")


def _shown(cell, decimals: int) -> str:
    value = cell.value
    if isinstance(value, float):
        return _number(value, cell.places if cell.places is not None else 0 if cell.whole else decimals)
    return "" if value is None else str(value)


def _attrs(**attrs) -> str:
    return "".join(f' {k.replace("_", "-")}="{html.escape(str(v))}"' for k, v in attrs.items() if v is not None)


def _place(row: int, col: int, end: str | None = None) -> str:
    return f"grid-area:{row}/{col}" + (f"/auto/{end}" if end else "")


def _grid_cell(cell, row: int, decimals: int, ref: Ref | None, links: dict) -> str:
    """One layout cell as an element of a grid whose first row is the sheet's row ``row``."""
    r = cell.row - row + 1
    text = html.escape(_shown(cell, decimals))
    if ref is not None:
        role = {"value": "v", "blank": "v focus"}.get(cell.role, "v " + cell.role)
        return (f'<div class="{role}" data-name="{ref.name}" data-row="{ref.row + 1}" '
                f'data-col="{ref.col + 1}" tabindex="0" style="{_place(r, cell.col)}">{text}</div>')
    end = "-1" if cell.role in TEXT_ROLES else f"span {cell.span}" if cell.span > 1 else None
    if cell.link in links:
        text = f'<a href="#{links[cell.link][0]}" data-to="{links[cell.link][1]}">{text}</a>'
    return f'<div class="{cell.role}" style="{_place(r, cell.col, end)}">{text}</div>'


def _columns(widths: dict) -> str:
    """Grid columns as wide as the sheet's (characters, as a spreadsheet counts them)."""
    last = max(widths, default=1)
    return " ".join(f"{widths.get(c, 9) * 0.9 + 1:.1f}ch" for c in range(1, last + 1))


def _grid(cells, widths, row, decimals, refs, links, attrs="", board_width=None) -> str:
    body = "".join(_grid_cell(c, row, decimals, refs.get((c.row, c.col)), links) for c in cells)
    if board_width is None:
        return f'<div class="grid"{attrs} style="grid-template-columns:{_columns(widths)}">{body}</div>'
    # --w: the board's width in characters, for the print stylesheet to fit it to the page
    return (f'<div class="grid board"{attrs} style="--w:{board_width:.0f};'
            f'grid-template-columns:{_columns(widths)}">{body}</div>')


def _lines(cells, decimals) -> str:
    return "".join(f'<p class="{c.role}">{html.escape(_shown(c, decimals))}</p>' for c in cells)


def _step_section(sheet, top, update, decimals, refs, links) -> str:
    """A step sheet's insides: its lines of text (the focus cell's in ``.lines``, which a click
    rewrites), then its board (rows from ``top`` on)."""
    head = [c for c in sheet.cells if c.row < top]
    focus = [c for c in head if c.role in ("formula_text", "arithmetic")]
    texts = [c for c in head if c.role not in ("formula_text", "arithmetic")]
    board = _grid([c for c in sheet.cells if c.row >= top], sheet.widths, top, decimals, refs, links,
                  _attrs(data_step=sheet.name, data_update=update), sum(sheet.widths.values()))
    return (f'{_lines(texts, decimals)}<div class="lines" aria-live="polite">{_lines(focus, decimals)}</div>'
            f'{board}')


def _trails_json(trails) -> str:
    """The trails as compact JSON: per update, per matrix [its line, its columns, per cell
    (row by row) [[matrix, row, col of each input…], its arithmetic]] (rows and columns 1-based)."""
    names = list(dict.fromkeys(r.name for cells in trails.cells.values() for r in cells))
    index = {n: k for k, n in enumerate(names)}
    updates = {}
    for u, cells in trails.cells.items():
        matrices = {}
        for ref, trail in cells.items():
            m = matrices.setdefault(ref.name, [trail.lines[0], 0, []])
            m[1] = max(m[1], ref.col + 1)
            m[2].append([[x for r in trail.inputs for x in (index[r.name], r.row + 1, r.col + 1)], trail.lines[1]])
        updates[str(u)] = matrices
    text = json.dumps({"names": names, "updates": updates}, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")  # nothing in it can close the script element


def _nav(sheets, t) -> str:
    """Buttons and a list of the sheets (none for a single sheet), and how to use the board."""
    hint = f'<p class="hint">{html.escape(t(TEXTS["hint"]))}</p>'
    if len(sheets) == 1:
        return hint
    options = "".join(f'<option value="{k}">{html.escape(s.name)}</option>' for k, s in enumerate(sheets))
    return (f'<nav><button type="button" data-go="-1">{html.escape(t(TEXTS["previous"]))}</button>'
            f'<select aria-label="{html.escape(t(TEXTS["steps"]))}">{options}</select>'
            f'<button type="button" data-go="1">{html.escape(t(TEXTS["next"]))}</button></nav>{hint}')


def _body(sheets, trails, decimals, standalone: bool, lang: str) -> str:
    """The root element: navigation, one section per sheet, the trails and the script.  A
    page's sections have ids (an address can name one); a notebook's may share it with others."""
    top = min(row for row, _ in trails.board.titles.values())
    links = {s.name: (f"p{k}", k) for k, s in enumerate(sheets)}
    refs = {trails.board.address(ref): ref for cells in trails.cells.values() for ref in cells}
    sections = []
    for k, sheet in enumerate(sheets):
        update = trails.updates.get(sheet.name)
        if update in trails.cells:
            inner = _step_section(sheet, top, update, decimals, refs, links)
        else:
            inner = _grid(sheet.cells, sheet.widths, 1, decimals, {}, links)
        ident = f' id="p{k}"' if standalone else ""
        sections.append(f'<section{ident}>{inner}</section>')
    return (f'<div class="mlptrace" lang="{lang}">{_nav(sheets, catalogue(lang))}{"".join(sections)}'
            f'<script type="application/json" class="trails">{_trails_json(trails)}</script>'
            f'<script>{SCRIPT % ("true" if standalone else "false")}</script></div>')


def page_text(book, trails, title: str) -> str:
    """A whole self-contained page of ``book`` (every sheet a section) with ``trails``."""
    return (f'<!DOCTYPE html>\n<html lang="{book.lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f'<title>{html.escape(title)}</title><style>{CSS}</style></head>'
            f'<body style="margin:0">{_body(book.sheets, trails, book.decimals, True, book.lang)}</body></html>\n')


def page_bytes(book, trails) -> bytes:
    """The page of an epoch's ``book``, titled as its first sheet."""
    title = next((c.value for c in book.sheets[0].cells if c.role == "title"), "mlptrace")
    return page_text(book, trails, title).encode("utf-8")


def fragment(sheets, trails, decimals: int, lang: str = "en") -> str:
    """The sheets as an element to embed (a notebook's output): its own styles, keys only
    while it has the keyboard focus; ``lang`` is the language of their texts."""
    return f"<style>{CSS}</style>{_body(sheets, trails, decimals, False, lang)}"
