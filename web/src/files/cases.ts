// The files page's cases: each case (a named set of sheets) with its sheets, and the actions on it — a new case,
// rename, delete, add a sheet (a menu of the sheets not in it), remove one (×). The default case holds every
// imported sheet; it keeps its name and cannot be deleted. Names are shown as text only.

import { api } from "../api";
import { casePath, link, sheetPath } from "../router";
import { plural } from "../sheet/format";
import type { Case, SheetSummary } from "../types";
import { confirmDialog, promptDialog } from "../ui/dialog";
import { h } from "../ui/dom";
import { openMenu } from "../ui/menu";
import { toast } from "../ui/toasts";

export function casesSection(cases: Case[], sheets: SheetSummary[], refresh: () => Promise<void>): HTMLElement {
  const create = h("button", { type: "button", class: "small" }, "New case…");
  create.addEventListener("click", () =>
    promptDialog("New case", "Case name", "", "Create", async (name) => {
      await api.createCase(name.trim());
      await refresh();
    }),
  );
  return h(
    "section",
    { class: "cases", "aria-label": "Cases" },
    h("div", { class: "cases-head" }, h("h2", {}, "Cases"), h("span", { class: "muted" }, "named sets of sheets; a sheet can be in several"), create),
    h("ul", { class: "case-list" }, ...cases.map((c) => caseCard(c, sheets, refresh))),
  );
}

function caseCard(c: Case, sheets: SheetSummary[], refresh: () => Promise<void>): HTMLElement {
  const act = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (e) {
      toast(`Cannot ${what}: ${(e as Error).message}`, "error");
    }
    await refresh();
  };

  const add = h("button", { type: "button", class: "small", "aria-label": `Add a sheet to ${c.name}` }, "Add sheet…");
  add.addEventListener("click", () => {
    const outside = sheets.filter((s) => !c.sheets.includes(s.name));
    const items = outside.length
      ? outside.map((s) => ({ label: s.name, action: () => void act(`add ${s.name} to ${c.name}`, () => api.addToCase(c.name, [s.name])) }))
      : [{ label: "Every sheet is in this case", disabled: true }];
    const at = add.getBoundingClientRect();
    openMenu(at.left, at.bottom + 2, items, `Sheets to add to ${c.name}`);
  });

  const actions: HTMLElement[] = [add];
  if (!c.default) {
    const rename = h("button", { type: "button", class: "small", "aria-label": `Rename ${c.name}` }, "Rename");
    rename.addEventListener("click", () =>
      promptDialog(`Rename ${c.name}`, "New name", c.name, "Rename", async (to) => {
        await api.renameCase(c.name, to.trim());
        await refresh();
      }),
    );
    const del = h("button", { type: "button", class: "small danger", "aria-label": `Delete ${c.name}` }, "Delete");
    del.addEventListener("click", async () => {
      const ok = await confirmDialog(`Delete the case ${c.name}?`, `The case ${c.name} is forgotten; its sheets stay in the workspace.`, "Delete");
      if (ok) await act(`delete ${c.name}`, () => api.deleteCase(c.name));
    });
    actions.push(rename, del);
  }

  const members = c.sheets.map((name) => {
    const remove = h("button", { type: "button", class: "icon-button", "aria-label": `Remove ${name} from ${c.name}`, title: "Remove from the case (the sheet stays)" }, "×");
    remove.addEventListener("click", () => void act(`remove ${name} from ${c.name}`, () => api.removeFromCase(c.name, name)));
    return h("li", { class: "chip case-sheet", "data-sheet": name }, link(sheetPath(name), name, "sheet-link"), remove);
  });

  return h(
    "li",
    { class: "case-card", "data-case": c.name },
    h(
      "div",
      { class: "case-card-head" },
      link(casePath(c.name), c.name, "case-link"),
      c.default ? h("span", { class: "case-default muted", title: "Every imported sheet joins the default case" }, "default") : null,
      h("span", { class: "muted case-count" }, plural(c.sheets.length, "sheet")),
      h("span", { class: "actions" }, ...actions),
    ),
    members.length ? h("ul", { class: "case-sheets" }, ...members) : h("p", { class: "muted case-empty" }, "Empty: add a sheet."),
  );
}
