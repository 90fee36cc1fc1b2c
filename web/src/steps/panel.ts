// The steps panel: every column function applied to the view, in order; remove one, undo, redo.

import type { SheetState } from "../sheet/state";
import { h, replaceChildren } from "../ui/dom";
import { describeStep } from "./functions";

export class StepsPanel {
  readonly el: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly undoButton: HTMLButtonElement;
  private readonly redoButton: HTMLButtonElement;

  constructor(private readonly state: SheetState) {
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
        return h("li", { class: "step" }, h("span", { class: "step-text" }, describeStep(step)), remove);
      }),
    );
  }
}
