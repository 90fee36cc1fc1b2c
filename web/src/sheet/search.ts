// The search box: full-text search across every column (the view's `search`); matches are marked in cells.

import { h } from "../ui/dom";

export class SearchBox {
  readonly el: HTMLElement;
  readonly input: HTMLInputElement;
  private timer: number | null = null;

  constructor(apply: (text: string) => void) {
    this.input = h("input", {
      type: "search",
      class: "search-input",
      placeholder: "Search all columns  (/)",
      "aria-label": "Search all columns",
      spellcheck: "false",
    });
    const go = () => {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      apply(this.input.value);
    };
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        go();
      } else if (e.key === "Escape") {
        this.input.blur();
      }
    });
    this.input.addEventListener("input", () => {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = window.setTimeout(go, 600);
    });
    this.el = h("div", { class: "search", role: "search" }, this.input);
  }

  show(text: string): void {
    if (document.activeElement !== this.input || this.timer === null) this.input.value = text;
  }

  focus(): void {
    this.input.focus();
    this.input.select();
  }
}
