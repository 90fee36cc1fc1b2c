"""What the sheet page shows beside the grid: a time histogram of the view, a column profile, and the preview
of a step before it is applied.

Each is a small sqlglot statement over a compiled view's ``filtered`` relation (the rows after steps, filter
and search; a view's group-by does not apply), run on the view's engine (DuckDB or Spark: the statements use
only functions both transpile to, ``epoch`` being ``unix_micros(x) / 1e6`` on Spark) with the same time budget as
any query.

- Histogram: buckets of a "nice" width (1 s ... 1 week; whole weeks past that, keeping to 1000 buckets) chosen
  so that about ``buckets`` of them cover the time range (the view's first to last time, or the
  ``start``/``end`` the person zoomed to). Buckets are aligned to the epoch (weeks start on Mondays) and empty
  buckets are included with a count of 0.
- Profile: rows, blanks (NULL, or empty/whitespace text: the filter language's ``is blank``), distinct values
  (exact, or the engine's ``approx_count_distinct`` when the caller asks for speed, flagged ``approximate``),
  min, max and the top values with their counts (NULL is not a value; blanks are counted apart).
- Preview: the view with one more step, its first rows in storage order, and the columns the step adds or
  changes.
"""

from __future__ import annotations

from logsheet.analysis.histograms import Histogram, choose_interval, histogram
from logsheet.analysis.previews import Preview, changed_columns, preview_query
from logsheet.analysis.profiles import EXACT_DISTINCT_ROWS, Profile, profile

__all__ = [
    "EXACT_DISTINCT_ROWS",
    "Histogram",
    "Preview",
    "Profile",
    "changed_columns",
    "choose_interval",
    "histogram",
    "preview_query",
    "profile",
]
