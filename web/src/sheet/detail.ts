// The cell detail: the whole value of a cell, pretty-printed when it is JSON, with copy and filter actions.
// It follows its row by the row id: when the view changes, the row is looked up in the new view's pages (its
// row number and value follow); when the row is not among them the detail says so, with one click to clear.

import type { Page } from "../types";
import { h, replaceChildren } from "../ui/dom";
import { cellText, prettyJson } from "./format";
import type { CellInfo } from "./grid";

export interface DetailActions {
  copy(text: string): void;
  filterTo(column: string, value: unknown, exclude: boolean): void;
}

const EMPTY = "Click a cell (or press Enter on it) to see its whole value here.";

export class CellDetail {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private current: { cell: CellInfo; rowid: number | null; tz: string; grouped: boolean } | null = null;
  private checking = false; // the view changed: the next first page says whether the row is still in it

  constructor(private readonly actions: DetailActions) {
    this.body = h("div", { class: "detail-body" }, h("p", { class: "muted" }, EMPTY));
    this.el = h("section", { class: "panel detail-panel", "aria-label": "Cell detail" }, this.body);
  }

  /** `rowid`: the row's id in the sheet (null in a group view, whose rows are groups). */
  show(cell: CellInfo, tz: string, grouped: boolean, rowid: number | null = null): void {
    this.current = { cell, rowid, tz, grouped };
    this.checking = false;
    this.render(false);
  }

  /** The view's rows changed (filter, search, steps, sort, group): find the row again in the pages to come. */
  viewChanged(tz: string): void {
    if (!this.current) return;
    this.current.tz = tz;
    this.checking = true;
  }

  /** A page of the view arrived: follow the row when it is there; mark the detail when the first page of a
   * changed view does not hold it. */
  page(page: Page, grouped: boolean): void {
    const c = this.current;
    if (!c) return;
    // Parts of one row (split to rows, explode) share its id: the part at the same place is the one shown.
    const same = c.cell.rowIndex - page.offset;
    const here = c.rowid !== null && grouped === c.grouped && page.rowids[same] === c.rowid;
    const at = here ? same : c.rowid === null || grouped !== c.grouped ? -1 : page.rowids.indexOf(c.rowid);
    const column = page.columns.findIndex((col) => col.name === c.cell.column);
    if (at >= 0 && column >= 0) {
      const row = page.rows[at];
      c.cell = { ...c.cell, type: page.columns[column].type, value: row[column], row, rowIndex: page.offset + at };
      this.checking = false;
      this.render(false);
    } else if (this.checking && page.offset === 0) {
      this.render(true);
    }
  }

  /** The display time zone changed: show the same value in it. */
  setTimeZone(tz: string): void {
    if (!this.current) return;
    this.current.tz = tz;
    this.render(this.el.classList.contains("stale"));
  }

  clear(): void {
    this.current = null;
    this.checking = false;
    replaceChildren(this.body, h("p", { class: "muted" }, EMPTY));
  }

  private render(stale: boolean): void {
    const { cell, tz, grouped } = this.current!;
    const pretty = prettyJson(cell.value);
    const text = pretty ?? cellText(cell.value, cell.type, tz);
    const raw = cell.value === null || cell.value === undefined ? "" : typeof cell.value === "object" ? JSON.stringify(cell.value) : String(cell.value);
    const copy = h("button", { type: "button", class: "small" }, "Copy");
    copy.addEventListener("click", () => this.actions.copy(raw));
    const only = h("button", { type: "button", class: "small", disabled: grouped || stale }, "Filter to this value");
    only.addEventListener("click", () => this.actions.filterTo(cell.column, cell.value, false));
    const exclude = h("button", { type: "button", class: "small", disabled: grouped || stale }, "Exclude this value");
    exclude.addEventListener("click", () => this.actions.filterTo(cell.column, cell.value, true));
    let notice: HTMLElement | null = null;
    if (stale) {
      const clear = h("button", { type: "button", class: "small" }, "Clear");
      clear.addEventListener("click", () => this.clear());
      notice = h(
        "p",
        { class: "stale-notice", role: "status", "data-testid": "detail-stale" },
        `Out of date: this ${grouped ? "group" : "row"} is not in the first rows of the current view. `,
        clear,
      );
    }
    this.el.classList.toggle("stale", stale);
    replaceChildren(
      this.body,
      notice,
      h(
        "div",
        { class: "detail-head" },
        h("strong", { class: "detail-column" }, cell.column),
        h("span", { class: "type-badge" }, cell.type),
        h("span", { class: "muted detail-row" }, stale ? ` was row ${cell.rowIndex + 1}` : ` row ${cell.rowIndex + 1}`),
      ),
      cell.value === null || cell.value === undefined ? h("p", { class: "muted" }, "(blank)") : h("pre", { class: pretty ? "detail-value json" : "detail-value" }, text),
      cell.type === "timestamp" && typeof cell.value === "string" ? h("p", { class: "muted small-print" }, `stored as ${cell.value}`) : null,
      h("div", { class: "panel-actions" }, copy, only, exclude),
    );
  }
}
