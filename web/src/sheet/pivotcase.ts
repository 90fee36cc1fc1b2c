// Which case a pivot from a sheet looks across: the case the user came from (`?case=NAME`, or a `?from=` path
// under /cases/NAME/, as the timeline and the entity page link), else the first case (by name) holding the
// sheet other than the default one, else the default case (which every imported sheet joins).

import { api } from "../api";
import { DEFAULT_CASE } from "../router";

/** The case named by the address the sheet page was opened from, if any. */
export function arrivalCase(search: string): string | null {
  const params = new URLSearchParams(search);
  const named = params.get("case");
  if (named) return named;
  const match = /^\/cases\/([^/?]+)/.exec(params.get("from") ?? "");
  return match ? decodeURIComponent(match[1]) : null;
}

export async function pivotCase(sheet: string, cameFrom: string | null): Promise<string> {
  try {
    const cases = await api.cases();
    const holding = cases.filter((c) => c.sheets.includes(sheet));
    if (cameFrom && holding.some((c) => c.name === cameFrom)) return cameFrom;
    return holding.find((c) => c.name !== DEFAULT_CASE)?.name ?? DEFAULT_CASE;
  } catch {
    return cameFrom ?? DEFAULT_CASE;
  }
}
