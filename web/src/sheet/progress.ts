// Slow queries: every query, histogram and profile runs with a request id; when one takes longer than a
// moment, a bar shows what is running and for how long, with a Cancel button that stops it on the server.

import { api, newRequestId, type Running } from "../api";
import { h } from "../ui/dom";

const SHOW_AFTER_MS = 400;

interface Entry {
  label: string;
  started: number;
  controller: AbortController;
  requestId: string;
}

export class Progress {
  readonly el: HTMLElement;
  private running = new Map<string, Entry>();
  private text: HTMLElement;
  private timer: number | null = null;

  constructor() {
    this.text = h("span", { class: "progress-text" });
    const cancel = h("button", { type: "button", class: "small" }, "Cancel");
    cancel.addEventListener("click", () => this.cancelAll());
    this.el = h("div", { class: "query-progress", role: "status", "aria-live": "polite", hidden: true }, h("span", { class: "spinner", "aria-hidden": "true" }), this.text, cancel);
  }

  /** Runs `work` with a request id and an abort signal, showing progress while it is slow. */
  async run<T>(label: string, work: (run: Running) => Promise<T>): Promise<T> {
    const requestId = newRequestId();
    const controller = new AbortController();
    this.running.set(requestId, { label, started: performance.now(), controller, requestId });
    this.schedule();
    try {
      return await work({ requestId, signal: controller.signal });
    } finally {
      this.running.delete(requestId);
      this.schedule();
    }
  }

  cancelAll(): void {
    for (const entry of this.running.values()) {
      api.cancel(entry.requestId).catch(() => undefined);
      entry.controller.abort();
    }
  }

  private schedule(): void {
    if (this.timer !== null) return;
    this.timer = window.setTimeout(() => {
      this.timer = null;
      this.paint();
      if (this.running.size) this.schedule();
    }, this.running.size ? 250 : 0);
  }

  private paint(): void {
    const now = performance.now();
    const slow = [...this.running.values()].filter((e) => now - e.started >= SHOW_AFTER_MS);
    if (!slow.length) {
      this.el.hidden = true;
      return;
    }
    const oldest = Math.max(...slow.map((e) => now - e.started));
    const labels = [...new Set(slow.map((e) => e.label))].join(", ");
    this.text.textContent = `Running ${labels}… ${(oldest / 1000).toFixed(1)} s`;
    this.el.hidden = false;
  }
}
