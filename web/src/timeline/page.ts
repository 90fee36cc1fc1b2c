// The timeline page (`/cases/{name}/timeline`): every sheet of a case with a time column, merged oldest first
// (POST /api/cases/{name}/timeline/query). It reuses the sheet page's pieces: the grid, the filter bar, the
// search, the time histogram (stacked by sheet, one colour per sheet, with its legend) and the cell detail. A
// row opens in its own sheet (its event dialog), whose header then offers the way back to this timeline.
// The Views menu saves the view under a name in the case and opens saved ones (/api/cases/{name}/timeline/views),
// and stars or tags every row of the view; the cell menu stars, tags or comments its row: both in the rows'
// own sheets (/api/cases/{name}/timeline/annotations). Every name and value is shown as text.

import { api, type AnnotateBody } from "../api";
import { FilterBar } from "../filter/bar";
import { andWith, valueCondition, withTimeRange } from "../filter/predicates";
import { setShortcuts } from "../keys";
import { casePath, link, navigate, sheetPath, timelinePath } from "../router";
import { copyText } from "../sheet/clipboard";
import { CellDetail } from "../sheet/detail";
import { SheetGrid, type CellInfo } from "../sheet/grid";
import { TimeHistogram } from "../sheet/histogram";
import { rowItems, viewItems } from "../sheet/annotate";
import { cellMenu } from "../sheet/menus";
import { Progress } from "../sheet/progress";
import { SearchBox } from "../sheet/search";
import { SheetState, openingState, type Source, type ViewState } from "../sheet/state";
import { exportButton, viewsButton, type ViewsHost } from "../sheet/views";
import type { Page, Query, TimelinePage } from "../types";
import { formatCount, h, replaceChildren } from "../ui/dom";
import { inlineError } from "../ui/inline_error";

const TIME = "time";

/** The address that opens a timeline row in its sheet: the sheet page opens the row and offers the way back. */
export function rowInSheet(sheet: string, rowid: number, back: string): string {
  return `${sheetPath(sheet)}?${new URLSearchParams({ row: String(rowid), from: back })}`;
}

export function renderTimelinePage(root: HTMLElement, name: string): () => void {
  document.title = `Timeline · ${name} · logsheet`;
  const path = timelinePath(name);
  const state = new SheetState(`timeline:${name}`, openingState(window.location.search, TIME), TIME, path);
  const progress = new Progress();
  let lastActed: "filter" | "search" | "other" = "other";
  let selected: { sheet: string; rowid: number } | null = null;
  let lastTotal: number | null = null;

  const total = h("span", { class: "total", "aria-live": "polite", "data-testid": "total" }, "…");
  const elapsed = h("span", { class: "muted elapsed" });
  const merged = h("p", { class: "muted timeline-sheets", "data-testid": "timeline-sheets" });
  const gridError = inlineError();
  const search = new SearchBox((text) => {
    lastActed = "search";
    state.update((d) => {
      d.query.search = text;
    });
  });
  const searchError = inlineError();
  const filterBar = new FilterBar((where) => {
    lastActed = "filter";
    state.update((d) => {
      d.query.where = where;
    });
  });
  const filterTo = (column: string, value: unknown, exclude: boolean) => {
    lastActed = "filter";
    state.update((d) => {
      d.query.where = andWith(d.query.where, valueCondition(column, value, exclude));
    });
  };
  const detail = new CellDetail({ copy: (t) => void copyText(t), filterTo });
  const histogram = new TimeHistogram(
    `timeline:${name}`,
    TIME,
    progress,
    (range) => {
      lastActed = "filter";
      state.update((d) => {
        d.query.where = withTimeRange(d.query.where, TIME, range);
      });
    },
    (view, buckets, start, end, run) => api.timelineHistogram(name, view, buckets, start, end, run),
  );

  const openButton = h("button", { type: "button", class: "small open-in-sheet", disabled: true }, "Open the row in its sheet");
  openButton.addEventListener("click", () => {
    if (selected) navigate(rowInSheet(selected.sheet, selected.rowid, window.location.pathname + window.location.search));
  });
  const sourceOf = (row: unknown[]): { sheet: string; rowid: number } | null => {
    const index = grid.columns.findIndex((c) => c.name === "source_sheet");
    const rowid = grid.rowidOf(row);
    return index >= 0 && rowid !== null && typeof row[index] === "string" ? { sheet: row[index] as string, rowid } : null;
  };
  const select = (cell: CellInfo) => {
    detail.show(cell, state.value.tz, state.query.group !== null, grid.rowidOf(cell.row));
    selected = state.query.group ? null : sourceOf(cell.row);
    openButton.disabled = !selected;
    openButton.textContent = selected ? `Open row ${selected.rowid} in ${selected.sheet}` : "Open the row in its sheet";
  };
  const open = (row: unknown[]) => {
    const source = sourceOf(row);
    if (source) navigate(rowInSheet(source.sheet, source.rowid, window.location.pathname + window.location.search));
  };

  const gridHost = h("div", { class: "grid-host", role: "presentation" });
  const grid = new SheetGrid(
    gridHost,
    `timeline:${name}`,
    state,
    progress,
    {
      onPage: (page) => showPage(page),
      onColumns: (columns) => {
        if (!state.query.group) filterBar.setColumns(columns);
      },
      onError: (message) => showError(message),
      onCancelled: () => {
        total.textContent = "Cancelled";
        gridError.show("The query was cancelled. Change the view to ask again.");
      },
      onCell: select,
      onCellDouble: (cell) => (state.query.group ? undefined : open(cell.row)),
      onCellMenu: (cell, x, y) =>
        cellMenu(cell, x, y, state.query.group !== null, false, {
          filterTo,
          copy: (t) => void copyText(t),
          detail: (c) => select(c),
          drill: () => undefined,
          rowJson: (row) => JSON.stringify(Object.fromEntries(grid.columns.map((c, i) => [c.name, row[i]])), null, 2),
          openEvent: (row) => open(row),
          annotateRow: (row) => {
            const rowid = grid.rowidOf(row);
            const at = grid.columns.findIndex((c) => c.name === "starred"); // shown once a sheet of the case has annotations
            return rowid === null ? [] : rowItems(annotating, rowid, at >= 0 && row[at] === true);
          },
        }),
      onColumnMenu: () => undefined,
      onCopy: (text) => void copyText(text),
    },
    {
      timeColumn: TIME,
      columnOrder: ["time", "sheet", "summary"],
      pages: async (query: Query, limit: number, offset: number, run) => {
        const page: TimelinePage = await api.timeline(name, query, limit, offset, run);
        if (offset === 0) showSheets(page);
        return page;
      },
    },
  );

  // Annotations go to the rows' own sheets; the timeline shows no annotation columns, so nothing to reload.
  const annotating = { sheet: `timeline:${name}`, refresh: () => undefined, send: (body: AnnotateBody) => api.annotateTimeline(name, body) };
  const host: ViewsHost = {
    sheet: `timeline:${name}`,
    exportQuery: (): Query => ({ ...state.query, columns: [] }),
    load: (query: Query) =>
      state.update((d) => {
        d.query = { ...query, columns: [] };
      }),
    exportPath: `/api/cases/${encodeURIComponent(name)}/timeline/export`,
    annotateView: () => viewItems(annotating, () => state.query, () => (state.query.group ? null : lastTotal)),
    store: {
      owner: `The timeline of case ${name}`,
      list: () => api.timelineViews(name),
      save: (view, query) => api.saveTimelineView(name, view, query),
      remove: (view) => api.deleteTimelineView(name, view),
    },
  };

  replaceChildren(
    root,
    h(
      "main",
      { class: "sheet-page timeline-page" },
      h(
        "header",
        { class: "sheet-header" },
        link("/", "logsheet", "brand"),
        link(casePath(name), `Case ${name}`, "timeline-case"),
        h("h1", { class: "sheet-title" }, "Timeline"),
        total,
        elapsed,
        h("div", { class: "header-search" }, search.el, searchError.el),
        openButton,
        viewsButton(host),
        exportButton(host),
      ),
      merged,
      filterBar.el,
      histogram.el,
      progress.el,
      h("div", { class: "grid-messages" }, gridError.el),
      h("div", { class: "sheet-body" }, h("div", { class: "sheet-main" }, gridHost), h("aside", { class: "side" }, detail.el)),
    ),
  );

  function showSheets(page: TimelinePage): void {
    const left = page.left_out.map((l) => `${l.sheet} (${l.reason})`).join(", ");
    merged.textContent = `Merging ${page.sheets.join(", ")}${left ? ` · not in the timeline: ${left}` : ""}`;
  }

  function showPage(page: Page): void {
    gridError.clear();
    searchError.clear();
    const g = state.query.group;
    lastTotal = page.total;
    total.textContent = `${formatCount(page.total)} ${g ? (page.total === 1 ? "group" : "groups") : page.total === 1 ? "row" : "rows"}`;
    elapsed.textContent = `${page.elapsed_ms} ms`;
    if (page.total === 0) gridError.show("No rows match this view.");
  }

  function showError(message: string): void {
    total.textContent = "—";
    if (lastActed === "filter") filterBar.showError(message);
    else if (lastActed === "search") searchError.show(message);
    else gridError.show(message);
  }

  const histogramKey = (q: Query) => JSON.stringify([q.where, q.search]);
  function onChange(next: ViewState, previous: ViewState, source: Source): void {
    grid.apply(next, previous, source);
    const q = next.query;
    const p = previous.query;
    if (JSON.stringify(q.where) !== JSON.stringify(p.where) || source === "load") void filterBar.show(q.where);
    if (q.search !== p.search || source === "load") search.show(q.search);
    if (source === "load") filterBar.setTimeZone(next.tz);
    if (histogramKey(q) !== histogramKey(p) || source === "load") void histogram.load(q, next.tz);
    if (JSON.stringify(q) !== JSON.stringify(p)) detail.viewChanged(next.tz);
  }
  state.subscribe(onChange);
  const initial = state.value;
  onChange(initial, initial, "load");
  setShortcuts({
    search: () => search.focus(),
    filter: () => filterBar.focus(),
    undo: () => state.undo(),
    redo: () => state.redo(),
  });

  return () => {
    setShortcuts(null);
    progress.cancelAll();
    histogram.destroy();
    grid.api.destroy();
  };
}
