// An error message shown right where the user acted (under a box, in a dialog, on an upload row).

import { h } from "./dom";

export interface InlineError {
  el: HTMLElement;
  show(message: string): void;
  /** The message, then `text` with the character at `position` marked (past the end: a marked blank). */
  showAt(message: string, text: string, position: number): void;
  clear(): void;
}

export function inlineError(): InlineError {
  const el = h("div", { class: "inline-error", role: "alert", hidden: true });
  return {
    el,
    show(message: string) {
      el.textContent = message;
      el.hidden = false;
    },
    showAt(message: string, text: string, position: number) {
      const at = Math.max(0, Math.min(position, text.length));
      const mark = h("mark", { class: "error-char", "data-testid": "error-char" }, text.slice(at, at + 1) || " ");
      el.replaceChildren(
        h("span", {}, message),
        h("code", { class: "error-at", "data-position": String(at) }, text.slice(Math.max(0, at - 60), at), mark, text.slice(at + 1, at + 60)),
      );
      el.hidden = false;
    },
    clear() {
      el.textContent = "";
      el.hidden = true;
    },
  };
}
