/**
 * /ws, the mudstandards.org WebSocket endpoint, from a real WebSocket client (the `ws` package):
 * each subprotocol logs in and plays, the refusals say why, and a refused frame is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTable } from '../audit_trail/helpers.ts';
import { PASSWORD } from '../support/game.ts';
import { TestWsClient, type MudSubprotocolName } from '../support/ws_client.ts';
import { waitUntil } from '../support/wait.ts';
import { startWebGame, type WebGame } from './support.ts';

const IAC = 255, WILL = 251, DO = 253, SB = 250, SE = 240, GMCP = 201;

describe('the /ws endpoint (mudstandards.org subprotocols)', () => {
  let run: WebGame;
  let wsUrl: string;
  const clients: TestWsClient[] = [];
  beforeAll(async () => {
    run = await startWebGame();
    wsUrl = `ws://127.0.0.1:${run.webPort}/ws`;
    // The first account claims the admin token; the rest are players.
    (await run.login('Root')).close();
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await run?.stop();
  });

  async function open(protocols: string | string[]): Promise<TestWsClient> {
    const client = await TestWsClient.connect(wsUrl, protocols);
    clients.push(client);
    await client.waitFor('Welcome to');
    return client;
  }

  async function login(client: TestWsClient, name: string): Promise<void> {
    await client.command(`create ${name} ${PASSWORD}`, `You become ${name}`);
    await client.waitFor(/Exits:[^\n]*\n|no obvious exits\./);
  }

  const eventsOf = async (type: string) => (await readTable(run.game)).filter((e) => e.event_type === type);

  it('terminal.mudstandards.org: UTF-8 text with ANSI colour in text frames, a frame is a line', async () => {
    const client = await open('terminal.mudstandards.org');
    expect(client.ws.protocol).toBe('terminal.mudstandards.org');
    await login(client, 'Terri');
    // No newline: the message itself ends the line.
    client.sendFrame('look', false);
    await client.waitFor('Limbo');
    expect(client.frames.every((f) => !f.binary)).toBe(true);
    const text = client.raw.toString('utf8');
    expect(text).toMatch(/\x1b\[1;36mLimbo\x1b\[0m/);
    expect(text).toContain('\r\n');
    expect(text).not.toMatch(/[^\r]\n/);
    await client.command('say héllo ☃', 'You say, "héllo ☃"');
    const opened = (await eventsOf('connection_opened')).filter((e) => e.actor.protocol === 'ws');
    expect(opened.length).toBeGreaterThanOrEqual(1);
    expect((await eventsOf('command')).find((e) => e.actor.character === 'Terri' && e.payload.command === 'say')?.actor.protocol).toBe('ws');
  });

  it('gmcp.mudstandards.org: game text in binary frames, GMCP "Package.Name json" in text frames, both ways', async () => {
    const client = await open('gmcp.mudstandards.org');
    expect(client.frames.every((f) => f.binary)).toBe(true);
    await login(client, 'Gemma');
    expect(JSON.parse((await client.waitForGmcp('Char.Name ')).slice('Char.Name '.length))).toEqual({ name: 'Gemma', fullname: 'Gemma' });
    client.sendFrame('Core.Supports.Set ["Room 1", "Char 1"]', false);
    const info = await client.waitForGmcp('Room.Info ');
    expect(JSON.parse(info.slice('Room.Info '.length))).toMatchObject({ name: 'Limbo' });
    client.sendFrame('Core.Ping', false);
    await client.waitForGmcp('Core.Ping');
    await client.command('north', 'Courtyard');
    await waitUntil(() => client.gmcp.some((m) => m.startsWith('Room.Info ') && m.includes('Courtyard')), 'Room.Info of the Courtyard');
  });

  it('gmcp.mudstandards.org: malformed GMCP is ignored and audited as protocol_error, package name only', async () => {
    const client = await open('gmcp.mudstandards.org');
    client.sendFrame('Char.Login.Credentials {"account":"Root","password":"Not-This-Secret"', false);
    client.sendFrame('Core.Ping', false);
    await client.waitForGmcp('Core.Ping');
    await waitUntil(async () => (await eventsOf('protocol_error')).some((e) => e.payload.kind === 'bad_gmcp'), 'the bad_gmcp event');
    const event = (await eventsOf('protocol_error')).find((e) => e.payload.kind === 'bad_gmcp')!;
    expect(event.actor.protocol).toBe('ws');
    expect(event.payload.excerpt).toMatch(/^Char\.Login\.Credentials \(\d+ bytes\)$/);
    expect(JSON.stringify(event)).not.toContain('Not-This-Secret');
  });

  it('telnet.mudstandards.org: the telnet stream in binary frames, negotiation and GMCP included', async () => {
    const client = await TestWsClient.connect(wsUrl, ['telnet.mudstandards.org']);
    clients.push(client);
    await client.waitFor('Welcome to');
    expect(client.frames.every((f) => f.binary)).toBe(true);
    // Our telnet layer's offers come first: IAC WILL GMCP among them.
    const offers = client.raw.subarray(0, client.raw.indexOf(Buffer.from('Welcome')));
    expect(offers.includes(Buffer.from([IAC, WILL, GMCP]))).toBe(true);
    client.sendFrame(Buffer.from([IAC, DO, GMCP]));
    await client.command(`create Telly ${PASSWORD}`, 'You become Telly');
    const gmcpName = Buffer.concat([Buffer.from([IAC, SB, GMCP]), Buffer.from('Char.Name {"name":"Telly","fullname":"Telly"}'), Buffer.from([IAC, SE])]);
    await waitUntil(() => client.raw.includes(gmcpName), 'Char.Name over telnet GMCP');
    await client.command('look', 'Limbo');
    expect((await eventsOf('login_ok')).find((e) => e.actor.account === 'Telly')?.actor.protocol).toBe('ws');
  });

  it('offers the first subprotocol of the client list that it speaks', async () => {
    const client = await open(['v1.evennia.com', 'gmcp.mudstandards.org', 'terminal.mudstandards.org']);
    expect(client.ws.protocol).toBe('gmcp.mudstandards.org');
  });

  it('refuses an upgrade without a subprotocol, or with none it speaks, saying which to ask for', async () => {
    await expect(TestWsClient.connect(wsUrl, [])).rejects.toThrow(/^400: .*Sec-WebSocket-Protocol: telnet\.mudstandards\.org, gmcp\.mudstandards\.org, terminal\.mudstandards\.org/);
    await expect(TestWsClient.connect(wsUrl, ['json.mudstandards.org'])).rejects.toThrow(/^400: .*mudstandards/);
    const plain = await fetch(`${run.url}/ws`);
    expect(plain.status).toBe(426);
    expect(await plain.text()).toContain('Sec-WebSocket-Protocol');
  });

  it("refuses a page from another origin, as the webclient's socket does", async () => {
    await expect(TestWsClient.connect(wsUrl, 'terminal.mudstandards.org', { origin: 'http://evil.example' })).rejects.toThrow(/^403: .*origin/);
    const own = await TestWsClient.connect(wsUrl, 'terminal.mudstandards.org', { origin: run.url });
    clients.push(own);
    await own.waitFor('Welcome to');
  });

  it('closes on a frame over the size limit (1009) and audits it as protocol_error', async () => {
    const client = await open('terminal.mudstandards.org');
    client.sendFrame('x'.repeat(64 * 1024), false);
    await client.waitClosed();
    expect(client.closeCode).toBe(1009);
    await waitUntil(async () => (await eventsOf('protocol_error')).some((e) => e.payload.kind === 'ws_frame_refused'), 'the ws_frame_refused event');
    const event = (await eventsOf('protocol_error')).find((e) => e.payload.kind === 'ws_frame_refused')!;
    expect(event).toMatchObject({ success: false, actor: { protocol: 'ws', remote_addr: '127.0.0.1' }, payload: { suppressed: 0 } });
    expect(event.payload.excerpt).toMatch(/^WS_ERR_UNSUPPORTED_MESSAGE_LENGTH/);
    const closed = (await eventsOf('connection_closed')).find((e) => e.actor.session_id === event.actor.session_id);
    expect(closed?.payload.reason).toMatch(/refused WebSocket frame/);
  });

  it('a line over the cap is refused with a line saying so, audited once a minute with the rest counted', async () => {
    const client = await open('gmcp.mudstandards.org');
    client.send(`look ${'a'.repeat(5000)}`);
    await client.waitFor('longer than 4096 bytes');
    client.send(`say ${'b'.repeat(5000)}`);
    await client.waitFor('longer than 4096 bytes');
    const mine = async () => (await eventsOf('protocol_error')).filter((e) => e.payload.kind === 'line_too_long' && e.actor.protocol === 'ws');
    await waitUntil(async () => (await mine()).length === 1, 'line_too_long');
    expect((await mine())[0]!.payload).toEqual({ kind: 'line_too_long', excerpt: 'look (over 4096 bytes)', suppressed: 0 });
    // The second, within the minute, was held back and counted: reported when the connection ends.
    const session = (await mine())[0]!.actor.session_id;
    client.close();
    await waitUntil(async () => (await mine()).length === 2, 'the closing report');
    expect((await mine())[1]).toMatchObject({ actor: { session_id: session }, payload: { kind: 'line_too_long', suppressed: 1, closing: true } });
  });

  it('never excerpts a line typed while the game asks for a password', async () => {
    const client = await open('terminal.mudstandards.org');
    client.send('create Secretive');
    await client.waitFor('Password:');
    client.send(`Secret-Password-${'b'.repeat(5000)}`);
    await client.waitFor('longer than 4096 bytes');
    const withheld = async () => (await eventsOf('protocol_error')).find((e) => e.payload.excerpt_withheld === true);
    await waitUntil(async () => (await withheld()) !== undefined, 'the withheld report');
    expect((await withheld())!.payload).toEqual({ kind: 'line_too_long', excerpt_withheld: true, suppressed: 0 });
    const all = JSON.stringify(await readTable(run.game)) + (await run.logs.everything());
    expect(all).not.toContain('Secret-Password');
  });

  it.each<MudSubprotocolName>(['terminal.mudstandards.org', 'gmcp.mudstandards.org', 'telnet.mudstandards.org'])('%s: quit says goodbye and closes normally', async (protocol) => {
    const client = await open(protocol);
    await client.command('quit', 'Goodbye');
    await client.waitClosed();
    expect(client.closeCode).toBe(1000);
  });
});

describe('the /ws endpoint under the limits', () => {
  let run: WebGame;
  afterAll(async () => run?.stop());

  it('counts its connections and lines against the same per-address limits and command rate', async () => {
    run = await startWebGame({ config: { limits: { rateExempt: [], connections: 1, commandRate: 5, commandBurst: 5 } } });
    const url = `ws://127.0.0.1:${run.webPort}/ws`;
    const first = await TestWsClient.connect(url, 'terminal.mudstandards.org');
    await first.waitFor('Welcome to');
    // A second from the same address: told which limit, then closed with 1008 (policy).
    const second = await TestWsClient.connect(url, 'gmcp.mudstandards.org');
    await second.waitFor('Too many connections from your address (1 open at once)');
    await second.waitClosed();
    expect(second.closeCode).toBe(1008);
    // One message of 20 lines: 5 pass the command rate, the rest are dropped with one line.
    first.sendFrame(Array.from({ length: 20 }, () => 'help').join('\n'), false);
    await first.waitFor('You are sending too fast');
    first.close();
    await waitUntil(async () => (await readTable(run.game)).some((e) => e.event_type === 'rate_limited' && e.payload.limit === 'commands' && e.actor.protocol === 'ws'), 'the commands flood');
    // Each flood is audited once it is over (a second without refusals).
    const refusedConnections = async () => (await readTable(run.game)).find((e) => e.event_type === 'rate_limited' && e.payload.limit === 'connections');
    await waitUntil(async () => (await refusedConnections()) !== undefined, 'the connections flood');
    expect((await refusedConnections())!.actor).toMatchObject({ protocol: 'ws', remote_addr: '127.0.0.1' });
  });
});
