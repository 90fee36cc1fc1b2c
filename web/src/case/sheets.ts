// The case page's sheets: each sheet of the case, a link to it, with its format, rows and time column.

import { api } from "../api";
import { link, sheetPath } from "../router";
import type { Case } from "../types";
import { formatCount, h, replaceChildren } from "../ui/dom";
import { inlineError } from "../ui/inline_error";
import type { CaseSection } from "./section";

export function caseSheets(c: Case): CaseSection {
  const list = h("div", { class: "case-section-body" });
  const error = inlineError();
  const el = h("section", { class: "case-section case-sheets-section", "aria-label": "Sheets of the case" }, h("h2", {}, "Sheets"), error.el, list);
  return {
    el,
    async load() {
      if (!c.sheets.length) {
        replaceChildren(list, h("p", { class: "muted", "data-testid": "case-no-sheets" }, "The case holds no sheets: add some on the files page."));
        return;
      }
      try {
        const all = await api.sheets();
        const inCase = all.filter((s) => c.sheets.includes(s.name));
        const head = ["Sheet", "Format", "Rows", "Time column"].map((t) => h("th", { scope: "col" }, t));
        const rows = inCase.map((s) =>
          h(
            "tr",
            { "data-sheet": s.name },
            h("th", { scope: "row" }, link(sheetPath(s.name), s.name, "sheet-link")),
            h("td", {}, s.format),
            h("td", { class: "num" }, formatCount(s.rows)),
            h("td", {}, s.time_column ?? "—"),
          ),
        );
        replaceChildren(list, h("table", { class: "sheets-table case-sheets-table" }, h("thead", {}, h("tr", {}, ...head)), h("tbody", {}, ...rows)));
      } catch (e) {
        error.show(`Cannot list the sheets: ${(e as Error).message}`);
      }
    },
  };
}
