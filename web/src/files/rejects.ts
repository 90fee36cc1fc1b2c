// The records an import set aside (file, position, reason, the raw text), in a dialog, a page at a time.

import { api } from "../api";
import { openDialog } from "../ui/dialog";
import { formatCount, h } from "../ui/dom";
import { cellText } from "../sheet/format";

const PAGE = 200;

export function showRejects(sheet: string): void {
  const d = openDialog(`Rejected records of ${sheet}`, { wide: true });
  const table = h("table", { class: "data-table" });
  const info = h("p", { class: "muted" }, "Loading…");
  const more = h("button", { type: "button", hidden: true }, "Load more");
  d.body.append(info, h("div", { class: "scroll-box" }, table), more);
  let offset = 0;
  const load = async () => {
    more.disabled = true;
    try {
      const page = await api.rejects(sheet, PAGE, offset);
      if (offset === 0) {
        table.appendChild(h("thead", {}, h("tr", {}, ...page.columns.map((c) => h("th", { scope: "col" }, c.name)))));
        table.appendChild(h("tbody"));
      }
      const body = table.tBodies[0];
      for (const row of page.rows) body.appendChild(h("tr", {}, ...row.map((v) => h("td", {}, cellText(v, "text")))));
      offset += page.rows.length;
      info.textContent = `${formatCount(page.total)} rejected records; showing ${formatCount(offset)}.`;
      more.hidden = offset >= page.total;
    } catch (e) {
      d.error.show(`Cannot load the rejects: ${(e as Error).message}`);
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener("click", () => void load());
  void load();
}
