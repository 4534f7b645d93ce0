/**
 * Seeded fuzz of /ws: the game fuzz's garbage (test/fuzz/garbage.ts), GMCP that is not JSON and
 * frames over the size limit, sent in each mudstandards.org subprotocol while a probe player
 * keeps playing; the protocol errors are audited, one per kind and session.
 *
 * Reproduce a failure with MUD_FUZZ_SEED=<the seed printed below>.
 */
import { describe, expect, it } from 'vitest';
import { readTable } from '../audit_trail/helpers.ts';
import { prng, randomBytes } from '../support/prng.ts';
import { sleep } from '../support/wait.ts';
import { TestWsClient } from '../support/ws_client.ts';
import { startWebGame } from '../web/support.ts';
import { LOGIN_IDLE_MS, SEED, frame, garbageWord } from './garbage.ts';

describe('fuzzing /ws', () => {
  it(`keeps serving through hostile WebSocket clients of every subprotocol, their errors bounded (seed ${SEED})`, { timeout: 60_000 }, async () => {
    const r = prng(SEED ^ 0x5753);
    const run = await startWebGame({ config: { loginIdleTimeoutMs: LOGIN_IDLE_MS } });
    try {
      const url = `ws://127.0.0.1:${run.webPort}/ws`;
      const probe = await run.login('Probe');
      const protocols = ['telnet.mudstandards.org', 'gmcp.mudstandards.org', 'terminal.mudstandards.org'];
      let sent = 0;
      for (let wave = 0; wave < 3; wave++) {
        await Promise.all(
          Array.from({ length: 12 }, async () => {
            const client = await TestWsClient.connect(url, r.pick(protocols));
            for (let i = 1 + r.int(60); i > 0 && !client.closed; i--) {
              const choice = r.int(4);
              // Telnet frames (IAC storms, cut-short subnegotiations, bad UTF-8, long lines), text frames, or one over the size limit.
              if (choice === 0) client.sendFrame(garbageWord(r) + (r.chance(0.5) ? ' {' : ' {"a":1}'), false);
              else if (choice === 1 && r.chance(0.1)) client.sendFrame(randomBytes(r, 20_000));
              else client.sendFrame(frame(r));
              sent++;
              if (r.chance(0.2)) await sleep(r.int(5));
            }
            client.close();
          }),
        );
        probe.send(`say wave ${wave}`);
        await probe.waitFor(`You say, "wave ${wave}"`, 15_000);
      }
      expect(sent).toBeGreaterThan(300);
      await expect.poll(() => run.game.sessions.count, { timeout: 10_000 }).toBe(1);
      const errors = (await readTable(run.game)).filter((e) => e.event_type === 'protocol_error');
      const perSessionKind = new Map<string, number>();
      for (const e of errors.filter((e) => !e.payload.closing)) perSessionKind.set(`${e.actor.session_id}:${e.payload.kind}`, (perSessionKind.get(`${e.actor.session_id}:${e.payload.kind}`) ?? 0) + 1);
      expect([...perSessionKind.values()].every((n) => n === 1)).toBe(true);
      expect(errors.every((e) => e.actor.protocol === 'ws')).toBe(true);
      const kinds = new Set(errors.map((e) => e.payload.kind));
      for (const kind of ['bad_gmcp', 'ws_frame_refused', 'line_too_long']) expect(kinds, kind).toContain(kind);
      console.log(`/ws fuzz: ${sent} frames, ${errors.length} protocol_error events, kinds ${[...kinds].join(', ')}`);
      await probe.command('look', 'Limbo');
    } finally {
      await run.stop();
    }
  });
});
