/**
 * What the portal holds for the next game while none is attached, on its own: a session the
 * game knew is always kept, connections that came and went meanwhile up to MAX_HELD_MEANWHILE,
 * and the rest are counted, so a port scan during a long outage cannot grow the portal's memory.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../server/config_limits.ts';
import type { LinkChannel } from '../../server/link/channel.ts';
import type { GameToPortal, PortalToGame } from '../../server/link/protocol.ts';
import { MAX_HELD_MEANWHILE, PortalSessions } from '../../server/portal/connections.ts';
import { SessionLimits } from '../../server/sessions/session_limits.ts';
import type { SessionTransport } from '../../server/sessions/transport.ts';

/** A telnet connection's transport as the portal's front end hands it over, minus the socket. */
function transport(remoteAddress: string): SessionTransport {
  return { protocol: 'telnet', remoteAddress, clientName: null, send() {}, prompt() {}, setSecretInput() {}, sendOob() {}, close() {} };
}

/** The link to a game: what the portal sends it, in order. */
function gameChannel(): LinkChannel<GameToPortal, PortalToGame> & { sent: PortalToGame[] } {
  const sent: PortalToGame[] = [];
  return { sent, send: (message: PortalToGame) => sent.push(message) } as unknown as LinkChannel<GameToPortal, PortalToGame> & { sent: PortalToGame[] };
}

const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

describe('the portal while no game is attached', () => {
  it('keeps the sessions a game knew, holds those that came and went up to its bound, and counts the rest', () => {
    const sessions = new PortalSessions(new SessionLimits(DEFAULT_LIMITS, { emit() {} }));
    const first = gameChannel();
    sessions.attach(first);
    const known = sessions.open(transport('192.0.2.1'));
    const late = sessions.open(transport('192.0.2.9'));
    expect(first.sent).toMatchObject([{ t: 'open' }, { t: 'open' }]);

    sessions.detach();
    for (let i = 0; i < MAX_HELD_MEANWHILE + 5; i++) sessions.open(transport(address(i))).connectionLost('scan');
    known.connectionLost('quit');
    const { meanwhile } = sessions.snapshot();
    expect(meanwhile.lost).toHaveLength(MAX_HELD_MEANWHILE + 1);
    expect(meanwhile.lost.at(-1)).toMatchObject({ reason: 'quit', snapshot: { address: '192.0.2.1', opened: true } });
    expect(meanwhile.untold).toBe(5);

    // One more goes after the snapshot was taken: the game starting now was not told, so it
    // stays for the next one (a known session, kept past the bound); what that game was handed
    // is gone from the portal.
    late.connectionLost('late');
    sessions.attach(gameChannel());
    sessions.detach();
    const next = sessions.snapshot().meanwhile;
    expect(next.lost.map((l) => [l.reason, l.snapshot.address])).toEqual([['late', '192.0.2.9']]);
    expect(next.untold).toBe(0);
  });
});
