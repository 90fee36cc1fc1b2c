// Vega-Lite charts under the page's CSP: Vega's expression interpreter (no eval / new Function), no actions
// menu (it links outside), no injected styles, and a tooltip that writes text only.

import embed, { type Result, type VisualizationSpec } from "vega-embed";
import { expressionInterpreter } from "vega-interpreter";
import { download, h } from "../ui/dom";

let tooltipEl: HTMLElement | null = null;

/** A Vega tooltip handler that shows values with textContent (vega-tooltip's default builds HTML). */
function textTooltip(_handler: unknown, event: MouseEvent, _item: unknown, value: unknown): void {
  if (!tooltipEl) {
    tooltipEl = h("div", { class: "chart-tooltip", role: "tooltip" });
    document.body.appendChild(tooltipEl);
  }
  const el = tooltipEl;
  el.replaceChildren();
  if (value === null || value === undefined || value === "") {
    el.hidden = true;
    return;
  }
  if (typeof value === "object") {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      el.appendChild(h("div", {}, h("span", { class: "tooltip-key" }, `${key}: `), h("span", {}, typeof v === "object" ? JSON.stringify(v) : String(v))));
    }
  } else {
    el.textContent = String(value);
  }
  el.hidden = false;
  el.style.left = `${Math.min(event.clientX + 12, window.innerWidth - 320)}px`;
  el.style.top = `${event.clientY + 12}px`;
}

export function hideTooltip(): void {
  if (tooltipEl) tooltipEl.hidden = true;
}

export async function renderChart(container: HTMLElement, spec: VisualizationSpec): Promise<Result> {
  return embed(container, spec, {
    ast: true,
    expr: expressionInterpreter,
    actions: false,
    defaultStyle: false,
    renderer: "svg",
    tooltip: textTooltip,
    logLevel: 0,
  });
}

export async function exportChart(result: Result, kind: "png" | "svg", filename: string): Promise<void> {
  const url = await result.view.toImageURL(kind, kind === "png" ? 2 : 1);
  download(url, `${filename}.${kind}`);
}

/** Text for the chart title and labels: Vega draws it as SVG text; keep it short and single-line. */
export function label(value: unknown, max = 60): string {
  const text = value === null || value === undefined || value === "" ? "(blank)" : typeof value === "object" ? JSON.stringify(value) : String(value);
  const line = text.replace(/\s+/g, " ");
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
