// Column functions, from the column menu: each opens a dialog, previews its result on the data
// (POST /preview) and, applied, becomes a recorded step of the view.

import { api, ApiError } from "../api";
import type { Column, Query, Step } from "../types";
import { openDialog, type DialogHandle } from "../ui/dialog";
import { h, replaceChildren } from "../ui/dom";
import { cellText } from "../sheet/format";

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
  | "formula"
  | "ip_helpers"
  | "find_replace"
  | "url_parts"
  | "split_rows"
  | "explode"
  | "dedupe";

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
  { kind: "find_replace", label: "Find and replace…" },
  { kind: "url_parts", label: "URL and domain parts…" },
  { kind: "ip_helpers", label: "IP helpers…" },
  { kind: "formula", label: "Add formula column…" },
  { kind: "split_rows", label: "Split into rows…" },
  { kind: "explode", label: "Explode JSON array into rows…" },
  { kind: "dedupe", label: "Remove duplicates…" },
];

// The formula language's keywords (logsheet.query.formulalang.KEYWORDS): a column so named is back-quoted.
const FORMULA_KEYWORDS = new Set(
  "and or not is blank contains starts ends with matches true false null case when then else end".split(" "),
);

const URL_PARTS: Array<[string, string]> = [
  ["scheme", "scheme (https)"],
  ["host", "host (www.example.co.uk)"],
  ["domain", "registered domain (example.co.uk)"],
  ["path", "path (/login)"],
  ["query_keys", "query keys (user,next)"],
];

interface Context {
  sheet: string;
  query: Query;
  columns: Column[];
  column: string;
  apply: (step: Step) => void;
}

type Form = { el: HTMLElement; build: () => Step | null; sample?: () => Promise<void> };

export function openFunction(kind: FunctionKind, ctx: Context): void {
  if (kind === "trim") {
    ctx.apply({ kind: "trim", column: ctx.column });
    return;
  }
  const title = FUNCTIONS.find((f) => f.kind === kind)!.label.replace("…", "");
  const d = openDialog(kind === "formula" ? title : `${title}: ${ctx.column}`, { wide: true, label: `${title} ${ctx.column}` });
  const preview = h("div", { class: "preview", "aria-live": "polite" });
  const form = buildForm(kind, ctx, () => schedule());
  let timer: number | null = null;
  let seq = 0;
  let failed = false; // the last preview was refused (a formula with an error is never applied)
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
      failed = false;
      d.error.clear();
      replaceChildren(preview, previewTable(result.columns, result.rows, result.new_columns, affected(step)));
    } catch (e) {
      if (mine !== seq) return;
      failed = true;
      replaceChildren(preview);
      if (step.kind === "formula" && e instanceof ApiError && e.position !== null) {
        // A formula's error is shown under the character it is about (the server's position in the formula).
        d.error.showAt(e.message, step.expression, e.position);
      } else {
        d.error.show((e as Error).message);
      }
    }
  };
  const schedule = () => {
    if (timer !== null) clearTimeout(timer);
    timer = window.setTimeout(() => void run(), 300);
  };
  if (kind === "formula" || kind === "ip_helpers") {
    // A formula's error goes right under the formula, the character it is about marked.
    d.error.el.classList.add("wide-field");
    form.el.append(d.error.el);
  }
  d.body.append(form.el, h("h3", {}, "Preview"), preview);
  addButtons(d, async () => {
    const step = form.build();
    if (!step) {
      d.error.show("Fill in the fields first.");
      return;
    }
    if (step.kind === "formula") {
      // Checked now, not only after the pause in typing: a formula with an error stays in the dialog, marked.
      if (timer !== null) clearTimeout(timer);
      await run();
      if (failed) return;
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
    case "url_parts":
      return [];
    case "formula":
      return [step.name];
    case "find_replace":
      return step.name ? [step.column, step.name] : [step.column];
    case "combine":
      return [...step.columns];
    case "dedupe":
      return [...step.keys, step.count ?? "duplicates"];
    case "split_rows":
      return [step.name || step.column];
    case "explode":
    case "labels":
    case "mark_ioc":
      return [];
    default:
      return [step.column];
  }
}

function addButtons(d: DialogHandle, apply: () => void | Promise<void>): void {
  const cancel = h("button", { type: "button" }, "Cancel");
  cancel.addEventListener("click", () => d.close());
  const ok = h("button", { type: "button", class: "primary" }, "Apply step");
  ok.addEventListener("click", () => void apply());
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
    case "split_rows": {
      const delimiter = text(",", "Delimiter", changed);
      const presets = h("span", { class: "presets" });
      for (const [label, value] of [["comma", ","], ["space", " "], ["tab", "\t"], ["|", "|"], [";", ";"]] as const) {
        const b = h("button", { type: "button", class: "small" }, label);
        b.addEventListener("click", () => {
          delimiter.value = value;
          changed();
        });
        presets.appendChild(b);
      }
      const name = text("", "New column name", changed);
      return {
        el: h(
          "div",
          { class: "form-grid" },
          field("Delimiter", h("span", { class: "with-presets" }, delimiter, presets)),
          field("New column name (optional)", name, `default: each part replaces ${column}`),
        ),
        build: () => (delimiter.value ? { kind: "split_rows", column, delimiter: delimiter.value, name: name.value.trim() } : null),
      };
    }
    case "explode": {
      const path = text(column, "JSON array path", changed);
      const name = text("", "Element column name", changed);
      const keepEmpty = h("input", { type: "checkbox", "aria-label": "Keep rows without elements" });
      keepEmpty.addEventListener("change", changed);
      const fields = h("div", { class: "field-choices", role: "group", "aria-label": "Element fields" });
      const discover = h("button", { type: "button", class: "small" }, "Find fields");
      const findFields = async () => {
        if (!path.value) return;
        try {
          const found = await api.elementFields(ctx.sheet, path.value, { ...ctx.query, group: null, columns: [], sort: [] });
          replaceChildren(
            fields,
            ...(found.length
              ? found.map((f) => h("label", { class: "check" }, h("input", { type: "checkbox", checked: true, value: f, "aria-label": `Field ${f}` }), h("span", {}, f)))
              : [h("span", { class: "muted" }, "No object fields in the first elements.")]),
          );
          for (const box of fields.querySelectorAll("input")) box.addEventListener("change", changed);
        } catch (e) {
          replaceChildren(fields, h("span", { class: "muted" }, (e as Error).message));
        }
      };
      discover.addEventListener("click", () => void findFields().then(changed));
      return {
        el: h(
          "div",
          { class: "form-grid" },
          field("JSON array", h("span", { class: "with-presets" }, path, discover), "a JSON column or a path in one, e.g. responseElements.instancesSet.items"),
          field("Element column name (optional)", name, "default: the path's last key"),
          field("Element fields as columns", fields, "found in the first elements; each becomes a column"),
          h("label", { class: "check" }, keepEmpty, h("span", {}, "Keep rows without elements (once, blank)")),
        ),
        sample: findFields,
        build: () => {
          if (!path.value || path.value.endsWith(".")) return null;
          const chosen = [...fields.querySelectorAll<HTMLInputElement>("input:checked")].map((i) => i.value);
          return { kind: "explode", path: path.value, name: name.value.trim(), fields: chosen, keep_empty: keepEmpty.checked };
        },
      };
    }
    case "dedupe": {
      const others = h(
        "select",
        { multiple: true, size: 6, "aria-label": "Other key columns" },
        ...ctx.columns.filter((c) => c.name !== column).map((c) => h("option", { value: c.name }, c.name)),
      );
      others.addEventListener("change", changed);
      const keep = select(
        [
          ["first", "the first row"],
          ["last", "the last row"],
        ],
        "first",
        "Keep",
        changed,
      );
      const by = select([["", "the sheet's time (default)"], ...ctx.columns.map((c): [string, string] => [c.name, c.name])], "", "Order by", changed);
      const count = text("duplicates", "Count column name", changed);
      return {
        el: h(
          "div",
          { class: "form-grid" },
          field(`Key: ${column} and`, others, "rows with the same values in every key column are duplicates"),
          field("Keep", keep),
          field("By", by, "which row is first or last"),
          field("Count column", count, "how many rows share the key (1: unique)"),
        ),
        build: () => {
          const keys = [column, ...[...others.selectedOptions].map((o) => o.value)];
          return { kind: "dedupe", keys, keep: keep.value as "first" | "last", by: by.value, count: count.value.trim() };
        },
      };
    }
    case "find_replace": {
      const find = text("", "Find", changed);
      const replacement = text("", "Replace with", changed);
      const regex = h("input", { type: "checkbox", "aria-label": "Regular expression" });
      const caseSensitive = h("input", { type: "checkbox", checked: true, "aria-label": "Match case" });
      for (const box of [regex, caseSensitive]) box.addEventListener("change", changed);
      const name = text("", "New column name", changed);
      return {
        el: h(
          "div",
          { class: "form-grid" },
          field("Find", find),
          field("Replace with", replacement, "with a regular expression, \\1 is the first group"),
          h("label", { class: "check" }, regex, h("span", {}, "Regular expression (RE2)")),
          h("label", { class: "check" }, caseSensitive, h("span", {}, "Match case")),
          field("New column name (optional; default replaces the column)", name),
        ),
        build: () =>
          find.value
            ? { kind: "find_replace", column, find: find.value, replace: replacement.value, regex: regex.checked, case_sensitive: caseSensitive.checked, name: name.value.trim() }
            : null,
      };
    }
    case "url_parts": {
      const boxes = URL_PARTS.map(([part, label]) => {
        const box = h("input", { type: "checkbox", checked: true, value: part, "aria-label": label });
        box.addEventListener("change", changed);
        return { part, box, el: h("label", { class: "check" }, box, h("span", {}, label)) };
      });
      return {
        el: h("div", { class: "form-grid" }, h("p", { class: "muted" }, `New columns ${column}.scheme, ${column}.host, …; a value without scheme:// is read as a host name.`), ...boxes.map((b) => b.el)),
        build: () => {
          const parts = boxes.filter((b) => b.box.checked).map((b) => b.part);
          return parts.length ? { kind: "url_parts", column, parts } : null;
        },
      };
    }
    case "formula":
    case "ip_helpers": {
      const bare = /^[A-Za-z_@$][A-Za-z0-9_@$.]*$/.test(column) && !FORMULA_KEYWORDS.has(column.toLowerCase());
      const ref = bare ? column : `\`${column.replace(/`/g, "``")}\``;
      const name = text(kind === "ip_helpers" ? `${column}_private` : "formula", "Formula column name", changed);
      const expression = h("textarea", { rows: 3, "aria-label": "Formula", spellcheck: "false", class: "formula-input" });
      expression.value = kind === "ip_helpers" ? `is_private(${ref})` : ref;
      expression.addEventListener("input", changed);
      const presets = h("span", { class: "presets with-presets" });
      if (kind === "ip_helpers") {
        // The IP functions of the formula language, one click each (the formula stays editable).
        const helpers: Array<[string, string, string]> = [
          ["private?", `is_private(${ref})`, "private"],
          ["public?", `is_public(${ref})`, "public"],
          ["version", `ip_version(${ref})`, "version"],
          ["network /24", `ip_network(${ref}, 24)`, "net24"],
          ["network /16", `ip_network(${ref}, 16)`, "net16"],
        ];
        for (const [label, formula, suffix] of helpers) {
          const b = h("button", { type: "button", class: "small" }, label);
          b.addEventListener("click", () => {
            expression.value = formula;
            name.value = `${column}_${suffix}`;
            changed();
          });
          presets.appendChild(b);
        }
      }
      return {
        el: h(
          "div",
          { class: "form-grid" },
          field("New column name", name),
          kind === "ip_helpers" ? h("div", { class: "field wide-field", role: "group", "aria-label": "IP helpers" }, h("span", {}, "IP helper"), presets) : null,
          h(
            "label",
            { class: "field wide-field" },
            h("span", {}, "Formula"),
            expression,
            h("small", { class: "muted" }, "e.g. errorCode is not blank and userAgent contains 'aws-cli'; functions: lower, contains, if, ip_network, hour, … (docs/formulas.md)"),
          ),
        ),
        build: () => (name.value.trim() && expression.value.trim() ? { kind: "formula", name: name.value.trim(), expression: expression.value } : null),
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
    case "dedupe":
      return `Remove duplicates of ${step.keys.join(", ")}, keeping the ${step.keep ?? "first"}${step.by ? ` by ${step.by}` : " by time"}`;
    case "split_rows":
      return `Split ${step.column} on ${JSON.stringify(step.delimiter)} into rows${step.name ? ` as ${step.name}` : ""}`;
    case "explode":
      return `Explode ${step.path} into rows${step.fields?.length ? ` (${step.fields.join(", ")})` : ""}`;
    case "labels":
      return `Label rows into ${step.name} (${step.labels.map((l) => l.text).join(", ")})`;
    case "mark_ioc":
      return `Mark IOC hits in ${step.name ?? "ioc_lists"}${step.lists?.length ? ` (lists ${step.lists.join(", ")})` : " (every list)"}`;
    case "formula":
      return `Formula ${step.name} = ${step.expression}`;
    case "find_replace":
      return `Replace ${step.regex ? `/${step.find}/` : JSON.stringify(step.find)} with ${JSON.stringify(step.replace ?? "")} in ${step.column}${step.name ? ` into ${step.name}` : ""}`;
    case "url_parts":
      return `URL parts of ${step.column}: ${(step.parts ?? ["scheme", "host", "domain", "path", "query_keys"]).join(", ")}`;
  }
}
