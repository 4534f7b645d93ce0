/**
 * Waiting, for the tests and the bench alike: one sleep and one poll loop. (Waits that can be
 * woken by an event, like TestTelnetClient.waitFor, do not poll and are not built on these.)
 */

/**
 * How long a test waits for something the server should do soon (a reply, a close, a file
 * line). Generous on purpose: the machines are shared and noisy, and a wait is never a speed
 * assertion (speed is measured by the bench). A passing wait returns as soon as it holds, so
 * this costs nothing until something is really wrong.
 */
export const PATIENCE_MS = 10_000;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every `stepMs` until it holds; false once `timeoutMs` has passed. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = PATIENCE_MS, stepMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await sleep(stepMs);
  }
  return true;
}

/** `until`, but throws "timed out waiting for <what>" instead of returning false. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = PATIENCE_MS,
  stepMs = 5,
): Promise<void> {
  if (!(await until(condition, timeoutMs, stepMs))) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
}
