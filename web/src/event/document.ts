// The document view of one event: every field, nested JSON as a collapsible tree, and from any key or value
// "Filter to this" / "Exclude this" (the IR condition on its JSON path) and "Copy as JSON". Every value is
// put in the page as text (h() makes text nodes): log data is attacker-controlled.

import type { Column, Predicate } from "../types";
import { h } from "../ui/dom";
import { cellText } from "../sheet/format";
import { childPath, conditionAt, isContainer, itemPath, parseJson, type Json } from "./paths";

export interface DocumentActions {
  filter(where: Predicate): void;
  copy(text: string): void;
}

/** The event as a JSON object: JSON columns as their nested values, the others as the API gave them. */
export function eventObject(columns: Column[], row: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  columns.forEach((c, i) => {
    const parsed = c.type === "json" ? parseJson(row[i]) : undefined;
    out[c.name] = parsed === undefined ? row[i] : parsed;
  });
  return out;
}

/** The places of the columns, the preferred ones (time, the format's order) first, then the others in order. */
export function fieldOrder(columns: Column[], preferred: string[]): number[] {
  const names = columns.map((c) => c.name);
  const first = preferred.map((n) => names.indexOf(n)).filter((i, k, all) => i >= 0 && all.indexOf(i) === k);
  return [...first, ...names.map((_, i) => i).filter((i) => !first.includes(i))];
}

/** The tree of one event's fields: every column, the preferred ones first. */
export function documentTree(columns: Column[], row: unknown[], preferred: string[], tz: string, actions: DocumentActions): HTMLElement {
  const list = h("ul", { class: "doc-tree", role: "tree", "aria-label": "Event fields" });
  for (const i of fieldOrder(columns, preferred)) {
    const column = columns[i];
    const raw = row[i];
    const parsed = column.type === "json" ? parseJson(raw) : undefined;
    if (parsed !== undefined) {
      list.appendChild(entry(column.name, column.name, parsed, 1, actions, column.type));
    } else {
      const text = raw === null || raw === undefined ? null : cellText(raw, column.type, tz);
      list.appendChild(scalarEntry(column.name, column.name, raw as Json, text, 1, actions, column.type));
    }
  }
  return list;
}

function entry(label: string, path: string | null, value: Json, level: number, actions: DocumentActions, type = ""): HTMLElement {
  if (!isContainer(value)) return scalarEntry(label, path, value, value === null ? null : String(value), level, actions, type);
  const size = Array.isArray(value) ? value.length : Object.keys(value).length;
  const summary = Array.isArray(value) ? `[${size} ${size === 1 ? "item" : "items"}]` : `{${size} ${size === 1 ? "key" : "keys"}}`;
  const toggle = h("button", { type: "button", class: "doc-toggle", "aria-expanded": "false", "aria-label": `Expand ${path ?? label}` }, "▸");
  const children = h("ul", { class: "doc-children", role: "group", hidden: true });
  let built = false;
  const item = h(
    "li",
    { class: "doc-entry doc-branch", role: "treeitem", "aria-expanded": "false", "data-path": path ?? "", "aria-level": level },
    h("div", { class: "doc-line" }, toggle, h("span", { class: "doc-key" }, label), h("span", { class: "doc-summary muted" }, summary), type ? h("span", { class: "type-badge" }, type) : null, ...filterButtons(path, value, actions)),
    children,
  );
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    if (open && !built) {
      built = true;
      if (Array.isArray(value)) value.forEach((v, i) => children.appendChild(entry(`[${i}]`, itemPath(path, i), v, level + 1, actions)));
      else for (const [k, v] of Object.entries(value)) children.appendChild(entry(k, childPath(path, k), v, level + 1, actions));
      if (size === 0) children.appendChild(h("li", { class: "doc-entry muted" }, Array.isArray(value) ? "(no items)" : "(no keys)"));
    }
    children.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    toggle.setAttribute("aria-label", `${open ? "Collapse" : "Expand"} ${path ?? label}`);
    toggle.textContent = open ? "▾" : "▸";
    item.setAttribute("aria-expanded", String(open));
  });
  return item;
}

function scalarEntry(label: string, path: string | null, value: Json, text: string | null, level: number, actions: DocumentActions, type: string): HTMLElement {
  const shown = text === null ? h("span", { class: "doc-value doc-blank muted" }, "(blank)") : h("span", { class: `doc-value doc-${typeof value}` }, text);
  return h(
    "li",
    { class: "doc-entry doc-leaf", role: "treeitem", "data-path": path ?? "", "aria-level": level },
    h("div", { class: "doc-line" }, h("span", { class: "doc-toggle-space" }), h("span", { class: "doc-key" }, label), shown, type ? h("span", { class: "type-badge" }, type) : null, ...filterButtons(path, value, actions)),
  );
}

function filterButtons(path: string | null, value: Json, actions: DocumentActions): HTMLElement[] {
  if (path === null) return [h("span", { class: "doc-actions doc-nofilter muted", title: "The filter language cannot name this key (it holds . [ ] or only digits)" }, "—")];
  const make = (exclude: boolean) => {
    const label = exclude ? "Exclude this" : "Filter to this";
    const button = h("button", { type: "button", class: "small doc-filter", "aria-label": `${label}: ${path}`, title: `${label} (${path})` }, exclude ? "≠" : "=");
    button.addEventListener("click", () => actions.filter(conditionAt(path, value, exclude)));
    return button;
  };
  return [h("span", { class: "doc-actions" }, make(false), make(true))];
}
