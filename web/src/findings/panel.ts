// The findings panel of a sheet: its stored findings grouped by rule (level, title, ATT&CK ids, windows and rows;
// each finding's first / last time and its group key or top entities), Run rules, and what the last run did.
// Clicking a finding narrows the view to its rows (the page does that: `open`). Everything the server sends
// (titles, descriptions, entities come from rule files and attacker-written logs) is shown as text only.

import { api } from "../api";
import { formatTimestamp } from "../sheet/format";
import type { Finding, RuleRun } from "../types";
import { formatCount, h, replaceChildren } from "../ui/dom";
import { inlineError } from "../ui/inline_error";
import { findingSubject } from "./chip";
import { levelBadge, levelClass, worstLevel } from "./levels";

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** One line on a run: "N rules ran, M findings, K could not run", and the refused rules with their reasons. */
export function runSummary(run: RuleRun, tz: string): HTMLElement {
  const refused = run.refused ?? [];
  const line = `${plural(run.rules, "rule")} ran, ${plural(run.findings, "finding")}, ${formatCount(refused.length)} could not run`;
  const extra = [
    run.other_formats ? `${plural(run.other_formats, "rule")} for other logs` : "",
    typeof run.seconds === "number" ? `${run.seconds} s` : "",
    run.run_at ? formatTimestamp(run.run_at, tz) : "",
  ].filter(Boolean);
  const out = h("div", { class: "rule-run", "data-testid": "rule-run" }, h("p", { class: "rule-run-line" }, h("strong", {}, line), h("span", { class: "muted" }, extra.join(" · "))));
  if (refused.length) {
    const items = refused.map((r) =>
      h("li", {}, h("strong", {}, r.title || r.id), ` — ${r.reason}`, r.origin ? h("span", { class: "muted rule-origin" }, ` (${r.origin})`) : null),
    );
    out.appendChild(h("details", { class: "refused" }, h("summary", {}, `${plural(refused.length, "rule")} could not run`), h("ul", {}, ...items)));
  }
  return out;
}

export class FindingsPanel {
  readonly el: HTMLElement;
  /** The toolbar button (the page opens the panel with it), with a badge: the count, coloured by the worst level. */
  readonly button: HTMLButtonElement;
  private readonly badge: HTMLElement;
  private readonly list: HTMLElement;
  private readonly runButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly error = inlineError();
  private findings: Finding[] = [];
  private lastRun: RuleRun | null = null;
  private loaded = false;
  private active: string | null = null;
  private seq = 0;

  constructor(
    private readonly sheet: string,
    private readonly tz: () => string,
    private readonly open: (finding: Finding) => void,
  ) {
    this.badge = h("span", { class: "findings-badge", "data-testid": "findings-badge", hidden: true });
    this.button = h("button", { type: "button", class: "findings-button", title: "The findings of the rules on this sheet" }, "Findings", this.badge);
    this.runButton = h("button", { type: "button", class: "primary small" }, "Run rules");
    this.runButton.addEventListener("click", () => void this.run());
    this.status = h("div", { class: "findings-status", "aria-live": "polite" });
    this.list = h("div", { class: "findings-list" }, h("p", { class: "muted" }, "Loading the findings…"));
    this.el = h(
      "section",
      { class: "panel findings-panel", "aria-label": "Findings" },
      h("div", { class: "findings-head" }, h("h3", {}, "Findings"), this.runButton),
      this.status,
      this.error.el,
      this.list,
    );
  }

  /** The stored findings and the last run (GET /api/sheets/{name}/findings). */
  async load(): Promise<void> {
    const seq = ++this.seq;
    try {
      const body = await api.findings(this.sheet);
      if (seq !== this.seq) return;
      this.error.clear();
      this.findings = body.findings;
      this.lastRun = body.last_run;
      this.loaded = true;
      this.render();
    } catch (e) {
      if (seq !== this.seq) return;
      this.error.show(`The findings cannot be read: ${(e as Error).message}`);
      if (!this.loaded) replaceChildren(this.list);
    }
  }

  /** POST /rules/run: the built-in pack and the workspace's rules on this sheet; the list is then the new one. */
  async run(): Promise<void> {
    const seq = ++this.seq;
    this.runButton.disabled = true;
    this.runButton.textContent = "Running rules…";
    this.el.setAttribute("aria-busy", "true");
    this.error.clear();
    replaceChildren(this.status, h("p", { class: "muted" }, `Running the rules on ${this.sheet}…`));
    try {
      const body = await api.runRules(this.sheet);
      this.lastRun = body.run;
      if (seq === this.seq) {
        this.findings = body.findings;
        this.loaded = true;
      }
      await this.load(); // the stored list: the run's findings and those of rules it did not run
    } catch (e) {
      replaceChildren(this.status);
      this.error.show(`The rules did not run: ${(e as Error).message}`);
    } finally {
      this.runButton.disabled = false;
      this.runButton.textContent = "Run rules";
      this.el.removeAttribute("aria-busy");
      this.render();
    }
  }

  /** The finding the view is narrowed to (marked in the list), or null. */
  setActive(id: string | null): void {
    if (id === this.active) return;
    this.active = id;
    if (this.loaded) this.render();
  }

  /** The page's time zone changed: the times are shown in the new one. */
  timeZoneChanged(): void {
    if (this.loaded) this.render();
  }

  /** A finding by id: from the list when it is there, else from the server (an address that names one). */
  async lookup(id: string): Promise<Finding> {
    return this.findings.find((f) => f.id === id) ?? (await api.finding(id));
  }

  private render(): void {
    this.renderBadge();
    replaceChildren(this.status, this.lastRun ? runSummary(this.lastRun, this.tz()) : null);
    if (!this.loaded) return;
    if (!this.findings.length) {
      replaceChildren(
        this.list,
        h(
          "div",
          { class: "findings-empty", "data-testid": "findings-empty" },
          h("p", {}, h("strong", {}, "No findings.")),
          h(
            "p",
            { class: "muted" },
            this.lastRun
              ? "The last run flagged nothing in this sheet. Run the rules again after importing more logs."
              : "Run the rules to look for known attacks in this sheet: the built-in pack and the workspace's own Sigma rules.",
          ),
        ),
      );
      return;
    }
    const byRule = new Map<string, Finding[]>();
    for (const f of this.findings) {
      const key = `${f.rule}\u0000${f.origin}`;
      const group = byRule.get(key);
      if (group) group.push(f);
      else byRule.set(key, [f]);
    }
    replaceChildren(this.list, ...[...byRule.values()].map((group) => this.ruleGroup(group)));
  }

  private renderBadge(): void {
    if (!this.loaded) return;
    const worst = worstLevel(this.findings);
    this.badge.hidden = false;
    this.badge.textContent = formatCount(this.findings.length);
    this.badge.className = `findings-badge ${worst ? levelClass(worst) : "level-none"}`;
    this.button.title = this.findings.length
      ? `${plural(this.findings.length, "finding")} on this sheet, the most severe ${worst}`
      : "No findings on this sheet";
  }

  private ruleGroup(group: Finding[]): HTMLElement {
    const first = group[0];
    const rows = group.reduce((n, f) => n + f.rows, 0);
    const counts = first.kind === "correlation" ? `${plural(group.length, "window")} · ${plural(rows, "row")}` : plural(rows, "row");
    const head = h(
      "div",
      { class: "finding-rule-head" },
      levelBadge(first.level),
      h("span", { class: "finding-title" }, first.title || first.rule),
      first.attack.length ? h("span", { class: "finding-attack" }, first.attack.join(" ")) : null,
      h("span", { class: "finding-counts muted" }, counts),
    );
    if (first.description) head.title = first.description;
    const about = h(
      "details",
      { class: "finding-about" },
      h("summary", {}, "About this rule"),
      first.description ? h("p", {}, first.description) : h("p", { class: "muted" }, "The rule has no description."),
      h("p", { class: "muted small-print" }, `Rule ${first.rule}${first.origin ? ` · ${first.origin}` : ""}`),
      first.tags.length ? h("p", { class: "muted small-print" }, `Tags: ${first.tags.join(", ")}`) : null,
    );
    const items = group.map((f) => h("li", {}, this.findingButton(f)));
    return h("section", { class: `finding-rule ${levelClass(first.level)}`, "data-rule": first.rule }, head, about, h("ul", { class: "finding-items" }, ...items));
  }

  private findingButton(f: Finding): HTMLElement {
    const tz = this.tz();
    const first = f.first_seen ? formatTimestamp(f.first_seen, tz) : null;
    const last = f.last_seen ? formatTimestamp(f.last_seen, tz) : null;
    const when = first && last && first !== last ? `${first} → ${last}` : first ?? last ?? "no time column";
    const subject = findingSubject(f, 3);
    const button = h(
      "button",
      { type: "button", class: "finding-open", "data-finding": f.id, title: `Show the ${plural(f.rows, "row")} of this finding` },
      h("span", { class: "finding-when" }, when),
      subject ? h("span", { class: "finding-subject" }, subject) : null,
      h("span", { class: "finding-rows muted" }, plural(f.rows, "row")),
    );
    if (f.id === this.active) {
      button.setAttribute("aria-current", "true");
      button.classList.add("active");
    }
    button.addEventListener("click", () => this.open(f));
    return button;
  }
}
