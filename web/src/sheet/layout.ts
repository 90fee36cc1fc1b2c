// Column widths, order and pinning, remembered per sheet (and per grouped/ungrouped view) in localStorage.

import type { ColumnState } from "ag-grid-community";

export interface SavedColumn {
  colId: string;
  width?: number;
  pinned?: "left" | "right" | null;
}

function key(sheet: string, grouped: boolean): string {
  return `logsheet:layout:${grouped ? "group:" : ""}${sheet}`;
}

export function loadLayout(sheet: string, grouped: boolean): SavedColumn[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(key(sheet, grouped)) ?? "[]");
    return Array.isArray(parsed) ? (parsed as SavedColumn[]) : [];
  } catch {
    return [];
  }
}

export function saveLayout(sheet: string, grouped: boolean, state: ColumnState[]): void {
  const layout: SavedColumn[] = state.map((c) => ({ colId: c.colId, width: c.width ?? undefined, pinned: (c.pinned as SavedColumn["pinned"]) ?? null }));
  try {
    localStorage.setItem(key(sheet, grouped), JSON.stringify(layout));
  } catch {
    // storage full or disabled: the layout is a convenience
  }
}

export function forgetLayout(sheet: string): void {
  localStorage.removeItem(key(sheet, false));
  localStorage.removeItem(key(sheet, true));
}

/** Orders `names` as the saved layout does; a column the layout does not know (a step just made it) goes right
 * after the column before it in the server's order. */
export function ordered(names: string[], layout: SavedColumn[]): string[] {
  const position = new Map(layout.map((c, i) => [c.colId, i]));
  const result = names.filter((n) => position.has(n)).sort((a, b) => position.get(a)! - position.get(b)!);
  names.forEach((name, i) => {
    if (position.has(name)) return;
    const after = i > 0 ? result.indexOf(names[i - 1]) : -1;
    result.splice(after + 1, 0, name);
  });
  return result;
}
