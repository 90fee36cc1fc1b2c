// A tiny element builder. Strings always become text nodes: nothing here ever parses markup, so a log value
// passed anywhere through h() shows as text.

type Child = Node | string | number | null | undefined | false;
type Handler = (event: never) => void;
export type Attrs = Record<string, string | number | boolean | Handler | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value as EventListener);
    } else if (key === "class") {
      el.className = String(value);
    } else if (key === "text") {
      el.textContent = String(value);
    } else if (key === "value" && "value" in el) {
      (el as HTMLInputElement).value = String(value);
    } else if (key === "checked" && el instanceof HTMLInputElement) {
      el.checked = Boolean(value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
}

export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function replaceChildren(el: Node, ...children: Child[]): void {
  clear(el);
  append(el, ...children);
}

/** Text with every case-insensitive occurrence of the needles wrapped in <mark>, built from text nodes only. */
export function highlighted(text: string, needles: string[]): DocumentFragment {
  const frag = document.createDocumentFragment();
  const hay = text.toLowerCase();
  const given = needles.filter((n) => n.length > 0);
  const lows = given.map((n) => n.toLowerCase());
  // Lower-casing can change the length of rare Unicode text: then show it unmarked rather than mark the wrong part.
  if (!lows.length || hay.length !== text.length || lows.some((n, i) => n.length !== given[i].length)) {
    frag.appendChild(document.createTextNode(text));
    return frag;
  }
  let at = 0;
  for (;;) {
    let found = -1;
    let length = 0;
    for (const low of lows) {
      const i = hay.indexOf(low, at);
      if (i >= 0 && (found < 0 || i < found || (i === found && low.length > length))) {
        found = i;
        length = low.length;
      }
    }
    if (found < 0) break;
    if (found > at) frag.appendChild(document.createTextNode(text.slice(at, found)));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(found, found + length);
    frag.appendChild(mark);
    at = found + length;
  }
  if (at < text.length) frag.appendChild(document.createTextNode(text.slice(at)));
  return frag;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Downloads a Blob or a data: URL under a file name, without leaving the page. */
export function download(content: Blob | string, filename: string): void {
  const url = typeof content === "string" ? content : URL.createObjectURL(content);
  const a = h("a", { href: url, download: filename, class: "hidden" });
  document.body.appendChild(a);
  a.click();
  a.remove();
  if (typeof content !== "string") setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
