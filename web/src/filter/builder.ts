// The filter builder: nested AND / OR groups of conditions, operators per column type, a case toggle.
// It edits a tree (model.ts); the filter bar turns the tree into the filter language and back.

import type { Column } from "../types";
import { h, replaceChildren } from "../ui/dom";
import { newCond, newGroup, type Cond, type Group } from "./model";
import { ANY_COLUMN, OPS, opLabel, opsFor } from "./ops";

let datalistCounter = 0;

export class FilterBuilder {
  readonly el: HTMLElement;
  private tree: Group = newGroup();
  private columns: Column[] = [];
  private readonly datalist: HTMLDataListElement;
  private readonly onChange: (tree: Group) => void;
  private readonly onSubmit: () => void;

  constructor(onChange: (tree: Group) => void, onSubmit: () => void) {
    this.onChange = onChange;
    this.onSubmit = onSubmit;
    datalistCounter += 1;
    this.datalist = h("datalist", { id: `filter-columns-${datalistCounter}` });
    this.el = h("div", { class: "filter-builder", role: "group", "aria-label": "Filter builder" });
  }

  setColumns(columns: Column[]): void {
    this.columns = columns;
    replaceChildren(this.datalist, h("option", { value: ANY_COLUMN }), ...columns.map((c) => h("option", { value: c.name })));
    this.render();
  }

  setTree(tree: Group): void {
    this.tree = tree;
    this.render();
  }

  getTree(): Group {
    return this.tree;
  }

  /** Adds a condition on `column` to the top group and focuses its value box. */
  addCondition(column = ""): void {
    const type = this.typeOf(column);
    this.tree.items.push(newCond(column, opsFor(type)[0]));
    this.render();
    const values = this.el.querySelectorAll<HTMLInputElement>(".cond-value");
    (column ? values[values.length - 1] : this.el.querySelectorAll<HTMLInputElement>(".cond-column")[values.length - 1])?.focus();
  }

  private typeOf(column: string): string | null {
    return this.columns.find((c) => c.name === column)?.type ?? null;
  }

  private changed(): void {
    this.onChange(this.tree);
  }

  private render(): void {
    replaceChildren(this.el, this.datalist, this.group(this.tree, null, 0));
  }

  private group(group: Group, parent: Group | null, depth: number): HTMLElement {
    const join = h(
      "select",
      { "aria-label": "Match", class: "group-join" },
      h("option", { value: "and" }, "all of (AND)"),
      h("option", { value: "or" }, "any of (OR)"),
    );
    join.value = group.join;
    join.addEventListener("change", () => {
      group.join = join.value as "and" | "or";
      this.changed();
    });
    const negate = h("input", { type: "checkbox", checked: group.negate, "aria-label": "Negate this group (NOT)" });
    negate.addEventListener("change", () => {
      group.negate = negate.checked;
      this.changed();
    });
    const addCond = h("button", { type: "button", class: "small" }, "+ Condition");
    addCond.addEventListener("click", () => {
      group.items.push(newCond());
      this.render();
      const inputs = this.el.querySelectorAll<HTMLInputElement>(".cond-column");
      inputs[inputs.length - 1]?.focus();
    });
    const addGroup = h("button", { type: "button", class: "small" }, "+ Group");
    addGroup.addEventListener("click", () => {
      group.items.push({ ...newGroup(group.join === "and" ? "or" : "and"), items: [newCond()] });
      this.render();
    });
    const header = h(
      "div",
      { class: "group-header" },
      h("label", { class: "check" }, negate, h("span", {}, "NOT")),
      h("span", {}, "Rows matching "),
      join,
      addCond,
      addGroup,
    );
    if (parent) {
      const remove = h("button", { type: "button", class: "icon-button", "aria-label": "Remove group" }, "×");
      remove.addEventListener("click", () => {
        parent.items.splice(parent.items.indexOf(group), 1);
        this.render();
        this.changed();
      });
      header.appendChild(remove);
    }
    const list = h("div", { class: "group-items" });
    if (!group.items.length) list.appendChild(h("p", { class: "muted" }, "No conditions: every row matches."));
    for (const item of group.items) {
      list.appendChild(item.type === "group" ? this.group(item, group, depth + 1) : this.condition(item, group));
    }
    return h("div", { class: `filter-group depth-${Math.min(depth, 3)}`, role: "group", "aria-label": depth ? "Nested group" : "All conditions" }, header, list);
  }

  private condition(cond: Cond, parent: Group): HTMLElement {
    const type = cond.op === "search" ? null : this.typeOf(cond.column);
    const column = h("input", {
      type: "text",
      class: "cond-column",
      value: cond.column,
      list: this.datalist.id,
      placeholder: "column or JSON path",
      "aria-label": "Column",
      spellcheck: "false",
    });
    const op = h("select", { class: "cond-op", "aria-label": "Operator" });
    const ops = cond.column === ANY_COLUMN ? (["search"] as const) : opsFor(type);
    for (const id of ops) op.appendChild(h("option", { value: id }, opLabel(id, type)));
    if (!ops.includes(cond.op as never)) cond.op = ops[0];
    op.value = cond.op;
    const info = OPS[cond.op];
    const placeholder = info.values === "list" ? "a, b, c" : type === "timestamp" ? "2022-03-22T15:00:00Z" : info.id.includes("cidr") ? "10.0.0.0/8" : "value";
    const value = h("input", { type: "text", class: "cond-value", value: cond.value, placeholder, "aria-label": "Value", spellcheck: "false", hidden: info.values === 0 });
    const value2 = h("input", { type: "text", class: "cond-value", value: cond.value2, placeholder: "and", "aria-label": "Second value", spellcheck: "false", hidden: info.values !== 2 });
    const caseToggle = h(
      "button",
      {
        type: "button",
        class: "case-toggle",
        "aria-pressed": String(cond.caseSensitive),
        title: cond.caseSensitive ? "Case-sensitive (click to ignore case)" : "Ignoring case (click to match case)",
        "aria-label": "Match case",
        hidden: !info.caseable,
      },
      "Aa",
    );
    const remove = h("button", { type: "button", class: "icon-button", "aria-label": "Remove condition" }, "×");

    column.addEventListener("change", () => {
      cond.column = column.value;
      const ops2 = cond.column === ANY_COLUMN ? ["search"] : opsFor(this.typeOf(cond.column));
      if (!ops2.includes(cond.op)) cond.op = ops2[0] as Cond["op"];
      this.render();
      this.changed();
      const inputs = [...this.el.querySelectorAll<HTMLInputElement>(".cond-column")];
      const at = inputs.find((i) => i.value === cond.column);
      at?.parentElement?.querySelector<HTMLElement>(".cond-op")?.focus();
    });
    op.addEventListener("change", () => {
      cond.op = op.value as Cond["op"];
      this.render();
      this.changed();
    });
    value.addEventListener("input", () => {
      cond.value = value.value;
      this.changed();
    });
    value2.addEventListener("input", () => {
      cond.value2 = value2.value;
      this.changed();
    });
    for (const input of [value, value2, column]) {
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter") {
          e.preventDefault();
          if (input === column) column.dispatchEvent(new Event("change"));
          this.onSubmit();
        }
      });
    }
    caseToggle.addEventListener("click", () => {
      cond.caseSensitive = !cond.caseSensitive;
      this.render();
      this.changed();
    });
    remove.addEventListener("click", () => {
      parent.items.splice(parent.items.indexOf(cond), 1);
      this.render();
      this.changed();
    });
    return h("div", { class: "filter-cond", role: "group", "aria-label": "Condition" }, column, op, value, value2, caseToggle, remove);
  }
}
