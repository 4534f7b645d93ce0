/**
 * Waiting, for the tests and the bench alike: one sleep and one poll loop. (Waits that can be
 * woken by an event, like TestTelnetClient.waitFor, do not poll and are not built on these.)
 */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every `stepMs` until it holds; false once `timeoutMs` has passed. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, stepMs = 20): Promise<boolean> {
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
  timeoutMs = 5000,
  stepMs = 5,
): Promise<void> {
  if (!(await until(condition, timeoutMs, stepMs))) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
}
