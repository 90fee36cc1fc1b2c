// Column widths from what the columns hold: each column as wide as its header and the values of the first page
// (measured on a canvas in the grid's own font), so that addresses, ids, ARNs and event names show whole; long
// text (free text with spaces, JSON) gets the room that is left instead. The grid re-measures when the view
// changes, except the columns the user sized by hand.

import type { ColumnType } from "../types";

const FAMILY = `system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif`;
const CELL_FONT = `13px ${FAMILY}`;
const HEADER_FONT = `500 13px ${FAMILY}`;
const BADGE_FONT = `500 10.5px ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace`;

// These follow styles.css (.header-label, .type-badge, .header-menu, .grid-host .ag-header-cell) and the theme.
/** The grid's cell padding (the theme's 7 px a side, with the border) and a little slack for rounding. */
const CELL_EXTRA = 2 * 7 + 4;
/** Around a header's name: the header's padding (6 px a side), the badge's (3), the gap (4), the resize
 * handle's overlap and slack. The menu button floats over the header's end (styles.css .header-menu). */
const HEADER_EXTRA = 2 * 6 + 2 * 3 + 4 + 6;
/** AG Grid's sort arrow with its spacing, in a sorted column's header. */
const SORT_ARROW = 21;

export const MIN_WIDTH = 60;
/** The widest a column of whole values (addresses, ids, ARNs, names) is sized to by itself. */
export const WHOLE_CAP = 720; // about 100 characters: an assumed-role ARN with its session name
/** A long-text column after the first: as wide as its values up to this. */
export const LONG_CAP = 480;
/** The least room a long-text column is given. */
export const LONG_MIN = 160;
/** Text wider than this with spaces in it is long text (a message, a user agent), not a value to show whole. */
const LONG_TEXT = 300;
const MEASURED_CHARS = 160; // past any cap
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const WIDEST_IPV4 = "255.255.255.255"; // a column of addresses fits any address, not just the first page's
const SCROLLBAR = 18;

let canvas: CanvasRenderingContext2D | null = null;

function textWidth(text: string, font: string): number {
  if (!canvas) canvas = document.createElement("canvas").getContext("2d");
  if (!canvas) return text.length * 8;
  canvas.font = font;
  return canvas.measureText(text).width;
}

export interface Measured {
  name: string;
  header: number; // the width the header needs
  content: number; // the width the widest value of the page needs
  long: boolean; // long text: gets the room that is left, not its whole width
}

/** Measures a column from its header (name, type badge, menu button, and the sort arrow when it is sorted) and
 * the texts of its cells on the first page. */
export function measure(name: string, type: ColumnType, badge: string, sorted: boolean, texts: string[]): Measured {
  const label = textWidth(name, HEADER_FONT) + textWidth(badge, BADGE_FONT);
  const header = Math.ceil(label + HEADER_EXTRA + (sorted ? SORT_ARROW : 0));
  let widest = 0;
  let spaced = false;
  let addresses = false;
  for (const text of texts) {
    const shown = text.length > MEASURED_CHARS ? text.slice(0, MEASURED_CHARS) : text;
    widest = Math.max(widest, textWidth(shown, CELL_FONT));
    if (!spaced && /\s/.test(shown)) spaced = true;
    if (!addresses && IPV4.test(shown)) addresses = true;
  }
  if (addresses) widest = Math.max(widest, textWidth(WIDEST_IPV4, CELL_FONT));
  const content = Math.ceil(widest + CELL_EXTRA);
  const long = type === "json" || (type === "text" && spaced && content > LONG_TEXT);
  return { name, header, content, long };
}

/**
 * Widths for the displayed columns, in display order. `fixed` holds the widths the user chose (kept as they
 * are); `room` is the width of the grid. The first long-text column gets what the columns before it leave of
 * the grid's width (at least LONG_MIN); other long columns their values' width up to LONG_CAP; every other
 * column its header's and values' width, up to WHOLE_CAP.
 */
export function fitWidths(columns: Measured[], fixed: Map<string, number>, room: number): Map<string, number> {
  const widths = new Map<string, number>();
  let used = 0;
  let filler: Measured | null = null;
  for (const c of columns) {
    const chosen = fixed.get(c.name);
    let width: number;
    if (chosen !== undefined) width = chosen;
    else if (c.long && filler === null) {
      filler = c;
      continue;
    } else if (c.long) width = Math.max(c.header, Math.min(Math.max(c.content, LONG_MIN), LONG_CAP));
    else width = Math.min(WHOLE_CAP, Math.max(MIN_WIDTH, c.header, c.content));
    widths.set(c.name, width);
    if (filler === null) used += width;
  }
  if (filler) widths.set(filler.name, Math.max(LONG_MIN, filler.header, Math.floor(room - SCROLLBAR - used)));
  return widths;
}
