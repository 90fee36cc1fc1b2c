// The context of one event: the ±N events around it in time in the same sheet (computed by the server,
// GET /api/sheets/{name}/rows/{rowid}/context), the event itself marked. A row opens as a document.

import type { EventContext } from "../types";
import { h } from "../ui/dom";
import { cellText } from "../sheet/format";

const SHOWN_COLUMNS = 7;

/** The columns the table shows: the order column, then the format's preferred ones, then the others. */
export function contextColumns(context: EventContext, columnOrder: string[]): number[] {
  const names = context.columns.map((c) => c.name);
  const wanted = [context.order_by, ...columnOrder, ...names];
  const out: number[] = [];
  for (const name of wanted) {
    const i = names.indexOf(name);
    if (i >= 0 && !out.includes(i) && context.columns[i].type !== "json") out.push(i);
    if (out.length === SHOWN_COLUMNS) break;
  }
  return out;
}

export function contextTable(context: EventContext, columnOrder: string[], tz: string, open: (rowid: number) => void): HTMLElement {
  const shown = contextColumns(context, columnOrder);
  const head = h("tr", {}, h("th", { scope: "col" }, "at"), ...shown.map((i) => h("th", { scope: "col" }, context.columns[i].name)));
  const body = h("tbody");
  context.rows.forEach((row, r) => {
    const rowid = context.rowids[r];
    const at = r - context.index;
    const isEvent = r === context.index;
    const openButton = h("button", { type: "button", class: "small", "aria-label": `Open row ${rowid} as a document` }, isEvent ? "this event" : at > 0 ? `+${at}` : String(at));
    openButton.addEventListener("click", () => open(rowid));
    body.appendChild(
      h(
        "tr",
        { class: isEvent ? "context-row context-event" : "context-row", "data-rowid": rowid, "aria-current": isEvent ? "true" : null },
        h("td", {}, openButton),
        ...shown.map((i) => h("td", { class: context.columns[i].type === "timestamp" ? "nowrap" : "" }, cellText(row[i], context.columns[i].type, tz))),
      ),
    );
  });
  return h("div", { class: "context-scroll" }, h("table", { class: "context-table", "aria-label": "Events around it in time" }, h("thead", {}, head), body));
}

export function contextSummary(context: EventContext, asked: number): string {
  const order = context.order_by === "__rowid" ? "in row order (this sheet has no time column)" : `in time order (${context.order_by}, ties by row)`;
  const short = context.before < asked || context.after < asked ? " — the sheet ends there" : "";
  return `${context.before} before and ${context.after} after row ${context.rowid}, ${order}${short}`;
}
