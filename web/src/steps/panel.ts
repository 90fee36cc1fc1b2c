// The steps panel: every column function applied to the view, in order; remove one, undo, redo.

import { api, type LookupCount } from "../api";
import type { SheetState } from "../sheet/state";
import { h, replaceChildren } from "../ui/dom";
import { describeStep } from "./functions";

export class StepsPanel {
  readonly el: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly undoButton: HTMLButtonElement;
  private readonly redoButton: HTMLButtonElement;

  private countsKey = "";
  private counts: LookupCount[] = [];

  /** ``sheet``: the sheet whose lookup steps' matched rows are shown (none without it). */
  constructor(
    private readonly state: SheetState,
    private readonly sheet?: string,
  ) {
    this.list = h("ol", { class: "steps-list", "aria-label": "Steps" });
    this.undoButton = h("button", { type: "button", class: "small", title: "Undo (Ctrl+Z)" }, "Undo");
    this.redoButton = h("button", { type: "button", class: "small", title: "Redo (Ctrl+Shift+Z)" }, "Redo");
    this.undoButton.addEventListener("click", () => state.undo());
    this.redoButton.addEventListener("click", () => state.redo());
    this.el = h(
      "section",
      { class: "panel steps-panel", "aria-label": "Steps panel" },
      h("div", { class: "panel-actions" }, this.undoButton, this.redoButton),
      this.list,
      h("p", { class: "muted small-print" }, "Column functions (from a column's ⋮ menu) add steps here. Steps never change the imported data."),
    );
    this.render();
  }

  render(): void {
    const steps = this.state.query.steps;
    this.undoButton.disabled = !this.state.canUndo();
    this.redoButton.disabled = !this.state.canRedo();
    if (!steps.length) {
      replaceChildren(this.list, h("li", { class: "muted empty-step" }, "No steps yet."));
      return;
    }
    replaceChildren(
      this.list,
      ...steps.map((step, i) => {
        const remove = h("button", { type: "button", class: "icon-button", "aria-label": `Remove step ${i + 1}` }, "×");
        remove.addEventListener("click", () =>
          this.state.update((d) => {
            d.query.steps.splice(i, 1);
          }),
        );
        const matched = step.kind === "lookup" ? h("small", { class: "muted step-matched", "data-testid": "step-matched" }, this.matchedText(i)) : null;
        return h("li", { class: "step" }, h("span", { class: "step-text" }, describeStep(step), matched ? " " : null, matched), remove);
      }),
    );
    void this.loadCounts();
  }

  private viewKey(): string {
    const q = this.state.query;
    return JSON.stringify([q.steps, q.where, q.search, q.finding ?? null]);
  }

  private matchedText(index: number): string {
    if (this.viewKey() !== this.countsKey) return ""; // counts of another view: wait for this one's
    const found = this.counts.find((c) => c.step === index);
    return found ? `(${found.matched.toLocaleString()} of ${found.rows.toLocaleString()} rows matched)` : "";
  }

  /** The matched rows of the view's lookup steps, asked again only when the steps, filter or search change. */
  private async loadCounts(): Promise<void> {
    const query = this.state.query;
    if (!this.sheet || !query.steps.some((s) => s.kind === "lookup")) return;
    const key = this.viewKey();
    if (key === this.countsKey) return;
    this.countsKey = key;
    this.counts = [];
    try {
      const { lookups } = await api.lookups(this.sheet, { ...query, group: null, columns: [], sort: [] });
      if (key !== this.countsKey) return;
      this.counts = lookups;
      this.list.querySelectorAll<HTMLElement>(".step-matched").forEach((el, n) => {
        const lookupIndexes = query.steps.map((s, i) => (s.kind === "lookup" ? i : -1)).filter((i) => i >= 0);
        el.textContent = this.matchedText(lookupIndexes[n]);
      });
    } catch {
      this.countsKey = ""; // shown by the grid's own error; asked again on the next change
    }
  }
}
