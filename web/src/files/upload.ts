// One upload batch: files → a sheet, with per-file progress while sending, then the server's import job
// followed to its summary (rows, rejects, duplicates). Batches live on while the user goes elsewhere.

import { api, upload, ApiError, Cancelled, type ImportOptions } from "../api";
import { sheetPath, link } from "../router";
import type { Job } from "../types";
import { formatBytes, formatCount, h, replaceChildren } from "../ui/dom";
import { plural } from "../sheet/format";

export interface BatchRequest extends ImportOptions {
  files: File[];
  sheet: string;
  format: string | null;
  append: boolean;
  /** The case the sheet also joins (made if missing); every sheet joins the default case. */
  case?: string | null;
}

type Listener = () => void;

export interface BatchHooks {
  /** The server has every byte and started the import job. */
  accepted?: () => void;
  /** Offered a refusal of the request itself (400, 409: a bad option, a taken name): true when the page shows
   * it where the user acted (the upload form); the batch then takes itself away. */
  refused?: (message: string) => boolean;
}

export class UploadBatch {
  readonly el: HTMLElement;
  readonly request: BatchRequest;
  state: "sending" | "importing" | "done" | "failed" = "sending";
  private bars: HTMLProgressElement[] = [];
  private fileStatus: HTMLElement[] = [];
  private status: HTMLElement;
  private overall: HTMLProgressElement;
  private summary: HTMLElement;
  private cancelButton: HTMLButtonElement;
  private abort: (() => void) | null = null;
  private onFinished: Listener;
  private hooks: BatchHooks;

  constructor(request: BatchRequest, onFinished: Listener, hooks: BatchHooks = {}) {
    this.request = request;
    this.onFinished = onFinished;
    this.hooks = hooks;
    const total = request.files.reduce((n, f) => n + f.size, 0);
    this.status = h("span", { class: "batch-status" }, "Sending…");
    this.overall = h("progress", { max: 1, value: 0, "aria-label": `Upload of ${request.sheet}` });
    this.summary = h("div", { class: "batch-summary", "aria-live": "polite" });
    this.cancelButton = h("button", { type: "button" }, "Cancel");
    this.cancelButton.addEventListener("click", () => this.abort?.());
    const list = h("ol", { class: "batch-files" });
    for (const file of request.files) {
      const bar = h("progress", { max: 1, value: 0, "aria-label": `Upload of ${file.name}` });
      const state = h("span", { class: "file-state" }, formatBytes(file.size));
      this.bars.push(bar);
      this.fileStatus.push(state);
      list.appendChild(h("li", { class: "batch-file" }, h("span", { class: "file-name", title: file.name }, file.webkitRelativePath || file.name), bar, state));
    }
    const fileCount = request.files.length === 1 ? "1 file" : `${formatCount(request.files.length)} files`;
    this.el = h(
      "section",
      { class: "batch", "aria-label": `Import into ${request.sheet}`, "data-sheet": request.sheet },
      h(
        "header",
        { class: "batch-header" },
        h("strong", {}, request.append ? `Appending to ${request.sheet}` : `Importing into ${request.sheet}`),
        h("span", { class: "muted" }, ` ${fileCount}, ${formatBytes(total)}${request.format ? `, as ${request.format}` : ""}${optionsText(request)}`),
        this.status,
        this.cancelButton,
      ),
      this.overall,
      h("details", { class: "batch-details", open: request.files.length <= 12 }, h("summary", {}, "Files"), list),
      this.summary,
    );
  }

  start(): void {
    const sizes = this.request.files.map((f) => f.size);
    const sum = sizes.reduce((a, b) => a + b, 0) || 1;
    const { done, abort } = upload({
      ...this.request,
      onProgress: (loaded, total) => {
        // The multipart body is the files plus a little framing: map the bytes sent onto each file in order.
        const sent = (loaded / (total || 1)) * sum;
        let before = 0;
        sizes.forEach((size, i) => {
          const part = size === 0 ? (sent >= before ? 1 : 0) : Math.min(1, Math.max(0, (sent - before) / size));
          this.bars[i].value = part;
          if (part >= 1) this.fileStatus[i].textContent = "sent";
          before += size;
        });
        this.overall.value = Math.min(1, loaded / (total || 1));
        this.status.textContent = `Sending… ${Math.round((100 * loaded) / (total || 1))}%`;
      },
    });
    this.abort = abort;
    done.then(
      ({ job }) => {
        this.abort = null;
        this.cancelButton.hidden = true;
        this.state = "importing";
        for (const bar of this.bars) bar.value = 1;
        for (const s of this.fileStatus) s.textContent = "sent";
        this.status.textContent = "Importing…";
        this.overall.removeAttribute("value");
        this.hooks.accepted?.();
        void this.follow(job);
      },
      (error) => {
        this.abort = null;
        if (error instanceof ApiError && (error.status === 400 || error.status === 409) && this.hooks.refused?.(error.message)) {
          this.el.remove();
          const at = batches.indexOf(this);
          if (at >= 0) batches.splice(at, 1);
          return;
        }
        this.fail(error instanceof Cancelled ? "Upload cancelled." : `Upload failed: ${error.message}`);
      },
    );
  }

  private async follow(id: string): Promise<void> {
    for (;;) {
      let job: Job;
      try {
        job = await api.job(id);
      } catch (error) {
        this.fail(`Lost track of the import: ${(error as Error).message}`);
        return;
      }
      if (job.state === "done") return this.finish(job);
      if (job.state === "failed") return this.fail(`Import failed: ${job.error ?? "unknown error"}`);
      const pct = typeof job.progress === "number" ? Math.round(job.progress * 100) : null;
      this.status.textContent = `${job.phase ?? job.state}${pct !== null ? ` ${pct}%` : ""}…`;
      if (typeof job.progress === "number") this.overall.value = job.progress;
      await new Promise((r) => setTimeout(r, 400));
    }
  }

  private finish(job: Job): void {
    this.state = "done";
    this.overall.value = 1;
    this.status.textContent = "Done";
    this.el.classList.add("batch-done");
    const s = (job.summary ?? {}) as Record<string, unknown>;
    const sheet = String(s.sheet ?? this.request.sheet);
    const num = (key: string) => (typeof s[key] === "number" ? formatCount(s[key] as number) : "?");
    const warnings = Array.isArray(s.warnings) ? (s.warnings as unknown[]).map(String) : [];
    replaceChildren(
      this.summary,
      h(
        "p",
        { class: "import-summary" },
        `${typeof s.rows === "number" ? plural(s.rows, "row") : "? rows"} imported into `,
        link(sheetPath(sheet), sheet),
        ` · ${num("rejected")} rejected · ${num("duplicates_removed")} duplicates removed`,
        s.format ? ` · format ${String(s.format)}` : "",
      ),
      ...warnings.map((w) => h("p", { class: "warning" }, w)),
    );
    this.onFinished();
  }

  private fail(message: string): void {
    this.state = "failed";
    this.cancelButton.hidden = true;
    this.status.textContent = "Failed";
    this.el.classList.add("batch-failed");
    replaceChildren(this.summary, h("p", { class: "inline-error", role: "alert" }, message));
    this.onFinished();
  }
}

function optionsText(request: ImportOptions): string {
  const parts: string[] = [];
  if (request.year) parts.push(`year ${request.year}`);
  if (request.timezone) parts.push(`time zone ${request.timezone}`);
  if (request.fields) parts.push(`fields ${request.fields}`);
  if (request.encoding) parts.push(`encoding ${request.encoding}`);
  return parts.length ? `, ${parts.join(", ")}` : "";
}

/** Batches outlive the files page (the import runs in the background while the user works). */
export const batches: UploadBatch[] = [];
