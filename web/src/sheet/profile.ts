// The column profile: rows, blanks, distinct values, min / max (or, for an IP column, the private / public
// split) and the top values of a column in the view; a top value filters to it. The profile follows the view:
// the page calls follow() whenever the rows of the view change, and the profile is made again for them.

import { api, Cancelled } from "../api";
import type { Profile, Query } from "../types";
import { formatCount, h, replaceChildren } from "../ui/dom";
import { cellText } from "./format";
import type { Progress } from "./progress";

export class ProfilePanel {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private seq = 0;
  private column: string | null = null;

  constructor(
    private readonly sheet: string,
    private readonly progress: Progress,
    private readonly filterTo: (column: string, value: unknown, exclude: boolean) => void,
  ) {
    this.body = h("div", { class: "profile-body" }, h("p", { class: "muted" }, "Choose Profile in a column's ⋮ menu."));
    this.el = h("section", { class: "panel profile-panel", "aria-label": "Column profile" }, this.body);
  }

  /** The view changed: profile the same column again over the new rows (nothing when no column was profiled). */
  follow(query: Query, tz: string): void {
    if (this.column !== null) void this.show(query, this.column, tz);
  }

  async show(query: Query, column: string, tz: string): Promise<void> {
    this.column = column;
    const seq = ++this.seq;
    replaceChildren(this.body, h("p", { class: "muted" }, `Profiling ${column}…`));
    let p: Profile;
    try {
      p = await this.progress.run("profile", (run) => api.profile(this.sheet, { ...query, group: null, sort: [], columns: [] }, column, run));
    } catch (e) {
      if (seq !== this.seq) return;
      replaceChildren(this.body, h("p", { class: "inline-error", role: "alert" }, e instanceof Cancelled ? "Profile cancelled." : `Cannot profile ${column}: ${(e as Error).message}`));
      return;
    }
    if (seq !== this.seq) return;
    const value = (v: unknown) => cellText(v, p.type, tz);
    const stats = h(
      "dl",
      { class: "profile-stats" },
      h("dt", {}, "Column"),
      h("dd", {}, `${p.column} (${p.ip ? "IP addresses" : p.type})`),
      h("dt", {}, "Rows"),
      h("dd", {}, formatCount(p.rows)),
      h("dt", {}, "Blank"),
      h("dd", {}, `${formatCount(p.blanks)}${p.rows ? ` (${((100 * p.blanks) / p.rows).toFixed(1)}%)` : ""}`),
      h("dt", {}, "Distinct"),
      h("dd", {}, `${p.approximate ? "≈ " : ""}${formatCount(p.distinct)}`),
      ...(p.ip
        ? [
            h("dt", {}, "Private"),
            h("dd", { "data-testid": "ip-private" }, formatCount(p.ip.private)),
            h("dt", {}, "Public"),
            h("dd", { "data-testid": "ip-public" }, formatCount(p.ip.public)),
            ...(p.ip.other ? [h("dt", {}, "Not an IP"), h("dd", {}, formatCount(p.ip.other))] : []),
          ]
        : [h("dt", {}, "Min"), h("dd", {}, value(p.min)), h("dt", {}, "Max"), h("dd", {}, value(p.max))]),
    );
    const most = Math.max(1, ...p.top.map((t) => t.count));
    const top = h("ol", { class: "top-values", "aria-label": `Top values of ${column}` });
    for (const t of p.top) {
      const bar = h("span", { class: "top-bar", "aria-hidden": "true" });
      bar.style.width = `${(100 * t.count) / most}%`;
      const pick = h("button", { type: "button", class: "link-button top-value", title: "Filter to this value" }, value(t.value) || "(blank)");
      pick.addEventListener("click", () => this.filterTo(column, t.value, false));
      const exclude = h("button", { type: "button", class: "icon-button", title: "Exclude this value", "aria-label": "Exclude this value" }, "⊘");
      exclude.addEventListener("click", () => this.filterTo(column, t.value, true));
      top.appendChild(h("li", {}, bar, pick, h("span", { class: "top-count" }, formatCount(t.count)), exclude));
    }
    replaceChildren(this.body, stats, h("h3", {}, "Top values"), top);
  }
}
