// The sheet-operation IR as JSON (logsheet.ir.query_to_json) and the API's answers (docs/api.md).

export type Scalar = string | number | boolean | null;
export type ColumnType = "text" | "integer" | "float" | "boolean" | "timestamp" | "date" | "json" | string;

export interface Column {
  name: string;
  type: ColumnType;
}

export type Predicate =
  | { kind: "compare"; column: string; op: "=" | "!=" | "<" | "<=" | ">" | ">="; value: Scalar; case_sensitive?: boolean }
  | { kind: "in"; column: string; values: Scalar[]; negate?: boolean; case_sensitive?: boolean }
  | { kind: "between"; column: string; low: Scalar; high: Scalar; negate?: boolean }
  | { kind: "text"; column: string; op: "contains" | "starts_with" | "ends_with"; value: string; negate?: boolean; case_sensitive?: boolean }
  | { kind: "regex"; column: string; pattern: string; negate?: boolean; case_sensitive?: boolean }
  | { kind: "blank"; column: string; negate?: boolean }
  | { kind: "cidr"; column: string; cidr: string; negate?: boolean }
  | { kind: "columns"; column: string; op: "=" | "!=" | "contains" | "starts_with" | "ends_with"; other: string; case_sensitive?: boolean }
  | { kind: "search"; text: string }
  | { kind: "starred" }
  | { kind: "tag"; tags: string[]; negate?: boolean }
  | { kind: "comment"; op: "contains" | "starts_with" | "ends_with"; value: string; negate?: boolean; case_sensitive?: boolean }
  | { kind: "ioc"; lists?: string[]; negate?: boolean }
  | { kind: "and"; items: Predicate[] }
  | { kind: "or"; items: Predicate[] }
  | { kind: "not"; item: Predicate };

export type Step =
  | { kind: "split"; column: string; delimiter: string; parts: number; names?: string[]; keep_rest?: boolean; collapse?: boolean }
  | { kind: "regex_extract"; column: string; pattern: string }
  | { kind: "combine"; columns: string[]; separator: string; name: string }
  | { kind: "rename"; column: string; name: string }
  | { kind: "cast"; column: string; to: "text" | "integer" | "float" | "boolean" | "timestamp" | "date" }
  | { kind: "case"; column: string; mode: "upper" | "lower" }
  | { kind: "trim"; column: string }
  | { kind: "parse_timestamp"; column: string; format?: string; name?: string }
  | { kind: "extract_json"; path: string; name?: string }
  | { kind: "labels"; name: string; labels: Label[] }
  | { kind: "mark_ioc"; lists?: string[]; name?: string }
  | { kind: "formula"; name: string; expression: string }
  | { kind: "find_replace"; column: string; find: string; replace?: string; regex?: boolean; case_sensitive?: boolean; name?: string }
  | { kind: "url_parts"; column: string; parts?: string[] }
  | { kind: "dedupe"; keys: string[]; keep?: "first" | "last"; by?: string; count?: string }
  | { kind: "split_rows"; column: string; delimiter: string; name?: string }
  | { kind: "explode"; path: string; name?: string; fields?: string[]; keep_empty?: boolean };

/** One label of a `labels` step and the rows it is given to. */
export interface Label {
  text: string;
  when: Predicate;
}

export type AggFn = "count" | "count_distinct" | "min" | "max" | "sum" | "avg" | "first" | "last";

export interface Agg {
  fn: AggFn;
  column: string;
  name: string;
}

export interface SortKey {
  column: string;
  descending: boolean;
}

export interface GroupBy {
  keys: string[];
  aggs: Agg[];
}

export interface Query {
  version: 1;
  steps: Step[];
  where: Predicate | null;
  search: string;
  columns: string[];
  sort: SortKey[];
  group: GroupBy | null;
  /** Not part of the IR: the finding (`F…`) the view is narrowed to. api.ts sends it as the body's own
   * `finding` beside `query`; the URL keeps it as `?finding=`. */
  finding?: string | null;
}

export function emptyQuery(): Query {
  return { version: 1, steps: [], where: null, search: "", columns: [], sort: [], group: null };
}

export interface SheetSummary {
  name: string;
  format: string;
  rows: number;
  columns: Column[];
  rejected: number;
  bytes: number;
  time_column: string | null;
  created_at: string;
  updated_at: string;
  sources?: unknown;
}

export interface SheetInfo extends SheetSummary {
  duplicates_removed?: number;
  column_order?: string[]; // the format's preferred columns, in the order a responder reads them (the grid's default)
  sources: Array<Record<string, unknown>>;
  imports?: Array<Record<string, unknown>>;
}

export interface Page {
  columns: Column[];
  rows: unknown[][];
  rowids: number[];
  total: number;
  offset: number;
  limit: number;
  elapsed_ms: number;
}

export interface Histogram {
  column: string;
  interval_seconds: number;
  buckets: Array<{ start: string; end: string; count: number }>;
  total: number;
  /** A timeline's histogram: each sheet's count in every bucket (stacked, one colour per sheet). */
  sheets?: Array<{ sheet: string; counts: number[] }>;
}

/** A page of a case's timeline: a page, the sheets it merges and those left out (no time column). */
export interface TimelinePage extends Page {
  case: string;
  sheets: string[];
  left_out: Array<{ sheet: string; reason: string }>;
}

export interface Profile {
  column: string;
  type: ColumnType;
  rows: number;
  blanks: number;
  distinct: number;
  min: unknown;
  max: unknown;
  top: Array<{ value: unknown; count: number }>;
  approximate?: boolean;
  /** Set for an IP column: its non-blank values that are private, public and not an address. */
  ip?: { private: number; public: number; other: number } | null;
}

export interface Preview {
  columns: Column[];
  rows: unknown[][];
  new_columns: string[];
}

export interface SavedView {
  name: string;
  /** null when the stored view cannot be read any more (then `error` says why); it can still be deleted. */
  query: Query | null;
  created_at: string;
  error?: string;
}

export interface JobFile {
  name: string;
  bytes: number;
  received: number;
}

export interface Job {
  id: string;
  state: "queued" | "running" | "done" | "failed";
  phase?: string;
  progress?: number;
  files?: JobFile[];
  summary?: Record<string, unknown> | null;
  error?: string | null;
  sheet?: string;
}

export interface FormatInfo {
  name: string;
  description: string;
}

/** GET /api/sheets/{name}/rows/{rowid}/context: `rows[index]` is the row, `before` rows precede it. */
export interface EventContext {
  sheet: string;
  rowid: number;
  /** The time column the rows are ordered by, or "__rowid" on a sheet without one. */
  order_by: string;
  columns: Column[];
  rows: unknown[][];
  rowids: number[];
  index: number;
  before: number;
  after: number;
  elapsed_ms: number;
}

export type Level = "informational" | "low" | "medium" | "high" | "critical" | string;

/** A finding (docs/detections.md, Findings): one rule's rows on a sheet, or one window of a correlation. */
export interface Finding {
  id: string;
  rule: string;
  title: string;
  level: Level;
  tags: string[];
  attack: string[];
  kind: "rule" | "correlation";
  sheet: string;
  rows: number;
  first_seen: string | null;
  last_seen: string | null;
  entities: Record<string, string[]>;
  group: Record<string, unknown>;
  description: string;
  origin: string;
  run_at: string;
}

export interface RuleRun {
  sheet?: string;
  run_at: string;
  rules: number;
  findings: number;
  refused: Array<{ id: string; title: string; origin: string; reason: string; kind: string }>;
  other_formats: number;
  scans: number;
  seconds: number;
}

/** A case (docs/api.md, cases): a named set of sheets; `default` is the case every imported sheet joins. */
export interface Case {
  name: string;
  sheets: string[];
  created_at: string;
  default: boolean;
}

/** A pivot (GET /api/cases/{name}/pivot): the sheets holding a value and the entities beside it. */
export interface PivotSheet {
  sheet: string;
  rows: number;
  first_seen: string | null;
  last_seen: string | null;
  where: Predicate;
}

export interface Pivot {
  value: string;
  kind: string | null;
  case: string;
  anywhere: boolean;
  sheets: PivotSheet[];
  related: Record<string, Array<{ value: string; rows: number }>>;
}

/** An annotation of a row (docs/api.md, annotations): a star (value empty), a tag or a comment. */
export interface Annotation {
  id: number;
  sheet: string;
  rowid: number;
  kind: "star" | "tag" | "comment";
  value: string;
  author: string;
  created_at: string;
}

/** An IOC list (GET /api/iocs): where it came from and what it holds, with what was set aside and why. */
export interface IocList {
  name: string;
  imported_at: string;
  source: string;
  sha256: string;
  size: number;
  format: string;
  level: string;
  indicators: number;
  by_kind: Record<string, number>;
  duplicates: number;
  rejected: number;
  rejects: Array<{ line: number; text: string; reason: string }>;
  notes: string[];
}

/** One sheet's match against IOC lists (POST /api/iocs/match). */
export interface IocMatch {
  sheet: string;
  rows: number;
  values: string[];
  first_seen: string | null;
  last_seen: string | null;
  lists: Record<string, number>;
  hits: Array<{ list: string; kind: string; value: string; rows: number }>;
  not_searched: string[];
  where: Predicate;
}

/** A pivot table's spec (logsheet.core.pivot_table.PivotTable): POST /api/sheets/{name}/pivot-table. */
export interface PivotTableSpec {
  rows: string[];
  columns: string;
  agg: Agg;
  top: number;
  other: boolean;
  limit: number;
}

/** A pivot table: one row per row-key value, a cell per column value (then "other"), and the totals. */
export interface PivotTableResult {
  rows: string[];
  column: string;
  agg: Agg;
  value: string;
  value_type: string;
  columns: (string | null)[];
  other: boolean;
  table: { keys: unknown[]; cells: unknown[]; total: unknown }[];
  column_totals: unknown[];
  total: unknown;
  rows_total: number;
  truncated: boolean;
}
