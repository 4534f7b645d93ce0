import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { requireTool } from './tools.ts';

/** Where the browser tests leave their screenshots (the repository's test-artifacts/). */
export const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');

/** Debian's Chromium, headless, with nothing that would reach beyond this machine. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium for `purpose`, or null after requireTool's loud warning (an error under CI). */
export function findChromium(purpose: string): string | null {
  return requireTool(purpose, 'chromium');
}

/** Debian's Chromium at `executablePath`, headless, with nothing that reaches beyond this machine. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

/**
 * For a `describe.skipIf(!executablePath)` block: starts the game and Chromium side by side before
 * its tests and closes both after them. The fields are filled in by beforeAll, so read them only
 * inside tests.
 */
export function useGameAndBrowser<Run extends { stop(): Promise<void> }>(
  executablePath: string | null,
  startRun: () => Promise<Run>,
): { run: Run; browser: Browser } {
  const session = {} as { run: Run; browser: Browser };
  beforeAll(async () => {
    // Non-null: without Chromium the describe block is skipped and this never runs.
    [session.run, session.browser] = await Promise.all([startRun(), launchChromium(executablePath!)]);
  });
  afterAll(async () => {
    await session.browser?.close();
    await session.run?.stop();
  });
  return session;
}
