// The files page: every sheet of the workspace, uploads (drag and drop or picker), rename, delete, append,
// each sheet's rejected records, and the cases (files/cases.ts).

import { api, type ImportOptions } from "../api";
import { link, sheetPath } from "../router";
import { plural, timeZones } from "../sheet/format";
import type { FormatInfo, SheetSummary } from "../types";
import { confirmDialog, promptDialog } from "../ui/dialog";
import { formatBytes, formatCount, h, replaceChildren } from "../ui/dom";
import { inlineError } from "../ui/inline_error";
import { toast } from "../ui/toasts";
import { casesSection } from "./cases";
import { dropZone, filePicker, suggestSheetName } from "./pick";
import { showRejects } from "./rejects";
import { UploadBatch, batches, type BatchHooks, type BatchRequest } from "./upload";
import { s3Batches, s3ImportSection } from "./s3form";

let formats: FormatInfo[] | null = null;

export function renderFilesPage(root: HTMLElement): () => void {
  const table = h("div", { class: "sheets-table-wrap" });
  const caseList = h("div", { class: "cases-wrap" });
  const batchList = h("div", { class: "batches", "aria-label": "Imports" });
  const pending = h("div", { class: "pending" });
  const error = inlineError();
  let alive = true;

  const refresh = async () => {
    try {
      const [sheets, cases] = await Promise.all([api.sheets(), api.cases()]);
      if (alive) replaceChildren(table, sheetsTable(sheets, refresh, startAppend));
      if (alive) replaceChildren(caseList, casesSection(cases, sheets, refresh));
      error.clear();
    } catch (e) {
      error.show(`Cannot list the sheets: ${(e as Error).message}`);
    }
  };

  const startBatch = (request: BatchRequest, hooks: BatchHooks) => {
    const batch = new UploadBatch(request, () => void refresh(), hooks);
    batches.unshift(batch);
    batchList.prepend(batch.el);
    batch.start();
  };

  const choose = (files: File[], appendTo: string | null = null) => {
    // The form hides while its upload is sent, and comes back with the server's words if the server refuses
    // the request (a bad year or time zone, a taken name); it goes once the server has taken the files.
    const form: PendingForm = pendingForm(files, appendTo, (request) => {
      form.el.hidden = true;
      const waiting = () => alive && form.el.parentNode === pending && form.el.hidden;
      startBatch(request, {
        accepted: () => {
          if (waiting()) replaceChildren(pending);
        },
        refused: (message) => {
          if (!waiting()) return false;
          form.el.hidden = false;
          form.refused(message);
          return true;
        },
      });
    }, () => replaceChildren(pending));
    replaceChildren(pending, form.el);
  };

  const startAppend = (sheet: string) => {
    const input = h("input", { type: "file", multiple: true, class: "visually-hidden", "aria-hidden": "true", tabindex: -1 });
    input.addEventListener("change", () => {
      const files = [...(input.files ?? [])];
      input.remove();
      if (files.length) choose(files, sheet);
    });
    root.appendChild(input);
    input.click();
  };

  const zone = h(
    "section",
    { class: "drop-zone", "aria-label": "Upload log files" },
    h("p", { class: "drop-title" }, "Drop log files or folders here"),
    h("p", { class: "muted" }, "CloudTrail (.json.gz from S3, as many as you like), syslog / secure, VPC flow logs, CSV, JSON, Parquet, text; .gz, .zip and .tar.gz too."),
    h("div", { class: "drop-actions" }, filePicker("Choose files…", false, (f) => choose(f)), filePicker("Choose a folder…", true, (f) => choose(f))),
  );
  dropZone(zone, (f) => choose(f));

  for (const batch of batches) batchList.appendChild(batch.el);
  for (const batch of s3Batches) batchList.appendChild(batch.el);
  const s3 = s3ImportSection((batch) => batchList.prepend(batch.el), () => void refresh());

  replaceChildren(
    root,
    h(
      "main",
      { class: "files-page" },
      h("header", { class: "files-header" }, h("span", { class: "brand" }, "logsheet"), h("h1", {}, "Sheets"), h("span", { class: "muted" }, "the spreadsheet for incident-response logs")),
      zone,
      s3,
      pending,
      batchList,
      error.el,
      table,
      caseList,
    ),
  );
  void refresh();
  return () => {
    alive = false;
  };
}

interface PendingForm {
  el: HTMLElement;
  /** Shows the server's refusal of the upload under the form. */
  refused(message: string): void;
}

let zoneListCounter = 0;

function pendingForm(files: File[], appendTo: string | null, start: (request: BatchRequest) => void, cancel: () => void): PendingForm {
  const name = h("input", { type: "text", value: appendTo ?? suggestSheetName(files), "aria-label": "Sheet name", class: "sheet-name-input", required: true });
  const format = h("select", { "aria-label": "Format" }, h("option", { value: "" }, "Detect automatically"));
  const fill = (list: FormatInfo[]) => {
    for (const f of list) format.appendChild(h("option", { value: f.name }, `${f.name} — ${f.description}`));
  };
  if (formats) fill(formats);
  else
    api.formats().then(
      (list) => {
        formats = list;
        fill(list);
      },
      () => undefined,
    );
  const append = h("input", { type: "checkbox", checked: appendTo !== null, "aria-label": "Append to the existing sheet of that name" });
  zoneListCounter += 1;
  const caseNames = h("datalist", { id: `upload-cases-${zoneListCounter}` });
  const inCase = h("input", { type: "text", list: caseNames.id, placeholder: "default", spellcheck: "false", autocomplete: "off", "aria-label": "Case" });
  api.cases().then(
    (list) => caseNames.append(...list.filter((c) => !c.default).map((c) => h("option", { value: c.name }))),
    () => undefined,
  );
  const options = importOptions();
  const error = inlineError();
  const go = h("button", { type: "button", class: "primary" }, "Import");
  go.addEventListener("click", () => {
    const sheet = name.value.trim();
    if (!sheet) {
      error.show("Give the sheet a name.");
      name.focus();
      return;
    }
    const chosen = options.read();
    if (typeof chosen === "string") {
      error.show(chosen);
      options.el.open = true;
      return;
    }
    error.clear();
    start({ files, sheet, format: format.value || null, append: append.checked, case: inCase.value.trim() || null, ...chosen });
  });
  const back = h("button", { type: "button" }, "Cancel");
  back.addEventListener("click", cancel);
  const total = files.reduce((n, f) => n + f.size, 0);
  const shown = files.slice(0, 8).map((f) => h("li", {}, `${f.webkitRelativePath || f.name} (${formatBytes(f.size)})`));
  if (files.length > shown.length) shown.push(h("li", { class: "muted" }, `… and ${formatCount(files.length - shown.length)} more`));
  const form = h(
    "section",
    { class: "pending-form", "aria-label": "New import" },
    h("h2", {}, `${formatCount(files.length)} ${files.length === 1 ? "file" : "files"} selected (${formatBytes(total)})`),
    h("ul", { class: "pending-files" }, ...shown),
    h(
      "div",
      { class: "form-row" },
      h("label", { class: "field" }, h("span", {}, "Sheet"), name),
      h("label", { class: "field" }, h("span", {}, "Format"), format),
      h("label", { class: "check" }, append, h("span", {}, "Append to an existing sheet")),
      h("label", { class: "field", title: "Also put the sheet in this case (made if missing); every sheet joins the default case" }, h("span", {}, "Case"), inCase, caseNames),
      back,
      go,
    ),
    options.el,
    error.el,
  );
  queueMicrotask(() => name.focus());
  return {
    el: form,
    refused(message: string) {
      error.show(`The server refused the upload: ${message}`);
      go.focus();
    },
  };
}

/** The optional import options, folded away under a disclosure so that the usual upload stays simple. */
function importOptions(): { el: HTMLDetailsElement; read(): ImportOptions | string } {
  zoneListCounter += 1;
  const zones = h("datalist", { id: `upload-zones-${zoneListCounter}` }, ...timeZones().map((z) => h("option", { value: z })));
  const year = h("input", { type: "number", min: 1970, max: 2100, step: 1, placeholder: "inferred", class: "year-input", "aria-label": "Year (syslog)" });
  const zone = h("input", { type: "text", list: zones.id, placeholder: "UTC", spellcheck: "false", autocomplete: "off", "aria-label": "Time zone" });
  const fields = h("input", {
    type: "text",
    placeholder: "version account-id interface-id srcaddr dstaddr …",
    spellcheck: "false",
    autocomplete: "off",
    "aria-label": "Fields (VPC flow, no header)",
  });
  const encoding = h("input", { type: "text", placeholder: "per file", spellcheck: "false", autocomplete: "off", "aria-label": "Encoding (CSV, text)" });
  const el = h(
    "details",
    { class: "import-options" },
    h("summary", {}, "Import options"),
    h(
      "div",
      { class: "form-row" },
      h("label", { class: "field" }, h("span", {}, "Year (syslog)"), year),
      h("label", { class: "field" }, h("span", {}, "Time zone"), zone, zones),
      h("label", { class: "field" }, h("span", {}, "Fields (VPC flow, no header)"), fields),
      h("label", { class: "field" }, h("span", {}, "Encoding (CSV, text)"), encoding),
    ),
    h(
      "p",
      { class: "muted" },
      "Year: the year of the files' last lines, for syslog without years (default: from the file's date). " +
        "Time zone: for timestamps written without one (default UTC). Fields: the column names of VPC flow logs that have no header line. " +
        "Encoding: of CSV and text files, such as cp1252 (default: UTF-8 unless a file shows otherwise, decided per file).",
    ),
  );
  return {
    el,
    read() {
      if (year.validity.badInput) return "The year must be a number such as 2022.";
      const text = (input: HTMLInputElement) => input.value.trim() || null;
      return { year: text(year), timezone: text(zone), fields: text(fields), encoding: text(encoding) };
    },
  };
}

function sheetsTable(sheets: SheetSummary[], refresh: () => Promise<void>, append: (sheet: string) => void): HTMLElement {
  if (!sheets.length) return h("p", { class: "empty" }, "No sheets yet: drop some logs above.");
  const head = ["Sheet", "Rows", "Columns", "Size", "Format", "Sources", "Imported", "Rejects", ""].map((t) =>
    h("th", { scope: "col" }, t),
  );
  const body = h("tbody");
  for (const s of sheets) {
    const sources = Array.isArray(s.sources) ? s.sources.length : typeof s.sources === "number" ? s.sources : null;
    const rename = h("button", { type: "button", class: "small" }, "Rename");
    rename.addEventListener("click", () =>
      promptDialog(`Rename ${s.name}`, "New name", s.name, "Rename", async (to) => {
        await api.rename(s.name, to.trim());
        await refresh();
      }),
    );
    const del = h("button", { type: "button", class: "small danger" }, "Delete");
    del.addEventListener("click", async () => {
      const ok = await confirmDialog(
        `Delete ${s.name}?`,
        `The sheet ${s.name} (${plural(s.rows, "row")}) and its saved views will be deleted from the workspace. The original files are not touched.`,
        "Delete",
      );
      if (!ok) return;
      try {
        await api.remove(s.name);
        toast(`Deleted ${s.name}`);
        await refresh();
      } catch (e) {
        toast(`Cannot delete ${s.name}: ${(e as Error).message}`, "error");
      }
    });
    const add = h("button", { type: "button", class: "small" }, "Append files");
    add.addEventListener("click", () => append(s.name));
    const rejects = s.rejected
      ? h("button", { type: "button", class: "link-button" }, `${formatCount(s.rejected)} — view`)
      : h("span", { class: "muted" }, "0");
    if (s.rejected) rejects.addEventListener("click", () => showRejects(s.name));
    body.appendChild(
      h(
        "tr",
        { "data-sheet": s.name },
        h("th", { scope: "row" }, link(sheetPath(s.name), s.name, "sheet-link")),
        h("td", { class: "num" }, formatCount(s.rows)),
        h("td", { class: "num" }, formatCount(s.columns.length)),
        h("td", { class: "num" }, formatBytes(s.bytes ?? 0)),
        h("td", {}, s.format),
        h("td", { class: "num" }, sources === null ? "" : formatCount(sources)),
        h("td", {}, formatTime(s.updated_at || s.created_at)),
        h("td", { class: "num" }, rejects),
        h("td", { class: "actions" }, add, rename, del),
      ),
    );
  }
  return h("table", { class: "sheets-table" }, h("thead", {}, h("tr", {}, ...head)), body);
}

function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().replace("T", " ").slice(0, 19) + " UTC";
}
