// The grid: AG Grid Community with its infinite row model, paged from POST /api/sheets/{name}/query.
//
// The view state (state.ts) is the source of truth for what is asked; the grid owns what the user does to it
// directly (header-click sort, column moves, resizes, pins), reports it back, and remembers the layout.

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
import { api, Cancelled } from "../api";
import type { Column, Page, Query, SortKey } from "../types";
import { TextCell, TypedHeaderLabel, type GridContext } from "./cells";
import { loadLayout, ordered, saveLayout } from "./layout";
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
  return JSON.stringify([q.steps, q.where, q.search, q.group]);
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

  constructor(host: HTMLElement, sheet: string, state: SheetState, progress: Progress, callbacks: GridCallbacks) {
    this.host = host;
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
      defaultColDef: { sortable: true, resizable: true, minWidth: 60 },
      suppressFieldDotNotation: true,
      preventDefaultOnContextMenu: true,
      enableCellTextSelection: false,
      ensureDomOrder: false,
      animateRows: false,
      rowHeight: 30,
      rowClassRules: { "row-loaded": (p) => !!p.data },
      headerHeight: 34,
      tooltipShowDelay: 400,
      onSortChanged: () => this.sortFromGrid(),
      onColumnMoved: (e) => e.finished && this.remember(),
      onColumnResized: (e) => e.finished && this.remember(),
      onColumnPinned: () => this.remember(),
      onCellClicked: (e) => this.emitCell(e.colDef.colId, e.rowIndex, (cell) => callbacks.onCell(cell)),
      onCellDoubleClicked: (e) => this.emitCell(e.colDef.colId, e.rowIndex, (cell) => callbacks.onCellDouble(cell)),
      onCellContextMenu: (e: CellContextMenuEvent) => this.contextMenu(e),
      onCellKeyDown: (e) => this.keyDown(e),
    });
    this.host.setAttribute("aria-label", `Rows of ${sheet}`);
  }

  /** Re-asks the server for the current view (filters, steps, search or grouping changed). */
  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const query = this.fetchQuery(this.state.query.sort);
    this.host.setAttribute("aria-busy", "true");
    this.host.classList.add("loading");
    let page: Page;
    try {
      page = await this.progress.run("query", (run) => api.query(this.sheet, query, BLOCK, 0, run));
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
    this.setColumns(page.columns);
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
    if (sortKey(next.query.sort) !== sortKey(previous.query.sort) && source !== "grid") this.applySort(next.query.sort);
    if (JSON.stringify(next.hidden) !== JSON.stringify(previous.hidden)) this.applyHidden(next.hidden);
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

  autosize(column: string): void {
    this.api.autoSizeColumns([column]);
  }

  /** Scrolls a column into view and puts the keyboard focus on its first cell. */
  goTo(column: string): void {
    this.api.ensureColumnVisible(column, "start");
    const first = this.api.getFirstDisplayedRowIndex();
    this.api.setFocusedCell(first >= 0 ? first : 0, column);
  }

  // ------------------------------------------------------------------------------------------ internals
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
      const page = await this.progress.run("query", (run) => api.query(this.sheet, this.fetchQuery(sort), limit, params.startRow, run));
      if (generation !== this.generation) {
        params.failCallback();
        return;
      }
      if (params.startRow === 0) this.setColumns(page.columns);
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
    const grouped = this.state.query.group !== null;
    const layout = loadLayout(this.sheet, grouped);
    const saved = new Map(layout.map((c) => [c.colId, c]));
    const index = new Map(columns.map((c, i) => [c.name, i]));
    const sort = this.state.query.sort;
    const defs: ColDef[] = ordered(
      columns.map((c) => c.name),
      layout,
    ).map((name) => {
      const i = index.get(name)!;
      const column = columns[i];
      const sortAt = sort.findIndex((s) => s.column === name);
      return {
        colId: name,
        headerName: name,
        valueGetter: (p) => (p.data ? (p.data as unknown[])[i] : undefined),
        cellRenderer: TextCell,
        cellRendererParams: { columnType: column.type },
        headerComponentParams: { innerHeaderComponent: TypedHeaderLabel, innerHeaderComponentParams: { columnType: column.type } },
        width: saved.get(name)?.width ?? defaultWidth(column),
        pinned: saved.get(name)?.pinned ?? null,
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
    if (added.length && added.length < columns.length) this.api.ensureColumnVisible(added[0], "start");
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
    saveLayout(this.sheet, this.state.query.group !== null, this.api.getColumnState());
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
