// The pivot table of the current view (POST /api/sheets/{name}/pivot-table): rows × columns × an aggregate with
// totals, drawn as a table and as a Vega-Lite heatmap; exported as CSV (the server's, formulas neutralised).
// Every value from the log reaches the page as text (h() sets textContent; Vega draws SVG text).

import type { Result, VisualizationSpec } from "vega-embed";
import { api } from "../api";
import { exportChart, hideTooltip, label, renderChart } from "../charts/vega";
import { AGG_LABELS } from "../group/panel";
import { cellText } from "../sheet/format";
import type { AggFn, Column, PivotTableResult, PivotTableSpec, Query } from "../types";
import { openDialog } from "../ui/dialog";
import { download, h, replaceChildren } from "../ui/dom";

const FNS: AggFn[] = ["count", "count_distinct", "sum", "min", "max", "first", "last"];

export interface PivotTableContext {
  sheet: string;
  query: Query;
  columns: Column[];
  timeColumn: string | null;
  /** The column the dialog starts with as the rows (the column menu's), if any. */
  rows?: string;
}

export function openPivotTable(ctx: PivotTableContext): void {
  const d = openDialog(`Pivot table: ${ctx.sheet}`, { wide: true, label: "Pivot table" });
  const names = ctx.columns.map((c) => c.name);
  const pick = (label: string, value: string, blank = false) => {
    const el = h(
      "select",
      { "aria-label": label },
      ...(blank ? [h("option", { value: "" }, "(none)")] : []),
      ...names.map((n) => h("option", { value: n }, n)),
    );
    el.value = value;
    return el;
  };
  const guess = (want: string[], fallback: number) => want.find((n) => names.includes(n)) ?? names[Math.min(fallback, names.length - 1)] ?? "";
  const rows = pick("Rows", ctx.rows ?? guess(["eventName", "action", "user"], 0));
  const rows2 = pick("Second row column", "", true);
  const columns = pick("Columns", guess(["sourceIPAddress", "srcaddr", "source_ip"], 1));
  const fn = h("select", { "aria-label": "Aggregate" }, ...FNS.map((f) => h("option", { value: f }, AGG_LABELS[f])));
  const aggColumn = pick("Aggregate column", "", true);
  const top = h("input", { type: "number", min: 1, max: 200, value: 10, "aria-label": "Top columns" });
  const other = h("input", { type: "checkbox", checked: true, "aria-label": "Fold the other columns into other" });
  const build = h("button", { type: "button", class: "primary" }, "Build");
  const csv = h("button", { type: "button", disabled: true }, "Export CSV");
  const png = h("button", { type: "button", class: "small", disabled: true }, "Export PNG");
  const summary = h("p", { class: "muted pivot-summary", "aria-live": "polite" });
  const tableHost = h("div", { class: "scroll-box pivot-table-host" });
  const heatmap = h("div", { class: "chart pivot-heatmap", role: "img", "aria-label": "Heatmap of the pivot table" });
  heatmap.addEventListener("pointerleave", hideTooltip);
  let chart: Result | null = null;

  const spec = (): PivotTableSpec => ({
    rows: [rows.value, ...(rows2.value && rows2.value !== rows.value ? [rows2.value] : [])],
    columns: columns.value,
    agg: { fn: fn.value as AggFn, column: aggColumn.value, name: "" },
    top: Math.max(1, Math.min(200, Number(top.value) || 10)),
    other: other.checked,
    limit: 1000,
  });
  const view = (): Query => ({ ...ctx.query, group: null, columns: [], sort: [] });

  const run = async () => {
    build.disabled = true;
    d.error.clear();
    try {
      const result = await api.pivotTable(ctx.sheet, view(), spec());
      replaceChildren(tableHost, pivotTable(result));
      const shown = result.truncated ? `the ${result.table.length} largest of ${result.rows_total} rows` : `${result.rows_total} rows`;
      summary.textContent = `${result.value} of ${result.rows.join(" × ")} by ${result.column}: ${shown}, ${result.columns.length} columns${result.other ? " + other" : ""}`;
      chart = await renderChart(heatmap, heatmapSpec(result));
      csv.disabled = false;
      png.disabled = false;
    } catch (e) {
      d.error.show((e as Error).message);
    } finally {
      build.disabled = false;
    }
  };
  build.addEventListener("click", () => void run());
  csv.addEventListener("click", async () => {
    try {
      download(await api.pivotTableCsv(ctx.sheet, view(), spec()), `${ctx.sheet}-pivot.csv`);
    } catch (e) {
      d.error.show((e as Error).message);
    }
  });
  png.addEventListener("click", () => chart && void exportChart(chart, "png", `${ctx.sheet}-pivot`));

  const field = (text: string, input: HTMLElement) => h("label", { class: "field" }, h("span", {}, text), input);
  d.body.append(
    h(
      "div",
      { class: "form-grid pivot-form" },
      field("Rows", rows),
      field("Then by (optional)", rows2),
      field("Columns", columns),
      field("Aggregate", fn),
      field("Of (count: rows; first/last seen: time)", aggColumn),
      field("Top columns", top),
      h("label", { class: "check" }, other, h("span", {}, "Fold the rest into “other”")),
    ),
    h("div", { class: "panel-actions pivot-actions" }, build, csv, png),
    summary,
    tableHost,
    heatmap,
  );
  const close = h("button", { type: "button" }, "Close");
  close.addEventListener("click", () => d.close());
  d.footer.append(close);
  void run();
}

function pivotTable(result: PivotTableResult): HTMLElement {
  const headings = [...result.rows, ...result.columns.map((c) => (c === null ? "(blank)" : c === "" ? "(empty)" : c)), ...(result.other ? ["other"] : []), "total"];
  const head = h("tr", {}, ...headings.map((t, i) => h("th", { scope: "col", class: i >= result.rows.length ? "num" : "" }, t)));
  const value = (v: unknown) => h("td", { class: "num" }, cellText(v, result.value_type));
  const body = result.table.map((r) =>
    h("tr", {}, ...r.keys.map((k) => h("th", { scope: "row" }, cellText(k, "text"))), ...r.cells.map(value), h("td", { class: "num pivot-total" }, cellText(r.total, result.value_type))),
  );
  const totals = h(
    "tr",
    { class: "pivot-totals" },
    h("th", { scope: "row" }, "total"),
    ...result.rows.slice(1).map(() => h("th", {}, "")),
    ...result.column_totals.map(value),
    h("td", { class: "num pivot-total" }, cellText(result.total, result.value_type)),
  );
  return h("table", { class: "data-table pivot-table", "aria-label": "Pivot table" }, h("thead", {}, head), h("tbody", {}, ...body, totals));
}

function heatmapSpec(result: PivotTableResult): VisualizationSpec {
  const labels = [...result.columns.map((c) => label(c, 40)), ...(result.other ? ["other"] : [])];
  const temporal = result.value_type === "timestamp" || result.value_type === "date";
  const values = result.table.flatMap((r) =>
    r.cells.map((v, i) => ({ row: label(r.keys.map((k) => label(k, 30)).join(" · "), 60), column: labels[i], value: v })),
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    width: "container",
    height: { step: 16 },
    data: { values: values.filter((v) => v.value !== null && v.value !== 0) },
    mark: { type: "rect", tooltip: true },
    encoding: {
      x: { field: "column", type: "nominal", sort: labels, title: result.column, axis: { orient: "top", labelAngle: -30, labelLimit: 160 } },
      y: { field: "row", type: "nominal", sort: null, title: result.rows.join(" · "), axis: { labelLimit: 220 } },
      color: { field: "value", type: temporal ? "temporal" : "quantitative", title: result.value, scale: { scheme: "blues" } },
      tooltip: [
        { field: "row", type: "nominal", title: result.rows.join(" · ") },
        { field: "column", type: "nominal", title: result.column },
        { field: "value", type: temporal ? "temporal" : "quantitative", title: result.value },
      ],
    },
  } as VisualizationSpec;
}
