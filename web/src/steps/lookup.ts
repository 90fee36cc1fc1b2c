// The lookup step ("Lookup in another sheet…") and IP enrichment ("Enrich IP"), from the column menu: the
// lookup dialog chooses the other sheet, the keys and the columns to add; both become recorded steps.

import type { Step } from "../types";

type LookupStep = Extract<Step, { kind: "lookup" }>;

/** One line describing a lookup step, for the steps panel. */
export function describeLookup(step: LookupStep): string {
  const right = step.right_keys && step.right_keys.length ? step.right_keys : step.keys;
  const pairs = step.keys.map((k, i) => (right[i] && right[i] !== k ? `${k} = ${right[i]}` : k)).join(", ");
  const how = step.mode === "cidr" ? " (IP in network)" : step.case_sensitive === false ? " (ignoring case)" : "";
  const cols = step.columns && step.columns.length ? `: ${step.columns.join(", ")}` : "";
  return `Lookup in ${step.sheet} on ${pairs}${how}${cols}`;
}
