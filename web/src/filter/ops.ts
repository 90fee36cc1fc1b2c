// The filter builder's operators: which apply to which column type, and how many values each takes.

import type { ColumnType } from "../types";

export type OpId =
  | "="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "in"
  | "not in"
  | "between"
  | "not between"
  | "contains"
  | "not contains"
  | "starts with"
  | "not starts with"
  | "ends with"
  | "not ends with"
  | "matches"
  | "not matches"
  | "is blank"
  | "is not blank"
  | "in cidr"
  | "not in cidr"
  | "= column"
  | "!= column"
  | "contains column"
  | "starts with column"
  | "ends with column"
  | "search"
  | "starred"
  | "tagged"
  | "not tagged"
  | "comment contains"
  | "comment not contains"
  | "comment starts with"
  | "comment ends with"
  | "ioc"
  | "not ioc"
  | "ioc in";

export interface OpInfo {
  id: OpId;
  label: string;
  values: 0 | 1 | 2 | "list";
  caseable: boolean;
}

const op = (id: OpId, label: string, values: OpInfo["values"], caseable = false): OpInfo => ({ id, label, values, caseable });

export const OPS: Record<OpId, OpInfo> = {
  "=": op("=", "equals", 1, true),
  "!=": op("!=", "does not equal", 1, true),
  "<": op("<", "less than", 1),
  "<=": op("<=", "at most", 1),
  ">": op(">", "greater than", 1),
  ">=": op(">=", "at least", 1),
  in: op("in", "is one of", "list", true),
  "not in": op("not in", "is none of", "list", true),
  between: op("between", "between", 2),
  "not between": op("not between", "not between", 2),
  contains: op("contains", "contains", 1, true),
  "not contains": op("not contains", "does not contain", 1, true),
  "starts with": op("starts with", "starts with", 1, true),
  "not starts with": op("not starts with", "does not start with", 1, true),
  "ends with": op("ends with", "ends with", 1, true),
  "not ends with": op("not ends with", "does not end with", 1, true),
  matches: op("matches", "matches regex", 1, true),
  "not matches": op("not matches", "does not match regex", 1, true),
  "is blank": op("is blank", "is blank", 0),
  "is not blank": op("is not blank", "is not blank", 0),
  "in cidr": op("in cidr", "is in network (CIDR)", 1),
  "not in cidr": op("not in cidr", "is not in network (CIDR)", 1),
  "= column": op("= column", "equals column", 1, true),
  "!= column": op("!= column", "does not equal column", 1, true),
  "contains column": op("contains column", "contains column", 1, true),
  "starts with column": op("starts with column", "starts with column", 1, true),
  "ends with column": op("ends with column", "ends with column", 1, true),
  search: op("search", "contains (any column)", 1),
  starred: op("starred", "starred", 0),
  tagged: op("tagged", "tagged one of", "list"),
  "not tagged": op("not tagged", "tagged none of", "list"),
  "comment contains": op("comment contains", "comment contains", 1, true),
  "comment not contains": op("comment not contains", "comment does not contain", 1, true),
  "comment starts with": op("comment starts with", "comment starts with", 1, true),
  "comment ends with": op("comment ends with", "comment ends with", 1, true),
  ioc: op("ioc", "holds an IOC (any list)", 0),
  "not ioc": op("not ioc", "holds no IOC", 0),
  "ioc in": op("ioc in", "holds an IOC of the lists", "list"),
};

/** The operators whose value is the name of another column of the row (an IR "columns" predicate). */
export const COLUMN_OPS: Partial<Record<OpId, "=" | "!=" | "contains" | "starts_with" | "ends_with">> = {
  "= column": "=",
  "!= column": "!=",
  "contains column": "contains",
  "starts with column": "starts_with",
  "ends with column": "ends_with",
};

const TEXT: OpId[] = [
  "=",
  "!=",
  "in",
  "not in",
  "contains",
  "not contains",
  "starts with",
  "not starts with",
  "ends with",
  "not ends with",
  "matches",
  "not matches",
  "in cidr",
  "not in cidr",
  "is blank",
  "is not blank",
  "<",
  "<=",
  ">",
  ">=",
  "between",
  "not between",
  "= column",
  "!= column",
  "contains column",
  "starts with column",
  "ends with column",
];
const NUMBER: OpId[] = ["=", "!=", "<", "<=", ">", ">=", "between", "not between", "in", "not in", "is blank", "is not blank", "= column", "!= column"];
const TIME: OpId[] = [">=", "<=", ">", "<", "between", "not between", "=", "!=", "is blank", "is not blank", "= column", "!= column"];
const BOOLEAN: OpId[] = ["=", "!=", "is blank", "is not blank", "= column", "!= column"];

/** The operators offered for a column of this type (JSON paths and unknown columns get the text ones). */
export function opsFor(type: ColumnType | null): OpId[] {
  switch (type) {
    case "integer":
    case "float":
      return NUMBER;
    case "timestamp":
    case "date":
      return TIME;
    case "boolean":
      return BOOLEAN;
    default:
      return TEXT;
  }
}

/** Friendlier words for time columns. */
export function opLabel(id: OpId, type: ColumnType | null): string {
  if (type === "timestamp" || type === "date") {
    if (id === "<") return "before";
    if (id === ">") return "after";
    if (id === "<=") return "at or before";
    if (id === ">=") return "at or after";
  }
  return OPS[id].label;
}

export const ANY_COLUMN = "(any column)";

/** The pseudo column of the rows' annotations (stars, tags, comments; IOC lists' hits) and its operators. */
export const ANNOTATIONS = "(annotations)";
export const ANNOTATION_OPS: readonly OpId[] = [
  "starred",
  "ioc",
  "not ioc",
  "ioc in",
  "tagged",
  "not tagged",
  "comment contains",
  "comment not contains",
  "comment starts with",
  "comment ends with",
];
