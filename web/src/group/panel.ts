// The group-by panel: drag columns into the levels (or pick them), reorder levels, choose aggregates.
// Grouping applies as soon as there is a level; removing the last level shows the rows again.

import type { SheetState } from "../sheet/state";
import type { SortKey } from "../types";
import type { Agg, AggFn, Column, GroupBy } from "../types";
import { h, replaceChildren } from "../ui/dom";

export const AGG_LABELS: Record<AggFn, string> = {
  count: "count",
  count_distinct: "count distinct",
  min: "min",
  max: "max",
  sum: "sum",
  avg: "average",
  first: "first seen",
  last: "last seen",
};

export function aggName(agg: Agg): string {
  if (agg.name) return agg.name;
  return agg.fn === "count" ? "count" : `${agg.fn}_${agg.column}`;
}

const DRAG_TYPE = "application/x-logsheet-column";

export class GroupPanel {
  readonly el: HTMLElement;
  private readonly levels: HTMLElement;
  private readonly aggs: HTMLElement;
  private readonly palette: HTMLElement;
  private columns: Column[] = [];

  /** ``rowSort``: the sort the rows get back when the last level goes (the sheet's time order). */
  constructor(
    private readonly state: SheetState,
    private readonly rowSort: () => SortKey[] = () => [],
  ) {
    this.levels = h("ol", { class: "group-levels drop-target", "aria-label": "Group-by levels" });
    this.aggs = h("div", { class: "group-aggs" });
    this.palette = h("div", { class: "column-palette", "aria-label": "Columns (drag into Group by)" });
    this.levels.addEventListener("dragover", (e) => {
      if (e.dataTransfer?.types.includes(DRAG_TYPE)) {
        e.preventDefault();
        this.levels.classList.add("drag-over");
      }
    });
    this.levels.addEventListener("dragleave", () => this.levels.classList.remove("drag-over"));
    this.levels.addEventListener("drop", (e) => {
      e.preventDefault();
      this.levels.classList.remove("drag-over");
      const name = e.dataTransfer?.getData(DRAG_TYPE);
      if (!name) return;
      const target = (e.target as HTMLElement).closest<HTMLElement>("[data-level]");
      this.addLevel(name, target ? Number(target.dataset.level) : null);
    });
    this.el = h(
      "section",
      { class: "panel group-panel", "aria-label": "Group by" },
      h("h3", {}, "Group by"),
      this.levels,
      h("h3", {}, "Aggregates"),
      this.aggs,
      h("h3", {}, "Columns"),
      h("p", { class: "muted small-print" }, "Drag a column into Group by, or use Add."),
      this.palette,
    );
  }

  /** The columns of the rows (not of a grouped page): what can be grouped and aggregated. */
  setColumns(columns: Column[]): void {
    this.columns = columns;
    this.render();
  }

  private group(): GroupBy | null {
    return this.state.query.group;
  }

  addLevel(name: string, at: number | null = null): void {
    this.state.update((d) => {
      const wasGrouped = d.query.group !== null;
      const g = d.query.group ?? { keys: [], aggs: [{ fn: "count", column: "", name: "" }] };
      g.keys = g.keys.filter((k) => k !== name);
      g.keys.splice(at ?? g.keys.length, 0, name);
      d.query.group = g;
      const names = new Set([...g.keys, ...g.aggs.map(aggName)]);
      d.query.sort = wasGrouped ? d.query.sort.filter((s) => names.has(s.column)) : [];
      if (!d.query.sort.length && names.has("count")) d.query.sort = [{ column: "count", descending: true }];
    });
  }

  private removeLevel(name: string): void {
    this.state.update((d) => {
      if (!d.query.group) return;
      d.query.group.keys = d.query.group.keys.filter((k) => k !== name);
      if (!d.query.group.keys.length) {
        d.query.group = null;
        d.query.sort = this.rowSort();
      } else {
        d.query.sort = d.query.sort.filter((s) => s.column !== name);
      }
    });
  }

  private setAggs(aggs: Agg[]): void {
    this.state.update((d) => {
      if (!d.query.group) return;
      d.query.group.aggs = aggs;
      const names = new Set([...d.query.group.keys, ...aggs.map(aggName)]);
      d.query.sort = d.query.sort.filter((s) => names.has(s.column));
    });
  }

  render(): void {
    const g = this.group();
    const keys = g?.keys ?? [];
    replaceChildren(this.levels);
    if (!keys.length) this.levels.appendChild(h("li", { class: "muted drop-hint" }, "Drop a column here to group rows by it"));
    keys.forEach((key, i) => {
      const remove = h("button", { type: "button", class: "icon-button", "aria-label": `Remove level ${key}` }, "×");
      remove.addEventListener("click", () => this.removeLevel(key));
      const chip = h("li", { class: "level chip", draggable: "true", "data-level": i }, h("span", { class: "level-number" }, `${i + 1}.`), h("span", {}, key), remove);
      chip.addEventListener("dragstart", (e) => e.dataTransfer?.setData(DRAG_TYPE, key));
      this.levels.appendChild(chip);
    });
    const add = h("select", { "aria-label": "Add a group-by level" }, h("option", { value: "" }, "Add level…"), ...this.columns.filter((c) => !keys.includes(c.name)).map((c) => h("option", { value: c.name }, c.name)));
    add.addEventListener("change", () => add.value && this.addLevel(add.value));
    this.levels.appendChild(h("li", { class: "level-add" }, add));

    replaceChildren(this.aggs);
    if (!g) {
      this.aggs.appendChild(h("p", { class: "muted small-print" }, "Rows are counted per group; add more once grouped."));
    } else {
      const aggs = g.aggs;
      aggs.forEach((agg, i) => this.aggs.appendChild(this.aggRow(aggs, agg, i)));
      const addAgg = h("button", { type: "button", class: "small" }, "+ Aggregate");
      addAgg.addEventListener("click", () => {
        const firstTime = this.columns.find((c) => c.type === "timestamp");
        this.setAggs([...aggs, firstTime ? { fn: "first", column: firstTime.name, name: "" } : { fn: "count_distinct", column: this.columns[0]?.name ?? "", name: "" }]);
      });
      const ungroup = h("button", { type: "button", class: "small" }, "Ungroup");
      ungroup.addEventListener("click", () =>
        this.state.update((d) => {
          d.query.group = null;
          d.query.sort = this.rowSort();
        }),
      );
      this.aggs.append(h("div", { class: "panel-actions" }, addAgg, ungroup));
    }

    replaceChildren(
      this.palette,
      ...this.columns.map((c) => {
        const chip = h("button", { type: "button", class: "chip column-chip", draggable: "true", title: `Group by ${c.name}` }, c.name);
        chip.addEventListener("dragstart", (e) => {
          e.dataTransfer?.setData(DRAG_TYPE, c.name);
          e.dataTransfer?.setData("text/plain", c.name);
        });
        chip.addEventListener("click", () => this.addLevel(c.name));
        return chip;
      }),
    );
  }

  private aggRow(aggs: Agg[], agg: Agg, i: number): HTMLElement {
    const fn = h("select", { "aria-label": "Aggregate function" }, ...(Object.keys(AGG_LABELS) as AggFn[]).map((f) => h("option", { value: f }, AGG_LABELS[f])));
    fn.value = agg.fn;
    const column = h("select", { "aria-label": "Aggregate column", hidden: agg.fn === "count" }, ...this.columns.map((c) => h("option", { value: c.name }, c.name)));
    column.value = agg.column;
    const update = () => {
      const next = aggs.map((a) => ({ ...a }));
      next[i] = { fn: fn.value as AggFn, column: fn.value === "count" ? "" : column.value || this.columns[0]?.name || "", name: "" };
      this.setAggs(next);
    };
    fn.addEventListener("change", update);
    column.addEventListener("change", update);
    const remove = h("button", { type: "button", class: "icon-button", "aria-label": "Remove aggregate", disabled: aggs.length <= 1 }, "×");
    remove.addEventListener("click", () => this.setAggs(aggs.filter((_, j) => j !== i)));
    return h("div", { class: "agg-row" }, fn, column, remove);
  }
}
