// Recipes from the Views menu (docs/web-ui.md, Recipes): download the recipe of the view (its steps, filter and
// groups as IR, with its SQL for DuckDB, Spark and Trino), and apply a recipe file to this sheet — a column the
// sheet does not have is named by the server, and the dialog then asks which column of this sheet to use for each.

import { api } from "../api";
import type { Query } from "../types";
import { openDialog } from "../ui/dialog";
import { download, h } from "../ui/dom";
import type { MenuItem } from "../ui/menu";
import { toast } from "../ui/toasts";

export interface RecipeHost {
  sheet: string;
  exportQuery(): Query;
  load(query: Query): void;
}

export function recipeItems(host: RecipeHost): MenuItem[] {
  return [
    {
      label: "Download the recipe of this view",
      action: async () => {
        try {
          const recipe = await api.recipe(host.sheet, host.exportQuery());
          download(new Blob([JSON.stringify(recipe, null, 2)], { type: "application/json" }), `${host.sheet}-recipe.json`);
        } catch (e) {
          toast(`Cannot write the recipe: ${(e as Error).message}`, "error");
        }
      },
    },
    { label: "Apply a recipe…", action: () => applyDialog(host) },
  ];
}

function applyDialog(host: RecipeHost): void {
  const d = openDialog("Apply a recipe", { label: "Apply a recipe" });
  const file = h("input", { type: "file", accept: ".json,application/json", "aria-label": "Recipe file" });
  const saveAs = h("input", { type: "text", placeholder: "optional", "aria-label": "Save as view" });
  const mapping = h("div", { class: "recipe-map", "data-testid": "recipe-map" });
  d.body.append(
    h("p", { class: "muted" }, `The recipe's steps, filter and groups are checked on ${host.sheet} and shown as its view.`),
    h("label", { class: "field" }, h("span", {}, "Recipe file"), file),
    mapping,
    h("label", { class: "field" }, h("span", {}, "Save as view"), saveAs),
  );
  const inputs = new Map<string, HTMLInputElement>();
  const ok = h("button", { type: "button", class: "primary" }, "Apply");
  const cancel = h("button", { type: "button" }, "Cancel");
  cancel.addEventListener("click", () => d.close());
  d.footer.append(cancel, ok);
  ok.addEventListener("click", async () => {
    d.error.clear();
    const chosen = file.files?.[0];
    if (!chosen) {
      d.error.show("Choose a recipe file (logsheet recipe export writes one).");
      return;
    }
    let recipe: Record<string, unknown>;
    try {
      recipe = JSON.parse(await chosen.text()) as Record<string, unknown>;
    } catch {
      d.error.show(`${chosen.name} is not JSON: not a recipe.`);
      return;
    }
    const map: Record<string, string> = {};
    for (const [from, input] of inputs) if (input.value.trim()) map[from] = input.value.trim();
    ok.disabled = true;
    try {
      const done = await api.applyRecipe(host.sheet, recipe, map, saveAs.value.trim() || null);
      host.load(done.query);
      toast(`Applied the recipe: ${done.rows.toLocaleString("en-US")} ${done.query.group ? "groups" : "rows"}${done.saved_as ? `, saved as ${done.saved_as}` : ""}`);
      d.close();
    } catch (e) {
      const message = (e as Error).message;
      d.error.show(message);
      const missing = /reads column\(s\) (.+?), which sheet/.exec(message);
      if (missing) showMapping(missing[1]);
    } finally {
      ok.disabled = false;
    }
  });

  function showMapping(list: string): void {
    const names = [...list.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]);
    for (const name of names) {
      if (inputs.has(name)) continue;
      const input = h("input", { type: "text", "aria-label": `Column for ${name}`, placeholder: "a column of this sheet" });
      inputs.set(name, input);
      mapping.append(h("label", { class: "field" }, h("span", {}, `Use for ${name}`), input));
    }
  }
}
