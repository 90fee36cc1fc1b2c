// The sheet page: puts the pieces together and routes every change of the view state to them.
// Each piece owns one job (grid, filter bar, search, histogram, steps, group, chart, profile, detail).

import { api } from "../api";
import { FilterBar } from "../filter/bar";
import { andWith, valueCondition, withTimeRange } from "../filter/predicates";
import { FindingChip } from "../findings/chip";
import { FindingsPanel } from "../findings/panel";
import { ChartPanel } from "../group/chart";
import { GroupPanel } from "../group/panel";
import { setShortcuts } from "../keys";
import { openEvent } from "../event/viewer";
import { entityPath, link, navigate, parseRoute } from "../router";
import { openPivotTable } from "../pivot/table";
import { openFunction } from "../steps/functions";
import { StepsPanel } from "../steps/panel";
import type { Column, Finding, Page, Predicate, Query, SheetInfo } from "../types";
import { formatCount, h, replaceChildren } from "../ui/dom";
import { inlineError } from "../ui/inline_error";
import { tabs } from "../ui/tabs";
import { copyText } from "./clipboard";
import { chooseColumns } from "./columns";
import { CellDetail } from "./detail";
import { timeZones } from "./format";
import { SheetGrid } from "./grid";
import { TimeHistogram } from "./histogram";
import { forgetLayout } from "./layout";
import { cellMenu, columnMenu } from "./menus";
import { rowItems, viewItems } from "./annotate";
import { arrivalCase, pivotCase } from "./pivotcase";
import { ProfilePanel } from "./profile";
import { Progress } from "./progress";
import { SearchBox } from "./search";
import { SheetState, defaultSort, openingState, type Source, type ViewState } from "./state";
import { exportButton, viewsButton, type ViewsHost } from "./views";

type Acted = "filter" | "search" | "other";

export function renderSheetPage(root: HTMLElement, name: string): () => void {
  let disposed = false;
  let dispose = () => undefined as void;
  replaceChildren(root, h("main", { class: "sheet-loading" }, h("p", { class: "muted" }, `Opening ${name}…`)));
  api.sheet(name).then(
    (info) => {
      if (!disposed) dispose = buildSheetPage(root, info);
    },
    (error) => {
      if (disposed) return;
      replaceChildren(
        root,
        h("main", { class: "sheet-missing" }, h("h1", {}, name), h("p", { class: "inline-error", role: "alert" }, (error as Error).message), link("/", "Back to the sheets")),
      );
    },
  );
  return () => {
    disposed = true;
    dispose();
  };
}

function buildSheetPage(root: HTMLElement, info: SheetInfo): () => void {
  const name = info.name;
  // Opened from a case's timeline (or its page's annotations): `?row=ID` opens that row, `?from=/cases/...` is the
  // way back to it.
  const arrival = new URLSearchParams(window.location.search);
  const openRowId = Number(arrival.get("row") ?? NaN);
  const backTo = arrival.get("from") ?? "";
  const backLabel = parseRoute(backTo.split("?")[0]).page === "case" ? "Back to the case" : "Back to the timeline";
  const backLink = backTo.startsWith("/cases/") ? link(backTo, backLabel, "back-to-timeline") : null;
  const cameFrom = arrivalCase(window.location.search); // the case a pivot from a cell looks across (./pivotcase.ts)
  const state = new SheetState(name, openingState(window.location.search, info.time_column), info.time_column);
  const progress = new Progress();
  let rowColumns: Column[] = info.columns;
  let lastActed: Acted = "other";
  let groupPage: Page | null = null;
  const rowids = new Map<number, number>(); // grid row index → the row's id, so that the detail follows its row
  let awaitingPage = false; // the view changed and its first page has not come yet
  const rowidOf = (rowIndex: number) => (grouped() ? null : rowids.get(rowIndex) ?? null);

  // ----------------------------------------------------------------------------------------- the pieces
  const total = h("span", { class: "total", "aria-live": "polite", "data-testid": "total" }, "…");
  let lastTotal: number | null = null; // the view's total, as the header shows it
  const elapsed = h("span", { class: "muted elapsed" });
  const gridError = inlineError();
  const undoAfterError = h("button", { type: "button", class: "small", hidden: true }, "Undo that change");
  undoAfterError.addEventListener("click", () => state.undo());

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

  const tz = h("select", { "aria-label": "Display time zone", class: "tz-select" }, ...timeZones().map((z) => h("option", { value: z }, z)));
  tz.value = state.value.tz;
  tz.addEventListener("change", () =>
    state.update((d) => {
      d.tz = tz.value;
    }),
  );

  const filterTo = (column: string, value: unknown, exclude: boolean) => {
    lastActed = "filter";
    state.update((d) => {
      d.query.where = andWith(d.query.where, valueCondition(column, value, exclude));
    });
  };

  const detail = new CellDetail({ copy: (t) => void copyText(t), filterTo });
  const steps = new StepsPanel(state);
  // Rows leaving a group go back to the sheet's time order (when the view still has its time column).
  const rowSort = () => (rowColumns.some((c) => c.name === info.time_column) ? defaultSort(info.time_column) : []);
  const group = new GroupPanel(state, rowSort);
  const profile = new ProfilePanel(name, progress, filterTo);
  // A finding opens as a new entry in the browser's history (Back goes to the view before it); its chip's ×
  // goes back to the sheet's view with the user's own filter, search, sort and group kept.
  const openFinding = (f: Finding) => {
    if (state.query.finding === f.id) return;
    history.pushState(null, "", window.location.pathname + window.location.search);
    lastActed = "other";
    state.update((d) => {
      d.query.finding = f.id;
    });
  };
  const findings = new FindingsPanel(name, () => state.value.tz, openFinding);
  const findingChip = new FindingChip(() => {
    lastActed = "other";
    state.update((d) => {
      delete d.query.finding;
    });
  });
  filterBar.chips.appendChild(findingChip.el);
  let chipSeq = 0;
  const showFinding = async (id: string | null) => {
    const seq = ++chipSeq;
    findings.setActive(id);
    if (!id) return findingChip.show(null);
    findingChip.show(id);
    try {
      const f = await findings.lookup(id);
      if (seq === chipSeq) findingChip.show(f);
    } catch (e) {
      if (seq === chipSeq) findingChip.show(id, (e as Error).message);
    }
  };
  const side = tabs("Side panel", [
    { id: "detail", title: "Cell", panel: detail.el },
    { id: "steps", title: "Steps", panel: steps.el },
    { id: "group", title: "Group", panel: group.el },
    { id: "profile", title: "Profile", panel: profile.el },
    { id: "findings", title: "Findings", panel: findings.el },
  ]);
  findings.button.addEventListener("click", () => side.select("findings"));

  const histogram = info.time_column
    ? new TimeHistogram(name, info.time_column, progress, (range) => {
        lastActed = "filter";
        state.update((d) => {
          d.query.where = withTimeRange(d.query.where, info.time_column!, range);
        });
      })
    : null;

  const chart = new ChartPanel(name, info.time_column, progress, (kind) =>
    state.update((d) => {
      d.chart = kind;
    }),
  );
  chart.el.hidden = true;

  const gridHost = h("div", { class: "grid-host", role: "presentation" });
  const grouped = () => state.query.group !== null;
  const drill = (row: unknown[]) => {
    const g = state.query.group;
    if (!g || !groupPage) return;
    const index = new Map(groupPage.columns.map((c, i) => [c.name, i]));
    lastActed = "filter";
    state.update((d) => {
      let where = d.query.where;
      for (const key of g.keys) where = andWith(where, valueCondition(key, row[index.get(key)!], false));
      d.query.where = where;
      d.query.group = null;
      d.query.sort = rowSort();
    });
  };
  const eventHost = {
    sheet: name,
    columnOrder: [...(info.time_column ? [info.time_column] : []), ...(info.column_order ?? [])],
    tz: () => state.value.tz,
    filter: (where: Predicate) => {
      lastActed = "filter";
      state.update((d) => {
        d.query.where = andWith(d.query.where, where);
      });
    },
    copy: (t: string) => void copyText(t),
  };
  const openRow = (row: unknown[], screen: "document" | "context") => {
    const rowid = grid.rowidOf(row);
    if (rowid !== null) openEvent(eventHost, rowid, screen);
  };
  const rowJson = (row: unknown[]) => JSON.stringify(Object.fromEntries(grid.columns.map((c, i) => [c.name, row[i]])), null, 2);

  const grid = new SheetGrid(gridHost, name, state, progress, {
    onPage: (page) => showPage(page),
    onColumns: (columns) => {
      if (!grouped()) {
        rowColumns = columns;
        filterBar.setColumns(columns);
        group.setColumns(columns);
      }
    },
    onError: (message) => showError(message),
    onCancelled: () => {
      total.textContent = "Cancelled";
      gridError.show("The query was cancelled. Change the view or press Retry.");
      retry.hidden = false;
    },
    onCell: (cell) => detail.show(cell, state.value.tz, grouped(), rowidOf(cell.rowIndex)),
    onCellDouble: (cell) => {
      if (grouped()) drill(cell.row);
      else {
        detail.show(cell, state.value.tz, false, rowidOf(cell.rowIndex));
        side.select("detail");
      }
    },
    onCellMenu: (cell, x, y) =>
      cellMenu(cell, x, y, grouped(), state.query.group?.keys.includes(cell.column) ?? false, {
        filterTo,
        copy: (t) => void copyText(t),
        detail: (c) => {
          detail.show(c, state.value.tz, grouped(), rowidOf(c.rowIndex));
          side.select("detail");
        },
        drill,
        rowJson,
        openEvent: openRow,
        annotateRow: (row) => {
          const rowid = grid.rowidOf(row);
          const at = grid.columns.findIndex((c) => c.name === "starred");
          return rowid === null ? [] : rowItems(annotating, rowid, at >= 0 && row[at] === true);
        },
        pivot: (value) => void pivotCase(name, cameFrom).then((inCase) => navigate(entityPath(inCase, value))),
      }),
    onColumnMenu: (column, anchor) =>
      columnMenu(column, anchor, grouped(), {
        sort: (c, descending) =>
          state.update((d) => {
            const rest = d.query.sort.filter((s) => s.column !== c);
            d.query.sort = descending === null ? rest : [{ column: c, descending }];
          }),
        filterOn: (c) => filterBar.addCondition(c),
        groupBy: (c) => {
          group.addLevel(c);
          side.select("group");
        },
        profile: (c) => {
          side.select("profile");
          void profile.show(state.query, c, state.value.tz);
        },
        hide: (c) =>
          state.update((d) => {
            if (!d.hidden.includes(c)) d.hidden.push(c);
          }),
        pin: (c, where) => grid.pin(c, where),
        autosize: (c) => grid.autosize(c),
        fn: (kind, c) =>
          openFunction(kind, {
            sheet: name,
            query: state.query,
            columns: rowColumns,
            column: c,
            apply: (step) => {
              lastActed = "other";
              state.update((d) => {
                d.query.steps.push(step);
              });
              side.select("steps");
            },
          }),
      }),
    onCopy: (text) => void copyText(text),
  }, { timeColumn: info.time_column, columnOrder: info.column_order ?? [] });

  const retry = h("button", { type: "button", class: "small", hidden: true }, "Retry");
  retry.addEventListener("click", () => {
    retry.hidden = true;
    gridError.clear();
    void grid.refresh();
  });

  const pivotButton = h("button", { type: "button", title: "A pivot table of this view, with a heatmap" }, "Pivot table");
  pivotButton.addEventListener("click", () => openPivotTable({ sheet: name, query: state.query, columns: rowColumns, timeColumn: info.time_column }));
  const columnsButton = h("button", { type: "button" }, "Columns");
  columnsButton.addEventListener("click", () =>
    chooseColumns(grid.columns, state.value.hidden, {
      apply: (hidden) =>
        state.update((d) => {
          d.hidden = hidden;
        }),
      goTo: (column) => grid.goTo(column),
      resetLayout: () => {
        forgetLayout(name);
        window.location.reload();
      },
    }),
  );

  const host: ViewsHost = {
    sheet: name,
    exportQuery: (): Query => {
      const hiddenAny = state.value.hidden.length > 0;
      return { ...state.query, columns: hiddenAny && !grouped() ? grid.visibleColumns() : [] };
    },
    load: (query: Query) =>
      state.update((d) => {
        d.query = { ...query, columns: [] };
        d.hidden = query.columns.length ? rowColumns.map((c) => c.name).filter((n) => !query.columns.includes(n)) : [];
      }),
  };

  host.iocs = {
    marked: () => state.query.steps.some((s) => s.kind === "mark_ioc"),
    mark: () =>
      state.update((d) => {
        d.query.steps.push({ kind: "mark_ioc" });
      }),
    keepHits: () =>
      state.update((d) => {
        d.query.where = andWith(d.query.where, { kind: "ioc", lists: [], negate: false });
      }),
  };
  const annotating = { sheet: name, refresh: () => void grid.refresh() };
  host.annotateView = () => viewItems(annotating, () => state.query, () => (grouped() ? null : lastTotal));

  const help = h("button", { type: "button", class: "icon-button", "aria-label": "Keyboard shortcuts", title: "Keyboard shortcuts (?)" }, "?");
  help.addEventListener("click", () => document.dispatchEvent(new KeyboardEvent("keydown", { key: "?" })));

  // ------------------------------------------------------------------------------------------ the layout
  const page = h(
    "main",
    { class: "sheet-page" },
    h(
      "header",
      { class: "sheet-header" },
      link("/", "logsheet", "brand"),
      backLink,
      h("h1", { class: "sheet-title" }, name),
      h("span", { class: "sheet-format muted" }, info.format),
      total,
      elapsed,
      h("div", { class: "header-search" }, search.el, searchError.el),
      h("label", { class: "field inline" }, h("span", {}, "Time zone"), tz),
      findings.button,
      pivotButton,
      columnsButton,
      viewsButton(host),
      exportButton(host),
      help,
    ),
    filterBar.el,
    histogram?.el ?? null,
    progress.el,
    h("div", { class: "grid-messages" }, gridError.el, undoAfterError, retry),
    h("div", { class: "sheet-body" }, h("div", { class: "sheet-main" }, gridHost, chart.el), h("aside", { class: "side" }, side.el)),
  );
  replaceChildren(root, page);
  document.title = `${name} · logsheet`;

  // ---------------------------------------------------------------------------------- reacting to state
  function showPage(result: Page): void {
    if (result.offset === 0) {
      rowids.clear();
      awaitingPage = false;
    }
    result.rowids.forEach((id, i) => rowids.set(result.offset + i, id));
    detail.page(result, grouped());
    gridError.clear();
    searchError.clear();
    undoAfterError.hidden = true;
    retry.hidden = true;
    const g = state.query.group;
    lastTotal = result.total;
    total.textContent = g
      ? `${formatCount(result.total)} ${result.total === 1 ? "group" : "groups"}`
      : `${formatCount(result.total)} ${result.total === 1 ? "row" : "rows"}`;
    elapsed.textContent = `${result.elapsed_ms} ms`;
    if (result.total === 0) gridError.show(g ? "No groups: no rows match this view." : "No rows match this view.");
    if (g && result.offset === 0) {
      groupPage = result;
      chart.el.hidden = false;
      void chart.update(result, state.query, state.value.chart);
    }
  }

  function showError(message: string): void {
    if (lastActed === "filter" && awaitingPage && state.canUndo()) {
      awaitingPage = false;
      // A refused filter never becomes the view: back to the last one that worked (its grid, total and
      // histogram together), with the typed filter and the error kept in the filter bar.
      const typed = filterBar.typedText();
      state.undo();
      filterBar.refuse(typed, message);
      return;
    }
    total.textContent = "—";
    if (lastActed === "filter") filterBar.showError(message);
    else if (lastActed === "search") searchError.show(message);
    else gridError.show(message);
    undoAfterError.hidden = !state.canUndo();
  }

  const histogramKey = (q: Query) => JSON.stringify([q.steps, q.where, q.search, q.finding ?? null]);

  function onChange(next: ViewState, previous: ViewState, source: Source): void {
    grid.apply(next, previous, source);
    const q = next.query;
    const p = previous.query;
    if (JSON.stringify(q.where) !== JSON.stringify(p.where) || source === "load") void filterBar.show(q.where);
    if (q.search !== p.search || source === "load") search.show(q.search);
    if ((q.finding ?? null) !== (p.finding ?? null) || source === "load") void showFinding(q.finding ?? null);
    if (next.tz !== previous.tz || source === "load") {
      tz.value = next.tz;
      filterBar.setTimeZone(next.tz);
      findings.timeZoneChanged();
    }
    if (histogram && (histogramKey(q) !== histogramKey(p) || next.tz !== previous.tz || source === "load")) void histogram.load(q, next.tz);
    if (histogramKey(q) !== histogramKey(p) || next.tz !== previous.tz) profile.follow(q, next.tz);
    if (JSON.stringify(q) !== JSON.stringify(p)) {
      awaitingPage = true;
      detail.viewChanged(next.tz);
    }
    else if (next.tz !== previous.tz) detail.setTimeZone(next.tz);
    steps.render();
    group.render();
    if (!q.group) {
      chart.el.hidden = true;
      chart.clear();
      groupPage = null;
    } else if (next.chart !== previous.chart && groupPage && JSON.stringify(q) === JSON.stringify(p)) {
      void chart.update(groupPage, q, next.chart);
    }
    if (JSON.stringify(q.steps) !== JSON.stringify(p.steps) && q.group) void loadRowColumns();
  }

  async function loadRowColumns(): Promise<void> {
    try {
      const page = await api.query(name, { ...state.query, group: null, sort: [], columns: [] }, 0, 0);
      rowColumns = page.columns;
      filterBar.setColumns(rowColumns);
      group.setColumns(rowColumns);
    } catch {
      // the grid reports the error
    }
  }

  state.subscribe(onChange);
  filterBar.setColumns(rowColumns);
  group.setColumns(rowColumns);
  const initial = state.value;
  onChange(initial, initial, "load");
  void findings.load();
  if (initial.query.group && initial.query.steps.length) void loadRowColumns();
  if (Number.isSafeInteger(openRowId)) openEvent(eventHost, openRowId, "document");

  setShortcuts({
    search: () => search.focus(),
    filter: () => filterBar.focus(),
    undo: () => state.undo(),
    redo: () => state.redo(),
  });

  return () => {
    setShortcuts(null);
    progress.cancelAll();
    histogram?.destroy();
    chart.clear();
    grid.api.destroy();
  };
}
