import type { Page } from 'playwright-core';

/**
 * Whether the page is wider than the screen, and which of the elements matching `selector`
 * have text wider than their own box (a long name or figure spilling out), by their text.
 */
export async function overflowing(page: Page, selector: string): Promise<{ page: boolean; elements: string[] }> {
  return page.evaluate((sel) => {
    const root = document.documentElement;
    type Box = { scrollWidth: number; clientWidth: number; textContent: string | null };
    const elements = Array.from(document.querySelectorAll(sel) as ArrayLike<Box>)
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => (el.textContent ?? '').trim().slice(0, 60));
    return { page: root.scrollWidth > root.clientWidth, elements };
  }, selector);
}
