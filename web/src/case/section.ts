// A part of the case page: its element, and how it loads what it shows (after the case itself is known).

export interface CaseSection {
  el: HTMLElement;
  load(): Promise<void>;
}
