/**
 * axe-core (npm `axe-core`, run in the page) for the browser tests: the accessibility
 * violations a page has, as lines a failing assertion can show.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// Page functions run in the browser; this project compiles without the DOM lib.
declare const window: any;

/**
 * The serious and critical violations on `page` as it is now (WCAG 2.x A and AA, and axe's best
 * practices), one line each: rule, impact and the elements. Evaluated over the DevTools
 * protocol, so the page's Content-Security-Policy (no inline script) stays as it is.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations: Array<{ id: string; impact: string; help: string; nodes: string[] }> = await page.evaluate(async () => {
    const result = await window.axe.run(window.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n: any) => n.target.join(' ')) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 5).join(', ')}`);
}
