// The view state of a sheet (the IR query plus display choices), its undo/redo history and its URL.
//
// The URL carries everything needed to reopen the view: `?q=` the IR query (logsheet.ir JSON), `hide=` the
// hidden columns, `tz=` the display time zone, `chart=` the chart type, `finding=` the finding the view is
// narrowed to (findings/panel.ts; not part of the IR, so not in `q=`). Column widths, order and pinning live in
// localStorage per sheet (layout.ts). A URL without `q=` opens a sheet with a time column sorted by it.

import { emptyQuery, type Query, type SortKey } from "../types";

export type ChartKind = "bar" | "line" | "pie";

export interface ViewState {
  query: Query;
  hidden: string[];
  tz: string;
  chart: ChartKind | null;
}

/** Where a change came from: listeners skip work they already did (the grid sorted itself, say). */
export type Source = "user" | "grid" | "history" | "load";

type Listener = (state: ViewState, previous: ViewState, source: Source) => void;

const HISTORY_LIMIT = 200;

export class SheetState {
  readonly sheet: string;
  private current: ViewState;
  private undoStack: string[] = [];
  private redoStack: string[] = [];
  private listeners: Listener[] = [];

  /** ``timeColumn``: the sheet's time column, whose oldest-first order is the view a bare address opens. */
  constructor(
    sheet: string,
    initial: ViewState,
    private readonly timeColumn: string | null = null,
    private readonly path: string | null = null, // the page's address (default: the sheet's, /sheets/{name})
  ) {
    this.sheet = sheet;
    this.current = initial;
  }

  get value(): ViewState {
    return this.current;
  }

  get query(): Query {
    return this.current.query;
  }

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Applies a change as one undoable step. */
  update(change: (draft: ViewState) => void, source: Source = "user"): void {
    const before = JSON.stringify(this.current);
    const draft = JSON.parse(before) as ViewState;
    change(draft);
    if (JSON.stringify(draft) === before) return;
    this.undoStack.push(before);
    if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift();
    this.redoStack = [];
    this.set(draft, source);
  }

  canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  undo(): void {
    const previous = this.undoStack.pop();
    if (previous === undefined) return;
    this.redoStack.push(JSON.stringify(this.current));
    this.set(JSON.parse(previous), "history");
  }

  redo(): void {
    const next = this.redoStack.pop();
    if (next === undefined) return;
    this.undoStack.push(JSON.stringify(this.current));
    this.set(JSON.parse(next), "history");
  }

  private set(next: ViewState, source: Source): void {
    const previous = this.current;
    this.current = next;
    writeUrl(this.path ?? `/sheets/${encodeURIComponent(this.sheet)}`, next, this.timeColumn);
    for (const listener of this.listeners) listener(next, previous, source);
  }
}

// ------------------------------------------------------------------------------------------------ the URL
export function readUrl(search: string): ViewState {
  const params = new URLSearchParams(search);
  let query = emptyQuery();
  const q = params.get("q");
  if (q) {
    try {
      query = { ...emptyQuery(), ...(JSON.parse(q) as Partial<Query>), version: 1 };
    } catch {
      query = emptyQuery();
    }
  }
  delete query.finding;
  const finding = params.get("finding");
  if (finding) query.finding = finding;
  let hidden: string[] = [];
  try {
    const parsed = JSON.parse(params.get("hide") ?? "[]");
    if (Array.isArray(parsed)) hidden = parsed.map(String);
  } catch {
    hidden = [];
  }
  const chart = params.get("chart");
  return {
    query,
    hidden,
    tz: params.get("tz") || localStorage.getItem("logsheet:tz") || "UTC",
    chart: chart === "bar" || chart === "line" || chart === "pie" ? chart : null,
  };
}

/** The view a sheet opens with: the URL's, or, when the URL names no view, the rows in time order (oldest
 * first; one click on the column's header for newest first). */
export function openingState(search: string, timeColumn: string | null): ViewState {
  const state = readUrl(search);
  if (timeColumn && !new URLSearchParams(search).has("q")) state.query.sort = defaultSort(timeColumn);
  return state;
}

export function defaultSort(timeColumn: string | null): SortKey[] {
  return timeColumn ? [{ column: timeColumn, descending: false }] : [];
}

/** The address of a view. The view a bare address opens (``openingState``: nothing but the time order) is
 * written as no ``q`` at all; every other view, a sheet in file order included, is written out whole. */
export function viewSearch(state: ViewState, timeColumn: string | null = null): string {
  const params = new URLSearchParams();
  const { finding, ...q } = state.query;
  const first = defaultSort(timeColumn);
  const opening =
    q.sort.length === first.length && q.sort.every((s, i) => s.column === first[i].column && !!s.descending === first[i].descending);
  const trivial = !q.steps.length && !q.where && !q.search && opening && !q.group && !q.columns.length;
  if (!trivial) params.set("q", JSON.stringify(q));
  if (finding) params.set("finding", finding);
  if (state.hidden.length) params.set("hide", JSON.stringify(state.hidden));
  if (state.tz !== "UTC") params.set("tz", state.tz);
  if (state.chart) params.set("chart", state.chart);
  const text = params.toString();
  return text ? `?${text}` : "";
}

function writeUrl(page: string, state: ViewState, timeColumn: string | null): void {
  const path = `${page}${viewSearch(state, timeColumn)}`;
  if (path !== window.location.pathname + window.location.search) history.replaceState(null, "", path);
  localStorage.setItem("logsheet:tz", state.tz);
}
