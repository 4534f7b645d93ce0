/**
 * NAWS, negotiate about window size (RFC 1073). We ask the client to report
 * its size (DO NAWS) so the game can wrap text; it then sends its width and
 * height whenever the window changes.
 */
import { OPT } from '../constants.ts';
import type { TelnetOption } from './option.ts';

/**
 * Exactly four bytes, width and height as 16-bit big-endian. Anything else
 * (the 6-byte malformed frame, short frames) is rejected. Zero means
 * "unknown" per the RFC and is reported as null for that dimension.
 */
export function parseNaws(body: Buffer): { width: number | null; height: number | null } | null {
  if (body.length !== 4) return null;
  const w = body.readUInt16BE(0);
  const h = body.readUInt16BE(2);
  return { width: w === 0 ? null : w, height: h === 0 ? null : h };
}

export const NAWS: TelnetOption = {
  code: OPT.NAWS,
  offer: ['remote'],
  accept: ['remote'],
  attach: (host) => ({
    subnegotiation(body) {
      const size = parseNaws(body);
      if (!size) return;
      if (size.width !== null) host.client.width = size.width;
      if (size.height !== null) host.client.height = size.height;
      host.emit('naws', host.client.width, host.client.height);
    },
  }),
};
