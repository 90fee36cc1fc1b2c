// Sigma's levels, least to most severe, and the badge that shows one (its colour from the level).

import type { Finding, Level } from "../types";
import { h } from "../ui/dom";

const ORDER = ["informational", "low", "medium", "high", "critical"];

/** 0 (informational, or a level Sigma does not name) to 4 (critical). */
export function levelRank(level: Level): number {
  return Math.max(0, ORDER.indexOf(level));
}

/** The most severe level among the findings (null for none). */
export function worstLevel(findings: Finding[]): Level | null {
  let worst: Level | null = null;
  for (const f of findings) if (worst === null || levelRank(f.level) > levelRank(worst)) worst = f.level;
  return worst;
}

/** A CSS class for a level: only the five Sigma names get one of their own (the level is the rule file's text). */
export function levelClass(level: Level): string {
  return `level-${ORDER.includes(level) ? level : "informational"}`;
}

export function levelBadge(level: Level): HTMLElement {
  return h("span", { class: `level-badge ${levelClass(level)}` }, level || "unknown");
}
