// How a place in an event is named in the filter language, and the condition "filter to / exclude this" adds.
// A nested key is a JSON path into its column: `requestParameters.instanceType`, `resources[0].ARN`
// (docs/filter-language.md; the server resolves it in logsheet.compiler.resolve).

import type { Predicate, Scalar } from "../types";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The path of a key inside an object at `parent`, or null when the filter language cannot spell it: keys
 * holding `.`, `[` or `]`, empty keys and keys of digits only (read as array indexes). */
export function childPath(parent: string | null, key: string): string | null {
  if (parent === null || key === "" || /[.[\]]/.test(key) || /^\d+$/.test(key) || key.trim() !== key) return null;
  return `${parent}.${key}`;
}

export function itemPath(parent: string | null, index: number): string | null {
  return parent === null ? null : `${parent}[${index}]`;
}

export function isContainer(value: Json): value is Json[] | { [key: string]: Json } {
  return value !== null && typeof value === "object";
}

/**
 * The condition a value at `path` gives: equal (or not) for a scalar; for an object or array, that the key is
 * there (or is not: `is blank`), since its text is not a value anyone filters on.
 */
export function conditionAt(path: string, value: Json, exclude: boolean): Predicate {
  if (value === null || value === "" || isContainer(value)) {
    return { kind: "blank", column: path, negate: isContainer(value) ? !exclude : exclude };
  }
  return { kind: "compare", column: path, op: exclude ? "!=" : "=", value: value as Scalar };
}

/** A JSON column's text as a tree, or null when it is not JSON (then it shows as text). */
export function parseJson(value: unknown): Json | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (!(text.startsWith("{") || text.startsWith("["))) return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}
