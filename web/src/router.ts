// Client-side routes: `/` the files page, `/sheets/{name}` a sheet (its view state in `?q=`), `/cases/{name}` a case,
// `/cases/{name}/entities/{value}` an entity of a case (the pivot on that value).

export type Route =
  | { page: "files" }
  | { page: "sheet"; name: string }
  | { page: "case"; name: string }
  | { page: "timeline"; name: string }
  | { page: "entity"; name: string; value: string };

export function parseRoute(pathname: string): Route {
  const match = /^\/sheets\/([^/]+)\/?$/.exec(pathname);
  if (match) return { page: "sheet", name: decodeURIComponent(match[1]) };
  const timeline = /^\/cases\/([^/]+)\/timeline\/?$/.exec(pathname);
  if (timeline) return { page: "timeline", name: decodeURIComponent(timeline[1]) };
  const entity = /^\/cases\/([^/]+)\/entities\/([^/]+)\/?$/.exec(pathname);
  if (entity) return { page: "entity", name: decodeURIComponent(entity[1]), value: decodeURIComponent(entity[2]) };
  const inCase = /^\/cases\/([^/]+)\/?$/.exec(pathname);
  if (inCase) return { page: "case", name: decodeURIComponent(inCase[1]) };
  return { page: "files" };
}

export function casePath(name: string): string {
  return `/cases/${encodeURIComponent(name)}`;
}

export function timelinePath(name: string): string {
  return `${casePath(name)}/timeline`;
}

/** The case every sheet is in (a pivot from a sheet looks across it). */
export const DEFAULT_CASE = "default";

export function entityPath(caseName: string, value: string): string {
  return `${casePath(caseName)}/entities/${encodeURIComponent(value)}`;
}

export function sheetPath(name: string): string {
  return `/sheets/${encodeURIComponent(name)}`;
}

type Listener = (route: Route) => void;
let listener: Listener | null = null;

export function startRouter(onRoute: Listener): void {
  listener = onRoute;
  window.addEventListener("popstate", () => onRoute(parseRoute(window.location.pathname)));
  onRoute(parseRoute(window.location.pathname));
}

export function navigate(path: string): void {
  if (path === window.location.pathname + window.location.search) return;
  history.pushState(null, "", path);
  listener?.(parseRoute(window.location.pathname));
}

/** Same-page links that route without reloading. */
export function link(path: string, text: string, className = ""): HTMLAnchorElement {
  const a = document.createElement("a");
  a.href = path;
  a.textContent = text;
  if (className) a.className = className;
  a.addEventListener("click", (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(path);
  });
  return a;
}
