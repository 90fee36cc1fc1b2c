// The filter builder: nested AND / OR groups of conditions, operators per column type, a case toggle.
// It edits a tree (model.ts); the filter bar turns the tree into the filter language and back.
// Nothing typed is ever lost: editing a box updates its row in place (the focus stays where it is), a full
// re-render puts the focus and the caret back in the same box, and applying with an incomplete condition is
// refused with the reason at the field that is missing.

import type { Column } from "../types";
import { h, replaceChildren } from "../ui/dom";
import { incomplete, missingField, newCond, newGroup, type Cond, type CondField, type Group } from "./model";
import { ANNOTATION_OPS, ANNOTATIONS, ANY_COLUMN, OPS, opLabel, opsFor, type OpId } from "./ops";

let datalistCounter = 0;
let errorCounter = 0;

export class FilterBuilder {
  readonly el: HTMLElement;
  private tree: Group = newGroup();
  private columns: Column[] = [];
  private readonly datalist: HTMLDataListElement;
  private readonly onChange: (tree: Group) => void;
  private readonly onSubmit: () => void;
  /** Conditions refused by the last Apply, with the field that is missing (cleared as it is filled in). */
  private readonly problems = new Map<Cond, { field: CondField; message: string }>();
  private syncs = new Map<Cond, () => void>();

  constructor(onChange: (tree: Group) => void, onSubmit: () => void) {
    this.onChange = onChange;
    this.onSubmit = onSubmit;
    datalistCounter += 1;
    this.datalist = h("datalist", { id: `filter-columns-${datalistCounter}` });
    this.el = h("div", { class: "filter-builder", role: "group", "aria-label": "Filter builder" });
  }

  setColumns(columns: Column[]): void {
    this.columns = columns;
    replaceChildren(this.datalist, h("option", { value: ANY_COLUMN }), h("option", { value: ANNOTATIONS }), ...columns.map((c) => h("option", { value: c.name })));
    this.render();
  }

  setTree(tree: Group): void {
    if (tree !== this.tree) this.problems.clear();
    this.tree = tree;
    this.render();
  }

  getTree(): Group {
    return this.tree;
  }

  /** Adds a condition on `column` to the top group and focuses its value box. */
  addCondition(column = ""): void {
    const type = this.typeOf(column);
    const cond = newCond(column, opsFor(type)[0]);
    this.tree.items.push(cond);
    this.render();
    this.focusField(cond, column ? "value" : "column");
  }

  private focusField(cond: Cond, field: CondField): void {
    this.el.querySelector<HTMLElement>(`[data-key="${this.pathOf(cond)}:${field}"]`)?.focus();
  }

  private typeOf(column: string): string | null {
    return this.columns.find((c) => c.name === column)?.type ?? null;
  }

  private changed(): void {
    this.onChange(this.tree);
  }

  /** Rebuilds the rows; the box that had the focus (by its place in the tree) gets it back, caret and all. */
  private render(): void {
    const active = document.activeElement;
    const key = active instanceof HTMLElement && this.el.contains(active) ? active.dataset.key : undefined;
    const caret = active instanceof HTMLInputElement ? [active.selectionStart, active.selectionEnd] : null;
    this.syncs = new Map();
    replaceChildren(this.el, this.datalist, this.group(this.tree, null, 0, "0"));
    if (!key) return;
    const again = this.el.querySelector<HTMLElement>(`[data-key="${key}"]`);
    if (!again || again.hidden) return;
    again.focus();
    if (again instanceof HTMLInputElement && caret && caret[0] !== null && caret[1] !== null) {
      again.setSelectionRange(Math.min(caret[0], again.value.length), Math.min(caret[1], again.value.length));
    }
  }

  private group(group: Group, parent: Group | null, depth: number, path: string): HTMLElement {
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
      const cond = newCond();
      group.items.push(cond);
      this.render();
      this.focusField(cond, "column");
    });
    const addGroup = h("button", { type: "button", class: "small" }, "+ Group");
    addGroup.addEventListener("click", () => {
      const cond = newCond();
      group.items.push({ ...newGroup(group.join === "and" ? "or" : "and"), items: [cond] });
      this.render();
      this.focusField(cond, "column");
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
    for (const [i, item] of group.items.entries()) {
      const at = `${path}.${i}`;
      list.appendChild(item.type === "group" ? this.group(item, group, depth + 1, at) : this.condition(item, group, at));
    }
    return h("div", { class: `filter-group depth-${Math.min(depth, 3)}`, role: "group", "aria-label": depth ? "Nested group" : "All conditions" }, header, list);
  }

  private condition(cond: Cond, parent: Group, path: string): HTMLElement {
    const key = (field: CondField) => `${path}:${field}`;
    const column = h("input", {
      type: "text",
      class: "cond-column",
      value: cond.column,
      list: this.datalist.id,
      placeholder: "column or JSON path",
      "aria-label": "Column",
      spellcheck: "false",
      "data-key": key("column"),
    });
    const op = h("select", { class: "cond-op", "aria-label": "Operator", "data-key": `${path}:op` });
    const value = h("input", { type: "text", class: "cond-value", value: cond.value, "aria-label": "Value", spellcheck: "false", "data-key": key("value") });
    const value2 = h("input", { type: "text", class: "cond-value", value: cond.value2, placeholder: "and", "aria-label": "Second value", spellcheck: "false", "data-key": key("value2") });
    const caseToggle = h("button", { type: "button", class: "case-toggle", "aria-label": "Match case", "data-key": `${path}:case` }, "Aa");
    const remove = h("button", { type: "button", class: "icon-button", "aria-label": "Remove condition" }, "×");
    const message = h("div", { class: "cond-error", role: "alert", hidden: true });
    message.id = `cond-error-${++errorCounter}`;
    const fields: Record<CondField, HTMLInputElement> = { column, value, value2 };

    let shownOps = "";
    // Brings the row in line with the condition, in place: the focused box and what is typed in it stay.
    const sync = () => {
      const pseudo = cond.column === ANY_COLUMN || cond.column === ANNOTATIONS;
      const type = cond.op === "search" || pseudo ? null : this.typeOf(cond.column.trim());
      const ops: readonly OpId[] = cond.column === ANY_COLUMN ? ["search"] : cond.column === ANNOTATIONS ? ANNOTATION_OPS : opsFor(type);
      if (!ops.includes(cond.op)) cond.op = ops[0];
      const signature = `${ops.join("|")}#${type ?? ""}`;
      if (signature !== shownOps) {
        shownOps = signature;
        replaceChildren(op, ...ops.map((id) => h("option", { value: id }, opLabel(id, type))));
      }
      op.value = cond.op;
      const info = OPS[cond.op];
      value.placeholder = info.values === "list" ? "a, b, c" : type === "timestamp" ? "2022-03-22T15:00:00Z" : info.id.includes("cidr") ? "10.0.0.0/8" : info.id.endsWith(" column") ? "other column" : "value";
      value.hidden = info.values === 0;
      value2.hidden = info.values !== 2;
      caseToggle.hidden = !info.caseable;
      caseToggle.setAttribute("aria-pressed", String(cond.caseSensitive));
      caseToggle.title = cond.caseSensitive ? "Case-sensitive (click to ignore case)" : "Ignoring case (click to match case)";
      const problem = this.problems.get(cond);
      for (const [field, input] of Object.entries(fields) as [CondField, HTMLInputElement][]) {
        const bad = problem?.field === field;
        input.toggleAttribute("aria-invalid", bad);
        if (bad) input.setAttribute("aria-describedby", message.id);
        else input.removeAttribute("aria-describedby");
      }
      message.hidden = !problem;
      message.textContent = problem?.message ?? "";
      if (problem) fields[problem.field].after(message);
    };
    sync();
    this.syncs.set(cond, sync);

    const edited = () => {
      const problem = this.problems.get(cond);
      if (problem && missingField(cond)?.field !== problem.field) this.problems.delete(cond);
      sync();
      this.changed();
    };
    column.addEventListener("input", () => {
      cond.column = column.value;
      edited();
    });
    column.addEventListener("change", () => {
      if (cond.column !== column.value) {
        cond.column = column.value;
        edited();
      }
    });
    op.addEventListener("change", () => {
      cond.op = op.value as OpId;
      edited();
    });
    value.addEventListener("input", () => {
      cond.value = value.value;
      edited();
    });
    value2.addEventListener("input", () => {
      cond.value2 = value2.value;
      edited();
    });
    for (const input of [column, value, value2]) {
      input.addEventListener("keydown", (e) => {
        if (e.key !== "Enter") return;
        e.preventDefault();
        if (input === column && !value.hidden && value.value === "") {
          value.focus(); // Enter after the column goes on to its value
          return;
        }
        this.submit();
      });
    }
    caseToggle.addEventListener("click", () => {
      cond.caseSensitive = !cond.caseSensitive;
      sync();
      this.changed();
    });
    remove.addEventListener("click", () => {
      parent.items.splice(parent.items.indexOf(cond), 1);
      this.problems.delete(cond);
      this.render();
      this.changed();
    });
    return h("div", { class: "filter-cond", role: "group", "aria-label": "Condition" }, column, op, value, value2, caseToggle, remove, message);
  }

  /**
   * True when every condition is complete. Otherwise says what is missing at the first incomplete condition's
   * field, focuses that field, and returns false; nothing typed is touched.
   */
  validate(): boolean {
    this.problems.clear();
    const open = incomplete(this.tree);
    for (const cond of open) {
      const problem = missingField(cond);
      if (problem) this.problems.set(cond, problem);
    }
    for (const sync of this.syncs.values()) sync();
    const first = open[0];
    if (!first) return true;
    this.focusField(first, this.problems.get(first)?.field ?? "column");
    return false;
  }

  private submit(): void {
    if (this.validate()) this.onSubmit();
  }

  private pathOf(target: Cond): string {
    const walk = (group: Group, path: string): string | null => {
      for (const [i, item] of group.items.entries()) {
        const at = `${path}.${i}`;
        if (item === target) return at;
        if (item.type === "group") {
          const found = walk(item, at);
          if (found) return found;
        }
      }
      return null;
    };
    return walk(this.tree, "0") ?? "";
  }
}
