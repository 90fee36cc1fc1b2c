// The logsheet web UI: routes to the files page, a sheet page or a case page.

import "./styles.css";
import { adoptToken } from "./api";
import { renderCasePage } from "./case/page";
import { renderEntityPage } from "./entity/page";
import { renderFilesPage } from "./files/page";
import { startRouter, type Route } from "./router";
import { registerGridModules } from "./sheet/grid";
import { renderSheetPage } from "./sheet/page";
import { renderTimelinePage } from "./timeline/page";
import { closeMenu } from "./ui/menu";

adoptToken();
registerGridModules();

const app = document.getElementById("app")!;
let leave: () => void = () => undefined;

function show(route: Route): void {
  leave();
  closeMenu();
  for (const dialog of document.querySelectorAll("dialog")) dialog.remove();
  if (route.page === "sheet") {
    leave = renderSheetPage(app, route.name);
  } else if (route.page === "timeline") {
    leave = renderTimelinePage(app, route.name);
  } else if (route.page === "entity") {
    leave = renderEntityPage(app, route.name, route.value);
  } else if (route.page === "case") {
    leave = renderCasePage(app, route.name);
  } else {
    document.title = "logsheet";
    leave = renderFilesPage(app);
  }
}

startRouter(show);
