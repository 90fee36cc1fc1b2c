// What the grid draws inside cells and headers, always as text nodes: a cell renderer that marks search
// matches (text split around <mark>, never markup from values) and a header label with the column's type.

import type { ICellRendererComp, ICellRendererParams, IHeaderParams } from "ag-grid-community";
import { h, highlighted, replaceChildren } from "../ui/dom";
import type { ColumnType } from "../types";
import { cellText } from "./format";

/** Shared by every cell and header of one grid; the grid refreshes cells when it changes. */
export interface GridContext {
  tz: string;
  terms: string[];
  onColumnMenu: (column: string, anchor: HTMLElement) => void;
}

export interface CellParams extends ICellRendererParams {
  columnType: ColumnType;
  grouping?: boolean;
}

const MAX_CELL_CHARS = 2000; // the detail panel shows the whole value

export class TextCell implements ICellRendererComp {
  private el: HTMLElement = document.createElement("span");

  init(params: CellParams): void {
    this.el.className = "cell-text";
    this.render(params);
  }

  getGui(): HTMLElement {
    return this.el;
  }

  refresh(params: CellParams): boolean {
    this.render(params);
    return true;
  }

  private render(params: CellParams): void {
    const context = params.context as GridContext;
    if (params.value === undefined && !params.data) {
      replaceChildren(this.el);
      this.el.removeAttribute("data-drawn");
      return;
    }
    let text = cellText(params.value, params.columnType, context.tz, params.grouping === true);
    if (text.length > MAX_CELL_CHARS) text = `${text.slice(0, MAX_CELL_CHARS)}…`;
    // One line per cell: line breaks in log values are shown as ⏎ (the detail panel shows them as they are).
    text = text.replace(/\r\n|\r|\n/g, "⏎");
    replaceChildren(this.el, highlighted(text, context.terms));
    if (params.value === null) this.el.classList.add("null");
    else this.el.classList.remove("null");
    this.el.setAttribute("data-drawn", ""); // the row's value is in (tests wait for it; a blank value is drawn too)
  }
}

export interface HeaderParams extends IHeaderParams {
  columnType: ColumnType;
}

export const TYPE_LABEL: Record<string, string> = {
  text: "abc",
  integer: "123",
  float: "1.2",
  boolean: "t/f",
  timestamp: "time",
  date: "date",
  json: "{ }",
};

/** The label inside AG Grid's header (which keeps sorting, ARIA and resizing): name, type, menu button. */
export class TypedHeaderLabel {
  private el: HTMLElement = document.createElement("span");

  init(params: HeaderParams): void {
    const name = params.column.getColId();
    const type = params.columnType;
    const menu = h("button", { type: "button", class: "header-menu", "aria-label": `Column menu for ${name}`, title: "Column menu" }, "⋮");
    for (const kind of ["mousedown", "pointerdown", "click", "touchstart"]) menu.addEventListener(kind, (e) => e.stopPropagation());
    menu.addEventListener("click", () => (params.context as GridContext).onColumnMenu(name, menu));
    params.eGridHeader.addEventListener("contextmenu", (event) => {
      event.preventDefault();
      (params.context as GridContext).onColumnMenu(name, menu);
    });
    params.eGridHeader.addEventListener("keydown", (event) => {
      if ((event.key === "F10" && event.shiftKey) || event.key === "ContextMenu") {
        event.preventDefault();
        (params.context as GridContext).onColumnMenu(name, menu);
      }
    });
    this.el.className = "header-label";
    this.el.append(
      h("span", { class: "header-name", title: `${params.displayName} (${type})` }, params.displayName),
      h("span", { class: `type-badge type-${TYPE_LABEL[type] ? type : "other"}`, title: `type: ${type}` }, TYPE_LABEL[type] ?? type),
      menu,
    );
  }

  getGui(): HTMLElement {
    return this.el;
  }

  refresh(): boolean {
    return false;
  }
}
