"""Where every number and word goes: pure cells with roles, no colours, no files.

``cells`` is the model (Cell, Sheet, Book, Chart); ``board`` places every matrix of an update;
``steps`` makes a step sheet, ``exercise`` decides a copy's answers, ``overview`` the first
sheet, ``book`` a whole epoch workbook and ``summary`` the run's summary workbook.
"""
from .board import Board, make_board
from .book import epoch_book, epoch_context
from .cells import Book, Cell, Chart, Series, Sheet
from .overview import overview_facts, overview_sheet
from .steps import Context, SheetNames, header_rows, step_sheet

__all__ = ["Board", "make_board", "epoch_book", "epoch_context", "Book", "Cell", "Chart", "Series", "Sheet",
           "overview_facts", "overview_sheet", "SheetNames", "Context", "header_rows", "step_sheet"]
