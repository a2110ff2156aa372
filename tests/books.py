"""The tests' fast reader of workbooks: every cell of every sheet in one streaming pass.

``openpyxl.load_workbook`` in its normal mode spends most of its time giving the merged
explanation rows their borders (about 0.2 s a workbook here); read-only mode streams the cells
and skips that.  Tests that only read values, formulas and fills use these; tests that need what
read-only mode lacks (conditional formats, protection, page setup) load the workbook normally.
"""
from __future__ import annotations

from openpyxl import load_workbook
from openpyxl.cell.read_only import EmptyCell


def cells(path, data_only: bool = False) -> dict:
    """{sheet title: {address: cell}} of every cell the file holds, with a value or a style
    (read-only cells: value, data_type, fill, number_format).  ``data_only``: cached values
    instead of formulas."""
    wb = load_workbook(path, read_only=True, data_only=data_only)
    try:
        return {ws.title: {c.coordinate: c for row in ws.iter_rows() for c in row if not isinstance(c, EmptyCell)}
                for ws in wb.worksheets}
    finally:
        wb.close()


def values(path, data_only: bool = True) -> dict:
    """{(sheet, address): value} of every non-empty cell; cached values unless told otherwise."""
    return {(title, address): c.value for title, sheet in cells(path, data_only).items()
            for address, c in sheet.items() if c.value is not None}
