import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../server/config_limits.ts';
import { startGame, type RunningGame } from '../support/game.ts';
import type { TestTelnetClient } from '../support/telnet_client.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes `say flood` lines as fast as the socket takes them, for `seconds`; returns lines sent and seconds taken. */
async function floodSay(client: TestTelnetClient, seconds: number): Promise<{ sent: number; elapsed: number }> {
  const batch = 'say flood\r\n'.repeat(50);
  const t0 = performance.now();
  let sent = 0;
  while (performance.now() - t0 < seconds * 1000) {
    if (!client.socket.write(batch)) await new Promise((r) => client.socket.once('drain', r));
    else await sleep(2);
    sent += 50;
  }
  return { sent, elapsed: (performance.now() - t0) / 1000 };
}

const count = (text: string, what: string) => text.split(what).length - 1;

describe('the command rate on telnet', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('cuts a say flood to about rate x seconds + burst, says slow down once a second, and audits one event per flood', async () => {
    // Loopback is exempt in tests unless a test says otherwise; this one is the attack.
    run = await startGame({ config: { limits: { rateExempt: [] } } });
    const { commandRate: rate, commandBurst: burst } = DEFAULT_LIMITS;
    const flooder = await run.login('Flooder');
    const bystander = await run.login('Bystander');
    // A second for `create` to have been paid back: the flood starts with a full burst.
    await sleep(1000);

    const { sent, elapsed } = await floodSay(flooder, 3);
    await bystander.command('say still here', 'You say, "still here"');
    const portal = async () => (await run.logs.lines('portal.log')).filter((l) => l.includes('AUDIT RATE LIMITED'));
    // The flood is reported once it has been quiet for a second, so every line has been judged by then.
    await expect.poll(portal, { timeout: 10_000 }).toHaveLength(1);

    const said = (await run.logs.lines('command_audit.log')).filter((l) => /AUDIT CMD: Flooder\(#\d+\) executed 'say'/.test(l)).length;
    // Each second of the flood refills `rate`; the server's clock may see it a little longer or shorter than ours.
    expect(said).toBeGreaterThanOrEqual(Math.floor(rate * (elapsed - 1) + burst));
    expect(said).toBeLessThanOrEqual(Math.ceil(rate * (elapsed + 1) + burst));
    expect(sent).toBeGreaterThan(10 * said);
    const slowDowns = count(flooder.text, 'You are sending too fast (more than 20 lines a second)');
    expect(slowDowns).toBeGreaterThanOrEqual(Math.floor(elapsed) - 1);
    expect(slowDowns).toBeLessThanOrEqual(Math.ceil(elapsed) + 1);
    expect((await portal())[0]).toMatch(
      new RegExp(`\\| mud\\.portal \\| WARN \\| AUDIT RATE LIMITED: connection #\\d+ \\(Flooder\\) from 127\\.0\\.0\\.1 via telnet: ${sent - said} lines dropped in [\\d.]+s over the command rate \\(20 a second, burst 60\\)$`),
    );

    // A second flood is a second event; the flooder still plays at a human pace afterwards.
    await floodSay(flooder, 1);
    await expect.poll(portal, { timeout: 10_000 }).toHaveLength(2);
    await flooder.command('say calm again', 'You say, "calm again"');
    await run.game.auditTrail.flush();
    // Newest first, as @audit/search shows them.
    const events = (await run.game.auditReader.search({ limit: 1000 })).filter((e) => e.event_type === 'rate_limited').reverse();
    expect(events).toHaveLength(2);
    expect(events.map((e) => JSON.parse(e.payload))).toEqual([
      expect.objectContaining({ limit: 'commands', max: rate, burst, refused: sent - said }),
      expect.objectContaining({ limit: 'commands', max: rate, burst }),
    ]);
  });

  it('drops lines at the login screen too, and lets the session play on once the flood is over', async () => {
    run = await startGame({ config: { limits: { rateExempt: [], commandRate: 2, commandBurst: 3 } } });
    const client = await run.connect();
    client.sendRaw('look\r\n'.repeat(10));
    await client.waitFor('You are sending too fast (more than 2 lines a second)');
    // The banner for the connection and three looks; the other seven were dropped unseen.
    await sleep(300);
    expect(count(client.text, 'Welcome to')).toBe(4);
    await sleep(1600);
    await client.command('look', 'Welcome to');
  });
});
