/**
 * Byte framing shared by the text encoder and the option modules. It sits
 * below both so that neither has to import the other.
 */
import { IAC, SB, SE } from './constants.ts';

/** Double every 0xFF byte so it is data, not IAC (RFC 854). */
export function escapeIac(buf: Buffer): Buffer {
  let idx = buf.indexOf(IAC);
  if (idx === -1) return buf;
  let count = 0;
  for (let i = idx; i !== -1; i = buf.indexOf(IAC, i + 1)) count++;
  const out = Buffer.allocUnsafe(buf.length + count);
  let src = 0;
  let dst = 0;
  while (idx !== -1) {
    dst += buf.copy(out, dst, src, idx + 1);
    out[dst++] = IAC;
    src = idx + 1;
    idx = buf.indexOf(IAC, src);
  }
  buf.copy(out, dst, src);
  return out;
}

/** IAC SB <opt> <body with IAC doubled> IAC SE (RFC 855). */
export function subnegotiation(opt: number, body: Buffer | readonly number[] = []): Buffer {
  const b = escapeIac(Buffer.isBuffer(body) ? body : Buffer.from(body));
  const out = Buffer.allocUnsafe(b.length + 5);
  out[0] = IAC;
  out[1] = SB;
  out[2] = opt;
  b.copy(out, 3);
  out[b.length + 3] = IAC;
  out[b.length + 4] = SE;
  return out;
}
