// An error message shown right where the user acted (under a box, in a dialog, on an upload row).

import { h } from "./dom";

export interface InlineError {
  el: HTMLElement;
  show(message: string): void;
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
    clear() {
      el.textContent = "";
      el.hidden = true;
    },
  };
}
