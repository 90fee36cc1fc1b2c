// The case page's report buttons (header): "Report (HTML)" and "Report (Markdown)" download the case's report
// (`GET /api/cases/{name}/report?format=...`, docs/report.md) as a file; an error shows beside them, as text.

import { api } from "../api";
import { download, h } from "../ui/dom";

export function reportButtons(caseName: string, showError: (message: string) => void): HTMLElement {
  const button = (format: "html" | "md", label: string) => {
    const b = h("button", { type: "button", class: "small", "data-testid": `case-report-${format}`, title: `Download the case's report as ${label}` }, `Report (${label})`);
    b.addEventListener("click", async () => {
      const text = b.textContent;
      b.disabled = true;
      b.textContent = "Writing the report…";
      try {
        const { blob, filename } = await api.caseReport(caseName, format);
        download(blob, filename);
      } catch (e) {
        showError(`Cannot write the report: ${(e as Error).message}`);
      } finally {
        b.disabled = false;
        b.textContent = text;
      }
    });
    return b;
  };
  return h("span", { class: "case-report", role: "group", "aria-label": "Case report" }, button("html", "HTML"), button("md", "Markdown"));
}
