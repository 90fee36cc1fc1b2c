// Modal dialogs built on <dialog>: a generic one, confirm and prompt. Escape closes; focus returns.

import { h } from "./dom";
import { inlineError } from "./inline_error";

export interface DialogHandle {
  dialog: HTMLDialogElement;
  body: HTMLElement;
  footer: HTMLElement;
  error: ReturnType<typeof inlineError>;
  close(): void;
}

export function openDialog(title: string, options: { wide?: boolean; label?: string } = {}): DialogHandle {
  const previous = document.activeElement as HTMLElement | null;
  const body = h("div", { class: "dialog-body" });
  const footer = h("div", { class: "dialog-footer" });
  const error = inlineError();
  const closeButton = h("button", { type: "button", class: "icon-button", "aria-label": "Close" }, "×");
  const dialog = h(
    "dialog",
    { class: options.wide ? "dialog dialog-wide" : "dialog", "aria-label": options.label ?? title },
    h("header", { class: "dialog-header" }, h("h2", {}, title), closeButton),
    body,
    error.el,
    footer,
  );
  const close = () => {
    if (dialog.open) dialog.close();
    dialog.remove();
    previous?.focus?.();
  };
  closeButton.addEventListener("click", close);
  dialog.addEventListener("close", () => dialog.remove());
  document.body.appendChild(dialog);
  dialog.showModal();
  return { dialog, body, footer, error, close };
}

export function confirmDialog(title: string, message: string, action: string): Promise<boolean> {
  return new Promise((resolve) => {
    const d = openDialog(title);
    d.body.appendChild(h("p", {}, message));
    const cancel = h("button", { type: "button" }, "Cancel");
    const ok = h("button", { type: "button", class: "danger" }, action);
    cancel.addEventListener("click", () => {
      d.close();
      resolve(false);
    });
    ok.addEventListener("click", () => {
      d.close();
      resolve(true);
    });
    d.dialog.addEventListener("cancel", () => resolve(false));
    d.footer.append(cancel, ok);
    ok.focus();
  });
}

/** Asks for one line of text; `submit` may throw to keep the dialog open with the error shown in it. */
export function promptDialog(
  title: string,
  label: string,
  initial: string,
  action: string,
  submit: (value: string) => Promise<void>,
): void {
  const d = openDialog(title);
  const input = h("input", { type: "text", value: initial, "aria-label": label, class: "wide-input" });
  d.body.appendChild(h("label", { class: "field" }, h("span", {}, label), input));
  const ok = h("button", { type: "submit", class: "primary" }, action);
  const cancel = h("button", { type: "button" }, "Cancel");
  cancel.addEventListener("click", () => d.close());
  const go = async () => {
    d.error.clear();
    ok.disabled = true;
    try {
      await submit(input.value);
      d.close();
    } catch (error) {
      d.error.show(error instanceof Error ? error.message : String(error));
    } finally {
      ok.disabled = false;
    }
  };
  ok.addEventListener("click", go);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      void go();
    }
  });
  d.footer.append(cancel, ok);
  input.focus();
  input.select();
}
