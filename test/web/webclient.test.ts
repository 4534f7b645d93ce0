import { describe, expect, it } from 'vitest';
import { stopAfterEach } from '../support/cleanup.ts';
import { PASSWORD } from '../support/game.ts';
import { accountRef, ref } from '../support/ids.ts';
import { startWebGame } from './support.ts';

describe('the webclient socket: same game, same pipeline as telnet', () => {
  const start = stopAfterEach(startWebGame);

  it('creates an account through the password prompts, moves, and hears a telnet player', async () => {
    const run = await start();
    const web = await run.web();
    expect(web.text).toContain(`Welcome to ${run.config.serverName}!`);

    web.send('create Webby');
    await web.waitFor('Password: ');
    // The question is a prompt (no newline), and the input is hidden before it is asked.
    expect(web.events.findLast((e) => e.event === 'prompt')?.args).toEqual(['Password: ']);
    expect(web.secrets).toEqual([true]);
    web.send(PASSWORD);
    await web.waitFor('Confirm password: ');
    // Hidden from one question to the next: never shown in between.
    expect(web.secrets).toEqual([true]);
    web.send(PASSWORD);
    await web.waitFor('You become Webby');
    await expect.poll(() => web.secrets).toEqual([true, false]);
    expect(web.text).not.toContain(PASSWORD);

    // Colour reaches the browser as ANSI SGR, for the page to render.
    web.send('look');
    await web.waitFor('Limbo');
    expect(web.events.some((e) => e.event === 'output' && String(e.args[0]).includes('\x1b[1;36mLimbo\x1b[0m'))).toBe(true);
    await web.command('north', 'Courtyard');
    expect(web.oob.some(([pkg, data]) => pkg === 'Room.Info' && (data as { name: string }).name === 'Courtyard')).toBe(true);

    const telly = await run.login('Telly');
    await telly.command('north', 'Courtyard');
    await web.waitFor('Telly arrives');
    await telly.command('say hello, browser', 'You say');
    await web.waitFor('Telly says, "hello, browser"');
    await web.command('say hello, terminal', 'You say, "hello, terminal"');
    await telly.waitFor('Webby says, "hello, terminal"');
    await telly.command('who', 'Webby');

    const health = (await (await fetch(`${run.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ up: true, players_online: 2 });
    expect(health.uptime_seconds).toEqual(expect.any(Number));

    // The protocol and the normalised loopback address are in the audit trail, as telnet's are.
    const activity = await run.logs.lines('player_activity.log');
    expect(activity).toContainEqual(expect.stringContaining(`AUDIT ACCOUNT: ${accountRef(run, 'Webby')} created from 127.0.0.1 via web`));
    expect(activity).toContainEqual(expect.stringContaining(`AUDIT SESSION: ${ref(run, 'Webby')} puppeted by Webby from 127.0.0.1 via web`));
    expect(activity).toContainEqual(expect.stringContaining(`AUDIT SESSION: ${ref(run, 'Telly')} puppeted by Telly from 127.0.0.1 via telnet`));

    // `quit`: the farewell is flushed before the server closes, and the client is told not to retry.
    web.send('quit');
    await web.waitFor('Goodbye');
    await web.waitClosed();
    expect(web.disconnectReason).toBe('io server disconnect');
    await telly.waitFor('Webby has left the game.');
    await expect.poll(async () => (await run.logs.lines('player_activity.log')).join('\n')).toContain(
      `AUDIT LOGOUT: ${accountRef(run, 'Webby')} logged out from 127.0.0.1 via web (quit)`,
    );
    const portal = await run.logs.lines('portal.log');
    expect(portal.join('\n')).toMatch(/connection #\d+ closed from 127\.0\.0\.1 via web \(quit\)/);
  });

  it('writes the same audit lines for the same play over telnet and over the web', async () => {
    const script: Array<[string, string | RegExp]> = [
      ['look', 'Limbo'],
      ['north', 'Courtyard'],
      ['east', 'Library'],
      ['say hello there', 'You say'],
      ['nonsense', 'is not available'],
      ['west', 'Courtyard'],
      ['quit', 'Goodbye'],
    ];
    const files = ['player_activity.log', 'command_audit.log', 'movement_audit.log', 'chat.log', 'portal.log'];
    const normalise = (lines: string[], name: string, protocol: string) =>
      lines.map((l) =>
        l
          .replace(/^(\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d(?:[.,]\d+)?/, 'TIME')
          .replace(/(connection|session) #\d+/g, '$1 #N')
          .replaceAll(name, 'NAME')
          .replaceAll(` via ${protocol}`, ' via PROTOCOL')
          .replace(/session \d+s/, 'session Ns'),
      );

    const telnetRun = await start();
    const t = await telnetRun.login('Tilly');
    for (const [line, reply] of script) await t.command(line, reply);
    await t.waitClosed();

    const webRun = await start();
    const w = await webRun.webLogin('Wendy');
    for (const [line, reply] of script) await w.command(line, reply);
    await w.waitClosed();

    for (const run of [telnetRun, webRun]) {
      await expect.poll(async () => (await run.logs.lines('player_activity.log')).some((l) => l.includes('AUDIT LOGOUT'))).toBe(true);
    }
    for (const file of files) {
      const viaTelnet = normalise(await telnetRun.logs.lines(file), 'Tilly', 'telnet');
      const viaWeb = normalise(await webRun.logs.lines(file), 'Wendy', 'web');
      expect(viaWeb.length, file).toBeGreaterThan(0);
      expect(viaWeb, file).toEqual(viaTelnet);
    }
    expect((await webRun.logs.lines('player_activity.log')).join('\n')).toContain('from 127.0.0.1 via web');
  });

  it('records the socket address, and X-Forwarded-For only when trustProxy is on', async () => {
    const forwarded = { 'X-Forwarded-For': '198.51.100.7, 203.0.113.9' };
    const plain = await start();
    await (await plain.web({ headers: forwarded })).command(`create Proxied ${PASSWORD}`, 'You become Proxied');
    await expect.poll(async () => (await plain.logs.lines('player_activity.log')).join('\n')).toContain(
      `AUDIT ACCOUNT: ${accountRef(plain, 'Proxied')} created from 127.0.0.1 via web`,
    );

    const proxied = await start({ config: { webTrustProxy: true } });
    await (await proxied.web({ headers: forwarded })).command(`create Proxied ${PASSWORD}`, 'You become Proxied');
    // The last entry is the one our own proxy added; the first is whatever the client claimed.
    await expect.poll(async () => (await proxied.logs.lines('player_activity.log')).join('\n')).toContain(
      `AUDIT ACCOUNT: ${accountRef(proxied, 'Proxied')} created from 203.0.113.9 via web`,
    );
  });

  it('lets the browser reconnect after a shutdown, having shown it the farewell', async () => {
    const run = await start();
    const web = await run.webLogin('Leaver');
    await run.game.shutdown('test shutdown');
    await web.waitFor('The server is shutting down');
    await web.waitClosed();
    // Not a clean "io server disconnect": socket.io's client keeps retrying until the server is back.
    expect(web.disconnectReason).toBe('transport close');
  });
});
