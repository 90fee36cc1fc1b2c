// Column functions, from the column menu: each opens a dialog, previews its result on the data
// (POST /preview) and, applied, becomes a recorded step of the view.

import { api } from "../api";
import type { Column, Query, Step } from "../types";
import { openDialog, type DialogHandle } from "../ui/dialog";
import { h, replaceChildren } from "../ui/dom";
import { cellText } from "../sheet/format";
import { describeLookup, lookupForm } from "./lookup";

export type FunctionKind =
  | "split"
  | "regex_extract"
  | "combine"
  | "rename"
  | "cast"
  | "case"
  | "trim"
  | "extract_json"
  | "parse_timestamp"
  | "lookup"
  | "enrich";

export const FUNCTIONS: Array<{ kind: FunctionKind; label: string }> = [
  { kind: "split", label: "Split into columns…" },
  { kind: "regex_extract", label: "Extract with a regex…" },
  { kind: "extract_json", label: "Extract a JSON path…" },
  { kind: "combine", label: "Combine with other columns…" },
  { kind: "rename", label: "Rename…" },
  { kind: "cast", label: "Change type…" },
  { kind: "case", label: "Change case…" },
  { kind: "trim", label: "Trim spaces" },
  { kind: "parse_timestamp", label: "Parse as time…" },
  { kind: "lookup", label: "Lookup in another sheet…" },
  { kind: "enrich", label: "Enrich IP" },
];

export interface Context {
  sheet: string;
  query: Query;
  columns: Column[];
  column: string;
  apply: (step: Step) => void;
}

export type Form = { el: HTMLElement; build: () => Step | null; sample?: () => Promise<void> };

export function openFunction(kind: FunctionKind, ctx: Context): void {
  if (kind === "trim" || kind === "enrich") {
    ctx.apply({ kind, column: ctx.column });
    return;
  }
  const title = FUNCTIONS.find((f) => f.kind === kind)!.label.replace("…", "");
  const d = openDialog(`${title}: ${ctx.column}`, { wide: true, label: `${title} ${ctx.column}` });
  const preview = h("div", { class: "preview", "aria-live": "polite" });
  const form = buildForm(kind, ctx, () => schedule());
  let timer: number | null = null;
  let seq = 0;
  const run = async () => {
    const step = form.build();
    if (!step) {
      replaceChildren(preview, h("p", { class: "muted" }, "Fill in the fields to see a preview."));
      return;
    }
    const mine = ++seq;
    try {
      const result = await api.preview(ctx.sheet, { ...ctx.query, group: null, columns: [], sort: [] }, step, 12);
      if (mine !== seq) return;
      d.error.clear();
      replaceChildren(preview, previewTable(result.columns, result.rows, result.new_columns, affected(step)));
    } catch (e) {
      if (mine !== seq) return;
      replaceChildren(preview);
      d.error.show((e as Error).message);
    }
  };
  const schedule = () => {
    if (timer !== null) clearTimeout(timer);
    timer = window.setTimeout(() => void run(), 300);
  };
  d.body.append(form.el, h("h3", {}, "Preview"), preview);
  addButtons(d, () => {
    const step = form.build();
    if (!step) {
      d.error.show("Fill in the fields first.");
      return;
    }
    ctx.apply(step);
    d.close();
  });
  void (form.sample ? form.sample().then(run) : run());
}

function affected(step: Step): string[] {
  switch (step.kind) {
    case "rename":
      return [step.name];
    case "extract_json":
    case "lookup":
      return [];
    case "combine":
      return [...step.columns];
    case "labels":
    case "mark_ioc":
      return [];
    default:
      return [step.column];
  }
}

function addButtons(d: DialogHandle, apply: () => void): void {
  const cancel = h("button", { type: "button" }, "Cancel");
  cancel.addEventListener("click", () => d.close());
  const ok = h("button", { type: "button", class: "primary" }, "Apply step");
  ok.addEventListener("click", apply);
  d.footer.append(cancel, ok);
}

function previewTable(columns: Column[], rows: unknown[][], fresh: string[], also: string[]): HTMLElement {
  const wanted = new Set([...also, ...fresh]);
  let idx = columns.map((c, i) => (wanted.has(c.name) ? i : -1)).filter((i) => i >= 0);
  if (!idx.length) idx = columns.map((_, i) => i).slice(0, 8);
  const head = h("tr", {}, ...idx.map((i) => h("th", { scope: "col", class: fresh.includes(columns[i].name) ? "new-column" : "" }, columns[i].name)));
  const body = rows.map((r) => h("tr", {}, ...idx.map((i) => h("td", {}, cellText(r[i], columns[i].type)))));
  return h("div", { class: "scroll-box" }, h("table", { class: "data-table preview-table" }, h("thead", {}, head), h("tbody", {}, ...body)));
}

function field(label: string, input: HTMLElement, hint = ""): HTMLElement {
  return h("label", { class: "field" }, h("span", {}, label), input, hint ? h("small", { class: "muted" }, hint) : null);
}

function text(value: string, label: string, onInput: () => void): HTMLInputElement {
  const input = h("input", { type: "text", value, "aria-label": label, spellcheck: "false" });
  input.addEventListener("input", onInput);
  return input;
}

function select(options: Array<[string, string]>, value: string, label: string, onChange: () => void): HTMLSelectElement {
  const el = h("select", { "aria-label": label }, ...options.map(([v, t]) => h("option", { value: v }, t)));
  el.value = value;
  el.addEventListener("change", onChange);
  return el;
}

function buildForm(kind: FunctionKind, ctx: Context, changed: () => void): Form {
  const column = ctx.column;
  switch (kind) {
    case "lookup":
      return lookupForm(ctx, changed);
    case "split": {
      const delimiter = text(" ", "Delimiter", changed);
      const parts = h("input", { type: "number", min: 2, max: 100, value: 2, "aria-label": "Number of columns" });
      parts.addEventListener("input", changed);
      const collapse = h("input", { type: "checkbox", checked: true, "aria-label": "Treat repeated delimiters as one" });
      const keepRest = h("input", { type: "checkbox", checked: true, "aria-label": "Keep the rest in the last column" });
      const names = text("", "Column names", changed);
      for (const box of [collapse, keepRest]) box.addEventListener("change", changed);
      const presets = h("span", { class: "presets" });
      for (const [label, value] of [["space", " "], ["comma", ","], ["tab", "\t"], ["|", "|"], [":", ":"], ["=", "="]] as const) {
        const b = h("button", { type: "button", class: "small" }, label);
        b.addEventListener("click", () => {
          delimiter.value = value;
          void guessParts().then(changed);
        });
        presets.appendChild(b);
      }
      const guessParts = async () => {
        // Suggest as many columns as the longest of the first rows splits into (capped), from the data itself.
        try {
          const page = await api.query(ctx.sheet, { ...ctx.query, group: null, columns: [column], sort: [] }, 50, 0);
          const sep = delimiter.value;
          if (!sep) return;
          const counts = page.rows.map((r) => {
            const v = r[0] === null || r[0] === undefined ? "" : String(r[0]);
            const pieces = v.split(sep);
            return collapse.checked ? pieces.filter((p) => p !== "").length : pieces.length;
          });
          const most = Math.max(2, ...counts);
          parts.value = String(Math.min(most, 12));
        } catch {
          // keep the current number
        }
      };
      const el = h(
        "div",
        { class: "form-grid" },
        field("Delimiter", h("span", { class: "with-presets" }, delimiter, presets)),
        field("Columns", parts, "suggested from the first rows"),
        field("New column names (optional)", names, `comma-separated; default ${column}_1, ${column}_2, …`),
        h("label", { class: "check" }, collapse, h("span", {}, "Treat repeated delimiters as one")),
        h("label", { class: "check" }, keepRest, h("span", {}, "Keep the rest of the text in the last column")),
      );
      return {
        el,
        sample: guessParts,
        build: () => {
          const n = Number(parts.value);
          if (!delimiter.value || !Number.isInteger(n) || n < 2) return null;
          const given = names.value.split(",").map((s) => s.trim()).filter(Boolean);
          return { kind: "split", column, delimiter: delimiter.value, parts: n, names: given, keep_rest: keepRest.checked, collapse: collapse.checked };
        },
      };
    }
    case "regex_extract": {
      const pattern = text("", "Pattern", changed);
      pattern.placeholder = "from (?P<ip>\\d+\\.\\d+\\.\\d+\\.\\d+) port (?P<port>\\d+)";
      return {
        el: h("div", { class: "form-grid" }, field("Regular expression with named groups", pattern, "each named group (?P<name>…) becomes a column")),
        build: () => (pattern.value ? { kind: "regex_extract", column, pattern: pattern.value } : null),
      };
    }
    case "extract_json": {
      const path = text(`${column}.`, "JSON path", changed);
      const name = text("", "New column name", changed);
      return {
        el: h("div", { class: "form-grid" }, field("JSON path", path, "e.g. requestParameters.instanceType or resources[0].ARN"), field("New column name (optional)", name)),
        build: () => (path.value && !path.value.endsWith(".") ? { kind: "extract_json", path: path.value, name: name.value.trim() } : null),
      };
    }
    case "combine": {
      const others = h("select", { multiple: true, size: 8, "aria-label": "Columns to combine" }, ...ctx.columns.filter((c) => c.name !== column).map((c) => h("option", { value: c.name }, c.name)));
      others.addEventListener("change", changed);
      const separator = text(" ", "Separator", changed);
      const name = text(`${column}_combined`, "New column name", changed);
      return {
        el: h("div", { class: "form-grid" }, field(`Combine ${column} with`, others), field("Separator", separator), field("New column name", name)),
        build: () => {
          const picked = [...others.selectedOptions].map((o) => o.value);
          if (!picked.length || !name.value.trim()) return null;
          return { kind: "combine", columns: [column, ...picked], separator: separator.value, name: name.value.trim() };
        },
      };
    }
    case "rename": {
      const name = text(column, "New name", changed);
      return {
        el: h("div", { class: "form-grid" }, field("New name", name)),
        build: () => (name.value.trim() && name.value.trim() !== column ? { kind: "rename", column, name: name.value.trim() } : null),
      };
    }
    case "cast": {
      const to = select(
        (["text", "integer", "float", "boolean", "timestamp", "date"] as const).map((t) => [t, t]),
        "text",
        "New type",
        changed,
      );
      return {
        el: h("div", { class: "form-grid" }, field("New type", to, "values that do not convert become blank")),
        build: () => ({ kind: "cast", column, to: to.value as "text" }),
      };
    }
    case "case": {
      const mode = select(
        [
          ["upper", "UPPER CASE"],
          ["lower", "lower case"],
        ],
        "lower",
        "Case",
        changed,
      );
      return { el: h("div", { class: "form-grid" }, field("Change to", mode)), build: () => ({ kind: "case", column, mode: mode.value as "upper" | "lower" }) };
    }
    case "parse_timestamp": {
      const format = text("", "Format", changed);
      format.placeholder = "%b %d %H:%M:%S (empty: ISO 8601 or epoch)";
      const name = text("", "New column name", changed);
      return {
        el: h("div", { class: "form-grid" }, field("strptime format (optional)", format), field("New column name (optional; default replaces the column)", name)),
        build: () => ({ kind: "parse_timestamp", column, format: format.value, name: name.value.trim() }),
      };
    }
    default:
      return { el: h("div"), build: () => null };
  }
}

/** One line describing a step, for the steps panel. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case "split":
      return `Split ${step.column} on ${JSON.stringify(step.delimiter)} into ${step.parts} columns${step.collapse ? " (repeats as one)" : ""}`;
    case "regex_extract":
      return `Extract from ${step.column} with /${step.pattern}/`;
    case "combine":
      return `Combine ${step.columns.join(", ")} into ${step.name}`;
    case "rename":
      return `Rename ${step.column} to ${step.name}`;
    case "cast":
      return `Change ${step.column} to ${step.to}`;
    case "case":
      return `${step.mode === "upper" ? "Upper-case" : "Lower-case"} ${step.column}`;
    case "trim":
      return `Trim ${step.column}`;
    case "parse_timestamp":
      return `Parse ${step.column} as time${step.format ? ` (${step.format})` : ""}${step.name ? ` into ${step.name}` : ""}`;
    case "extract_json":
      return `Extract ${step.path}${step.name ? ` as ${step.name}` : ""}`;
    case "lookup":
      return describeLookup(step);
    case "enrich":
      return `Enrich IP ${step.column}`;
    case "labels":
      return `Label rows into ${step.name} (${step.labels.map((l) => l.text).join(", ")})`;
    case "mark_ioc":
      return `Mark IOC hits in ${step.name ?? "ioc_lists"}${step.lists?.length ? ` (lists ${step.lists.join(", ")})` : " (every list)"}`;
  }
}
