// The entity page (`/cases/{name}/entities/{value}`): the pivot on one value across the case's sheets — its
// kind, per sheet its rows with first and last seen (each opens that sheet filtered to the value's rows), a
// small timeline (each sheet's histogram of those rows over the same span) and the related entities, each a
// link to its own entity page. `?anywhere=1` looks for the value in any column. Every value is shown as text.

import { api, type IpFacts } from "../api";
import { displayZone } from "../case/page";
import { casePath, entityPath, link, navigate, sheetPath } from "../router";
import { formatTimestamp } from "../sheet/format";
import { emptyQuery, type Histogram, type Pivot, type PivotSheet } from "../types";
import { formatCount, h, replaceChildren } from "../ui/dom";
import { inlineError } from "../ui/inline_error";

const BUCKETS = 48;
const KIND_NAMES: Record<string, string> = {
  ip: "IP address",
  user: "user or principal",
  access_key: "access key",
  account: "AWS account",
  instance: "instance",
  host: "host",
};

export function kindName(kind: string | null): string {
  return kind ? (KIND_NAMES[kind] ?? kind) : "value";
}

/** The address of a sheet narrowed to a pivot's rows, naming the case (a pivot from that sheet looks across it). */
export function pivotSheetPath(hit: PivotSheet, caseName: string): string {
  return `${sheetPath(hit.sheet)}?${new URLSearchParams({ q: JSON.stringify({ ...emptyQuery(), where: hit.where }), case: caseName })}`;
}

export function renderEntityPage(root: HTMLElement, caseName: string, value: string): () => void {
  document.title = `${value} — ${caseName} — logsheet`;
  let alive = true;
  const anywhere = new URLSearchParams(window.location.search).get("anywhere") === "1";
  const tz = displayZone();
  const error = inlineError();
  const kind = h("span", { class: "muted entity-kind", "data-testid": "entity-kind" });
  const toggle = h("input", { type: "checkbox", checked: anywhere, "data-testid": "entity-anywhere" });
  toggle.addEventListener("change", () => navigate(`${entityPath(caseName, value)}${toggle.checked ? "?anywhere=1" : ""}`));
  const body = h("div", { class: "case-body" }, h("p", { class: "muted" }, "Following the value across the case…"));
  replaceChildren(
    root,
    h(
      "main",
      { class: "files-page case-page entity-page" },
      h(
        "header",
        { class: "files-header" },
        link("/", "logsheet", "brand"),
        link(casePath(caseName), caseName, "entity-case"),
        h("h1", { class: "case-title entity-value", "data-testid": "entity-value" }, value),
        kind,
        h("label", { class: "entity-anywhere" }, toggle, " anywhere in the row"),
      ),
      h("p", { class: "muted entity-scope", "data-testid": "entity-scope" }, `Across the sheets of case ${caseName}`),
      error.el,
      body,
    ),
  );
  const when = (iso: string | null) => (iso ? formatTimestamp(iso, tz) : "—");

  const load = async () => {
    let found: Pivot;
    try {
      found = await api.pivot(caseName, value, anywhere);
    } catch (e) {
      if (!alive) return;
      replaceChildren(body, h("p", {}, link(casePath(caseName), "Back to the case")));
      error.show(`Cannot follow the value: ${(e as Error).message}`);
      return;
    }
    if (!alive) return;
    const total = found.sheets.reduce((n, s) => n + s.rows, 0);
    kind.textContent = `${kindName(found.kind)} · ${formatCount(total)} ${total === 1 ? "row" : "rows"} in ${found.sheets.length} ${found.sheets.length === 1 ? "sheet" : "sheets"}`;
    if (!found.sheets.length) {
      const where = anywhere ? "in any column" : "in an entity column (tick “anywhere in the row” to look in every column)";
      replaceChildren(body, h("p", { class: "muted", "data-testid": "entity-nothing" }, `No sheet of the case holds this value ${where}.`));
      return;
    }
    const timeline = h("div", { class: "entity-timeline", "data-testid": "entity-timeline" });
    replaceChildren(body, sheetsSection(found, when), section("Timeline", "Timeline of the entity", timeline), relatedSection(found));
    if (found.kind === "ip") void addEnrichment(body, value, () => alive);
    await drawTimeline(timeline, found, tz, () => alive);
  };
  void load();
  return () => {
    alive = false;
  };
}

/** The offline facts of an IP address (class, AWS service and region, GeoIP), after its sheets. */
async function addEnrichment(body: HTMLElement, value: string, alive: () => boolean): Promise<void> {
  let facts: IpFacts;
  try {
    facts = await api.describeIp(value);
  } catch {
    return; // the rest of the page stands without it
  }
  if (!alive() || facts.class === null) return;
  const rows: Array<[string, string]> = [["Class", facts.class]];
  if (facts.configured.ip_ranges) {
    rows.push(["AWS", facts.aws_service ? `${facts.aws_service} in ${facts.aws_region ?? "?"}` : "outside AWS's published ranges"]);
  }
  if (facts.configured.geoip) {
    const geo = facts.geoip;
    const place = geo ? [geo.city, geo.country].filter(Boolean).join(", ") : "";
    rows.push(["Location", place || "not in the GeoIP file"]);
    if (geo?.asn) rows.push(["Network", `AS${geo.asn}${geo.org ? ` ${geo.org}` : ""}`]);
  }
  const list = h(
    "dl",
    { class: "entity-enrichment", "data-testid": "entity-enrichment" },
    ...rows.flatMap(([term, text]) => [h("dt", {}, term), h("dd", {}, text)]),
  );
  const hint = facts.configured.ip_ranges && facts.configured.geoip
    ? null
    : h("p", { class: "muted small-print" }, "AWS ranges and GeoIP come from files set with `logsheet config ip-ranges` / `geoip` (offline).");
  const sectionEl = section("Enrichment", "Enrichment of the IP address", list);
  if (hint) sectionEl.querySelector(".case-section-body")?.append(hint);
  body.insertBefore(sectionEl, body.children[1] ?? null);
}

function section(title: string, label: string, ...children: HTMLElement[]): HTMLElement {
  return h("section", { class: "case-section", "aria-label": label }, h("h2", {}, title), h("div", { class: "case-section-body" }, ...children));
}

function sheetsSection(found: Pivot, when: (iso: string | null) => string): HTMLElement {
  const head = ["Sheet", "Rows", "First seen", "Last seen"].map((t) => h("th", { scope: "col" }, t));
  const rows = found.sheets.map((s) =>
    h(
      "tr",
      { "data-sheet": s.sheet },
      h("th", { scope: "row" }, link(pivotSheetPath(s, found.case), s.sheet, "sheet-link")),
      h("td", { class: "num" }, formatCount(s.rows)),
      h("td", {}, when(s.first_seen)),
      h("td", {}, when(s.last_seen)),
    ),
  );
  const table = h("table", { class: "sheets-table entity-sheets-table" }, h("thead", {}, h("tr", {}, ...head)), h("tbody", {}, ...rows));
  return section("Sheets", "Sheets holding the value", table);
}

function relatedSection(found: Pivot): HTMLElement {
  const kinds = Object.entries(found.related).filter(([, items]) => items.length);
  if (!kinds.length) return section("Related entities", "Related entities", h("p", { class: "muted" }, "No other entity in these rows."));
  const groups = kinds.map(([kind, items]) =>
    h(
      "div",
      { class: "entity-related-kind", "data-kind": kind },
      h("h3", {}, kindName(kind)),
      h(
        "ul",
        { class: "entity-related" },
        ...items.map((item) =>
          h("li", {}, link(entityPath(found.case, item.value), item.value, "entity-link"), " ", h("span", { class: "muted num" }, formatCount(item.rows))),
        ),
      ),
    ),
  );
  return section("Related entities", "Related entities", h("div", { class: "entity-related-kinds" }, ...groups));
}

async function drawTimeline(el: HTMLElement, found: Pivot, tz: string, alive: () => boolean): Promise<void> {
  const firsts = found.sheets.map((s) => s.first_seen).filter((t): t is string => !!t);
  const lasts = found.sheets.map((s) => s.last_seen).filter((t): t is string => !!t);
  if (!firsts.length) {
    replaceChildren(el, h("p", { class: "muted" }, "These rows have no times."));
    return;
  }
  const start = firsts.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
  const end = new Date(Date.parse(lasts.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b))) + 1000).toISOString();
  const timed = found.sheets.filter((s) => s.first_seen);
  let charts: Histogram[];
  try {
    charts = await Promise.all(timed.map((s) => api.histogram(s.sheet, { ...emptyQuery(), where: s.where }, BUCKETS, start, end)));
  } catch (e) {
    if (alive()) replaceChildren(el, h("p", { class: "inline-error" }, `Cannot draw the timeline: ${(e as Error).message}`));
    return;
  }
  if (!alive()) return;
  const most = Math.max(1, ...charts.flatMap((c) => c.buckets.map((b) => b.count)));
  const rows = timed.map((s, i) =>
    h(
      "div",
      { class: "entity-timeline-row", "data-sheet": s.sheet },
      h("span", { class: "entity-timeline-label" }, s.sheet),
      h(
        "div",
        { class: "entity-timeline-bars" },
        ...charts[i].buckets.map((b) => {
          const bar = h("div", { class: "entity-bar", title: `${formatTimestamp(b.start, tz)}: ${formatCount(b.count)}` });
          bar.style.height = b.count ? `${Math.max(8, (100 * b.count) / most)}%` : "0";
          return bar;
        }),
      ),
    ),
  );
  replaceChildren(
    el,
    ...rows,
    h("div", { class: "entity-timeline-axis muted" }, h("span", {}, formatTimestamp(start, tz)), h("span", {}, formatTimestamp(end, tz))),
  );
}
