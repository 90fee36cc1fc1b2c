// Values to display text: timestamps in the display time zone, nested values as JSON. Always plain strings.

import type { ColumnType } from "../types";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone: tz,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(tz, f);
  }
  return f;
}

/** `2022-03-22 15:48:02` (with `.123` when there are milliseconds) in the time zone `tz`; outside UTC the
 * zone's offset at that instant follows (`2022-03-22 16:48:02 +01:00`) unless `offset` is false. */
export function formatTimestamp(value: string, tz: string, offset = true): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(date)) parts[p.type] = p.value;
  const ms = date.getUTCMilliseconds();
  const frac = ms ? `.${String(ms).padStart(3, "0")}` : "";
  const wall = `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}${frac}`;
  return offset && tz !== "UTC" ? `${wall} ${offsetText(offsetMinutes(date.getTime(), tz))}` : wall;
}

/** `+01:00`, `-05:00`, `+05:30`. */
export function offsetText(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** `1 row`, `3,170 rows`: a count with its noun, singular for one. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

/** Parses `YYYY-MM-DD[ T]HH:MM[:SS]` typed in the time zone `tz` into an ISO UTC string; an explicit `Z`,
 * `UTC` or offset (`+01:00`, as the grid shows times outside UTC) wins over `tz`. */
export function parseLocalTime(text: string, tz: string): string | null {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?\s*$/i.exec(text);
  if (!m) return null;
  const [, y, mo, d, hh = "00", mi = "00", ss = "00", frac = "0"] = m;
  const asUtc = Date.UTC(+y, +mo - 1, +d, +hh, +mi, +ss, Number(frac.padEnd(3, "0")));
  if (Number.isNaN(asUtc)) return null;
  const zone = m[8];
  if (zone && /^[+-]/.test(zone)) {
    const digits = zone.replace(":", "");
    const minutes = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * (zone[0] === "-" ? -1 : 1);
    return new Date(asUtc - minutes * 60_000).toISOString();
  }
  if (zone || tz === "UTC") return new Date(asUtc).toISOString();
  // Find the offset of tz at that wall-clock time (twice, to settle across a DST change).
  let guess = asUtc;
  for (let i = 0; i < 2; i++) guess = asUtc - offsetMinutes(guess, tz) * 60_000;
  return new Date(guess).toISOString();
}

/** Minutes east of UTC of the zone `tz` at the instant `epoch` (ms). */
export function offsetMinutes(epoch: number, tz: string): number {
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(new Date(epoch))) parts[p.type] = p.value;
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return Math.round((wall - Math.floor(epoch / 1000) * 1000) / 60_000);
}

/** A cell's text; `grouping` writes numbers with thousands separators (the counts and sums of a group view). */
export function cellText(value: unknown, type: ColumnType, tz = "UTC", grouping = false): string {
  if (value === null || value === undefined) return "";
  if (type === "timestamp" && typeof value === "string") return formatTimestamp(value, tz);
  if (grouping && typeof value === "number") return value.toLocaleString("en-US", { maximumFractionDigits: 6 });
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Pretty JSON for the cell detail when the value is (or holds) JSON; null when it is not JSON. */
export function prettyJson(value: unknown): string | null {
  if (value !== null && typeof value === "object") return JSON.stringify(value, null, 2);
  if (typeof value !== "string") return null;
  const text = value.trim();
  if (!(text.startsWith("{") || text.startsWith("["))) return null;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}

export function timeZones(): string[] {
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const common = ["UTC", local, "America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Europe/Berlin", "Asia/Tokyo", "Asia/Singapore", "Australia/Sydney"];
  let all: string[] = [];
  try {
    all = (Intl as unknown as { supportedValuesOf(key: string): string[] }).supportedValuesOf("timeZone");
  } catch {
    all = [];
  }
  return [...new Set([...common, ...all])].filter(Boolean);
}
