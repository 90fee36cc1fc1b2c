// The filter builder's tree (groups of conditions, as a person edits them) to and from IR predicates.

import type { Column, ColumnType, Predicate, Scalar } from "../types";
import { ANNOTATIONS, ANY_COLUMN, COLUMN_OPS, OPS, type OpId } from "./ops";
import { parseLocalTime } from "../sheet/format";

export interface Cond {
  type: "cond";
  column: string;
  op: OpId;
  value: string;
  value2: string;
  caseSensitive: boolean;
}

export interface Group {
  type: "group";
  join: "and" | "or";
  negate: boolean;
  items: Node[];
}

export type Node = Cond | Group;

export function newCond(column = "", op: OpId = "="): Cond {
  return { type: "cond", column, op, value: "", value2: "", caseSensitive: true };
}

export function newGroup(join: "and" | "or" = "and"): Group {
  return { type: "group", join, negate: false, items: [] };
}

// ---------------------------------------------------------------------------------------- IR → builder
export function toTree(where: Predicate | null): Group {
  if (!where) return newGroup();
  const node = toNode(where);
  if (node.type === "group") return node;
  return { ...newGroup(), items: [node] };
}

function text(value: Scalar): string {
  return value === null ? "null" : String(value);
}

const NEGATED: Partial<Record<OpId, OpId>> = {
  "=": "!=",
  "!=": "=",
  in: "not in",
  "not in": "in",
  between: "not between",
  "not between": "between",
  contains: "not contains",
  "not contains": "contains",
  "starts with": "not starts with",
  "not starts with": "starts with",
  "ends with": "not ends with",
  "not ends with": "ends with",
  matches: "not matches",
  "not matches": "matches",
  "is blank": "is not blank",
  "is not blank": "is blank",
  "in cidr": "not in cidr",
  "not in cidr": "in cidr",
  "= column": "!= column",
  "!= column": "= column",
  tagged: "not tagged",
  "not tagged": "tagged",
  "comment contains": "comment not contains",
  "comment not contains": "comment contains",
  ioc: "not ioc",
  "not ioc": "ioc",
};

const COLUMN_OP_IDS: Record<"=" | "!=" | "contains" | "starts_with" | "ends_with", OpId> = {
  "=": "= column",
  "!=": "!= column",
  contains: "contains column",
  starts_with: "starts with column",
  ends_with: "ends with column",
};

function toNode(p: Predicate): Node {
  const cond = (column: string, op: OpId, value = "", value2 = "", caseSensitive = true): Cond => ({
    type: "cond",
    column,
    op,
    value,
    value2,
    caseSensitive,
  });
  switch (p.kind) {
    case "and":
    case "or":
      return { type: "group", join: p.kind, negate: false, items: p.items.map(toNode) };
    case "not": {
      const inner = toNode(p.item);
      if (inner.type === "group") return { ...inner, negate: !inner.negate };
      const flipped = NEGATED[inner.op];
      if (flipped) return { ...inner, op: flipped };
      return { type: "group", join: "and", negate: true, items: [inner] };
    }
    case "compare":
      return cond(p.column, p.op, text(p.value), "", p.case_sensitive !== false);
    case "in":
      return cond(p.column, p.negate ? "not in" : "in", p.values.map(text).join(", "), "", p.case_sensitive !== false);
    case "between":
      return cond(p.column, p.negate ? "not between" : "between", text(p.low), text(p.high));
    case "text": {
      const base = p.op === "contains" ? "contains" : p.op === "starts_with" ? "starts with" : "ends with";
      return cond(p.column, (p.negate ? `not ${base}` : base) as OpId, p.value, "", p.case_sensitive !== false);
    }
    case "regex":
      return cond(p.column, p.negate ? "not matches" : "matches", p.pattern, "", p.case_sensitive !== false);
    case "blank":
      return cond(p.column, p.negate ? "is not blank" : "is blank");
    case "cidr":
      return cond(p.column, p.negate ? "not in cidr" : "in cidr", p.cidr);
    case "columns":
      return cond(p.column, COLUMN_OP_IDS[p.op], p.other, "", p.case_sensitive !== false);
    case "search":
      return cond(ANY_COLUMN, "search", p.text);
    case "starred":
      return cond(ANNOTATIONS, "starred");
    case "ioc": {
      const lists = p.lists ?? [];
      if (!lists.length) return cond(ANNOTATIONS, p.negate ? "not ioc" : "ioc");
      const inner = cond(ANNOTATIONS, "ioc in", lists.join(", "));
      return p.negate ? { type: "group", join: "and", negate: true, items: [inner] } : inner;
    }
    case "tag":
      return cond(ANNOTATIONS, p.negate ? "not tagged" : "tagged", p.tags.join(", "));
    case "comment": {
      const base: OpId = p.op === "contains" ? "comment contains" : p.op === "starts_with" ? "comment starts with" : "comment ends with";
      const inner = cond(ANNOTATIONS, p.negate && p.op === "contains" ? "comment not contains" : base, p.value, "", p.case_sensitive !== false);
      return p.negate && p.op !== "contains" ? { type: "group", join: "and", negate: true, items: [inner] } : inner;
    }
  }
}

// ---------------------------------------------------------------------------------------- builder → IR
/** The predicate of a tree; incomplete conditions (no column, no value yet) are left out. */
export function toPredicate(group: Group, columns: Column[], tz: string): Predicate | null {
  const items = group.items.map((n) => (n.type === "group" ? toPredicate(n, columns, tz) : condPredicate(n, columns, tz))).filter((p): p is Predicate => p !== null);
  let out: Predicate | null = null;
  if (items.length === 1) out = items[0];
  else if (items.length > 1) out = { kind: group.join, items };
  if (out && group.negate) out = { kind: "not", item: out };
  return out;
}

export type CondField = "column" | "value" | "value2";

/** What a condition still lacks, as the builder says it at that field; null when it is complete. */
export function missingField(c: Cond): { field: CondField; message: string } | null {
  const info = OPS[c.op];
  if (c.op !== "search" && !c.column.trim()) return { field: "column", message: "Choose a column (or remove this condition)." };
  if (info.values === 0) return null;
  if (info.values === 2) {
    if (c.value.trim() === "") return { field: "value", message: "Type the first value of the range." };
    if (c.value2.trim() === "") return { field: "value2", message: "Type the second value of the range." };
    return null;
  }
  if (info.values === "list") return splitList(c.value).length ? null : { field: "value", message: "Type one or more values, separated by commas." };
  return c.value !== "" ? null : { field: "value", message: "Type a value." };
}

export function isComplete(c: Cond): boolean {
  return missingField(c) === null;
}

/** The incomplete conditions of a tree, in the order they are shown. */
export function incomplete(group: Group): Cond[] {
  return group.items.flatMap((n) => (n.type === "group" ? incomplete(n) : isComplete(n) ? [] : [n]));
}

function condPredicate(c: Cond, columns: Column[], tz: string): Predicate | null {
  if (!isComplete(c)) return null;
  const column = c.column.trim();
  const type = columns.find((x) => x.name === column)?.type ?? null;
  const v = (raw: string) => typed(raw, type, tz);
  const cs = c.caseSensitive;
  switch (c.op) {
    case "=":
    case "!=":
    case "<":
    case "<=":
    case ">":
    case ">=":
      return { kind: "compare", column, op: c.op, value: v(c.value), ...(cs ? {} : { case_sensitive: false }) };
    case "in":
    case "not in":
      return { kind: "in", column, values: splitList(c.value).map(v), negate: c.op === "not in", ...(cs ? {} : { case_sensitive: false }) };
    case "between":
    case "not between":
      return { kind: "between", column, low: v(c.value), high: v(c.value2), negate: c.op === "not between" };
    case "contains":
    case "not contains":
    case "starts with":
    case "not starts with":
    case "ends with":
    case "not ends with": {
      const negate = c.op.startsWith("not ");
      const base = negate ? c.op.slice(4) : c.op;
      const op = base === "contains" ? "contains" : base === "starts with" ? "starts_with" : "ends_with";
      return { kind: "text", column, op, value: c.value, negate, ...(cs ? {} : { case_sensitive: false }) };
    }
    case "matches":
    case "not matches":
      return { kind: "regex", column, pattern: c.value, negate: c.op === "not matches", ...(cs ? {} : { case_sensitive: false }) };
    case "is blank":
    case "is not blank":
      return { kind: "blank", column, negate: c.op === "is not blank" };
    case "in cidr":
    case "not in cidr":
      return { kind: "cidr", column, cidr: c.value.trim(), negate: c.op === "not in cidr" };
    case "= column":
    case "!= column":
    case "contains column":
    case "starts with column":
    case "ends with column":
      return { kind: "columns", column, op: COLUMN_OPS[c.op] ?? "=", other: c.value.trim(), ...(cs ? {} : { case_sensitive: false }) };
    case "search":
      return { kind: "search", text: c.value };
    case "starred":
      return { kind: "starred" };
    case "ioc":
    case "not ioc":
      return { kind: "ioc", lists: [], negate: c.op === "not ioc" };
    case "ioc in":
      return { kind: "ioc", lists: splitList(c.value), negate: false };
    case "tagged":
    case "not tagged":
      return { kind: "tag", tags: splitList(c.value), negate: c.op === "not tagged" };
    case "comment contains":
    case "comment not contains":
    case "comment starts with":
    case "comment ends with": {
      const op = c.op === "comment starts with" ? "starts_with" : c.op === "comment ends with" ? "ends_with" : "contains";
      return { kind: "comment", op, value: c.value, negate: c.op === "comment not contains", ...(cs ? {} : { case_sensitive: false }) };
    }
  }
}

export function splitList(value: string): string[] {
  const parts = value.includes("\n") ? value.split("\n") : value.split(",");
  return parts.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** A typed value from what was typed: numbers for numeric columns, booleans, times in the display zone. */
function typed(raw: string, type: ColumnType | null, tz: string): Scalar {
  const value = raw.trim();
  if (type === "integer" || type === "float") {
    const n = Number(value);
    return value !== "" && Number.isFinite(n) ? n : value;
  }
  if (type === "boolean") {
    if (/^true$/i.test(value)) return true;
    if (/^false$/i.test(value)) return false;
  }
  if ((type === "timestamp" || type === "date") && tz !== "UTC" && !/(Z|[+-]\d\d:?\d\d)$/i.test(value)) {
    return parseLocalTime(value, tz) ?? value;
  }
  return raw; // text is taken exactly as typed
}
