// The Views menu's IOC items (docs/web-ui.md, IOC lists): once the workspace has IOC lists, mark the rows holding
// an indicator of them (the step mark_ioc, adding the column ioc_lists) and keep only those rows (the filter ioc).

import { api } from "../api";
import type { MenuItem } from "../ui/menu";

export interface IocHost {
  /** The view has the mark_ioc step already. */
  marked(): boolean;
  /** Add the mark_ioc step. */
  mark(): void;
  /** And the filter `ioc` (any list) with the view's. */
  keepHits(): void;
}

export async function iocItems(host: IocHost): Promise<MenuItem[]> {
  const lists = await api.iocLists();
  if (!lists.length) return [];
  const names = lists.map((x) => x.name).join(", ");
  return [
    {
      label: host.marked() ? "IOC hits are marked (column ioc_lists)" : `Mark rows holding an IOC (${names})`,
      disabled: host.marked(),
      action: () => host.mark(),
    },
    { label: "Show only rows holding an IOC", action: () => host.keepHits() },
  ];
}
