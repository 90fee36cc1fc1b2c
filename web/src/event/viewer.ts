// One event, whole: a dialog over the sheet with two screens, the event as a document and its context (the
// events around it in time). Back goes to the previous screen, and from the first one to the sheet, whose
// view is untouched (the dialog never changes it, except through "Filter to this" / "Exclude this").

import { api } from "../api";
import type { Predicate } from "../types";
import { openDialog } from "../ui/dialog";
import { h, replaceChildren } from "../ui/dom";
import { contextSummary, contextTable } from "./context";
import { documentTree, eventObject } from "./document";

export const DEFAULT_CONTEXT = 10;

export interface EventHost {
  sheet: string;
  columnOrder: string[];
  tz(): string;
  /** AND a condition into the sheet's view (the dialog closes). */
  filter(where: Predicate): void;
  copy(text: string): void;
}

type Screen = { kind: "document"; rowid: number } | { kind: "context"; rowid: number };

export function openEvent(host: EventHost, rowid: number, first: Screen["kind"] = "document"): void {
  const d = openDialog("Event", { wide: true, label: "Event" });
  d.dialog.classList.add("event-dialog");
  const title = d.dialog.querySelector("h2")!;
  const stack: Screen[] = [];
  let around = DEFAULT_CONTEXT;
  let generation = 0;

  const back = h("button", { type: "button" }, "Back");
  back.addEventListener("click", () => {
    stack.pop();
    if (!stack.length) d.close();
    else void show(stack[stack.length - 1]);
  });
  const filter = (where: Predicate) => {
    d.close();
    host.filter(where);
  };

  const go = (screen: Screen) => {
    stack.push(screen);
    void show(screen);
  };

  async function show(screen: Screen): Promise<void> {
    const mine = ++generation;
    d.error.clear();
    back.textContent = stack.length > 1 ? (stack[stack.length - 2].kind === "context" ? "Back to the context" : "Back to the event") : "Back to the sheet";
    replaceChildren(d.body, h("p", { class: "muted" }, "Loading…"));
    replaceChildren(d.footer, back);
    try {
      if (screen.kind === "document") {
        const found = await api.context(host.sheet, screen.rowid, 0, 0);
        if (mine !== generation) return;
        const row = found.rows[found.index];
        title.textContent = `Event · row ${screen.rowid}`;
        const copy = h("button", { type: "button" }, "Copy as JSON");
        copy.addEventListener("click", () => {
          host.copy(JSON.stringify(eventObject(found.columns, row), null, 2));
          copy.textContent = "Copied"; // the page's toast is under the dialog
          setTimeout(() => (copy.textContent = "Copy as JSON"), 1500);
        });
        const context = h("button", { type: "button", class: "primary" }, `Events around it (±${around})`);
        context.addEventListener("click", () => go({ kind: "context", rowid: screen.rowid }));
        replaceChildren(d.body, h("div", { class: "doc-scroll" }, documentTree(found.columns, row, host.columnOrder, host.tz(), { filter, copy: host.copy })));
        replaceChildren(d.footer, back, h("span", { class: "spacer" }), copy, context);
      } else {
        const found = await api.context(host.sheet, screen.rowid, around, around);
        if (mine !== generation) return;
        title.textContent = `Around row ${screen.rowid}`;
        const count = h("input", { type: "number", min: 0, max: 1000, value: around, class: "context-count", "aria-label": "Events before and after" });
        const apply = h("button", { type: "button", class: "small" }, "Show");
        const reload = () => {
          const n = Math.trunc(Number(count.value));
          if (!Number.isFinite(n) || n < 0 || n > 1000) {
            d.error.show("Show 0 to 1000 events before and after.");
            return;
          }
          around = n;
          void show(screen);
        };
        apply.addEventListener("click", reload);
        count.addEventListener("keydown", (e) => {
          if (e.key === "Enter") reload();
        });
        const open = (id: number) => go({ kind: "document", rowid: id });
        replaceChildren(
          d.body,
          h("div", { class: "context-head" }, h("label", { class: "field inline" }, h("span", {}, "± events"), count), apply, h("span", { class: "muted context-summary" }, contextSummary(found, around))),
          contextTable(found, host.columnOrder, host.tz(), open),
        );
        d.dialog.querySelector(".context-event")?.scrollIntoView({ block: "center" });
      }
    } catch (error) {
      if (mine !== generation) return;
      replaceChildren(d.body);
      d.error.show(error instanceof Error ? error.message : String(error));
    }
  }

  go({ kind: first, rowid });
}
