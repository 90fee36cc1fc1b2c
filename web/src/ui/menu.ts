// Pop-up menus (column menu, cell context menu): a list of buttons, keyboard navigable, closed on Escape.

import { h } from "./dom";

export interface MenuItem {
  label: string;
  action?: () => void;
  disabled?: boolean;
  separator?: boolean;
}

let current: HTMLElement | null = null;
let listening = false;

function dismissOnOutsideClick(): void {
  if (listening) return;
  listening = true;
  document.addEventListener("mousedown", (event) => {
    if (current && !current.contains(event.target as Node)) closeMenu();
  });
  window.addEventListener("blur", closeMenu);
}

export function closeMenu(): void {
  current?.remove();
  current = null;
}

export function openMenu(x: number, y: number, items: MenuItem[], label: string): HTMLElement {
  closeMenu();
  dismissOnOutsideClick();
  const menu = h("div", { class: "menu", role: "menu", "aria-label": label, tabindex: -1 });
  for (const item of items) {
    if (item.separator) {
      menu.appendChild(h("div", { class: "menu-separator", role: "separator" }));
      continue;
    }
    const button = h("button", { type: "button", role: "menuitem", class: "menu-item", disabled: item.disabled }, item.label);
    button.addEventListener("click", () => {
      closeMenu();
      item.action?.();
    });
    menu.appendChild(button);
  }
  menu.addEventListener("keydown", (event) => {
    const buttons = [...menu.querySelectorAll<HTMLButtonElement>("button:not([disabled])")];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === "Escape") {
      closeMenu();
      event.preventDefault();
    } else if (event.key === "ArrowDown") {
      buttons[(at + 1) % buttons.length]?.focus();
      event.preventDefault();
    } else if (event.key === "ArrowUp") {
      buttons[(at - 1 + buttons.length) % buttons.length]?.focus();
      event.preventDefault();
    }
  });
  document.body.appendChild(menu);
  const rect = menu.getBoundingClientRect();
  menu.style.left = `${Math.max(4, Math.min(x, window.innerWidth - rect.width - 4))}px`;
  menu.style.top = `${Math.max(4, Math.min(y, window.innerHeight - rect.height - 4))}px`;
  current = menu;
  menu.querySelector<HTMLButtonElement>("button:not([disabled])")?.focus();
  return menu;
}

