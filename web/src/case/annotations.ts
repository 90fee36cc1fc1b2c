// The case page's annotations: the stars, tags and comments on the rows of every sheet of the case, the newest
// first (GET /api/cases/{name}/annotations?order=newest). Each names its sheet (a link to it) and opens its row in
// that sheet (`/sheets/{sheet}?row=ID&from=/cases/{name}`, as a timeline row does), whose header then offers the
// way back to the case. Values are the analysts' words and may hold anything: shown as text only.

import { api } from "../api";
import { casePath, link, sheetPath } from "../router";
import { formatTimestamp } from "../sheet/format";
import { rowInSheet } from "../timeline/page";
import type { Annotation, Case } from "../types";
import { formatCount, h, replaceChildren } from "../ui/dom";
import { inlineError } from "../ui/inline_error";
import type { CaseSection } from "./section";

/** The most annotations the section lists (the newest); `logsheet annotations --case NAME` lists every one. */
export const MAX_SHOWN = 500;

const KIND_LABEL: Record<Annotation["kind"], string> = { star: "★ star", tag: "tag", comment: "comment" };

export function caseAnnotations(c: Case, tz: string): CaseSection {
  const list = h("div", { class: "case-section-body" }, h("p", { class: "muted" }, "Loading the annotations…"));
  const error = inlineError();
  const note = h("p", { class: "muted case-annotations-note" });
  const el = h(
    "section",
    { class: "case-section case-annotations", "aria-label": "Annotations of the case" },
    h("h2", {}, "Annotations"),
    error.el,
    list,
  );
  return {
    el,
    async load() {
      let found: Annotation[];
      try {
        found = (await api.caseAnnotations(c.name, MAX_SHOWN, "newest")).annotations;
      } catch (e) {
        replaceChildren(list);
        error.show(`Cannot read the annotations: ${(e as Error).message}`);
        return;
      }
      if (!found.length) {
        replaceChildren(
          list,
          h(
            "p",
            { class: "muted", "data-testid": "case-no-annotations" },
            "No annotations in this case's sheets: star, tag or comment rows from a sheet (right-click a cell).",
          ),
        );
        return;
      }
      note.textContent =
        found.length >= MAX_SHOWN
          ? `The newest ${formatCount(MAX_SHOWN)} annotations, newest first (\`logsheet annotations --case\` lists them all).`
          : `${formatCount(found.length)} ${found.length === 1 ? "annotation" : "annotations"}, newest first.`;
      const back = casePath(c.name);
      const head = ["When", "Sheet", "Kind", "Value", "Author", "Row"].map((t) => h("th", { scope: "col" }, t));
      const rows = found.map((a) =>
        h(
          "tr",
          { class: `annotation-${a.kind}`, "data-annotation": String(a.id), "data-sheet": a.sheet, "data-rowid": String(a.rowid) },
          h("td", {}, formatTimestamp(a.created_at, tz)),
          h("td", {}, link(sheetPath(a.sheet), a.sheet, "sheet-link")),
          h("td", { class: "annotation-kind" }, KIND_LABEL[a.kind] ?? a.kind),
          h("td", { class: "annotation-value" }, a.value),
          h("td", {}, a.author),
          h("td", {}, opener(a, back)),
        ),
      );
      replaceChildren(
        list,
        note,
        h("table", { class: "sheets-table case-annotations-table" }, h("thead", {}, h("tr", {}, ...head)), h("tbody", {}, ...rows)),
      );
    },
  };
}

function opener(a: Annotation, back: string): HTMLAnchorElement {
  const a11y = link(rowInSheet(a.sheet, a.rowid, back), "Open row", "annotation-row-link");
  a11y.title = `Open row ${a.rowid} in ${a.sheet}`; // a property: text, whatever the sheet's name holds
  return a11y;
}
