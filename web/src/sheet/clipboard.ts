// Copying text: the async clipboard when the page may use it, else a hidden textarea and execCommand.

import { toast } from "../ui/toasts";

export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  toast(text.length > 60 ? `Copied ${text.length.toLocaleString("en-US")} characters` : `Copied: ${text}`);
}
