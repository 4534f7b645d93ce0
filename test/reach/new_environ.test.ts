import { describe, expect, it } from 'vitest';
import { DO, ENVIRON, IAC, OPT, SB, SE, WILL, WONT } from '../../server/telnet/constants.ts';
import { PASSWORD } from '../support/game.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';
import { until } from '../support/wait.ts';
import { parseEnviron } from '../../server/telnet/options/new_environ.ts';
import { trackPortals, trailHas } from '../portal/helpers.ts';
import { proxyV1 } from './proxy_header.ts';
import { trackReach, trailOf, type ReachGame } from './support.ts';

const NEW_ENVIRON = OPT.NEW_ENVIRON;
const { IS, SEND, VAR, VALUE, USERVAR } = ENVIRON;

/** What Mudlet answers to MNES's SEND: its name, version, terminal, MTTS bits and charset. */
const MUDLET = { CLIENT_NAME: 'Mudlet', CLIENT_VERSION: '4.17.2', TERMINAL_TYPE: 'XTERM-256COLOR', MTTS: '2825', CHARSET: 'UTF-8' };

function environIs(vars: Record<string, string>, user: Record<string, string> = {}): Buffer {
  const parts: number[] = [IAC, SB, NEW_ENVIRON, IS];
  const add = (kind: number, name: string, value: string) => parts.push(kind, ...Buffer.from(name), VALUE, ...Buffer.from(value));
  for (const [name, value] of Object.entries(vars)) add(VAR, name, value);
  for (const [name, value] of Object.entries(user)) add(USERVAR, name, value);
  parts.push(IAC, SE);
  return Buffer.from(parts);
}

/** Answers DO NEW-ENVIRON with WILL, then the server's SEND with `vars`, as an MNES client does. */
async function answerEnviron(client: TestTelnetClient, vars: Record<string, string>, user: Record<string, string> = {}): Promise<void> {
  expect(await until(() => client.raw.includes(Buffer.from([IAC, DO, NEW_ENVIRON])))).toBe(true);
  client.sendRaw(Buffer.from([IAC, WILL, NEW_ENVIRON]));
  // The server asks for the MNES variables by name.
  const send = Buffer.from([IAC, SB, NEW_ENVIRON, SEND, VAR, ...Buffer.from('CLIENT_NAME')]);
  expect(await until(() => client.raw.includes(send))).toBe(true);
  client.sendRaw(environIs(vars, user));
}

const reach = trackReach();
let run: ReachGame | null = null;

const clientOf = (row: { payload: string }) => (JSON.parse(row.payload) as { client?: Record<string, string> }).client;

describe('NEW-ENVIRON (MNES)', () => {
  it('reads what the client says of itself into the connection event and @examine; IPADDRESS from a player is ignored', async () => {
    run = await reach.start({ tls: false });
    const client = await run.connect();
    await answerEnviron(client, { ...MUDLET, IPADDRESS: '8.8.8.8' }, { USER: 'not-kept' });
    await expect.poll(async () => (await trailOf(run!, ['connection_opened'])).length).toBe(1);
    const [opened] = await trailOf(run, ['connection_opened']);
    expect(clientOf(opened!)).toEqual(MUDLET);

    await client.command(`create Mina ${PASSWORD}`, 'You become Mina');
    await client.command(`claim ${run.adminToken()}`, 'You are now the Developer');
    const shown = await client.command('@examine me', 'Created');
    const more = await client.waitFor(/Session #\d+ +: [^\n]*\n/);
    expect(`${shown}${more}`).toMatch(
      /Session #\d+ +: telnet from 127\.0\.0\.1, CLIENT_NAME=Mudlet CLIENT_VERSION=4\.17\.2 TERMINAL_TYPE=XTERM-256COLOR MTTS=2825 CHARSET=UTF-8\n/,
    );
    expect(await run.logs.everything()).not.toContain('8.8.8.8');
  });

  it('takes IPADDRESS from a MUD_PROXY_FROM gateway', async () => {
    run = await reach.start({ tls: false, reach: { proxyFrom: ['127.0.0.1'] } });
    const client = await TestTelnetClient.connect(run.port, '127.0.0.1', undefined, { width: null });
    client.sendRaw(proxyV1('203.0.113.7'));
    await client.waitFor('Welcome to');
    await answerEnviron(client, { CLIENT_NAME: 'WebGate', IPADDRESS: '198.51.100.20' });
    await expect.poll(async () => (await trailOf(run!, ['connection_opened'])).length).toBe(1);
    const [opened] = await trailOf(run, ['connection_opened']);
    expect(opened!.remote_addr).toBe('203.0.113.7');
    expect(clientOf(opened!)).toEqual({ CLIENT_NAME: 'WebGate', IPADDRESS: '198.51.100.20' });
    client.close();
  });

  it('a client that refuses NEW-ENVIRON, or never answers, is audited without client facts, before its first command', async () => {
    run = await reach.start({ tls: false });
    const refusing = await run.connect();
    refusing.sendRaw(Buffer.from([IAC, WONT, NEW_ENVIRON]));
    await expect.poll(async () => (await trailOf(run!, ['connection_opened'])).length).toBe(1);
    const silent = await run.connect('127.0.0.2');
    await silent.command(`create Quiet ${PASSWORD}`, 'You become Quiet');
    const rows = await trailOf(run, ['connection_opened', 'account_created', 'login_ok']);
    const quiet = rows.filter((r) => r.remote_addr === '127.0.0.2').sort((a, b) => a.seq! - b.seq!);
    expect(quiet[0]!.event_type).toBe('connection_opened');
    expect(rows.filter((r) => r.event_type === 'connection_opened').map(clientOf)).toEqual([undefined, undefined]);
  });
});

describe('NEW-ENVIRON under the portal (npm start)', () => {
  const startPortal = trackPortals();

  it('the facts travel over the link to the game: the connection event and @examine have them', async () => {
    const portal = await startPortal();
    const client = await TestTelnetClient.connect(portal.server.telnetPort);
    await client.waitFor('Welcome to');
    await answerEnviron(client, MUDLET);
    expect(await trailHas(portal, (r) => r.event_type === 'connection_opened' && (r.payload as { client?: unknown }).client !== undefined)).toBe(true);
    const opened = portal.trail().find((r) => r.event_type === 'connection_opened')!;
    expect(opened.payload.client).toEqual(MUDLET);
    await client.command(`create Pia ${PASSWORD}`, 'You become Pia');
    await client.command(`claim ${await portal.adminToken()}`, 'You are now the Developer');
    await client.command('@examine me', /Session #\d+ +: telnet from 127\.0\.0\.1, CLIENT_NAME=Mudlet CLIENT_VERSION=4\.17\.2/);
    client.close();
  });
});

describe('parseEnviron (RFC 1572)', () => {
  it('reads VAR and USERVAR, ESC-quoted bytes, and a variable with no VALUE as undefined', () => {
    const body = Buffer.from([IS, VAR, ...Buffer.from('CLIENT_NAME'), VALUE, ...Buffer.from('Mud'), ENVIRON.ESC, VAR, ...Buffer.from('let'), VAR, ...Buffer.from('CHARSET'), USERVAR, ...Buffer.from('X'), VALUE]);
    expect(parseEnviron(body)).toEqual({ kind: 'is', vars: new Map([['CLIENT_NAME', 'Mud\u0000let'], ['CHARSET', null], ['X', '']]) });
    expect(parseEnviron(Buffer.from([SEND, VAR]))).toBeNull();
  });
});
