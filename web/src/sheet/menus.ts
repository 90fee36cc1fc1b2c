// The column menu (sort, filter, group, profile, hide, pin, column functions) and the cell context menu
// (filter to / exclude this value, copy, detail, the row as a document or its context in time; in a grouped
// view: show the rows of the group; pivot on the value across a case).

import { FUNCTIONS, type FunctionKind } from "../steps/functions";
import { openMenu, type MenuItem } from "../ui/menu";
import { cellCopyText, type CellInfo } from "./grid";

export interface ColumnMenuActions {
  sort(column: string, descending: boolean | null): void;
  filterOn(column: string): void;
  groupBy(column: string): void;
  profile(column: string): void;
  hide(column: string): void;
  pin(column: string, side: "left" | "right" | null): void;
  autosize(column: string): void;
  fn(kind: FunctionKind, column: string): void;
}

export function columnMenu(column: string, anchor: HTMLElement, grouped: boolean, actions: ColumnMenuActions): void {
  const rect = anchor.getBoundingClientRect();
  const items: MenuItem[] = [
    { label: "Sort ascending", action: () => actions.sort(column, false) },
    { label: "Sort descending", action: () => actions.sort(column, true) },
    { label: "Clear sort", action: () => actions.sort(column, null) },
    { label: "", separator: true },
  ];
  if (!grouped) {
    items.push(
      { label: "Filter on this column…", action: () => actions.filterOn(column) },
      { label: "Group by this column", action: () => actions.groupBy(column) },
      { label: "Profile", action: () => actions.profile(column) },
      { label: "", separator: true },
    );
  }
  items.push(
    { label: "Hide column", action: () => actions.hide(column) },
    { label: "Pin left", action: () => actions.pin(column, "left") },
    { label: "Pin right", action: () => actions.pin(column, "right") },
    { label: "Unpin", action: () => actions.pin(column, null) },
    { label: "Fit width to content", action: () => actions.autosize(column) },
  );
  if (!grouped) {
    items.push({ label: "", separator: true });
    for (const f of FUNCTIONS) items.push({ label: f.label, action: () => actions.fn(f.kind, column) });
  }
  openMenu(rect.left, rect.bottom + 2, items, `Column ${column}`);
}

export interface CellMenuActions {
  filterTo(column: string, value: unknown, exclude: boolean): void;
  copy(text: string): void;
  detail(cell: CellInfo): void;
  drill(row: unknown[]): void;
  rowJson(row: unknown[]): string;
  /** The row as a document, or its context (the events around it in time); absent for groups. */
  openEvent?(row: unknown[], screen: "document" | "context"): void;
  /** Star, tag or comment the row (sheet/annotate.ts); absent for groups. */
  annotateRow?(row: unknown[]): MenuItem[];
  /** Follow the value across the sheets of a case (its entity page). */
  pivot?(value: string): void;
}

export function cellMenu(cell: CellInfo, x: number, y: number, grouped: boolean, isKey: boolean, actions: CellMenuActions): void {
  const items: MenuItem[] = [];
  if (grouped) items.push({ label: "Show the rows of this group", action: () => actions.drill(cell.row) }, { label: "", separator: true });
  if (!grouped || isKey) {
    items.push(
      { label: "Filter to this value", action: () => actions.filterTo(cell.column, cell.value, false) },
      { label: "Exclude this value", action: () => actions.filterTo(cell.column, cell.value, true) },
      { label: "", separator: true },
    );
  }
  items.push(
    { label: "Copy value", action: () => actions.copy(cellCopyText(cell.value)) },
    { label: "Copy row as JSON", action: () => actions.copy(actions.rowJson(cell.row)) },
    { label: "Show whole value", action: () => actions.detail(cell) },
  );
  const openEvent = actions.openEvent;
  if (!grouped && openEvent) {
    items.push(
      { label: "", separator: true },
      { label: "Open row as document", action: () => openEvent(cell.row, "document") },
      { label: "Show events around it", action: () => openEvent(cell.row, "context") },
    );
  }
  const annotateRow = actions.annotateRow;
  if (!grouped && annotateRow) items.push({ label: "", separator: true }, ...annotateRow(cell.row));
  const pivot = actions.pivot;
  const text = cellCopyText(cell.value).trim();
  if (pivot && text) items.push({ label: "", separator: true }, { label: "Pivot on this value", action: () => pivot(text) });
  openMenu(x, y, items, `Cell ${cell.column}`);
}
