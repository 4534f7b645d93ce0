import { defineConfig } from 'vitest/config';
import { PATIENCE_MS } from './test/support/wait.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests start real servers on loopback ports; two cores, so keep parallelism modest.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll gives up after 1 s by default: too short for a shared CI machine under two
    // test workers, and a poll is a wait, not a speed assertion.
    expect: { poll: { timeout: PATIENCE_MS } },
  },
});
