// The grid: AG Grid Community with its infinite row model, paged from POST /api/sheets/{name}/query.
//
// The view state (state.ts) is the source of truth for what is asked; the grid owns what the user does to it
// directly (header-click sort, column moves, resizes, pins), reports it back, and remembers the layout.
//
// A sheet opens the way a responder reads it: the time column first and pinned left, then the format's
// preferred columns (the summary's column_order), the rest after; every column as wide as its header and the
// values of the first page (widths.ts), re-measured when the view changes, except the widths set by hand.

import {
  AllCommunityModule,
  ModuleRegistry,
  createGrid,
  themeQuartz,
  type CellContextMenuEvent,
  type CellKeyDownEvent,
  type ColDef,
  type ColumnState,
  type FullWidthCellKeyDownEvent,
  type GridApi,
  type IDatasource,
  type IGetRowsParams,
} from "ag-grid-community";
import { api, Cancelled, type Running } from "../api";
import type { Column, Page, Query, SortKey } from "../types";
import { besideSource, sourceOf } from "./derived";
import { TYPE_LABEL, TextCell, TypedHeaderLabel, type GridContext } from "./cells";
import { cellText } from "./format";
import { loadLayout, ordered, preferred, saveLayout } from "./layout";
import { fitWidths, measure, MIN_WIDTH } from "./widths";
import type { Progress } from "./progress";
import type { SheetState, ViewState } from "./state";
import { searchTerms } from "../filter/predicates";

export function registerGridModules(): void {
  ModuleRegistry.registerModules([AllCommunityModule]);
}

const BLOCK = 100;

const theme = themeQuartz.withParams({
  fontFamily: ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
  fontSize: 13,
  headerFontSize: 13,
  spacing: 5,
  cellHorizontalPadding: 7, // narrow: the columns are sized to their values (widths.ts), the room goes to them
  wrapperBorderRadius: 0,
  accentColor: "#1f6feb",
});

export interface CellInfo {
  column: string;
  type: string;
  value: unknown;
  row: unknown[];
  rowIndex: number;
}

/** What the sheet says about its own columns: the time column (pinned left) and the format's preferred order. */
export interface GridDefaults {
  timeColumn: string | null;
  columnOrder: string[];
  /** Where pages come from (default: POST /api/sheets/{name}/query); the timeline pages its case's union. */
  pages?: (query: Query, limit: number, offset: number, run: Running) => Promise<Page>;
}

const TOOLTIP_CHARS = 4000; // the detail panel shows the whole value, however long

export interface GridCallbacks {
  onPage(page: Page): void;
  onColumns(columns: Column[]): void;
  onError(message: string): void;
  onCancelled(): void;
  onCell(cell: CellInfo): void;
  onCellDouble(cell: CellInfo): void;
  onCellMenu(cell: CellInfo, x: number, y: number): void;
  onColumnMenu(column: string, anchor: HTMLElement): void;
  onCopy(text: string): void;
}

interface Prefetched {
  key: string;
  page: Page;
}

function sortKey(sort: SortKey[]): string {
  return JSON.stringify(sort.map((s) => [s.column, s.descending]));
}

function dataKey(q: Query): string {
  return JSON.stringify([q.steps, q.where, q.search, q.group, q.finding ?? null]);
}

export class SheetGrid {
  readonly api: GridApi;
  columns: Column[] = [];
  private readonly sheet: string;
  private readonly state: SheetState;
  private readonly progress: Progress;
  private readonly callbacks: GridCallbacks;
  private readonly context: GridContext;
  private generation = 0;
  private prefetched: Prefetched | null = null;
  private applying = false;
  private readonly host: HTMLElement;
  private lastTotal = 0;
  private readonly defaults: GridDefaults;
  private sized = new Set<string>(); // columns the user sized by hand: their widths are kept
  private lastRows: unknown[][] = []; // the first page of the view, which the widths are measured on
  private refitting = false;
  private readonly rowids = new WeakMap<unknown[], number>(); // each loaded row's __rowid (the event views ask by it)

  constructor(host: HTMLElement, sheet: string, state: SheetState, progress: Progress, callbacks: GridCallbacks, defaults: GridDefaults) {
    this.host = host;
    this.defaults = defaults;
    this.sheet = sheet;
    this.state = state;
    this.progress = progress;
    this.callbacks = callbacks;
    this.context = {
      tz: state.value.tz,
      terms: searchTerms(state.query.search, state.query.where),
      onColumnMenu: (column, anchor) => callbacks.onColumnMenu(column, anchor),
    };
    this.api = createGrid(host, {
      theme,
      rowModelType: "infinite",
      cacheBlockSize: BLOCK,
      maxBlocksInCache: 40,
      maxConcurrentDatasourceRequests: 2,
      blockLoadDebounceMillis: 60,
      infiniteInitialRowCount: 1,
      context: this.context,
      columnDefs: [],
      defaultColDef: { sortable: true, resizable: true, minWidth: MIN_WIDTH },
      suppressFieldDotNotation: true,
      preventDefaultOnContextMenu: true,
      enableCellTextSelection: false,
      ensureDomOrder: false,
      animateRows: false,
      rowHeight: 30,
      rowClassRules: { "row-loaded": (p) => !!p.data },
      headerHeight: 34,
      enableBrowserTooltips: true, // the title attribute: the value as text, never markup
      onSortChanged: () => this.sortFromGrid(),
      onColumnMoved: (e) => e.finished && !this.applying && this.remember(),
      onColumnResized: (e) => {
        // Dragged, or fitted by a double click on the handle or the column menu: the user's width from now on.
        if (!e.finished || this.applying || (e.source !== "uiColumnResized" && e.source !== "autosizeColumns")) return;
        for (const column of e.columns ?? []) this.sized.add(column.getColId());
        this.remember();
      },
      onColumnPinned: () => !this.applying && this.remember(),
      onGridSizeChanged: () => this.refitSoon(),
      onCellClicked: (e) => this.emitCell(e.colDef.colId, e.rowIndex, (cell) => callbacks.onCell(cell)),
      onCellDoubleClicked: (e) => this.emitCell(e.colDef.colId, e.rowIndex, (cell) => callbacks.onCellDouble(cell)),
      onCellContextMenu: (e: CellContextMenuEvent) => this.contextMenu(e),
      onCellKeyDown: (e) => this.keyDown(e),
    });
    this.host.setAttribute("aria-label", `Rows of ${sheet}`);
  }

  private page(query: Query, limit: number, offset: number, run: Running): Promise<Page> {
    return this.defaults.pages ? this.defaults.pages(query, limit, offset, run) : api.query(this.sheet, query, limit, offset, run);
  }

  /** Re-asks the server for the current view (filters, steps, search or grouping changed). */
  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const query = this.fetchQuery(this.state.query.sort);
    this.host.setAttribute("aria-busy", "true");
    this.host.classList.add("loading");
    let page: Page;
    try {
      page = await this.progress.run("query", (run) => this.page(query, BLOCK, 0, run));
    } catch (error) {
      if (generation !== this.generation) return;
      this.host.removeAttribute("aria-busy");
      this.host.classList.remove("loading");
      if (error instanceof Cancelled) this.callbacks.onCancelled();
      else this.callbacks.onError((error as Error).message);
      return;
    }
    if (generation !== this.generation) return;
    this.host.removeAttribute("aria-busy");
    this.host.classList.remove("loading");
    this.prefetched = { key: sortKey(this.state.query.sort), page };
    this.keepRowids(page);
    this.setColumns(page.columns);
    this.fit(page.rows);
    this.api.setGridOption("datasource", this.datasource(generation));
    this.callbacks.onPage(page);
  }

  /** Applies a state change to the grid (called by the sheet page for every change). */
  apply(next: ViewState, previous: ViewState, source: string): void {
    this.context.tz = next.tz;
    this.context.terms = searchTerms(next.query.search, next.query.where);
    const dataChanged = dataKey(next.query) !== dataKey(previous.query) || source === "load";
    if (dataChanged) {
      void this.refresh();
      return;
    }
    if (sortKey(next.query.sort) !== sortKey(previous.query.sort)) {
      if (source !== "grid") this.applySort(next.query.sort);
      if (this.lastRows.length) this.fit(this.lastRows); // room for the sort arrow in the sorted column's header
    }
    if (JSON.stringify(next.hidden) !== JSON.stringify(previous.hidden)) {
      this.applyHidden(next.hidden);
      if (this.lastRows.length) this.fit(this.lastRows);
    }
    if (next.tz !== previous.tz) this.api.refreshCells({ force: true });
  }

  total(): number {
    return this.lastTotal;
  }

  /** The names of the columns the user sees, in display order. */
  visibleColumns(): string[] {
    return (this.api.getAllDisplayedColumns() ?? []).map((c) => c.getColId());
  }

  pin(column: string, side: "left" | "right" | null): void {
    this.api.setColumnsPinned([column], side);
  }

  /** "Fit width" from the column menu: the user's choice, kept like a width set by hand. */
  autosize(column: string): void {
    this.api.autoSizeColumns([column]);
    this.sized.add(column);
    this.remember();
  }

  /** Scrolls a column into view and puts the keyboard focus on its first cell; columns pinned left (the time
   * column) stay where they are, beside it. */
  goTo(column: string): void {
    this.api.ensureColumnVisible(column, "start");
    const first = this.api.getFirstDisplayedRowIndex();
    this.api.setFocusedCell(first >= 0 ? first : 0, column);
  }

  /** The `__rowid` of a row the grid shows (null for groups). */
  rowidOf(row: unknown[]): number | null {
    return this.rowids.get(row) ?? null;
  }

  // ------------------------------------------------------------------------------------------ internals
  private keepRowids(page: Page): void {
    page.rowids.forEach((id, i) => this.rowids.set(page.rows[i], id));
  }

  private fetchQuery(sort: SortKey[]): Query {
    return { ...this.state.query, columns: [], sort };
  }

  private datasource(generation: number): IDatasource {
    return { getRows: (params) => void this.getRows(params, generation) };
  }

  private async getRows(params: IGetRowsParams, generation: number): Promise<void> {
    if (generation !== this.generation) {
      params.failCallback();
      return;
    }
    const sort: SortKey[] = params.sortModel.map((s) => ({ column: s.colId, descending: s.sort === "desc" }));
    const limit = params.endRow - params.startRow;
    const pre = this.prefetched;
    if (pre && params.startRow === 0 && pre.key === sortKey(sort) && pre.page.rows.length >= Math.min(limit, pre.page.total)) {
      this.prefetched = null;
      this.lastTotal = pre.page.total;
      params.successCallback(pre.page.rows, pre.page.total);
      return;
    }
    try {
      const page = await this.progress.run("query", (run) => this.page(this.fetchQuery(sort), limit, params.startRow, run));
      if (generation !== this.generation) {
        params.failCallback();
        return;
      }
      if (params.startRow === 0) this.setColumns(page.columns);
      this.keepRowids(page);
      this.lastTotal = page.total;
      params.successCallback(page.rows, page.total);
      this.callbacks.onPage(page);
    } catch (error) {
      params.failCallback();
      if (generation !== this.generation) return;
      if (error instanceof Cancelled) this.callbacks.onCancelled();
      else this.callbacks.onError((error as Error).message);
    }
  }

  private setColumns(columns: Column[]): void {
    const same = columns.length === this.columns.length && columns.every((c, i) => c.name === this.columns[i].name && c.type === this.columns[i].type);
    if (same) return;
    const before = new Set(this.columns.map((c) => c.name));
    const added = before.size ? columns.filter((c) => !before.has(c.name)).map((c) => c.name) : [];
    this.columns = columns;
    this.lastRows = []; // measured on the old columns
    const grouped = this.state.query.group !== null;
    const layout = loadLayout(this.sheet, grouped);
    const saved = new Map(layout.map((c) => [c.colId, c]));
    this.sized = new Set(layout.filter((c) => typeof c.width === "number").map((c) => c.colId));
    const index = new Map(columns.map((c, i) => [c.name, i]));
    const sort = this.state.query.sort;
    const time = grouped ? null : this.defaults.timeColumn;
    const names = columns.map((c) => c.name);
    const steps = this.state.query.steps;
    const base = grouped ? names : besideSource(preferred(names, [...(time ? [time] : []), ...this.defaults.columnOrder]), added, sourceOf(steps[steps.length - 1]));
    const defs: ColDef[] = ordered(base, layout).map((name) => {
      const i = index.get(name)!;
      const column = columns[i];
      const sortAt = sort.findIndex((s) => s.column === name);
      return {
        colId: name,
        headerName: name,
        valueGetter: (p) => (p.data ? (p.data as unknown[])[i] : undefined),
        cellRenderer: TextCell,
        cellRendererParams: { columnType: column.type, grouping: this.isAggregate(name) },
        headerComponentParams: { innerHeaderComponent: TypedHeaderLabel, innerHeaderComponentParams: { columnType: column.type } },
        width: saved.get(name)?.width ?? defaultWidth(column),
        pinned: saved.has(name) ? (saved.get(name)?.pinned ?? null) : name === time ? "left" : null,
        tooltipValueGetter: (p) => tooltipText(p.value, column.type, this.context.tz),
        hide: this.state.value.hidden.includes(name),
        sort: sortAt >= 0 ? (sort[sortAt].descending ? "desc" : "asc") : null,
        sortIndex: sortAt >= 0 ? sortAt : null,
        cellClass: column.type === "integer" || column.type === "float" ? "num" : undefined,
      } satisfies ColDef;
    });
    this.applying = true;
    try {
      this.api.setGridOption("columnDefs", defs);
    } finally {
      this.applying = false;
    }
    this.callbacks.onColumns(columns);
    // A step that made columns: show them (they may be off to the right of a wide sheet).
    if (added.length && added.length < columns.length) {
      if (!grouped) this.remember(); // their place beside the source, for the next reload
      this.api.ensureColumnVisible(added[0], "start");
    }
  }

  /** A column a group view computed (count, sum, …): its numbers are shown with thousands separators. */
  private isAggregate(name: string): boolean {
    const group = this.state.query.group;
    return group !== null && !group.keys.includes(name);
  }

  /** Sizes the displayed columns from their headers and `rows` (the view's first page), but for those sized by hand. */
  private fit(rows: unknown[][]): void {
    this.lastRows = rows;
    const index = new Map(this.columns.map((c, i) => [c.name, i]));
    const displayed = (this.api.getAllDisplayedColumns() ?? []).map((c) => c.getColId()).filter((n) => index.has(n));
    const measured = displayed.map((name) => {
      const i = index.get(name)!;
      const type = this.columns[i].type;
      const texts = rows.map((row) => cellText(row[i], type, this.context.tz, this.isAggregate(name)).replace(/\r\n|\r|\n/g, "⏎"));
      const sorted = this.state.query.sort.some((k) => k.column === name);
      return measure(name, type, TYPE_LABEL[type] ?? type, sorted, texts);
    });
    const fixed = new Map<string, number>();
    for (const name of this.sized) {
      const width = this.api.getColumn(name)?.getActualWidth();
      if (width !== undefined) fixed.set(name, width);
    }
    const widths = fitWidths(measured, fixed, this.host.clientWidth);
    const state = [...widths].filter(([name]) => !this.sized.has(name)).map(([colId, width]) => ({ colId, width }));
    if (!state.length) return;
    this.applying = true;
    try {
      this.api.applyColumnState({ state });
    } finally {
      this.applying = false;
    }
  }

  /** The grid changed size (the window, the side panel): the long-text column takes the new room. */
  private refitSoon(): void {
    if (this.refitting || !this.lastRows.length) return;
    this.refitting = true;
    requestAnimationFrame(() => {
      this.refitting = false;
      if (this.columns.length) this.fit(this.lastRows);
    });
  }

  private applySort(sort: SortKey[]): void {
    this.applying = true;
    try {
      this.api.applyColumnState({
        state: sort.map((s, i) => ({ colId: s.column, sort: s.descending ? "desc" : "asc", sortIndex: i })),
        defaultState: { sort: null },
      });
    } finally {
      this.applying = false;
    }
  }

  private applyHidden(hidden: string[]): void {
    const all = this.columns.map((c) => c.name);
    this.api.setColumnsVisible(
      all.filter((n) => !hidden.includes(n)),
      true,
    );
    this.api.setColumnsVisible(
      all.filter((n) => hidden.includes(n)),
      false,
    );
  }

  private sortFromGrid(): void {
    if (this.applying) return;
    const state = (this.api.getColumnState() as ColumnState[])
      .filter((c) => c.sort)
      .sort((a, b) => (a.sortIndex ?? 0) - (b.sortIndex ?? 0));
    const sort: SortKey[] = state.map((c) => ({ column: c.colId, descending: c.sort === "desc" }));
    if (sortKey(sort) === sortKey(this.state.query.sort)) return;
    this.state.update((d) => {
      d.query.sort = sort;
    }, "grid");
  }

  private remember(): void {
    saveLayout(this.sheet, this.state.query.group !== null, this.api.getColumnState(), this.sized);
  }

  private rowAt(rowIndex: number | null): unknown[] | null {
    if (rowIndex === null || rowIndex < 0) return null;
    const node = this.api.getDisplayedRowAtIndex(rowIndex);
    return (node?.data as unknown[] | undefined) ?? null;
  }

  private emitCell(colId: string | undefined, rowIndex: number | null, emit: (cell: CellInfo) => void): void {
    const row = this.rowAt(rowIndex);
    if (!row || !colId) return;
    const i = this.columns.findIndex((c) => c.name === colId);
    if (i < 0) return;
    emit({ column: colId, type: this.columns[i].type, value: row[i], row, rowIndex: rowIndex ?? 0 });
  }

  private contextMenu(e: CellContextMenuEvent): void {
    const mouse = e.event as MouseEvent | null;
    this.emitCell(e.colDef.colId, e.rowIndex, (cell) => this.callbacks.onCellMenu(cell, mouse?.clientX ?? 100, mouse?.clientY ?? 100));
  }

  private keyDown(e: CellKeyDownEvent | FullWidthCellKeyDownEvent): void {
    const key = e.event as KeyboardEvent | null;
    if (!key || !("colDef" in e)) return;
    const colId = e.colDef.colId;
    if ((key.ctrlKey || key.metaKey) && key.key.toLowerCase() === "c") {
      key.preventDefault();
      this.emitCell(colId, e.rowIndex, (cell) => this.callbacks.onCopy(cellCopyText(cell.value)));
    } else if (key.key === "Enter") {
      this.emitCell(colId, e.rowIndex, (cell) => this.callbacks.onCell(cell));
    } else if (key.key === "ContextMenu" || (key.key === "F10" && key.shiftKey)) {
      key.preventDefault();
      const target = key.target as HTMLElement;
      const rect = target.getBoundingClientRect();
      this.emitCell(colId, e.rowIndex, (cell) => this.callbacks.onCellMenu(cell, rect.left + 10, rect.bottom));
    }
  }
}

export function cellCopyText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** The whole value as plain text for the cell's title (shown by the browser, never as markup). */
function tooltipText(value: unknown, type: string, tz: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = cellText(value, type, tz);
  return text.length > TOOLTIP_CHARS ? `${text.slice(0, TOOLTIP_CHARS)}…` : text;
}

function defaultWidth(column: Column): number {
  switch (column.type) {
    case "timestamp":
      return 180;
    case "integer":
    case "float":
    case "boolean":
      return 110;
    case "json":
      return 260;
    default:
      return Math.min(320, Math.max(120, column.name.length * 9 + 60));
  }
}
