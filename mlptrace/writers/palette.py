"""The colours of the roles, for every writer: the article's yellow for the cell being computed,
its orange for the cells it comes from (SPEC), and the exercise checks' green and red.

The layout names roles, never colours; the texts a reader sees name these colours in words
(the legend, the exercise notes), so a change here is a change of those texts too.
"""

FOCUS = "FFFF00"  # yellow
INPUT = "FFC000"  # orange
RIGHT = "92D050"  # green: an answer that matches to 3 significant digits
WRONG = "FF7C80"  # red
