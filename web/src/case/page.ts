// The case page (`/cases/{name}`): a case's sheets (links to them), the findings of the rules on them, the IOC
// lists and their matches, and the annotations of their rows; its header downloads the case's report (case/report.ts). Each part is a section of its own module (case/sheets.ts, case/findings.ts,
// case/annotations.ts), loaded with the case; the case's timeline and pivot join them as sections too. Every name
// and value is shown as text.

import { api } from "../api";
import { link, timelinePath } from "../router";
import type { Case } from "../types";
import { h, replaceChildren } from "../ui/dom";
import { inlineError } from "../ui/inline_error";
import { caseAnnotations } from "./annotations";
import { caseFindings } from "./findings";
import { caseIocs } from "./iocs";
import { reportButtons } from "./report";
import { caseSheets } from "./sheets";

/** The display time zone: the one the sheet pages last used (their `tz`), else UTC. */
export function displayZone(): string {
  return localStorage.getItem("logsheet:tz") || "UTC";
}

export function renderCasePage(root: HTMLElement, name: string): () => void {
  document.title = `${name} — logsheet`;
  let alive = true;
  const error = inlineError();
  const summary = h("span", { class: "muted case-summary", "data-testid": "case-summary" });
  const body = h("div", { class: "case-body" }, h("p", { class: "muted" }, "Loading the case…"));
  replaceChildren(
    root,
    h(
      "main",
      { class: "files-page case-page" },
      h(
        "header",
        { class: "files-header" },
        link("/", "logsheet", "brand"),
        h("h1", { class: "case-title" }, name),
        summary,
        link(timelinePath(name), "Timeline", "case-timeline-link"),
        reportButtons(name, (message) => error.show(message)),
      ),
      error.el,
      body,
    ),
  );

  const load = async () => {
    let found: Case;
    try {
      found = await api.case(name);
    } catch (e) {
      if (!alive) return;
      replaceChildren(body, h("p", {}, link("/", "Back to the sheets and cases")));
      error.show(`Cannot open the case: ${(e as Error).message}`);
      return;
    }
    if (!alive) return;
    summary.textContent = `${found.default ? "the default case · " : ""}${found.sheets.length} ${found.sheets.length === 1 ? "sheet" : "sheets"}`;
    const sheets = caseSheets(found);
    const findings = caseFindings(found, displayZone());
    const annotations = caseAnnotations(found, displayZone());
    const iocs = caseIocs(found, displayZone(), () => void findings.load());
    replaceChildren(body, sheets.el, findings.el, iocs.el, annotations.el);
    await Promise.all([sheets.load(), findings.load(), iocs.load(), annotations.load()]);
  };
  void load();
  return () => {
    alive = false;
  };
}
