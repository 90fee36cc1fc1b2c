// Small pure helpers over IR predicates: AND another condition in, the time-range conjunct, search terms.

import type { Predicate, Scalar } from "../types";

/** `where AND extra`, flattening a top-level AND. */
export function andWith(where: Predicate | null, extra: Predicate): Predicate {
  if (!where) return extra;
  if (where.kind === "and") return { kind: "and", items: [...where.items, extra] };
  return { kind: "and", items: [where, extra] };
}

export function conjuncts(where: Predicate | null): Predicate[] {
  if (!where) return [];
  return where.kind === "and" ? where.items : [where];
}

function fromConjuncts(items: Predicate[]): Predicate | null {
  if (!items.length) return null;
  return items.length === 1 ? items[0] : { kind: "and", items };
}

/** The condition "column is this value" (or is not), as "filter to / exclude this value" builds it. */
export function valueCondition(column: string, value: unknown, exclude: boolean): Predicate {
  if (value === null || value === undefined || value === "") return { kind: "blank", column, negate: exclude };
  const scalar: Scalar = typeof value === "object" ? JSON.stringify(value) : (value as Scalar);
  return { kind: "compare", column, op: exclude ? "!=" : "=", value: scalar };
}

/** The time range of a view: a top-level `time between start and end` conjunct on the time column. */
export function timeRange(where: Predicate | null, timeColumn: string | null): { start: string; end: string } | null {
  if (!timeColumn) return null;
  for (const item of conjuncts(where)) {
    if (item.kind === "between" && item.column === timeColumn && !item.negate && typeof item.low === "string" && typeof item.high === "string") {
      return { start: item.low, end: item.high };
    }
  }
  return null;
}

export function withTimeRange(where: Predicate | null, timeColumn: string, range: { start: string; end: string } | null): Predicate | null {
  const rest = conjuncts(where).filter(
    (item) => !(item.kind === "between" && item.column === timeColumn && !item.negate && typeof item.low === "string"),
  );
  if (range) rest.push({ kind: "between", column: timeColumn, low: range.start, high: range.end });
  return fromConjuncts(rest);
}

/** The texts to highlight in cells: the search box and any full-text search inside the filter. */
export function searchTerms(search: string, where: Predicate | null): string[] {
  const terms = search ? [search] : [];
  const walk = (p: Predicate | null) => {
    if (!p) return;
    if (p.kind === "search") terms.push(p.text);
    else if (p.kind === "and" || p.kind === "or") p.items.forEach(walk);
  };
  walk(where);
  return terms.filter((t) => t.length > 0);
}
