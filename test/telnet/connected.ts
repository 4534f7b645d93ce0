/**
 * One connected telnet client per test, for the TelnetConnection tests: a harness on a free
 * loopback port, a client that has read the server's opening offers, both gone after each test.
 */
import { afterEach, expect } from 'vitest';
import { IAC, WILL, DO, OPT } from '../../server/telnet/constants.ts';
import { TestClient, bytes, startHarness, type Harness, type HarnessOptions } from './harness.ts';

export const mssp = () => ({ NAME: 'Test MUD', PLAYERS: '3', CODEBASE: ['audited-mud', '0.1'] });

/** What the server offers as a connection opens (MSSP only when it has a table). */
const OFFERS = bytes(
  [IAC, DO, OPT.TTYPE],
  [IAC, DO, OPT.NAWS],
  [IAC, DO, OPT.NEW_ENVIRON],
  [IAC, DO, OPT.BINARY],
  [IAC, WILL, OPT.EOR],
  [IAC, WILL, OPT.CHARSET],
  [IAC, WILL, OPT.MSSP],
  [IAC, WILL, OPT.GMCP],
  [IAC, WILL, OPT.MCCP2],
);

/** Call once at the top of a test file: its harness and clients are stopped after each test. */
export function telnetTests() {
  let harness: Harness | null = null;
  const clients: TestClient[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await harness?.stop();
    harness = null;
  });

  /** A harness of the test's own, and a way to connect clients to it that are cleaned up. */
  async function start(opts?: HarnessOptions) {
    const started = await startHarness(opts);
    harness = started;
    const connect = async (clientOpts: { mccp?: boolean } = {}) => {
      const client = await TestClient.connect(started.port, clientOpts);
      clients.push(client);
      return client;
    };
    return { harness: started, connect };
  }

  /** Starts a harness, connects one client and consumes the initial offers. */
  async function setup(opts: HarnessOptions = { mssp }, clientOpts: { mccp?: boolean } = {}) {
    const { harness: started, connect } = await start(opts);
    const client = await connect(clientOpts);
    const conn = await started.next();
    const expected = opts.mssp ? OFFERS : bytes(...[...OFFERS].join(',').replace(`255,251,70,`, '').split(',').map(Number));
    const got = await client.takeThrough(expected.subarray(expected.length - 3));
    expect([...got]).toEqual([...expected]);
    return { client, conn, harness: started };
  }

  return { setup, start };
}
