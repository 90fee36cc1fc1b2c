// Keyboard shortcuts: / search, f filter, Ctrl+Z undo, Ctrl+Shift+Z or Ctrl+Y redo, ? the list.

import { openDialog } from "./ui/dialog";
import { h } from "./ui/dom";

export interface Shortcuts {
  search(): void;
  filter(): void;
  undo(): void;
  redo(): void;
}

let active: Shortcuts | null = null;
let installed = false;

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
}

export function setShortcuts(shortcuts: Shortcuts | null): void {
  active = shortcuts;
  if (installed) return;
  installed = true;
  document.addEventListener("keydown", (e) => {
    if (!active || e.defaultPrevented || document.querySelector("dialog[open]")) return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && !e.altKey && e.key.toLowerCase() === "z" && !typing(e.target)) {
      e.preventDefault();
      if (e.shiftKey) active.redo();
      else active.undo();
      return;
    }
    if (mod && e.key.toLowerCase() === "y" && !typing(e.target)) {
      e.preventDefault();
      active.redo();
      return;
    }
    if (mod || e.altKey || typing(e.target)) return;
    if (e.key === "/") {
      e.preventDefault();
      active.search();
    } else if (e.key === "f") {
      e.preventDefault();
      active.filter();
    } else if (e.key === "?") {
      e.preventDefault();
      help();
    }
  });
}

function help(): void {
  const d = openDialog("Keyboard shortcuts");
  const rows: Array<[string, string]> = [
    ["/", "search all columns"],
    ["f", "edit the filter"],
    ["Ctrl+Z", "undo the last change to the view"],
    ["Ctrl+Shift+Z, Ctrl+Y", "redo"],
    ["Arrow keys", "move between cells"],
    ["Enter", "show the cell's whole value"],
    ["Ctrl+C", "copy the cell"],
    ["Shift+F10", "the cell's menu (filter to / exclude this value)"],
    ["?", "this list"],
  ];
  d.body.appendChild(h("table", { class: "data-table" }, h("tbody", {}, ...rows.map(([k, v]) => h("tr", {}, h("th", { scope: "row" }, h("kbd", {}, k)), h("td", {}, v))))));
}
