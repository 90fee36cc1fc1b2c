// The time histogram of the current view on the sheet's time column, with brush-to-zoom, a time-range
// picker (From / To in the display time zone) and zoom out / all time. The range is a `between` condition on
// the time column in the view's filter, so it travels with the URL, saved views and undo.

import type { Result } from "vega-embed";
import { api, Cancelled } from "../api";
import { renderChart, hideTooltip } from "../charts/vega";
import { timeRange } from "../filter/predicates";
import type { Histogram, Query } from "../types";
import type { Running } from "../api";
import { h } from "../ui/dom";
import { inlineError } from "../ui/inline_error";
import { formatTimestamp, offsetMinutes, parseLocalTime, plural } from "./format";
import type { Progress } from "./progress";

const BUCKETS = 80;

/** One colour per sheet of a stacked (timeline) histogram, in the order of its `sheets`. */
export const SHEET_COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d", "#bab0ac", "#ff9da6"];

export type HistogramLoader = (view: Query, buckets: number, start: string | null, end: string | null, run: Running) => Promise<Histogram>;

export class TimeHistogram {
  readonly el: HTMLElement;
  private readonly chart: HTMLElement;
  private readonly from: HTMLInputElement;
  private readonly to: HTMLInputElement;
  private readonly caption: HTMLElement;
  private readonly error = inlineError();
  private readonly legend = h("ul", { class: "histogram-legend", "aria-label": "Sheets", hidden: true });
  private result: Result | null = null;
  private seq = 0;
  private brushed: [number, number] | null = null;
  private tz = "UTC";
  private data: Histogram | null = null;

  constructor(
    private readonly sheet: string,
    private readonly timeColumn: string,
    private readonly progress: Progress,
    private readonly setRange: (range: { start: string; end: string } | null) => void,
    private readonly loader: HistogramLoader | null = null, // default: POST /api/sheets/{sheet}/histogram
  ) {
    this.chart = h("div", { class: "histogram-chart", role: "img", "aria-label": `Rows over time (${timeColumn})` });
    this.from = h("input", { type: "text", class: "time-input", placeholder: "YYYY-MM-DD HH:MM:SS", "aria-label": "From time" });
    this.to = h("input", { type: "text", class: "time-input", placeholder: "YYYY-MM-DD HH:MM:SS", "aria-label": "To time" });
    this.caption = h("span", { class: "muted histogram-caption" });
    const apply = h("button", { type: "button", class: "small" }, "Set range");
    apply.addEventListener("click", () => this.applyTyped());
    for (const input of [this.from, this.to]) {
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter") this.applyTyped();
      });
    }
    const zoomOut = h("button", { type: "button", class: "small" }, "Zoom out");
    zoomOut.addEventListener("click", () => this.zoomOut());
    const all = h("button", { type: "button", class: "small" }, "All time");
    all.addEventListener("click", () => this.setRange(null));
    this.chart.addEventListener("pointerup", () => window.setTimeout(() => this.applyBrush(), 0));
    this.chart.addEventListener("pointerleave", hideTooltip);
    this.el = h(
      "section",
      { class: "histogram", "aria-label": "Time histogram" },
      h(
        "div",
        { class: "histogram-controls" },
        h("span", { class: "histogram-title" }, `Time (${timeColumn})`),
        h("label", { class: "field inline" }, h("span", {}, "From"), this.from),
        h("label", { class: "field inline" }, h("span", {}, "To"), this.to),
        apply,
        zoomOut,
        all,
        this.caption,
      ),
      this.error.el,
      this.chart,
      this.legend,
    );
  }

  async load(query: Query, tz: string): Promise<void> {
    this.tz = tz;
    const seq = ++this.seq;
    const range = timeRange(query.where, this.timeColumn);
    const view: Query = { ...query, group: null, sort: [], columns: [] };
    let data: Histogram;
    try {
      data = await this.progress.run("histogram", (run) =>
        this.loader
          ? this.loader(view, BUCKETS, range?.start ?? null, range?.end ?? null, run)
          : api.histogram(this.sheet, view, BUCKETS, range?.start ?? null, range?.end ?? null, run),
      );
    } catch (e) {
      if (seq !== this.seq) return;
      if (!(e instanceof Cancelled)) this.error.show(`The histogram is not available: ${(e as Error).message}`);
      return;
    }
    if (seq !== this.seq) return;
    this.error.clear();
    this.data = data;
    this.showRange(range ?? (data.buckets.length ? { start: data.buckets[0].start, end: data.buckets[data.buckets.length - 1].end } : null));
    this.caption.textContent = `${plural(data.total, "row")}${data.interval_seconds ? ` · ${interval(data.interval_seconds)} per bar` : ""}${tz === "UTC" ? " · UTC" : ` · ${tz}`}`;
    await this.draw(data);
  }

  private shift(ms: number): number {
    return this.tz === "UTC" ? ms : ms + offsetMinutes(ms, this.tz) * 60_000;
  }

  private unshift(ms: number): number {
    if (this.tz === "UTC") return ms;
    const guess = ms - offsetMinutes(ms, this.tz) * 60_000;
    return ms - offsetMinutes(guess, this.tz) * 60_000;
  }

  private async draw(data: Histogram): Promise<void> {
    this.result?.finalize();
    this.result = null;
    this.brushed = null;
    if (!data.buckets.length) {
      this.chart.replaceChildren(h("p", { class: "muted" }, "No rows with a time in this view."));
      return;
    }
    const stacked = data.sheets ?? null;
    this.showLegend(stacked);
    const values = stacked
      ? data.buckets.flatMap((b, i) => {
          let below = 0; // each sheet's bar sits on the ones before it (stacked here, in the sheets' order)
          return stacked.map((s) => {
            const count = s.counts[i] ?? 0;
            below += count;
            return {
              start: this.shift(Date.parse(b.start)),
              end: this.shift(Date.parse(b.end)),
              count,
              low: below - count,
              high: below,
              sheet: s.sheet,
              from: formatTimestamp(b.start, this.tz),
            };
          });
        })
      : data.buckets.map((b) => ({
          start: this.shift(Date.parse(b.start)),
          end: this.shift(Date.parse(b.end)),
          count: b.count,
          from: formatTimestamp(b.start, this.tz),
        }));
    const axis = timeAxis(values[0].start, values[values.length - 1].end, Math.max(2, Math.floor((this.chart.clientWidth || 800) / 140)));
    const result = await renderChart(this.chart, {
      width: "container",
      height: 80,
      autosize: { type: "fit-x", contains: "padding" },
      background: "transparent",
      data: { values },
      params: [{ name: "brush", select: { type: "interval", encodings: ["x"] } }],
      mark: stacked ? { type: "rect" } : { type: "rect", color: "#4c78a8" },
      encoding: {
        x: { field: "start", type: "temporal", scale: { type: "utc", domain: axis.domain }, axis: { title: null, labelOverlap: "greedy", labelFlush: true, tickCount: axis.tickCount as never, format: axis.format } },
        x2: { field: "end" },
        y: { field: stacked ? "high" : "count", type: "quantitative", axis: { title: null, tickCount: 3, tickMinStep: 1 } },
        ...(stacked ? { y2: { field: "low" } } : {}),
        ...(stacked
          ? {
              color: {
                field: "sheet",
                type: "nominal",
                scale: { domain: stacked.map((s) => s.sheet), range: stacked.map((_, i) => SHEET_COLOURS[i % SHEET_COLOURS.length]) },
                legend: null,
              },
            }
          : {}),
        tooltip: [
          { field: "from", type: "nominal" as const, title: "from" },
          ...(stacked ? [{ field: "sheet", type: "nominal" as const, title: "sheet" }] : []),
          { field: "count", type: "quantitative" as const, title: "rows" },
        ],
      },
      config: { view: { stroke: null }, axis: { labelFontSize: 10 } },
    });
    this.result = result;
    result.view.addSignalListener("brush", (_name: string, value: unknown) => {
      const range = (value as Record<string, [number | Date, number | Date]> | null)?.start;
      this.brushed = range && range.length === 2 ? [Number(range[0]), Number(range[1])] : null;
    });
  }

  /** The sheets of a stacked histogram, each with its colour and its rows in the view (names as text). */
  private showLegend(stacked: Histogram["sheets"] | null): void {
    this.legend.hidden = !stacked;
    this.legend.replaceChildren(
      ...(stacked ?? []).map((s, i) => {
        const rows = s.counts.reduce((a, b) => a + b, 0);
        const swatch = h("span", { class: "legend-swatch", "aria-hidden": "true" });
        swatch.style.backgroundColor = SHEET_COLOURS[i % SHEET_COLOURS.length]; // CSSOM: allowed by the CSP
        return h(
          "li",
          { class: "legend-item", "data-sheet": s.sheet },
          swatch,
          h("span", { class: "legend-name" }, s.sheet),
          h("span", { class: "muted legend-rows" }, plural(rows, "row")),
        );
      }),
    );
  }

  private applyBrush(): void {
    const brushed = this.brushed;
    if (!brushed || brushed[1] - brushed[0] <= 0) return;
    this.brushed = null;
    // Whole seconds, widened outwards so that every row the brush covered stays in the range.
    const start = new Date(Math.floor(this.unshift(brushed[0]) / 1000) * 1000).toISOString();
    const end = new Date(Math.ceil(this.unshift(brushed[1]) / 1000) * 1000).toISOString();
    this.setRange({ start, end });
  }

  private applyTyped(): void {
    const from = this.from.value.trim();
    const to = this.to.value.trim();
    if (!from && !to) {
      this.setRange(null);
      return;
    }
    const start = from ? parseLocalTime(from, this.tz) : this.data?.buckets[0]?.start ?? null;
    const end = to ? parseLocalTime(to, this.tz) : this.data?.buckets[this.data.buckets.length - 1]?.end ?? null;
    if (!start || !end) {
      this.error.show("Write times as YYYY-MM-DD HH:MM:SS (in the display time zone).");
      return;
    }
    if (Date.parse(end) <= Date.parse(start)) {
      this.error.show("The end of the range must be after its start.");
      return;
    }
    this.error.clear();
    this.setRange({ start, end });
  }

  private zoomOut(): void {
    const b = this.data?.buckets;
    if (!b?.length) return;
    const start = Date.parse(b[0].start);
    const end = Date.parse(b[b.length - 1].end);
    const span = end - start;
    this.setRange({ start: new Date(start - span / 2).toISOString(), end: new Date(end + span / 2).toISOString() });
  }

  private showRange(range: { start: string; end: string } | null): void {
    // Without the offset: the caption names the zone, and the boxes show the whole time.
    this.from.value = range ? formatTimestamp(range.start, this.tz, false) : "";
    this.to.value = range ? formatTimestamp(range.end, this.tz, false) : "";
  }

  destroy(): void {
    this.result?.finalize();
    hideTooltip();
  }
}

function interval(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

const SECOND = 1000;
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800].map((s) => s * SECOND);

/** Tick values for a time axis from `start` to `end` (ms, already in display time): at most `most` ticks at
 * whole-second steps, so that a one-row or one-second view gets a few distinct labels, never a pile of equal
 * ones; a range under two seconds is widened to two, around it. */
export function timeAxis(start: number, end: number, most: number): { domain: [number, number]; tickCount: { interval: "seconds" | "minutes" | "hours" | "day"; step: number }; format: string } {
  let low = start;
  let high = end;
  if (high - low < 2 * SECOND) {
    const pad = (2 * SECOND - (high - low)) / 2; // the bars in the middle of a two-second axis
    low -= pad;
    high += pad;
  }
  const span = high - low;
  const step = STEPS.find((s) => span / s <= most) ?? Math.ceil(span / most / 86_400_000) * 86_400_000;
  // As a time interval (Vega's `datetime()` would read plain numbers given as tick values as a year).
  const units = [
    ["day", 86_400_000], // vega-time's unit names
    ["hours", 3_600_000],
    ["minutes", 60_000],
    ["seconds", SECOND],
  ] as const;
  const [interval, size] = units.find(([, ms]) => step % ms === 0) ?? units[3];
  const tickCount = { interval, step: step / size };
  const format = step >= 86_400_000 ? "%b %d" : span >= 86_400_000 ? "%b %d %H:%M" : step % 60_000 === 0 ? "%H:%M" : "%H:%M:%S";
  return { domain: [low, high], tickCount, format };
}
