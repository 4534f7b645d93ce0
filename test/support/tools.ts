import { execFileSync } from 'node:child_process';

/**
 * Some tests need a program from Debian (chromium, telnet, tmux). Where it is missing, `npm test`
 * skips only those tests and says so loudly; CI sets MUD_TEST_REQUIRE_TOOLS=1 (in .ci/run, which
 * installs them), turning the skip into a failure so CI always runs them.
 */
export function findTool(...candidates: string[]): string | null {
  for (const name of candidates) {
    try {
      const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (found) return found;
    } catch {
      // not on PATH; try the next name
    }
  }
  return null;
}

/** The path of the first tool found, or null after a loud warning (an error under CI). */
export function requireTool(purpose: string, ...candidates: string[]): string | null {
  const found = findTool(...candidates);
  if (found) return found;
  return missingTool(`${purpose} needs ${candidates.join(' or ')}, which is not installed (apt-get install it, as .ci/run does)`);
}

/** Says loudly that tests are skipped for want of a program (an error under CI); returns null. */
export function missingTool(message: string): null {
  if (process.env.MUD_TEST_REQUIRE_TOOLS === '1') throw new Error(`MUD_TEST_REQUIRE_TOOLS=1: ${message}`);
  process.stderr.write(`\n${'!'.repeat(78)}\n!! SKIPPING: ${message}\n${'!'.repeat(78)}\n\n`);
  return null;
}
