// Charts from a group result: bar (top groups), pie (share of the top groups) and lines over time (rows per
// time bucket for each of the top groups, from the histogram endpoint). Export as PNG or SVG.

import type { Result, VisualizationSpec } from "vega-embed";
import { api } from "../api";
import { exportChart, hideTooltip, label, renderChart } from "../charts/vega";
import { andWith, valueCondition } from "../filter/predicates";
import type { ChartKind } from "../sheet/state";
import type { Progress } from "../sheet/progress";
import type { Page, Query } from "../types";
import { h, replaceChildren } from "../ui/dom";
import { inlineError } from "../ui/inline_error";

const TOP_BARS = 25;
const TOP_SLICES = 10;
const TOP_LINES = 6;

export class ChartPanel {
  readonly el: HTMLElement;
  private readonly chart: HTMLElement;
  private readonly kind: HTMLSelectElement;
  private readonly measure: HTMLSelectElement;
  private readonly error = inlineError();
  private result: Result | null = null;
  private page: Page | null = null;
  private query: Query | null = null;
  private seq = 0;

  constructor(
    private readonly sheet: string,
    timeColumn: string | null,
    private readonly progress: Progress,
    private readonly setKind: (kind: ChartKind | null) => void,
  ) {
    this.chart = h("div", { class: "chart", role: "img", "aria-label": "Chart of the groups" });
    this.kind = h(
      "select",
      { "aria-label": "Chart type" },
      h("option", { value: "" }, "No chart"),
      h("option", { value: "bar" }, "Bar chart"),
      h("option", { value: "pie" }, "Pie chart"),
      h("option", { value: "line" }, "Lines over time", timeColumn ? "" : " (needs a time column)"),
    );
    if (!timeColumn) (this.kind.options[3] as HTMLOptionElement).disabled = true;
    this.kind.addEventListener("change", () => this.setKind((this.kind.value || null) as ChartKind | null));
    this.measure = h("select", { "aria-label": "Measure" });
    this.measure.addEventListener("change", () => void this.draw());
    const png = h("button", { type: "button", class: "small" }, "Export PNG");
    const svg = h("button", { type: "button", class: "small" }, "Export SVG");
    png.addEventListener("click", () => this.result && void exportChart(this.result, "png", `${this.sheet}-chart`));
    svg.addEventListener("click", () => this.result && void exportChart(this.result, "svg", `${this.sheet}-chart`));
    this.el = h(
      "section",
      { class: "chart-panel", "aria-label": "Chart" },
      h("div", { class: "chart-controls" }, this.kind, h("label", { class: "field inline" }, h("span", {}, "Measure"), this.measure), png, svg),
      this.error.el,
      this.chart,
    );
    this.chart.addEventListener("pointerleave", hideTooltip);
  }

  /** Called with the first page of a grouped view and the chart kind from the view state. */
  async update(page: Page, query: Query, kind: ChartKind | null): Promise<void> {
    this.page = page;
    this.query = query;
    this.kind.value = kind ?? "";
    const keys = query.group?.keys ?? [];
    const measures = page.columns.filter((c) => !keys.includes(c.name) && (c.type === "integer" || c.type === "float"));
    const previous = this.measure.value;
    replaceChildren(this.measure, ...measures.map((c) => h("option", { value: c.name }, c.name)));
    if (measures.some((m) => m.name === previous)) this.measure.value = previous;
    this.el.hidden = false;
    await this.draw();
  }

  clear(): void {
    this.result?.finalize();
    this.result = null;
    replaceChildren(this.chart);
  }

  private async draw(): Promise<void> {
    const seq = ++this.seq;
    const page = this.page;
    const query = this.query;
    const kind = this.kind.value as ChartKind | "";
    this.error.clear();
    if (!page || !query?.group || !kind) {
      this.clear();
      this.chart.appendChild(h("p", { class: "muted" }, "Choose a chart type to draw the groups."));
      return;
    }
    const keys = query.group.keys;
    const index = new Map(page.columns.map((c, i) => [c.name, i]));
    const measure = this.measure.value;
    if (kind !== "line" && !measure) {
      this.error.show("Add a numeric aggregate (count, sum, …) to chart it.");
      return;
    }
    const height = this.fitBox();
    const category = (row: unknown[]) => keys.map((k) => label(row[index.get(k)!], 40)).join(" · ");
    const title = kind === "line" ? `Rows over time by ${keys[0]}` : `${measure} by ${keys.join(", ")}`;
    let spec: VisualizationSpec;
    if (kind === "bar") {
      const values = page.rows.slice(0, Math.max(3, Math.min(TOP_BARS, Math.floor((height - 70) / 14)))).map((r) => ({ group: category(r), value: Number(r[index.get(measure)!] ?? 0) }));
      spec = {
        title: label(title, 100),
        width: "container",
        height: "container",
        autosize: { type: "fit", contains: "padding" },
        data: { values },
        mark: { type: "bar", tooltip: true, color: "#4c78a8" },
        encoding: {
          y: { field: "group", type: "nominal", sort: "-x", axis: { title: null, labelLimit: 260 } },
          x: { field: "value", type: "quantitative", title: measure, axis: { tickMinStep: 1 } },
          tooltip: [
            { field: "group", type: "nominal", title: keys.join(" · ") },
            { field: "value", type: "quantitative", title: measure },
          ],
        },
      };
    } else if (kind === "pie") {
      const values = page.rows.slice(0, TOP_SLICES).map((r) => ({ group: category(r), value: Number(r[index.get(measure)!] ?? 0) }));
      spec = {
        title: label(title, 100),
        width: "container",
        height: "container",
        autosize: { type: "fit", contains: "padding" },
        data: { values },
        mark: { type: "arc", tooltip: true },
        encoding: {
          theta: { field: "value", type: "quantitative" },
          color: { field: "group", type: "nominal", legend: { title: null, labelLimit: 260 } },
          tooltip: [
            { field: "group", type: "nominal", title: keys.join(" · ") },
            { field: "value", type: "quantitative", title: measure },
          ],
        },
      };
    } else {
      const lines = await this.lineValues(page, query, index, seq);
      if (lines === null) return;
      spec = {
        title: label(title, 100),
        width: "container",
        height: "container",
        autosize: { type: "fit", contains: "padding" },
        data: { values: lines },
        mark: { type: "line", point: true, tooltip: true },
        encoding: {
          x: { field: "time", type: "temporal", scale: { type: "utc" }, axis: { title: null, format: "%b %d %H:%M:%S" } },
          y: { field: "count", type: "quantitative", title: "rows", axis: { tickMinStep: 1 } },
          color: { field: "group", type: "nominal", legend: { title: keys[0], labelLimit: 220 } },
          tooltip: [
            { field: "group", type: "nominal", title: keys[0] },
            { field: "from", type: "nominal", title: "from (UTC)" },
            { field: "count", type: "quantitative", title: "rows" },
          ],
        },
      };
    }
    if (seq !== this.seq) return;
    this.result?.finalize();
    try {
      this.result = await renderChart(this.chart, spec);
    } catch (e) {
      this.error.show(`Cannot draw the chart: ${(e as Error).message}`);
    }
  }

  /** Gives the chart the height the panel has left (the panel takes at most 46% of the sheet), so that the
   * whole chart, axes and legend included, shows without being cut or scrolled. */
  private fitBox(): number {
    const room = this.el.parentElement?.clientHeight ?? 0;
    const around = this.el.offsetHeight - this.chart.offsetHeight; // controls, error line and padding
    const height = Math.max(160, Math.floor(room * 0.46) - around - 4);
    this.chart.style.height = `${height}px`;
    return height;
  }

  private async lineValues(page: Page, query: Query, index: Map<string, number>, seq: number): Promise<Array<Record<string, unknown>> | null> {
    const key = query.group!.keys[0];
    const base: Query = { ...query, group: null, sort: [], columns: [] };
    const groups = page.rows.slice(0, TOP_LINES).map((r) => r[index.get(key)!]);
    try {
      const all = await this.progress.run("chart", (run) => api.histogram(this.sheet, base, 40, null, null, run));
      const first = all.buckets[0]?.start ?? null;
      const last = all.buckets[all.buckets.length - 1]?.end ?? null;
      const out: Array<Record<string, unknown>> = [];
      for (const value of groups) {
        const where = andWith(base.where, valueCondition(key, value, false));
        const hist = await this.progress.run("chart", (run) => api.histogram(this.sheet, { ...base, where }, 40, first, last, run));
        if (seq !== this.seq) return null;
        for (const b of hist.buckets) out.push({ group: label(value, 40), time: Date.parse(b.start), from: b.start.replace("T", " ").replace("Z", ""), count: b.count });
      }
      return out;
    } catch (e) {
      if (seq === this.seq) this.error.show(`Cannot draw lines over time: ${(e as Error).message}`);
      return null;
    }
  }
}
