// The lookup step ("Lookup in another sheet…") from the column menu: a form in the column-function dialog
// choosing the other sheet, the key here and there (exact, ignoring case, or IP in a network of CIDRs) and the
// columns to add, with the number of rows that find a match; "Enrich IP" needs no form (functions.ts).

import { api } from "../api";
import type { Column, Step } from "../types";
import { h, replaceChildren } from "../ui/dom";
import type { Context, Form } from "./functions";

type LookupStep = Extract<Step, { kind: "lookup" }>;

/** One line describing a lookup step, for the steps panel. */
export function describeLookup(step: LookupStep): string {
  const right = step.right_keys && step.right_keys.length ? step.right_keys : step.keys;
  const pairs = step.keys.map((k, i) => (right[i] && right[i] !== k ? `${k} = ${right[i]}` : k)).join(", ");
  const how = step.mode === "cidr" ? " (IP in network)" : step.case_sensitive === false ? " (ignoring case)" : "";
  const cols = step.columns && step.columns.length ? `: ${step.columns.join(", ")}` : "";
  return `Lookup in ${step.sheet} on ${pairs}${how}${cols}`;
}

function labelled(label: string, input: HTMLElement, hint = ""): HTMLElement {
  return h("label", { class: "field" }, h("span", {}, label), input, hint ? h("small", { class: "muted" }, hint) : null);
}

function options(el: HTMLSelectElement, values: string[], value: string): void {
  replaceChildren(el, ...values.map((v) => h("option", { value: v }, v)));
  if (values.includes(value)) el.value = value;
}

export function lookupForm(ctx: Context, changed: () => void): Form {
  const sheet = h("select", { "aria-label": "Other sheet", "data-testid": "lookup-sheet" });
  const mode = h("select", { "aria-label": "Match", "data-testid": "lookup-mode" });
  replaceChildren(mode, h("option", { value: "exact" }, "equal values"), h("option", { value: "cidr" }, "IP address in a network (CIDR)"));
  const key = h("select", { "aria-label": "Key in this sheet", "data-testid": "lookup-key" });
  options(key, ctx.columns.map((c) => c.name), ctx.column);
  const rightKey = h("select", { "aria-label": "Key in the other sheet", "data-testid": "lookup-right-key" });
  const ignoreCase = h("input", { type: "checkbox", "aria-label": "Ignore case" });
  const prefix = h("input", { type: "text", "aria-label": "Prefix of the new columns", spellcheck: "false" });
  const picks = h("fieldset", { class: "lookup-columns", "data-testid": "lookup-columns" }, h("legend", {}, "Columns to add"));
  const matched = h("p", { class: "muted lookup-matched", "aria-live": "polite", "data-testid": "lookup-matched" });
  let others: Column[] = [];
  let boxes: HTMLInputElement[] = [];
  let counting = 0;
  let timer: number | null = null;

  const step = (): LookupStep | null => {
    if (!sheet.value || !key.value || !rightKey.value) return null;
    const columns = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!columns.length) return null;
    return {
      kind: "lookup",
      sheet: sheet.value,
      keys: [key.value],
      right_keys: [rightKey.value],
      columns,
      mode: mode.value === "cidr" ? "cidr" : "exact",
      case_sensitive: !ignoreCase.checked,
      prefix: prefix.value.trim(),
    };
  };

  const count = async () => {
    const s = step();
    const mine = ++counting;
    if (!s) {
      matched.textContent = "";
      return;
    }
    matched.textContent = "Counting the rows that find a match…";
    try {
      const query = { ...ctx.query, group: null, columns: [], sort: [], steps: [...ctx.query.steps, s] };
      const found = (await api.lookups(ctx.sheet, query)).lookups.at(-1);
      if (mine !== counting || !found) return;
      matched.textContent = `${found.matched.toLocaleString()} of ${found.rows.toLocaleString()} rows find a match in ${found.sheet}`;
    } catch (e) {
      if (mine === counting) matched.textContent = (e as Error).message;
    }
  };
  const update = () => {
    changed();
    if (timer !== null) clearTimeout(timer);
    timer = window.setTimeout(() => void count(), 300);
  };

  const loadColumns = async () => {
    const info = await api.sheet(sheet.value);
    others = info.columns;
    const names = others.map((c) => c.name);
    options(rightKey, names, names.includes(key.value) ? key.value : (names[0] ?? ""));
    if (!prefix.value.trim() || prefix.dataset.auto === "1") {
      prefix.value = `${sheet.value}.`;
      prefix.dataset.auto = "1";
    }
    boxes = names.map((n) => {
      const box = h("input", { type: "checkbox", value: n, checked: n !== rightKey.value, "aria-label": `Add ${n}` });
      box.addEventListener("change", update);
      return box;
    });
    replaceChildren(picks, h("legend", {}, "Columns to add"), ...boxes.map((b) => h("label", { class: "check" }, b, h("span", {}, b.value))));
  };

  sheet.addEventListener("change", () => void loadColumns().then(update));
  rightKey.addEventListener("change", () => {
    for (const b of boxes) if (b.value === rightKey.value) b.checked = false;
    update();
  });
  for (const el of [mode, key, ignoreCase]) el.addEventListener("change", update);
  prefix.addEventListener("input", () => {
    prefix.dataset.auto = "0";
    update();
  });

  const el = h(
    "div",
    { class: "form-grid" },
    labelled("Other sheet", sheet),
    labelled("Match", mode, "IP in a network: the other sheet's key holds CIDRs such as 10.0.0.0/8; the most specific wins"),
    labelled("Key in this sheet", key),
    labelled("Key in the other sheet", rightKey),
    h("label", { class: "check" }, ignoreCase, h("span", {}, "Ignore case")),
    labelled("Prefix of the new columns", prefix, "the new columns are named prefix + column, with prefix + matched"),
    picks,
    matched,
  );
  return {
    el,
    sample: async () => {
      const sheets = (await api.sheets()).map((s) => s.name).filter((n) => n !== ctx.sheet);
      if (!sheets.length) {
        matched.textContent = "The workspace has no other sheet to look up.";
        return;
      }
      options(sheet, sheets, sheets[0]);
      await loadColumns();
      void count();
    },
    build: step,
  };
}
