// The case page's IOC lists: the workspace's lists (import a file, delete one) and their match against every
// sheet of the case — per sheet the rows holding an indicator, the indicators found, and a link that opens the
// sheet narrowed to those rows with the column ioc_lists. A match also records each list's rows as a finding,
// so the findings section is loaded again after one. Every value from a list or a log is shown as text.

import { api } from "../api";
import { link, sheetPath } from "../router";
import { formatTimestamp } from "../sheet/format";
import { emptyQuery, type Case, type IocList, type IocMatch } from "../types";
import { formatCount, h, replaceChildren } from "../ui/dom";
import { inlineError } from "../ui/inline_error";
import type { CaseSection } from "./section";

const KINDS = ["", "ip", "cidr", "domain", "url", "hash", "access_key", "user", "instance", "account"];
const SHOWN_REJECTS = 10;

/** The sheet narrowed to the rows holding an indicator, with the column naming the lists. */
export function iocSheetPath(m: IocMatch, caseName: string): string {
  const q = { ...emptyQuery(), steps: [{ kind: "mark_ioc" as const }], where: m.where };
  return `${sheetPath(m.sheet)}?${new URLSearchParams({ q: JSON.stringify(q), case: caseName })}`;
}

export function caseIocs(c: Case, tz: string, matched: () => void): CaseSection {
  const error = inlineError();
  const lists = h("div", { class: "case-section-body", "data-testid": "ioc-lists" });
  const results = h("div", { class: "case-section-body", "data-testid": "ioc-results" });
  const file = h("input", { type: "file", "aria-label": "IOC file", "data-testid": "ioc-file", accept: ".txt,.csv,.tsv,.json,text/plain" });
  const name = h("input", { type: "text", placeholder: "list name (default: the file's)", "aria-label": "List name", "data-testid": "ioc-name" });
  const kind = h("select", { "aria-label": "Kind of every value" }, ...KINDS.map((k) => h("option", { value: k }, k ? `every value: ${k}` : "kind by shape")));
  const replace = h("input", { type: "checkbox", "aria-label": "Replace a list of that name" });
  const importButton = h("button", { type: "button", "data-testid": "ioc-import" }, "Import list");
  const matchButton = h("button", { type: "button", class: "primary", "data-testid": "ioc-match" }, "Match against this case");
  const report = h("div", { class: "muted", "data-testid": "ioc-import-report" });
  const form = h(
    "div",
    { class: "ioc-import" },
    file,
    name,
    kind,
    h("label", {}, replace, " replace"),
    importButton,
    matchButton,
  );
  const el = h(
    "section",
    { class: "case-section case-iocs", "aria-label": "IOC lists" },
    h("h2", {}, "IOC lists"),
    h("p", { class: "muted" }, "Indicators (IPs, networks, domains, URLs, hashes, access keys, users) from a text, CSV or STIX 2.1 file, matched in each sheet's columns of their kind."),
    error.el,
    form,
    report,
    lists,
    results,
  );

  const showLists = async () => {
    const found = await api.iocLists();
    matchButton.disabled = !found.length || !c.sheets.length;
    if (!found.length) {
      replaceChildren(lists, h("p", { class: "muted", "data-testid": "ioc-no-lists" }, "No IOC lists yet: import a file."));
      return;
    }
    const head = ["List", "Indicators", "Kinds", "Level", "Source", "Set aside", ""].map((t) => h("th", { scope: "col" }, t));
    const rows = found.map((x) => {
      const remove = h("button", { type: "button", class: "link-button", "aria-label": `Delete the list ${x.name}` }, "Delete");
      remove.addEventListener("click", () => void removeList(x));
      return h(
        "tr",
        { "data-ioc-list": x.name },
        h("th", { scope: "row" }, x.name),
        h("td", { class: "num" }, formatCount(x.indicators)),
        h("td", {}, Object.entries(x.by_kind).map(([k, n]) => `${formatCount(n)} ${k}`).join(", ")),
        h("td", {}, x.level),
        h("td", { title: `sha256 ${x.sha256}` }, x.source),
        h("td", { class: "num" }, formatCount(x.rejected)),
        h("td", {}, remove),
      );
    });
    replaceChildren(lists, h("table", { class: "sheets-table ioc-lists-table" }, h("thead", {}, h("tr", {}, ...head)), h("tbody", {}, ...rows)));
  };

  const removeList = async (x: IocList) => {
    error.clear();
    try {
      await api.deleteIocList(x.name);
      report.textContent = `Deleted the list ${x.name}.`;
      await showLists();
    } catch (e) {
      error.show(`Cannot delete the list: ${(e as Error).message}`);
    }
  };

  importButton.addEventListener("click", async () => {
    error.clear();
    const chosen = file.files?.[0];
    if (!chosen) {
      error.show("Choose a file of indicators first.");
      return;
    }
    importButton.disabled = true;
    try {
      const made = await api.importIocs(chosen, { name: name.value.trim() || undefined, kind: kind.value || undefined, replace: replace.checked });
      const kinds = Object.entries(made.by_kind).map(([k, n]) => `${formatCount(n)} ${k}`).join(", ");
      const lines: HTMLElement[] = [
        h("p", {}, `List ${made.name}: ${formatCount(made.indicators)} indicators (${kinds}) from ${made.source}.`),
        ...made.notes.map((n) => h("p", {}, `Note: ${n}`)),
      ];
      if (made.rejected) {
        lines.push(
          h("p", {}, `${formatCount(made.rejected)} line(s) set aside:`),
          h("ul", { class: "ioc-rejects" }, ...made.rejects.slice(0, SHOWN_REJECTS).map((r) => h("li", {}, `line ${r.line}: ${r.reason}: ${r.text}`))),
        );
      }
      replaceChildren(report, ...lines);
      file.value = "";
      name.value = "";
      await showLists();
    } catch (e) {
      error.show(`Cannot import the list: ${(e as Error).message}`);
    } finally {
      importButton.disabled = false;
    }
  });

  matchButton.addEventListener("click", async () => {
    error.clear();
    matchButton.disabled = true;
    replaceChildren(results, h("p", { class: "muted" }, "Matching the lists against the case's sheets…"));
    try {
      const found = await api.matchIocs(c.name);
      showResults(found);
      matched();
    } catch (e) {
      replaceChildren(results);
      error.show(`Cannot match the lists: ${(e as Error).message}`);
    } finally {
      matchButton.disabled = false;
    }
  });

  const when = (iso: string | null) => (iso ? formatTimestamp(iso, tz) : "");
  const showResults = (found: IocMatch[]) => {
    if (!found.length) {
      replaceChildren(results, h("p", { "data-testid": "ioc-no-hits" }, "No sheet of the case holds an indicator of the lists."));
      return;
    }
    const head = ["Sheet", "Rows", "Indicators found", "First seen", "Last seen", "Not looked for"].map((t) => h("th", { scope: "col" }, t));
    const rows = found.map((m) =>
      h(
        "tr",
        { "data-ioc-sheet": m.sheet },
        h("th", { scope: "row" }, link(iocSheetPath(m, c.name), m.sheet, "ioc-sheet-link")),
        h("td", { class: "num" }, formatCount(m.rows)),
        h("td", { class: "ioc-values" }, m.hits.map((x) => `${x.value} (${x.list}, ${formatCount(x.rows)})`).join(", ")),
        h("td", {}, when(m.first_seen)),
        h("td", {}, when(m.last_seen)),
        h("td", { class: "muted", title: "Kinds of indicator this sheet has no column for" }, m.not_searched.join(", ")),
      ),
    );
    replaceChildren(results, h("table", { class: "sheets-table ioc-results-table" }, h("thead", {}, h("tr", {}, ...head)), h("tbody", {}, ...rows)));
  };

  return {
    el,
    async load() {
      try {
        await showLists();
      } catch (e) {
        error.show(`Cannot read the IOC lists: ${(e as Error).message}`);
      }
    },
  };
}
