// Saved views (by name, on the server), the link to this view, and export of the view to CSV / JSON / Parquet.

import { api } from "../api";
import type { Query, SavedView } from "../types";
import { confirmDialog, promptDialog } from "../ui/dialog";
import { download, h } from "../ui/dom";
import { openMenu, type MenuItem } from "../ui/menu";
import { toast } from "../ui/toasts";
import { copyText } from "./clipboard";
import { iocItems, type IocHost } from "./iocs";
import { recipeItems } from "./recipes";

export interface ViewsHost {
  sheet: string;
  /** The view as the IR, with the visible columns in order (what an export or a saved view should hold). */
  exportQuery(): Query;
  load(query: Query): void;
  /** Star or tag every row of the view (sheet/annotate.ts). */
  annotateView?(): MenuItem[];
  /** Mark or keep the rows holding an IOC (sheet/iocs.ts). */
  iocs?: IocHost;
  /** Where the export is asked (default: POST /api/sheets/{sheet}/export). */
  exportPath?: string;
  /** Where the saved views are kept (default: the sheet's, /api/sheets/{sheet}/views): a case's timeline has its own. */
  store?: ViewStore;
}

export interface ViewStore {
  /** What the views belong to, in the delete dialog: "the sheet x", "the timeline of case y". */
  owner: string;
  list(): Promise<SavedView[]>;
  save(name: string, query: Query): Promise<unknown>;
  remove(name: string): Promise<unknown>;
}

function sheetStore(sheet: string): ViewStore {
  return {
    owner: `The sheet ${sheet}`,
    list: () => api.views(sheet),
    save: (name, query) => api.saveView(sheet, name, query),
    remove: (name) => api.deleteView(sheet, name),
  };
}

export function viewsButton(host: ViewsHost): HTMLElement {
  const button = h("button", { type: "button", "aria-haspopup": "menu" }, "Views ▾");
  const store = host.store ?? sheetStore(host.sheet);
  button.addEventListener("click", async () => {
    const rect = button.getBoundingClientRect();
    const items: MenuItem[] = [
      {
        label: "Save this view as…",
        action: () =>
          promptDialog("Save view", "Name", "", "Save", async (name) => {
            if (!name.trim()) throw new Error("Give the view a name.");
            await store.save(name.trim(), host.exportQuery());
            toast(`Saved view ${name.trim()}`);
          }),
      },
      { label: "Copy link to this view", action: () => void copyText(window.location.href) },
    ];
    if (host.annotateView) items.push({ label: "", separator: true }, ...host.annotateView());
    if (!host.store) items.push({ label: "", separator: true }, ...recipeItems(host)); // a sheet's view, not a timeline's
    if (host.iocs) {
      try {
        const found = await iocItems(host.iocs);
        if (found.length) items.push({ label: "", separator: true }, ...found);
      } catch (e) {
        items.push({ label: `IOC lists unavailable: ${(e as Error).message}`, disabled: true });
      }
    }
    try {
      const views = await store.list();
      if (views.length) items.push({ label: "", separator: true });
      for (const v of views) {
        const query = v.query;
        if (query) items.push({ label: `Open “${v.name}”`, action: () => host.load(query) });
        else items.push({ label: `“${v.name}” cannot be opened: ${v.error ?? "unreadable"}`, disabled: true });
      }
      if (views.length) items.push({ label: "", separator: true });
      for (const v of views) items.push({ label: `Delete “${v.name}”…`, action: () => void deleteView(store, v.name) });
    } catch (e) {
      items.push({ label: `Saved views unavailable: ${(e as Error).message}`, disabled: true });
    }
    openMenu(rect.left, rect.bottom + 4, items, "Views");
  });
  return button;
}

async function deleteView(store: ViewStore, name: string): Promise<void> {
  const ok = await confirmDialog(
    `Delete view ${name}?`,
    `The saved view ${name} will be forgotten. ${store.owner} and its rows are not touched.`,
    "Delete",
  );
  if (!ok) return;
  try {
    await store.remove(name);
    toast(`Deleted view ${name}`);
  } catch (e) {
    toast(`Cannot delete view ${name}: ${(e as Error).message}`, "error");
  }
}

export function exportButton(host: ViewsHost): HTMLElement {
  const button = h("button", { type: "button", "aria-haspopup": "menu" }, "Export ▾");
  const run = async (format: "csv" | "json" | "parquet") => {
    button.disabled = true;
    button.textContent = "Exporting…";
    try {
      const { blob, filename } = await api.export(host.sheet, host.exportQuery(), format, host.exportPath);
      download(blob, filename);
    } catch (e) {
      toast(`Export failed: ${(e as Error).message}`, "error");
    } finally {
      button.disabled = false;
      button.textContent = "Export ▾";
    }
  };
  button.addEventListener("click", () => {
    const rect = button.getBoundingClientRect();
    openMenu(
      rect.left,
      rect.bottom + 4,
      [
        { label: "CSV", action: () => void run("csv") },
        { label: "JSON", action: () => void run("json") },
        { label: "Parquet", action: () => void run("parquet") },
      ],
      "Export",
    );
  });
  return button;
}
