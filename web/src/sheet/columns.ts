// The column chooser: show or hide columns (kept in the view state, so in the URL), reset the layout.

import type { Column } from "../types";
import { openDialog } from "../ui/dialog";
import { h } from "../ui/dom";
import { TYPE_LABEL } from "./cells";

export interface ColumnChoices {
  apply(hidden: string[]): void;
  goTo(column: string): void;
  resetLayout(): void;
}

export function chooseColumns(columns: Column[], hidden: string[], actions: ColumnChoices): void {
  const d = openDialog("Columns");
  const filter = h("input", { type: "search", placeholder: "Find a column", "aria-label": "Find a column" });
  const list = h("ul", { class: "column-choices" });
  const boxes: Array<[Column, HTMLInputElement, HTMLElement]> = [];
  for (const c of columns) {
    const box = h("input", { type: "checkbox", checked: !hidden.includes(c.name), "aria-label": `Show ${c.name}` });
    const go = h("button", { type: "button", class: "small", "aria-label": `Go to ${c.name}`, disabled: hidden.includes(c.name) }, "Go to");
    go.addEventListener("click", () => {
      d.close();
      actions.goTo(c.name);
    });
    const item = h(
      "li",
      { class: "column-choice" },
      h("label", { class: "check" }, box, h("span", {}, c.name), h("span", { class: "type-badge" }, TYPE_LABEL[c.type] ?? c.type)),
      go,
    );
    boxes.push([c, box, item]);
    list.appendChild(item);
  }
  filter.addEventListener("input", () => {
    const q = filter.value.toLowerCase();
    for (const [c, , item] of boxes) item.hidden = !!q && !c.name.toLowerCase().includes(q);
  });
  const all = h("button", { type: "button", class: "small" }, "Show all");
  all.addEventListener("click", () => boxes.forEach(([, b]) => (b.checked = true)));
  const reset = h("button", { type: "button", class: "small" }, "Reset widths and order");
  reset.addEventListener("click", () => {
    actions.resetLayout();
    d.close();
  });
  const ok = h("button", { type: "button", class: "primary" }, "Apply");
  ok.addEventListener("click", () => {
    actions.apply(boxes.filter(([, b]) => !b.checked).map(([c]) => c.name));
    d.close();
  });
  d.body.append(filter, h("div", { class: "scroll-box" }, list), h("div", { class: "panel-actions" }, all, reset));
  d.footer.append(ok);
  filter.focus();
}
