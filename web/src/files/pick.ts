// Getting files from the user: the picker (files or a whole folder) and drag and drop, folders included.

import { h } from "../ui/dom";

/** A hidden <input type=file>, clicked by a visible button. */
export function filePicker(label: string, folder: boolean, onFiles: (files: File[]) => void): HTMLElement {
  const input = h("input", { type: "file", multiple: true, class: "visually-hidden", "aria-hidden": "true", tabindex: -1 });
  if (folder) input.setAttribute("webkitdirectory", "");
  input.addEventListener("change", () => {
    const files = [...(input.files ?? [])];
    input.value = "";
    if (files.length) onFiles(files);
  });
  const button = h("button", { type: "button" }, label);
  button.addEventListener("click", () => input.click());
  return h("span", { class: "picker" }, button, input);
}

/** Makes `zone` accept dropped files and folders (folders are walked recursively). */
export function dropZone(zone: HTMLElement, onFiles: (files: File[]) => void): void {
  zone.addEventListener("dragover", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    zone.classList.add("drag-over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("drag-over"));
  zone.addEventListener("drop", async (event) => {
    event.preventDefault();
    zone.classList.remove("drag-over");
    const items = [...(event.dataTransfer?.items ?? [])];
    const entries = items.map((item) => item.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
    const files = entries.length ? (await Promise.all(entries.map(walk))).flat() : [...(event.dataTransfer?.files ?? [])];
    if (files.length) onFiles(files);
  });
}

async function walk(entry: FileSystemEntry): Promise<File[]> {
  if (entry.isFile) {
    return [await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject))];
  }
  if (!entry.isDirectory) return [];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) break;
    children.push(...batch);
  }
  return (await Promise.all(children.map(walk))).flat();
}

/** A sheet name from what was picked: the folder name, or the first file's name without its extensions. */
export function suggestSheetName(files: File[]): string {
  const relative = files[0]?.webkitRelativePath;
  if (relative && relative.includes("/")) return relative.split("/")[0];
  const name = files[0]?.name ?? "sheet";
  const stem = name.replace(/(\.(gz|zip|tgz|tar|json|jsonl|ndjson|csv|tsv|log|txt|parquet))+$/i, "");
  if (files.length > 1 && /CloudTrail/i.test(name)) return "cloudtrail";
  return stem || "sheet";
}
