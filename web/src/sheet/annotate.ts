// Annotations from the grid: star, tag and comment one row (the cell's context menu), or every row of the view
// (the Views menu). The server keeps them (docs/api.md, annotations); the grid then shows its columns starred,
// tags and comment, and the filter finds them (`starred`, `tag = 'x'`, `comment contains 'x'`).

import { api, type AnnotateBody } from "../api";
import type { Query } from "../types";
import { confirmDialog, promptDialog } from "../ui/dialog";
import type { MenuItem } from "../ui/menu";
import { toast } from "../ui/toasts";

export interface AnnotateHost {
  sheet: string;
  /** Reload the grid (its columns may change: the first annotation adds starred, tags and comment). */
  refresh(): void;
  /** Where the annotation is sent (default: POST /api/sheets/{sheet}/annotations): a timeline's go to its rows' sheets. */
  send?(body: AnnotateBody): Promise<{ rows: number }>;
}

async function send(host: AnnotateHost, body: AnnotateBody, done: (rows: number) => string): Promise<void> {
  const answer = await (host.send ? host.send(body) : api.annotate(host.sheet, body));
  toast(done(answer.rows));
  host.refresh();
}

const rows = (n: number) => `${n.toLocaleString()} row${n === 1 ? "" : "s"}`;

function report(host: AnnotateHost, body: AnnotateBody, done: (n: number) => string): void {
  send(host, body, done).catch((e: Error) => toast(`Cannot annotate: ${e.message}`, "error"));
}

/** The items of a row's context menu: star or unstar it, tag it, comment it. */
export function rowItems(host: AnnotateHost, rowid: number, starred: boolean): MenuItem[] {
  const one = { rowids: [rowid] };
  return [
    starred
      ? { label: "Unstar row", action: () => report(host, { ...one, action: "unstar" }, () => "Unstarred the row") }
      : { label: "Star row", action: () => report(host, { ...one, action: "star" }, () => "Starred the row") },
    {
      label: "Tag row…",
      action: () =>
        promptDialog("Tag row", "Tag", "", "Tag", (tag) => send(host, { ...one, action: "tag", value: tag.trim() }, () => `Tagged the row ${tag.trim()}`)),
    },
    {
      label: "Comment row…",
      action: () => promptDialog("Comment row", "Comment", "", "Comment", (text) => send(host, { ...one, action: "comment", value: text }, () => "Commented the row")),
    },
  ];
}

/** The Views menu's items: star or tag every row of the view (its filter and search). */
export function viewItems(host: AnnotateHost, query: () => Query, total: () => number | null): MenuItem[] {
  const view = () => ({ ...query(), columns: [], sort: [], group: null });
  const count = () => {
    const n = total();
    return n === null ? "every row of this view" : `the ${rows(n)} of this view`;
  };
  return [
    {
      label: "Star all rows of this view…",
      action: async () => {
        if (await confirmDialog("Star all rows", `Star ${count()}? The sheet's files are not changed.`, "Star")) {
          report(host, { query: view(), action: "star" }, (n) => `Starred ${rows(n)}`);
        }
      },
    },
    {
      label: "Tag all rows of this view…",
      action: () =>
        promptDialog(`Tag ${count()}`, "Tag", "", "Tag", (tag) =>
          send(host, { query: view(), action: "tag", value: tag.trim() }, (n) => `Tagged ${rows(n)} ${tag.trim()}`),
        ),
    },
    {
      label: "Unstar all rows of this view",
      action: () => report(host, { query: view(), action: "unstar" }, (n) => `Unstarred ${rows(n)}`),
    },
  ];
}
