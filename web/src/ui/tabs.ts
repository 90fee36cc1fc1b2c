// Accessible tabs (tablist / tab / tabpanel) for the side panel.

import { h } from "./dom";

export interface Tabs {
  el: HTMLElement;
  select(id: string): void;
}

export function tabs(label: string, items: Array<{ id: string; title: string; panel: HTMLElement }>): Tabs {
  const list = h("div", { role: "tablist", "aria-label": label, class: "tablist" });
  const panels = h("div", { class: "tabpanels" });
  const buttons = new Map<string, HTMLButtonElement>();
  const select = (id: string) => {
    for (const item of items) {
      const on = item.id === id;
      const b = buttons.get(item.id)!;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
      item.panel.hidden = !on;
    }
  };
  for (const item of items) {
    const b = h("button", { type: "button", role: "tab", id: `tab-${item.id}`, "aria-controls": `panel-${item.id}`, class: "tab" }, item.title);
    b.addEventListener("click", () => select(item.id));
    b.addEventListener("keydown", (e) => {
      const at = items.findIndex((i) => i.id === item.id);
      if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
        const next = items[(at + (e.key === "ArrowRight" ? 1 : items.length - 1)) % items.length];
        select(next.id);
        buttons.get(next.id)!.focus();
      }
    });
    buttons.set(item.id, b);
    list.appendChild(b);
    item.panel.id = `panel-${item.id}`;
    item.panel.setAttribute("role", "tabpanel");
    item.panel.setAttribute("aria-labelledby", `tab-${item.id}`);
    panels.appendChild(item.panel);
  }
  select(items[0].id);
  return { el: h("div", { class: "tabs" }, list, panels), select };
}
