// The JSON API client (docs/api.md). Every call is same-origin; errors become ApiError with the server's words.

import type {
  Annotation,
  Case,
  EventContext,
  Finding,
  FormatInfo,
  Histogram,
  IocList,
  IocMatch,
  Job,
  Page,
  Pivot,
  PivotTableResult,
  PivotTableSpec,
  Predicate,
  Preview,
  Profile,
  Query,
  RuleRun,
  SavedView,
  SheetInfo,
  SheetSummary,
  Step,
  TimelinePage,
} from "./types";

const TOKEN_KEY = "logsheet:token";

export class ApiError extends Error {
  readonly status: number;
  readonly position: number | null;
  constructor(message: string, status: number, position: number | null = null) {
    super(message);
    this.status = status;
    this.position = position;
  }
}

export class Cancelled extends Error {
  constructor() {
    super("cancelled");
  }
}

/** Takes `?token=` from the address once, keeps it for this tab and removes it from the address bar. */
export function adoptToken(): void {
  const url = new URL(window.location.href);
  const token = url.searchParams.get("token");
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    url.searchParams.delete("token");
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  }
}

function headers(json: boolean): Record<string, string> {
  const out: Record<string, string> = { "X-Requested-With": "logsheet", Accept: "application/json" };
  if (json) out["Content-Type"] = "application/json";
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) out.Authorization = `Bearer ${token}`;
  return out;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`.trim();
  let position: number | null = null;
  try {
    const body = await response.json();
    if (body && typeof body.error === "string") message = body.error;
    else if (body && typeof body.detail === "string") message = body.detail;
    else if (body && Array.isArray(body.detail) && body.detail[0]?.msg) message = String(body.detail[0].msg);
    if (body && typeof body.position === "number") position = body.position;
  } catch {
    // not JSON: keep the status line
  }
  if (response.status === 401) message = `${message} (open the address printed by \`logsheet serve\`, with its ?token=)`;
  return new ApiError(message, response.status, position);
}

async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw new Cancelled();
    throw new ApiError("the logsheet server cannot be reached; is it still running?", 0);
  }
  if (!response.ok) throw await errorFrom(response);
  return (await response.json()) as T;
}

const enc = encodeURIComponent;

/** A view body's `query` (the IR only) and, when the view is narrowed to a finding, its `finding`. */
export type AnnotateAction = "star" | "unstar" | "tag" | "untag" | "comment" | "uncomment";

export interface LookupCount {
  step: number;
  sheet: string;
  column: string;
  matched: number;
  rows: number;
}

export interface IpFacts {
  address: string;
  class: string | null;
  aws_service?: string | null;
  aws_region?: string | null;
  geoip?: { country: string | null; city: string | null; asn: number | null; org: string | null } | null;
  configured: { ip_ranges: boolean; geoip: boolean };
}

export interface AnnotateBody {
  action: AnnotateAction;
  value?: string;
  rowids?: number[];
  query?: Query;
}

function viewBody(query: Query): { query: Query; finding?: string } {
  const { finding, ...ir } = query;
  return finding ? { query: ir, finding } : { query: ir };
}

/** The IR alone (a saved view holds no finding). */
function irOnly(query: Query): Query {
  return viewBody(query).query;
}

let counter = 0;
export function newRequestId(): string {
  counter += 1;
  const random = Math.random().toString(36).slice(2, 10);
  return `r${Date.now().toString(36)}${counter}${random}`;
}

export interface Running {
  requestId: string;
  signal: AbortSignal;
}

export const api = {
  sheets: () => call<SheetSummary[]>("GET", "/api/sheets"),
  sheet: (name: string) => call<SheetInfo>("GET", `/api/sheets/${enc(name)}`),
  rename: (name: string, to: string) => call<SheetSummary>("PATCH", `/api/sheets/${enc(name)}`, { name: to }),
  remove: (name: string) => call<{ deleted: string }>("DELETE", `/api/sheets/${enc(name)}`),
  formats: () => call<FormatInfo[]>("GET", "/api/formats"),
  jobs: () => call<Job[]>("GET", "/api/jobs"),
  importS3: (body: S3ImportBody) => call<{ job: string }>("POST", "/api/imports/s3", body),
  job: (id: string) => call<Job>("GET", `/api/jobs/${enc(id)}`),
  rejects: (name: string, limit = 200, offset = 0) =>
    call<Page>("GET", `/api/sheets/${enc(name)}/rejects?limit=${limit}&offset=${offset}`),

  query: (name: string, query: Query, limit: number, offset: number, run?: Running) =>
    call<Page>("POST", `/api/sheets/${enc(name)}/query`, { ...viewBody(query), limit, offset, request_id: run?.requestId }, run?.signal),
  histogram: (name: string, query: Query, buckets: number, start: string | null, end: string | null, run?: Running) =>
    call<Histogram>(
      "POST",
      `/api/sheets/${enc(name)}/histogram`,
      { ...viewBody(query), buckets, start: start ?? undefined, end: end ?? undefined, request_id: run?.requestId },
      run?.signal,
    ),
  profile: (name: string, query: Query, column: string, run?: Running) =>
    call<Profile>("POST", `/api/sheets/${enc(name)}/profile`, { ...viewBody(query), column, top: 20, request_id: run?.requestId }, run?.signal),
  preview: (name: string, query: Query, step: Step, limit = 20) =>
    call<Preview>("POST", `/api/sheets/${enc(name)}/preview`, { ...viewBody(query), step, limit }),
  /** Per lookup step of the view: how many of its rows found a match (docs/api.md, lookups). */
  lookups: (name: string, query: Query) => call<{ lookups: LookupCount[] }>("POST", `/api/sheets/${enc(name)}/lookups`, viewBody(query)),
  /** What the enrich step says of one IP address (docs/api.md, enrichment). */
  describeIp: (address: string) => call<IpFacts>("GET", `/api/enrich/ip/${enc(address)}`),
  views: (name: string) => call<SavedView[]>("GET", `/api/sheets/${enc(name)}/views`),
  saveView: (name: string, view: string, query: Query) =>
    call<unknown>("POST", `/api/sheets/${enc(name)}/views`, { name: view, query: irOnly(query) }),
  deleteView: (name: string, view: string) =>
    call<{ deleted: string }>("DELETE", `/api/sheets/${enc(name)}/views/${enc(view)}`),
  /** Star, tag or comment (or undo) the rows of a view and/or rows by id (docs/api.md, annotations). */
  annotate: (name: string, body: AnnotateBody) =>
    call<{ action: string; rows: number }>("POST", `/api/sheets/${enc(name)}/annotations`, {
      action: body.action,
      value: body.value,
      rowids: body.rowids,
      ...(body.query ? viewBody(body.query) : {}),
    }),
  parseFilter: (text: string) => call<{ where: Predicate | null }>("POST", "/api/filter/parse", { text }),
  formatFilter: (where: Predicate) => call<{ text: string }>("POST", "/api/filter/format", { where }),
  /** A row and the `before` / `after` rows around it in the sheet's time order (docs/api.md, context). */
  context: (name: string, rowid: number, before: number, after: number) =>
    call<EventContext>("GET", `/api/sheets/${enc(name)}/rows/${enc(String(rowid))}/context?before=${before}&after=${after}`),
  rules: () => call<{ rules: Array<Record<string, unknown>>; settings: { on_import: boolean; sigma: string[] } }>("GET", "/api/rules"),
  runRules: (name: string) => call<{ run: RuleRun; findings: Finding[] }>("POST", `/api/sheets/${enc(name)}/rules/run`),
  findings: (name: string) => call<{ findings: Finding[]; last_run: RuleRun | null }>("GET", `/api/sheets/${enc(name)}/findings`),
  finding: (id: string) => call<Finding>("GET", `/api/findings/${enc(id)}`),
  cancel: (requestId: string) => call<{ cancelled: boolean }>("POST", `/api/queries/${enc(requestId)}/cancel`),
  cases: () => call<Case[]>("GET", "/api/cases"),
  case: (name: string) => call<Case>("GET", `/api/cases/${enc(name)}`),
  createCase: (name: string, sheets: string[] = []) => call<Case>("POST", "/api/cases", { name, sheets }),
  renameCase: (name: string, to: string) => call<Case>("PATCH", `/api/cases/${enc(name)}`, { name: to }),
  deleteCase: (name: string) => call<{ deleted: string }>("DELETE", `/api/cases/${enc(name)}`),
  addToCase: (name: string, sheets: string[]) => call<Case>("POST", `/api/cases/${enc(name)}/sheets`, { sheets }),
  removeFromCase: (name: string, sheet: string) => call<Case>("DELETE", `/api/cases/${enc(name)}/sheets/${enc(sheet)}`),
  timeline: (name: string, query: Query, limit: number, offset: number, run?: Running) =>
    call<TimelinePage>("POST", `/api/cases/${enc(name)}/timeline/query`, { ...viewBody(query), limit, offset, request_id: run?.requestId }, run?.signal),
  timelineHistogram: (name: string, query: Query, buckets: number, start: string | null, end: string | null, run?: Running) =>
    call<Histogram>(
      "POST",
      `/api/cases/${enc(name)}/timeline/histogram`,
      { ...viewBody(query), buckets, start: start ?? undefined, end: end ?? undefined, request_id: run?.requestId },
      run?.signal,
    ),
  /** The annotations of every sheet of a case, the newest first (`order=newest`) or oldest first. */
  caseAnnotations: (name: string, limit: number, order: "newest" | "oldest" = "newest") =>
    call<{ case: string; annotations: Annotation[] }>(
      "GET",
      `/api/cases/${enc(name)}/annotations?${new URLSearchParams({ limit: String(limit), order })}`,
    ),
  timelineViews: (name: string) => call<SavedView[]>("GET", `/api/cases/${enc(name)}/timeline/views`),
  saveTimelineView: (name: string, view: string, query: Query) =>
    call<unknown>("POST", `/api/cases/${enc(name)}/timeline/views`, { name: view, query: irOnly(query) }),
  deleteTimelineView: (name: string, view: string) =>
    call<{ deleted: string }>("DELETE", `/api/cases/${enc(name)}/timeline/views/${enc(view)}`),
  /** Star, tag or comment timeline rows (a view and/or timeline row ids), each in its own sheet. */
  annotateTimeline: (name: string, body: AnnotateBody) =>
    call<{ action: string; rows: number; sheets: Record<string, number> }>("POST", `/api/cases/${enc(name)}/timeline/annotations`, {
      action: body.action,
      value: body.value,
      rowids: body.rowids,
      ...(body.query ? viewBody(body.query) : {}),
    }),
  caseFindings: (name: string) => call<{ findings: Finding[] }>("GET", `/api/findings?case=${enc(name)}`),
  pivot: (name: string, value: string, anywhere = false) =>
    call<Pivot>("GET", `/api/cases/${enc(name)}/pivot?${new URLSearchParams({ value, anywhere: String(anywhere) })}`),

  /** A pivot table of the view (docs/api.md, pivot tables). */
  pivotTable: (name: string, query: Query, pivot: PivotTableSpec) =>
    call<PivotTableResult>("POST", `/api/sheets/${enc(name)}/pivot-table`, { ...viewBody(query), pivot }),
  /** The pivot table as a CSV file (formulas neutralised by the server). */
  async pivotTableCsv(name: string, query: Query, pivot: PivotTableSpec): Promise<Blob> {
    const response = await fetch(`/api/sheets/${enc(name)}/pivot-table`, {
      method: "POST",
      headers: headers(true),
      body: JSON.stringify({ ...viewBody(query), pivot, format: "csv" }),
      credentials: "same-origin",
    });
    if (!response.ok) throw await errorFrom(response);
    return response.blob();
  },
  /** The fields of the elements of a JSON array (what an explode step can add as columns). */
  elementFields: async (name: string, path: string, query: Query) =>
    (await call<{ fields: string[] }>("POST", `/api/sheets/${enc(name)}/element-fields`, { ...viewBody(query), path })).fields,
  async export(name: string, query: Query, format: "csv" | "json" | "parquet", path?: string): Promise<{ blob: Blob; filename: string }> {
    const response = await fetch(path ?? `/api/sheets/${enc(name)}/export`, {
      method: "POST",
      headers: headers(true),
      body: JSON.stringify({ ...viewBody(query), format }),
      credentials: "same-origin",
    });
    if (!response.ok) throw await errorFrom(response);
    const disposition = response.headers.get("Content-Disposition") ?? "";
    const match = /filename="?([^";]+)"?/.exec(disposition);
    return { blob: await response.blob(), filename: match ? match[1] : `${name}.${format}` };
  },

  recipe: (name: string, query: Query) => call<Record<string, unknown>>("POST", `/api/sheets/${enc(name)}/recipe`, viewBody(query)),
  applyRecipe: (name: string, recipe: Record<string, unknown>, map: Record<string, string>, saveAs: string | null) =>
    call<{ sheet: string; query: Query; columns: string[]; rows: number; saved_as: string | null }>(
      "POST",
      `/api/sheets/${enc(name)}/recipe/apply`,
      { recipe, map, save_as: saveAs },
    ),
  /** The case's report as a file (docs/report.md): its bytes and the name the server gives it. */
  async caseReport(name: string, format: "html" | "md"): Promise<{ blob: Blob; filename: string }> {
    const response = await fetch(`/api/cases/${enc(name)}/report?${new URLSearchParams({ format })}`, { headers: headers(false), credentials: "same-origin" });
    if (!response.ok) throw await errorFrom(response);
    const disposition = response.headers.get("Content-Disposition") ?? "";
    const match = /filename="?([^";]+)"?/.exec(disposition);
    return { blob: await response.blob(), filename: match ? match[1] : `report.${format}` };
  },

  iocLists: () => call<IocList[]>("GET", "/api/iocs"),
  deleteIocList: (name: string) => call<{ deleted: string }>("DELETE", `/api/iocs/${enc(name)}`),
  matchIocs: (caseName: string, lists: string[] = []) => call<IocMatch[]>("POST", "/api/iocs/match", { case: caseName, lists }),
  /** Import an IOC file (its bytes as the body; docs/api.md, IOC lists). */
  async importIocs(file: File, options: { name?: string; kind?: string; replace?: boolean }): Promise<IocList> {
    const params = new URLSearchParams({ filename: file.name });
    if (options.name) params.set("name", options.name);
    if (options.kind) params.set("kind", options.kind);
    if (options.replace) params.set("replace", "true");
    let response: Response;
    try {
      response = await fetch(`/api/iocs?${params}`, {
        method: "POST",
        headers: { ...headers(false), "Content-Type": "application/octet-stream" },
        body: file,
        credentials: "same-origin",
      });
    } catch {
      throw new ApiError("the logsheet server cannot be reached; is it still running?", 0);
    }
    if (!response.ok) throw await errorFrom(response);
    return (await response.json()) as IocList;
  },
};

/** POST /api/imports/s3 (docs/api.md): a bucket's objects imported by the server. */
export interface S3ImportBody {
  url: string;
  sheet: string | null;
  format: string | null;
  append: boolean;
  case: string | null;
  accounts: string[];
  regions: string[];
  since: string | null;
  until: string | null;
  endpoint_url: string | null;
  profile: string | null;
  s3_region: string | null;
  requester_pays: boolean;
}

/** The import options of an upload (docs/api.md); each is sent only when given. */
export interface ImportOptions {
  /** Syslog: the year of the files' last lines. */
  year: string | null;
  /** IANA name of the zone of timestamps without one (default UTC). */
  timezone: string | null;
  /** VPC flow logs without a header: the field names, space or comma separated. */
  fields: string | null;
  /** CSV and text: the files' encoding (a Python codec name), instead of the per-file choice. */
  encoding: string | null;
}

export interface UploadOptions extends ImportOptions {
  files: File[];
  sheet: string;
  format: string | null;
  append: boolean;
  /** The case the sheet also joins (made if missing). */
  case?: string | null;
  /** Bytes of the request body sent so far, out of the total. */
  onProgress: (loaded: number, total: number) => void;
}

/** Multipart upload with byte progress (fetch has no upload progress, XMLHttpRequest does). */
export function upload(options: UploadOptions): { done: Promise<{ job: string }>; abort: () => void } {
  const form = new FormData();
  form.append("sheet", options.sheet);
  if (options.format) form.append("format", options.format);
  if (options.append) form.append("append", "true");
  if (options.case) form.append("case", options.case);
  if (options.year) form.append("year", options.year);
  if (options.timezone) form.append("timezone", options.timezone);
  if (options.fields) form.append("fields", options.fields);
  if (options.encoding) form.append("encoding", options.encoding);
  for (const file of options.files) form.append("files", file, file.webkitRelativePath || file.name);
  const xhr = new XMLHttpRequest();
  const done = new Promise<{ job: string }>((resolve, reject) => {
    // The fields go in the address too, so that a name clash or a bad format is refused before any byte is sent.
    const params = new URLSearchParams({ sheet: options.sheet });
    if (options.format) params.set("format", options.format);
    if (options.append) params.set("append", "true");
    if (options.case) params.set("case", options.case);
    // A year that is not a plain number stays in the form only: the server answers it with a clear 400 there.
    if (options.year && /^\d{1,9}$/.test(options.year)) params.set("year", options.year);
    if (options.timezone) params.set("timezone", options.timezone);
    if (options.encoding) params.set("encoding", options.encoding);
    xhr.open("POST", `/api/uploads?${params}`);
    for (const [key, value] of Object.entries(headers(false))) xhr.setRequestHeader(key, value);
    xhr.upload.onprogress = (event) => options.onProgress(event.loaded, event.total);
    xhr.onerror = () => reject(new ApiError("the upload failed: the server could not be reached", 0));
    xhr.onabort = () => reject(new Cancelled());
    xhr.onload = () => {
      let body: { job?: string; error?: string } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // keep the status below
      }
      if (xhr.status >= 200 && xhr.status < 300 && body.job) resolve({ job: body.job });
      else reject(new ApiError(body.error ?? `the upload failed (${xhr.status} ${xhr.statusText})`, xhr.status));
    };
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
