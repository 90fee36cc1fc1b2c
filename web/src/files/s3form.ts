// "Import from S3": a bucket's CloudTrail or VPC flow deliveries (an account, regions, days) read by the server
// itself (POST /api/imports/s3), then the import job followed to its summary. Every value shown is text.

import { api, ApiError, type S3ImportBody } from "../api";
import { link, sheetPath } from "../router";
import { plural } from "../sheet/format";
import type { Job } from "../types";
import { formatCount, h, replaceChildren } from "../ui/dom";
import { inlineError } from "../ui/inline_error";

/** S3 imports outlive the files page, as upload batches do. */
export const s3Batches: S3Batch[] = [];

/** The section of the files page: a folded form; `started` puts a new import in the page's list. */
export function s3ImportSection(started: (batch: S3Batch) => void, finished: () => void): HTMLDetailsElement {
  const text = (label: string, placeholder: string, extra: Record<string, string | boolean> = {}) =>
    h("input", { type: "text", "aria-label": label, placeholder, spellcheck: "false", autocomplete: "off", ...extra });
  const url = text("S3 URL", "s3://bucket/prefix/", { class: "s3-url", required: true });
  const sheet = text("Name of the new sheet (S3)", "from the bucket's name");
  const accounts = text("Accounts", "111122223333, …");
  const regions = text("Regions", "us-east-1, eu-west-1");
  const since = h("input", { type: "date", "aria-label": "Since (UTC day)" });
  const until = h("input", { type: "date", "aria-label": "Until (UTC day, included)" });
  const format = h(
    "select",
    { "aria-label": "Kind of logs (S3)" },
    h("option", { value: "" }, "Detect automatically"),
    h("option", { value: "cloudtrail" }, "cloudtrail"),
    h("option", { value: "vpcflow" }, "vpcflow"),
  );
  const append = h("input", { type: "checkbox", "aria-label": "Add to the sheet (S3)" });
  const inCase = text("Case (S3)", "default");
  const endpoint = text("Endpoint URL", "AWS (or http://minio:9000)");
  const profile = text("AWS profile", "the server's credentials");
  const bucketRegion = text("Bucket region", "the profile's");
  const payer = h("input", { type: "checkbox", "aria-label": "Requester pays" });
  const error = inlineError();
  const go = h("button", { type: "submit", class: "primary" }, "Import from S3");
  const list = (value: string) => value.split(/[\s,]+/).filter(Boolean);
  const form = h(
    "form",
    { class: "s3-form", "aria-label": "Import from S3", novalidate: true },
    h("div", { class: "form-row" }, h("label", { class: "field wide" }, h("span", {}, "S3 URL"), url), h("label", { class: "field" }, h("span", {}, "Sheet"), sheet)),
    h(
      "div",
      { class: "form-row" },
      h("label", { class: "field" }, h("span", {}, "Accounts"), accounts),
      h("label", { class: "field" }, h("span", {}, "Regions"), regions),
      h("label", { class: "field" }, h("span", {}, "Since"), since),
      h("label", { class: "field" }, h("span", {}, "Until"), until),
    ),
    h(
      "div",
      { class: "form-row" },
      h("label", { class: "field" }, h("span", {}, "Format"), format),
      h("label", { class: "check" }, append, h("span", {}, "Append to an existing sheet")),
      h("label", { class: "field" }, h("span", {}, "Case"), inCase),
    ),
    h(
      "details",
      { class: "import-options" },
      h("summary", {}, "Connection"),
      h(
        "div",
        { class: "form-row" },
        h("label", { class: "field" }, h("span", {}, "Endpoint URL"), endpoint),
        h("label", { class: "field" }, h("span", {}, "AWS profile"), profile),
        h("label", { class: "field" }, h("span", {}, "Bucket region"), bucketRegion),
        h("label", { class: "check" }, payer, h("span", {}, "Requester pays")),
      ),
    ),
    h("div", { class: "form-row" }, go),
    error.el,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const where = url.value.trim();
    if (!where.toLowerCase().startsWith("s3://")) {
      error.show("Give the bucket as s3://BUCKET/PREFIX.");
      url.focus();
      return;
    }
    const optional = (v: string) => v.trim() || null;
    const body: S3ImportBody = {
      url: where,
      sheet: optional(sheet.value),
      format: format.value || null,
      append: append.checked,
      case: optional(inCase.value),
      accounts: list(accounts.value),
      regions: list(regions.value),
      since: since.value || null,
      until: until.value || null,
      endpoint_url: optional(endpoint.value),
      profile: optional(profile.value),
      s3_region: optional(bucketRegion.value),
      requester_pays: payer.checked,
    };
    error.clear();
    go.disabled = true;
    api.importS3(body).then(
      ({ job }) => {
        go.disabled = false;
        const batch = new S3Batch(body, finished);
        s3Batches.unshift(batch);
        started(batch);
        void batch.follow(job);
      },
      (e) => {
        go.disabled = false;
        const words = e instanceof ApiError && (e.status === 400 || e.status === 409) ? "The server refused the import" : "The import could not start";
        error.show(`${words}: ${(e as Error).message}`);
      },
    );
  });
  return h(
    "details",
    { class: "s3-import" },
    h("summary", {}, "Import from S3"),
    h("p", { class: "muted" }, "The server reads the bucket with its own AWS credentials: only the accounts, regions and days asked for are listed, and a run again reads only new objects."),
    form,
  );
}

export class S3Batch {
  readonly el: HTMLElement;
  state: "importing" | "done" | "failed" = "importing";
  private status: HTMLElement;
  private bar: HTMLProgressElement;
  private summary: HTMLElement;

  private finished: () => void;

  constructor(request: S3ImportBody, finished: () => void) {
    this.finished = finished;
    this.status = h("span", { class: "batch-status" }, "Starting…");
    this.bar = h("progress", { max: 1, "aria-label": `Import of ${request.url}` });
    this.summary = h("div", { class: "batch-summary", "aria-live": "polite" });
    const selection = [
      request.accounts.length ? `accounts ${request.accounts.join(", ")}` : "",
      request.regions.length ? `regions ${request.regions.join(", ")}` : "",
      request.since || request.until ? `days ${request.since ?? "…"} to ${request.until ?? "…"}` : "",
    ].filter(Boolean);
    this.el = h(
      "section",
      { class: "batch s3-batch", "aria-label": `Import from ${request.url}` },
      h(
        "header",
        { class: "batch-header" },
        h("strong", {}, `${request.append ? "Appending from" : "Importing from"} ${request.url}`),
        h("span", { class: "muted" }, selection.length ? ` ${selection.join("; ")}` : ""),
        this.status,
      ),
      this.bar,
      this.summary,
    );
  }

  async follow(id: string): Promise<void> {
    for (;;) {
      let job: Job;
      try {
        job = await api.job(id);
      } catch (error) {
        return this.fail(`Lost track of the import: ${(error as Error).message}`);
      }
      if (job.state === "done") return this.finish(job);
      if (job.state === "failed") return this.fail(`Import failed: ${job.error ?? "unknown error"}`);
      const pct = typeof job.progress === "number" ? Math.round(job.progress * 100) : null;
      this.status.textContent = `${job.phase ?? job.state}${pct !== null ? ` ${pct}%` : ""}…`;
      if (typeof job.progress === "number") this.bar.value = job.progress;
      await new Promise((r) => setTimeout(r, 400));
    }
  }

  private finish(job: Job): void {
    this.state = "done";
    this.bar.value = 1;
    this.status.textContent = "Done";
    this.el.classList.add("batch-done");
    const s = (job.summary ?? {}) as Record<string, unknown>;
    const s3 = (s.s3 ?? {}) as Record<string, unknown>;
    const sheet = String(s.sheet ?? job.sheet ?? "");
    const count = (v: unknown) => (typeof v === "number" ? formatCount(v) : "?");
    const warnings = Array.isArray(s.warnings) ? (s.warnings as unknown[]).map(String) : [];
    replaceChildren(
      this.summary,
      h(
        "p",
        { class: "import-summary" },
        `${typeof s.rows === "number" ? plural(s.rows, "row") : "? rows"} imported into `,
        link(sheetPath(sheet), sheet),
        ` · ${count(s3.objects_imported)} objects read · ${count(s3.objects_already_imported)} already imported`,
        ` · ${count(s.rejected)} rejected · ${count(s.duplicates_removed)} duplicates removed`,
        s.format ? ` · format ${String(s.format)}` : "",
      ),
      ...warnings.map((w) => h("p", { class: "warning" }, w)),
    );
    this.finished();
  }

  private fail(message: string): void {
    this.state = "failed";
    this.status.textContent = "Failed";
    this.el.classList.add("batch-failed");
    replaceChildren(this.summary, h("p", { class: "inline-error", role: "alert" }, message));
    this.finished();
  }
}
