// The cell detail: the whole value of a cell, pretty-printed when it is JSON, with copy and filter actions.

import { h, replaceChildren } from "../ui/dom";
import { cellText, prettyJson } from "./format";
import type { CellInfo } from "./grid";

export interface DetailActions {
  copy(text: string): void;
  filterTo(column: string, value: unknown, exclude: boolean): void;
}

export class CellDetail {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;

  constructor(private readonly actions: DetailActions) {
    this.body = h("div", { class: "detail-body" }, h("p", { class: "muted" }, "Click a cell (or press Enter on it) to see its whole value here."));
    this.el = h("section", { class: "panel detail-panel", "aria-label": "Cell detail" }, this.body);
  }

  show(cell: CellInfo, tz: string, grouped: boolean): void {
    const pretty = prettyJson(cell.value);
    const text = pretty ?? cellText(cell.value, cell.type, tz);
    const raw = cell.value === null || cell.value === undefined ? "" : typeof cell.value === "object" ? JSON.stringify(cell.value) : String(cell.value);
    const copy = h("button", { type: "button", class: "small" }, "Copy");
    copy.addEventListener("click", () => this.actions.copy(raw));
    const only = h("button", { type: "button", class: "small", disabled: grouped }, "Filter to this value");
    only.addEventListener("click", () => this.actions.filterTo(cell.column, cell.value, false));
    const exclude = h("button", { type: "button", class: "small", disabled: grouped }, "Exclude this value");
    exclude.addEventListener("click", () => this.actions.filterTo(cell.column, cell.value, true));
    replaceChildren(
      this.body,
      h("div", { class: "detail-head" }, h("strong", { class: "detail-column" }, cell.column), h("span", { class: "type-badge" }, cell.type), h("span", { class: "muted" }, ` row ${cell.rowIndex + 1}`)),
      cell.value === null || cell.value === undefined ? h("p", { class: "muted" }, "(blank)") : h("pre", { class: pretty ? "detail-value json" : "detail-value" }, text),
      cell.type === "timestamp" && typeof cell.value === "string" ? h("p", { class: "muted small-print" }, `stored as ${cell.value}`) : null,
      h("div", { class: "panel-actions" }, copy, only, exclude),
    );
  }
}
