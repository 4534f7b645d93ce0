import { describe, expect, it } from 'vitest';
import { defaultConfig, loadConfig, ConfigError } from '../../server/config.ts';
import { DEFAULT_WEB_LIMITS } from '../../server/web/front_end.ts';
import { DEFAULT_LIMITS } from '../../server/config_limits.ts';
import { TokenBucket } from '../../server/net/token_bucket.ts';
import { clientAddress, normaliseAddress, originAllowed } from '../../server/web/guards.ts';
import { AnsiParser, isDefaultStyle } from '../../web/ansi.js';
import { readTable } from '../audit_trail/helpers.ts';
import { stopAfterEach } from '../support/cleanup.ts';
import { TestWebClient, startWebGame } from './support.ts';

describe('webclient safety against a hostile socket', () => {
  const start = stopAfterEach(startWebGame);

  it('answers malformed, wrong and oversized messages with a clear message, and keeps serving', async () => {
    const run = await start();
    const bad = await run.web();
    bad.emitRaw('input', 42);
    await bad.waitFor('Input must be one line of text; that message was ignored.');
    bad.emitRaw('input', { line: 'look' });
    await bad.waitFor('Input must be one line of text');
    bad.emitRaw('input');
    await bad.waitFor('Input must be one line of text');
    bad.emitRaw('input', 'look', 'again');
    await bad.waitFor('Input must be one line of text');
    bad.emitRaw('input', Buffer.from('look'));
    await bad.waitFor('Input must be one line of text');
    bad.emitRaw('command', 'look');
    await bad.waitFor("The webclient only sends 'input' events; 'command' was ignored.");
    bad.send('x'.repeat(DEFAULT_WEB_LIMITS.maxLineBytes + 1));
    await bad.waitFor(`That line was longer than ${DEFAULT_WEB_LIMITS.maxLineBytes} bytes and was ignored.`);
    // 4096 bytes exactly is fine, multi-byte characters counted as bytes.
    bad.send('é'.repeat(DEFAULT_WEB_LIMITS.maxLineBytes / 2 + 1));
    await bad.waitFor('longer than 4096 bytes');
    // A line over the cap is a protocol error too: audited once (the second, within the minute, counted).
    const overlong = async () => (await readTable(run.game)).filter((e) => e.event_type === 'protocol_error' && e.actor.protocol === 'web');
    await expect.poll(async () => (await overlong()).map((e) => e.payload)).toEqual([{ kind: 'line_too_long', excerpt: '(4097 bytes)', suppressed: 0 }]);
    // An acknowledgement callback is not part of the payload.
    bad.socket.emit('input', 'look', () => {});
    await bad.waitFor('create <name>');
    // Still connected and still a working session after all that.
    await bad.command(`create Survivor correct-horse-9`, 'You become Survivor');

    // Past maxHttpBufferSize, engine.io drops the connection itself; the server stays up.
    const huge = await run.web();
    huge.send('y'.repeat(DEFAULT_WEB_LIMITS.maxPacketBytes * 2));
    await huge.waitClosed();
    const normal = await run.web();
    await normal.command('look', 'Welcome to');
    await bad.command('look', 'Limbo');
    await expect.poll(() => run.game.sessions.count).toBe(2);
  });

  it('splits a payload with line breaks into lines, as telnet would', async () => {
    const run = await start();
    const client = await run.webLogin('Paster');
    client.send('north\neast\n');
    await client.waitFor('Courtyard');
    await client.waitFor('Library');
  });

  it('rate-limits a flood with one clear message; other players are not affected', async () => {
    // Loopback is exempt in tests unless a test says otherwise (test/support/game.ts).
    const run = await start({ config: { limits: { commandRate: 1, commandBurst: 5, rateExempt: [] } } });
    const flooder = await run.web();
    const bystander = await run.webLogin('Bystander');
    for (let i = 0; i < 60; i++) flooder.send('help');
    await flooder.waitFor('You are sending too fast (more than 1 lines a second)');
    // Junk events cost tokens too, so they cannot be used to flood either (and are not answered).
    for (let i = 0; i < 60; i++) flooder.emitRaw('input', 7);
    await bystander.command('look', 'Limbo');
    const answered = flooder.text.split('You are not logged in. You can:').length - 1;
    expect(answered).toBeGreaterThanOrEqual(1);
    expect(answered).toBeLessThan(60);
    expect(flooder.closed).toBe(false);
    const fresh = await run.web();
    await fresh.command('help', 'You are not logged in');
  });

  it('refuses a socket from another origin by default, over WebSocket and polling', async () => {
    const run = await start();
    for (const transports of [['websocket'], ['polling']] as const) {
      await expect(TestWebClient.connect(run.url, { transports: [...transports], headers: { Origin: 'http://evil.example' } })).rejects.toThrow();
      await expect(TestWebClient.connect(run.url, { transports: [...transports], headers: { Origin: 'null' } })).rejects.toThrow();
      const same = await TestWebClient.connect(run.url, { transports: [...transports], headers: { Origin: run.url } });
      await same.waitFor('Welcome to');
      same.close();
    }
    await expect.poll(() => run.game.sessions.count).toBe(0);
  });

  it('accepts the origins listed in webOrigins', async () => {
    const run = await start({ config: { webOrigins: ['https://mud.example.com'] } });
    const friend = await TestWebClient.connect(run.url, { headers: { Origin: 'https://mud.example.com' } });
    await friend.waitFor('Welcome to');
    friend.close();
    await expect(TestWebClient.connect(run.url, { headers: { Origin: 'https://evil.example.com' } })).rejects.toThrow();
  });

  it('lets the pages connect back to their own origin and the configured ones only, not to any WebSocket host', async () => {
    const connectSrc = async (url: string) =>
      /(?:^|; )connect-src ([^;]*)/.exec((await fetch(url)).headers.get('content-security-policy') ?? '')?.[1];
    const plain = await start();
    for (const path of ['/', '/webclient', '/admin/', '/health']) expect(await connectSrc(plain.url + path), path).toBe("'self'");
    const listed = await start({ config: { webOrigins: ['https://mud.example.com'] } });
    expect(await connectSrc(listed.url)).toBe("'self' https://mud.example.com wss://mud.example.com");
  });

  it('serves the page with strict security headers, no inline script, and /health', async () => {
    const run = await start();
    for (const path of ['/', '/webclient']) {
      const res = await fetch(run.url + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "require-trusted-types-for 'script'", "trusted-types 'none'"]) {
        expect(csp).toContain(directive);
      }
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-powered-by')).toBeNull();
      const html = await res.text();
      expect(html).toContain('Audited MUD');
      // Every script has a src, and no inline handlers or style attributes.
      expect(html.match(/<script\b[^>]*>/g)?.every((tag) => / src="\//.test(tag))).toBe(true);
      expect(html).not.toMatch(/\son[a-z]+=/i);
      expect(html).not.toMatch(/\sstyle=/i);
      // No third-party host anywhere.
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    }

    // Assets come from web/ with caching headers; the page's versioned URLs are immutable.
    const page = await (await fetch(run.url)).text();
    const clientUrl = /src="(\/client\.js\?v=\w+)"/.exec(page)![1]!;
    const versioned = await fetch(run.url + clientUrl);
    expect(versioned.status).toBe(200);
    expect(versioned.headers.get('content-type')).toMatch(/javascript/);
    expect(versioned.headers.get('cache-control')).toContain('immutable');
    const bare = await fetch(`${run.url}/ansi.js`);
    expect(bare.headers.get('cache-control')).toContain('must-revalidate');
    expect(bare.headers.get('etag')).toBeTruthy();
    const lib = await fetch(`${run.url}/socket.io/socket.io.min.js`);
    expect(lib.status).toBe(200);
    expect(lib.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${run.url}/nope`)).status).toBe(404);
    expect((await fetch(`${run.url}/../package.json`)).status).toBe(404);

    const health = await fetch(`${run.url}/health`);
    expect(health.headers.get('content-type')).toMatch(/^application\/json/);
    expect(health.headers.get('cache-control')).toBe('no-store');
    expect(await health.json()).toEqual({ up: true, uptime_seconds: expect.any(Number), players_online: 0 });
    await run.webLogin('Counted');
    expect(await (await fetch(`${run.url}/health`)).json()).toMatchObject({ players_online: 1 });
  });
});

describe('webclient pieces', () => {
  it('normalises IPv4-mapped addresses and trusts X-Forwarded-For only when told to', () => {
    expect(normaliseAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normaliseAddress('::1')).toBe('::1');
    expect(normaliseAddress(undefined)).toBe('unknown');
    const headers = { 'x-forwarded-for': '10.9.9.9, 203.0.113.9' };
    expect(clientAddress('::ffff:127.0.0.1', headers, false)).toBe('127.0.0.1');
    expect(clientAddress('::ffff:127.0.0.1', headers, true)).toBe('203.0.113.9');
    expect(clientAddress('127.0.0.1', { 'x-forwarded-for': 'not an address' }, true)).toBe('127.0.0.1');
  });

  it('checks Origin against Host and the allowed list', () => {
    expect(originAllowed({ host: 'mud.example.com:4001' }, [], false)).toBe(true);
    expect(originAllowed({ host: 'mud.example.com:4001', origin: 'http://mud.example.com:4001' }, [], false)).toBe(true);
    expect(originAllowed({ host: 'MUD.example.com', origin: 'https://mud.example.com' }, [], false)).toBe(true);
    expect(originAllowed({ host: 'mud.example.com:80', origin: 'http://mud.example.com' }, [], false)).toBe(true);
    expect(originAllowed({ host: 'mud.example.com:4001', origin: 'http://evil.example:4001' }, [], false)).toBe(false);
    expect(originAllowed({ host: 'mud.example.com:4001', origin: 'http://mud.example.com:4002' }, [], false)).toBe(false);
    expect(originAllowed({ host: 'mud.example.com', origin: 'null' }, [], false)).toBe(false);
    expect(originAllowed({ host: 'mud.example.com', origin: 'file://' }, [], false)).toBe(false);
    expect(originAllowed({ host: 'a', origin: 'https://friend.example' }, ['https://friend.example'], false)).toBe(true);
    const proxied = { host: '127.0.0.1:4001', 'x-forwarded-host': 'mud.example.com', origin: 'https://mud.example.com' };
    expect(originAllowed(proxied, [], false)).toBe(false);
    expect(originAllowed(proxied, [], true)).toBe(true);
  });

  it('gives a token bucket its burst, then its rate', () => {
    let now = 0;
    const bucket = new TokenBucket(DEFAULT_LIMITS.commandRate, DEFAULT_LIMITS.commandBurst, () => now);
    let taken = 0;
    while (bucket.take()) taken++;
    expect(taken).toBe(60);
    now += 1000;
    taken = 0;
    while (bucket.take()) taken++;
    expect(taken).toBe(20);
    now += 60_000;
    taken = 0;
    while (bucket.take()) taken++;
    expect(taken).toBe(60);
  });

  it('reads MUD_WEB_ORIGINS and MUD_WEB_TRUST_PROXY', () => {
    expect(defaultConfig()).toMatchObject({ webOrigins: [], webTrustProxy: false, webPort: 4001 });
    const config = loadConfig({ MUD_WEB_ORIGINS: 'https://mud.example.com, http://localhost:8080/', MUD_WEB_TRUST_PROXY: 'on' }, '/nonexistent');
    expect(config.webOrigins).toEqual(['https://mud.example.com', 'http://localhost:8080']);
    expect(config.webTrustProxy).toBe(true);
    expect(() => loadConfig({ MUD_WEB_ORIGINS: 'mud.example.com' }, '/nonexistent')).toThrow(ConfigError);
    expect(() => loadConfig({ MUD_WEB_ORIGINS: 'https://mud.example.com/play' }, '/nonexistent')).toThrow(ConfigError);
  });

  it('parses ANSI SGR into styled runs and drops other escapes and controls', () => {
    const parser = new AnsiParser();
    const runs = parser.feed('\x1b[1;36mLimbo\x1b[0m\r\n<b>x</b>\x1b[2J\x07 \x1b[38;5;200mpink\x1b[38;2;1;2;3mrgb\x1b[');
    expect(runs.map((r) => r.text)).toEqual(['Limbo', '\n<b>x</b> ', 'pink', 'rgb']);
    expect(runs[0]!.style).toMatchObject({ bold: true, fg: 6 });
    expect(isDefaultStyle(runs[1]!.style)).toBe(true);
    expect(runs[2]!.style.fg).toBe(200);
    expect(runs[3]!.style.fg).toBe('#010203');
    // The escape cut at the chunk's end completes in the next chunk.
    expect(parser.feed('32mgreen\x1b[m plain')).toEqual([
      { text: 'green', style: expect.objectContaining({ fg: 2 }) },
      { text: ' plain', style: expect.objectContaining({ fg: null, bold: false }) },
    ]);
  });
});
