// Columns a step makes go right beside the column they come from (the parts of a split next to it), not at the
// far end of a wide sheet.

import type { Step } from "../types";

/** The column a step takes its new columns from; null for steps that make none from one column. */
export function sourceOf(step: Step | undefined): string | null {
  if (!step) return null;
  switch (step.kind) {
    case "split":
    case "regex_extract":
    case "url_parts":
      return step.column;
    case "find_replace":
    case "parse_timestamp":
      return step.name ? step.column : null;
    case "combine":
      return step.columns[0] ?? null;
    case "extract_json":
      return step.path.split(/[.[]/)[0] || null;
    default:
      return null;
  }
}

/** `names` with the `added` ones moved right after `source`, in their order. */
export function besideSource(names: string[], added: string[], source: string | null): string[] {
  if (!source || !names.includes(source)) return names;
  const moving = new Set(added.filter((n) => n !== source && names.includes(n)));
  if (!moving.size) return names;
  const rest = names.filter((n) => !moving.has(n));
  rest.splice(rest.indexOf(source) + 1, 0, ...names.filter((n) => moving.has(n)));
  return rest;
}
