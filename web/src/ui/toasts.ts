// Short messages in the corner, for what has no better place on the page. Errors stay until dismissed.

import { h } from "./dom";

export function toast(message: string, kind: "info" | "error" = "info"): void {
  const host = document.getElementById("toasts");
  if (!host) return;
  const close = h("button", { class: "toast-close", "aria-label": "Dismiss", type: "button" }, "×");
  const el = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" }, h("span", {}, message), close);
  close.addEventListener("click", () => el.remove());
  host.appendChild(el);
  if (kind === "info") setTimeout(() => el.remove(), 4000);
}

/** The words of an error, for people. */
export function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
