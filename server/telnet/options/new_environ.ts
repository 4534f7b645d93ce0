/**
 * NEW-ENVIRON, telnet environment option (RFC 1572), for MNES, the MUD New-Environ Standard
 * (https://tintin.mudhalla.net/protocols/mnes/): a client tells the server its name, version,
 * terminal type, MTTS bits and character set, and a web-to-telnet gateway the player's IPADDRESS.
 *
 * We ask (DO NEW-ENVIRON); once the client agrees we SEND for the MNES variables we keep, and
 * read its IS reply and any later INFO updates. Only those variables are kept, each cleaned and
 * capped as every client-supplied name is (they reach the audit trail); IPADDRESS only from a
 * MUD_PROXY_FROM gateway, and only when it is an address.
 */
import net from 'node:net';
import { ENVIRON, OPT } from '../constants.ts';
import { subnegotiation } from '../wire.ts';
import { normaliseAddress } from '../../net/address.ts';
import { cleanName, type TelnetOption } from './option.ts';

/** The MNES variables we ask for and keep. */
export const MNES_VARIABLES = ['CLIENT_NAME', 'CLIENT_VERSION', 'TERMINAL_TYPE', 'MTTS', 'CHARSET', 'IPADDRESS'] as const;

const KEPT = new Set<string>(MNES_VARIABLES);

/** RFC 1572: IAC SB NEW-ENVIRON SEND (VAR name)* IAC SE. */
export function environSend(names: readonly string[] = MNES_VARIABLES): Buffer {
  const parts: Buffer[] = [Buffer.from([ENVIRON.SEND])];
  for (const name of names) parts.push(Buffer.from([ENVIRON.VAR]), Buffer.from(name, 'latin1'));
  return subnegotiation(OPT.NEW_ENVIRON, Buffer.concat(parts));
}

/**
 * An IS or INFO body as name -> value (a variable without VALUE is undefined: RFC 1572 section
 * 2's "not defined"), ESC honoured; null for anything else (a SEND from the client).
 */
export function parseEnviron(body: Buffer): { kind: 'is' | 'info'; vars: Map<string, string | null> } | null {
  const kind = body[0] === ENVIRON.IS ? 'is' : body[0] === ENVIRON.INFO ? 'info' : null;
  if (!kind) return null;
  const vars = new Map<string, string | null>();
  let name: number[] | null = null;
  let value: number[] | null = null;
  const flush = () => {
    if (name) vars.set(Buffer.from(name).toString('latin1'), value ? Buffer.from(value).toString('utf8') : null);
    name = null;
    value = null;
  };
  for (let i = 1; i < body.length; i++) {
    const b = body[i]!;
    if (b === ENVIRON.VAR || b === ENVIRON.USERVAR) {
      flush();
      name = [];
    } else if (b === ENVIRON.VALUE) {
      if (name) value = [];
    } else {
      const byte = b === ENVIRON.ESC && i + 1 < body.length ? body[++i]! : b;
      (value ?? name)?.push(byte);
    }
  }
  flush();
  return { kind, vars };
}

export const NEW_ENVIRON: TelnetOption = {
  code: OPT.NEW_ENVIRON,
  offer: ['remote'],
  accept: ['remote'],
  attach(host) {
    let asked = false;
    return {
      changed(side, enabled) {
        if (side !== 'remote') return;
        if (!enabled) return host.environSettled();
        if (asked) return;
        asked = true;
        host.send(environSend());
      },
      refused: () => host.environSettled(),
      subnegotiation(body) {
        const message = parseEnviron(body);
        if (!message || !asked) return;
        const environ = host.client.environ;
        for (const [name, raw] of message.vars) {
          if (!KEPT.has(name)) continue;
          const value = raw === null ? '' : cleanName(raw);
          if (name === 'IPADDRESS') {
            // A player's own client could claim any address: only a gateway's word counts.
            if (!host.fromGateway || !net.isIP(value)) continue;
            environ[name] = normaliseAddress(value);
          } else if (value) environ[name] = value;
          else delete environ[name];
        }
        host.emit('environ', { ...environ });
        host.environSettled();
      },
    };
  },
};
