// The case page's findings: what the rules found on every sheet of the case, the most severe first; each opens
// its sheet narrowed to the finding's rows (`/sheets/{sheet}?finding=ID`, as the sheet's findings panel does).

import { api } from "../api";
import { findingSubject } from "../findings/chip";
import { levelBadge, levelClass } from "../findings/levels";
import { link, sheetPath } from "../router";
import { formatTimestamp } from "../sheet/format";
import type { Case, Finding } from "../types";
import { formatCount, h, replaceChildren } from "../ui/dom";
import { inlineError } from "../ui/inline_error";
import type { CaseSection } from "./section";

export function findingPath(f: Finding): string {
  return `${sheetPath(f.sheet)}?${new URLSearchParams({ finding: f.id })}`;
}

export function caseFindings(c: Case, tz: string): CaseSection {
  const list = h("div", { class: "case-section-body" }, h("p", { class: "muted" }, "Loading the findings…"));
  const error = inlineError();
  const el = h("section", { class: "case-section case-findings", "aria-label": "Findings of the case" }, h("h2", {}, "Findings"), error.el, list);
  const when = (iso: string | null) => (iso ? formatTimestamp(iso, tz) : "");
  return {
    el,
    async load() {
      try {
        const { findings } = await api.caseFindings(c.name);
        if (!findings.length) {
          replaceChildren(
            list,
            h("p", { class: "muted", "data-testid": "case-no-findings" }, "No findings in this case's sheets: run the rules from a sheet's Findings panel."),
          );
          return;
        }
        const head = ["Level", "Finding", "Sheet", "First seen", "Last seen", "About", "Rows"].map((t) => h("th", { scope: "col" }, t));
        const rows = findings.map((f) =>
          h(
            "tr",
            { class: levelClass(f.level), "data-finding": f.id },
            h("td", {}, levelBadge(f.level)),
            h("td", {}, link(findingPath(f), f.title || f.rule, "finding-link")),
            h("td", {}, link(sheetPath(f.sheet), f.sheet, "sheet-link")),
            h("td", {}, when(f.first_seen)),
            h("td", {}, when(f.last_seen)),
            h("td", { class: "finding-subject" }, findingSubject(f, 3)),
            h("td", { class: "num" }, formatCount(f.rows)),
          ),
        );
        replaceChildren(list, h("table", { class: "sheets-table case-findings-table" }, h("thead", {}, h("tr", {}, ...head)), h("tbody", {}, ...rows)));
      } catch (e) {
        replaceChildren(list);
        error.show(`Cannot read the findings: ${(e as Error).message}`);
      }
    },
  };
}
