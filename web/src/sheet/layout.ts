// Column order, pinning and the widths the user chose by hand, remembered per sheet (and per grouped/ungrouped
// view) in localStorage. A column without a remembered width is sized from its values (widths.ts).

import type { ColumnState } from "ag-grid-community";

export interface SavedColumn {
  colId: string;
  width?: number; // only when the user sized the column by hand
  pinned?: "left" | "right" | null;
}

// v2: widths are the user's only (the first layouts kept every column's width, sized or not).
function key(sheet: string, grouped: boolean): string {
  return `logsheet:layout2:${grouped ? "group:" : ""}${sheet}`;
}

function oldKey(sheet: string, grouped: boolean): string {
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

/** Saves the order and pinning of every column, and the widths of those in `sized` (sized by hand). */
export function saveLayout(sheet: string, grouped: boolean, state: ColumnState[], sized: ReadonlySet<string>): void {
  const layout: SavedColumn[] = state.map((c) => ({
    colId: c.colId,
    width: sized.has(c.colId) ? (c.width ?? undefined) : undefined,
    pinned: (c.pinned as SavedColumn["pinned"]) ?? null,
  }));
  try {
    localStorage.setItem(key(sheet, grouped), JSON.stringify(layout));
  } catch {
    // storage full or disabled: the layout is a convenience
  }
}

export function forgetLayout(sheet: string): void {
  for (const grouped of [false, true]) {
    localStorage.removeItem(key(sheet, grouped));
    localStorage.removeItem(oldKey(sheet, grouped));
  }
}

/** `names` with the format's preferred columns first (the time column before them), the others after in their
 * own order: the order a sheet opens with before the user moves anything. */
export function preferred(names: string[], first: string[]): string[] {
  const present = new Set(names);
  const head = [...new Set(first)].filter((n) => present.has(n));
  const taken = new Set(head);
  return [...head, ...names.filter((n) => !taken.has(n))];
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
