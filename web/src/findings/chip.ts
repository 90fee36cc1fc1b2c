// The chip in the filter bar while the view is narrowed to a finding: "Finding: <title> — <group>", and × to
// go back to the sheet's view (the user's own filter, search, sort and group stay).

import type { Finding } from "../types";
import { h, replaceChildren } from "../ui/dom";
import { levelBadge } from "./levels";

/** What a finding is about in a few words: a correlation window's group key, or a rule's top entities. */
export function findingSubject(f: Finding, entities = 2): string {
  const group = Object.entries(f.group ?? {});
  if (group.length) return group.map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ");
  const parts: string[] = [];
  for (const [kind, values] of Object.entries(f.entities ?? {})) {
    if (values.length) parts.push(`${kind} ${values.slice(0, entities).join(", ")}${values.length > entities ? ` +${values.length - entities}` : ""}`);
  }
  return parts.join(" · ");
}

export class FindingChip {
  readonly el: HTMLElement;
  private readonly label: HTMLElement;

  constructor(remove: () => void) {
    this.label = h("span", { class: "finding-chip-label" });
    const close = h("button", { type: "button", class: "icon-button", "aria-label": "Remove the finding from the view", title: "Back to the sheet's view" }, "×");
    close.addEventListener("click", remove);
    this.el = h("span", { class: "chip finding-chip", "data-testid": "finding-chip", hidden: true }, this.label, close);
  }

  /** No finding (hidden), a finding's id while it is looked up or when it cannot be, or the finding itself. */
  show(finding: Finding | string | null, problem: string | null = null): void {
    if (finding === null) {
      this.el.hidden = true;
      replaceChildren(this.label);
      return;
    }
    this.el.hidden = false;
    if (typeof finding === "string") {
      replaceChildren(this.label, `Finding: ${finding}${problem ? ` (${problem})` : ""}`);
      this.el.title = finding;
      return;
    }
    const subject = findingSubject(finding);
    replaceChildren(this.label, levelBadge(finding.level), `Finding: ${finding.title}${subject ? ` — ${subject}` : ""}`);
    this.el.title = `${finding.id}: ${finding.rows.toLocaleString("en-US")} rows`;
  }
}
