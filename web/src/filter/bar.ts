// The filter bar: the filter as editable text in the filter language, and the builder, kept in step both
// ways through the server (POST /api/filter/parse and /api/filter/format). Apply puts the filter on the view.

import { api, ApiError } from "../api";
import type { Column, Predicate } from "../types";
import { h } from "../ui/dom";
import { inlineError } from "../ui/inline_error";
import { FilterBuilder } from "./builder";
import { toPredicate, toTree, type Group } from "./model";

export class FilterBar {
  readonly el: HTMLElement;
  readonly input: HTMLTextAreaElement;
  /** Chips the page puts before the filter text (the finding the view is narrowed to). */
  readonly chips: HTMLElement;
  private readonly builder: FilterBuilder;
  private readonly builderBox: HTMLElement;
  /** Which side the user changed last: what Apply (or Enter) applies. */
  private edited: "text" | "builder" = "text";
  private readonly toggle: HTMLButtonElement;
  private readonly error = inlineError();
  private readonly status: HTMLElement;
  private columns: Column[] = [];
  private draft: Predicate | null = null;
  private applied: Predicate | null = null;
  private tz = "UTC";
  private parseTimer: number | null = null;
  private formatSeq = 0;
  private parseSeq = 0;
  private readonly apply: (where: Predicate | null) => void;

  constructor(apply: (where: Predicate | null) => void) {
    this.apply = apply;
    this.input = h("textarea", {
      class: "filter-text",
      rows: 1,
      spellcheck: "false",
      placeholder: "Filter, e.g. eventName = 'RunInstances' and errorMessage is not blank   (press f)",
      "aria-label": "Filter (filter language)",
    });
    this.builder = new FilterBuilder(
      (tree) => this.fromBuilder(tree),
      () => this.submit(),
    );
    this.builderBox = h("div", { class: "builder-box", hidden: true }, this.builder.el);
    this.toggle = h("button", { type: "button", "aria-expanded": "false", "aria-controls": "builder" }, "Builder");
    this.builderBox.id = "builder";
    this.toggle.addEventListener("click", () => this.showBuilder(this.builderBox.hidden));
    const applyButton = h("button", { type: "button", class: "primary" }, "Apply");
    applyButton.addEventListener("click", () => this.submit());
    const clearButton = h("button", { type: "button" }, "Clear");
    clearButton.addEventListener("click", () => {
      this.input.value = "";
      this.draft = null;
      this.builder.setTree(toTree(null));
      this.error.clear();
      this.apply(null);
    });
    this.status = h("span", { class: "filter-status muted", "aria-live": "polite" });
    this.chips = h("span", { class: "filter-chips" });
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        this.submit();
      } else if (e.key === "Escape") {
        this.input.blur();
      }
    });
    this.input.addEventListener("input", () => {
      this.edited = "text";
      this.autosize();
      if (this.parseTimer !== null) clearTimeout(this.parseTimer);
      this.parseTimer = window.setTimeout(() => void this.fromText(false), 350);
    });
    this.el = h(
      "section",
      { class: "filter-bar", "aria-label": "Filter" },
      h("div", { class: "filter-row" }, h("span", { class: "filter-label" }, "Filter"), this.chips, this.input, this.toggle, applyButton, clearButton, this.status),
      this.error.el,
      this.builderBox,
    );
  }

  setColumns(columns: Column[]): void {
    this.columns = columns;
    this.builder.setColumns(columns);
  }

  setTimeZone(tz: string): void {
    this.tz = tz;
  }

  /** The view's filter changed (applied, undone, loaded): show it in both forms. */
  async show(where: Predicate | null): Promise<void> {
    this.applied = where;
    this.draft = where;
    this.builder.setTree(toTree(where));
    this.error.clear();
    this.status.textContent = "";
    const seq = ++this.formatSeq;
    const text = where ? await this.format(where) : "";
    if (seq === this.formatSeq && text !== null) {
      this.input.value = text;
      this.autosize();
    }
  }

  focus(): void {
    this.input.focus();
    this.input.select();
  }

  showBuilder(open: boolean): void {
    this.builderBox.hidden = !open;
    this.toggle.setAttribute("aria-expanded", String(open));
    this.toggle.classList.toggle("active", open);
  }

  /** Opens the builder with a new condition on `column` (from the column menu). */
  addCondition(column: string): void {
    this.showBuilder(true);
    this.builder.addCondition(column);
  }

  showError(message: string): void {
    this.error.show(message);
  }

  /** The text in the box, as typed (applied or not). */
  typedText(): string {
    return this.input.value;
  }

  /** The server refused the filter `text` (the view went back to the last one that worked): the text stays in
   * the box, not applied, with the error at the character when it can be placed (a column it names). */
  refuse(text: string, message: string, position: number | null = null): void {
    ++this.formatSeq; // the text of the restored filter must not replace what the user typed
    this.input.value = text;
    this.autosize();
    this.status.textContent = "not applied";
    const named = /column '([^']+)'/.exec(message)?.[1];
    const at = position ?? (named ? text.toLowerCase().indexOf(named.toLowerCase()) : -1);
    if (at >= 0) this.error.showAt(`${message}. The rows below are of the last filter that worked.`, text, at);
    else this.error.show(`${message}. The rows below are of the last filter that worked.`);
  }

  private async submit(): Promise<void> {
    if (this.parseTimer !== null) clearTimeout(this.parseTimer);
    // The side edited last is the one applied: the builder's tree as it is now (its text form may still be on
    // its way from the server), refused at the field while a condition is incomplete; or the typed text.
    if (this.edited === "builder" && !this.builderBox.hidden) {
      if (!this.builder.validate()) return;
      this.apply(this.draft);
      return;
    }
    if (await this.fromText(true)) this.apply(this.draft);
  }

  /** Text → predicate (and the builder). Returns false, showing why, when the text does not parse. */
  private async fromText(strict: boolean): Promise<boolean> {
    const text = this.input.value.trim();
    const seq = ++this.parseSeq;
    if (!text) {
      this.draft = null;
      this.builder.setTree(toTree(null));
      this.error.clear();
      return true;
    }
    try {
      const { where } = await api.parseFilter(text);
      if (seq !== this.parseSeq) return false;
      this.draft = where;
      this.builder.setTree(toTree(where));
      this.error.clear();
      this.status.textContent = JSON.stringify(where) !== JSON.stringify(this.applied) ? "not applied yet: press Enter" : "";
      return true;
    } catch (e) {
      if (seq !== this.parseSeq) return false;
      if (e instanceof ApiError && e.position !== null) this.error.showAt(e.message, text, e.position);
      else this.error.show((e as Error).message);
      if (e instanceof ApiError && e.position !== null && strict) {
        this.input.focus();
        this.input.setSelectionRange(e.position, Math.min(text.length, e.position + 1));
      }
      return false;
    }
  }

  /** Builder → predicate → text. */
  private async fromBuilder(tree: Group): Promise<void> {
    this.edited = "builder";
    this.draft = toPredicate(tree, this.columns, this.tz);
    this.status.textContent = JSON.stringify(this.draft) !== JSON.stringify(this.applied) ? "not applied yet" : "";
    const seq = ++this.formatSeq;
    const text = this.draft ? await this.format(this.draft) : "";
    if (seq === this.formatSeq && text !== null) {
      this.input.value = text;
      this.autosize();
      this.error.clear();
    }
  }

  private async format(where: Predicate): Promise<string | null> {
    try {
      return (await api.formatFilter(where)).text;
    } catch (e) {
      this.error.show(`This filter cannot be shown as text: ${(e as Error).message}`);
      return null;
    }
  }

  private autosize(): void {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(120, this.input.scrollHeight + 2)}px`;
  }
}
