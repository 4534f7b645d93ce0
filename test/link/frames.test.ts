/**
 * The link's frames (server/link/frames.ts): the hot messages packed, the rest as JSON, read back
 * however the stream splits them, and a corrupt frame refused without quoting it.
 */
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameError, FrameReader, FrameWriter, MAX_FRAME_BYTES } from '../../server/link/frames.ts';
import type { GameToPortal, PortalToGame } from '../../server/link/protocol.ts';

const MESSAGES: Array<GameToPortal | PortalToGame> = [
  { t: 'text', id: 7, text: 'You say, "héllo ☃ 🐉"\n' },
  { t: 'prompt', id: 4_294_967_295, text: '> ' },
  { t: 'line', id: 1, line: 'say {"t":"text"} and \u0000 and \\n' },
  { t: 'text', id: 2, text: '' },
  // A lone surrogate does not survive UTF-8: this one goes as JSON, and comes back the same.
  { t: 'line', id: 3, line: 'half a pair: \ud83d' },
  { t: 'secret', id: 7, on: true },
  { t: 'oob', id: 7, pkg: 'Char.Login.Credentials', data: { account: 'alice', password: 'pw' } },
  { t: 'state', id: 9, accountId: 12, puppetId: null, supports: ['char 1'] },
];

function framesOf(messages: object[]): Buffer {
  const writer = new FrameWriter();
  for (const message of messages) writer.append(message);
  return Buffer.from(writer.take());
}

/** What a FrameReader pushes through, and how it refuses it if it does. */
function refusal(...chunks: Buffer[]): string {
  const reader = new FrameReader();
  try {
    for (const chunk of chunks) reader.push(chunk);
  } catch (error) {
    expect(error).toBeInstanceOf(FrameError);
    return (error as Error).message;
  }
  return 'not refused';
}

describe('link frames', () => {
  it('reads back every message as it was sent, packed or JSON', () => {
    expect(new FrameReader().push(framesOf(MESSAGES))).toEqual(MESSAGES);
  });

  it('packs text, prompts and lines (no JSON on the wire), and the rest as JSON', () => {
    const text = encodeFrame({ t: 'text', id: 7, text: 'hi' });
    expect([...text]).toEqual([0, 0, 0, 7, 1, 0, 0, 0, 7, 0x68, 0x69]);
    expect(encodeFrame({ t: 'line', id: 1, line: 'look' })[4]).toBe(3);
    expect(encodeFrame({ t: 'prompt', id: 1, text: '>' })[4]).toBe(2);
    const secret = encodeFrame({ t: 'secret', id: 7, on: true });
    expect(JSON.parse(secret.subarray(4).toString('utf8'))).toEqual({ t: 'secret', id: 7, on: true });
    expect(encodeFrame({ t: 'line', id: 3, line: '\udc00' }).toString('utf8', 4)).toBe('{"t":"line","id":3,"line":"\\udc00"}');
  });

  it('reads the same messages whichever byte boundary the stream is split at', () => {
    const bytes = framesOf(MESSAGES);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const reader = new FrameReader();
      const got = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
      expect(got, `split at byte ${cut}`).toEqual(MESSAGES);
    }
  });

  it('reads them arriving one byte at a time, and in chunks of every size up to 16', () => {
    const bytes = framesOf(MESSAGES);
    for (let size = 1; size <= 16; size++) {
      const reader = new FrameReader();
      const got: unknown[] = [];
      for (let at = 0; at < bytes.length; at += size) got.push(...reader.push(bytes.subarray(at, at + size)));
      expect(got, `chunks of ${size}`).toEqual(MESSAGES);
    }
  });

  it('writes many turns into one buffer without touching what it handed out, and grows past it', () => {
    const writer = new FrameWriter();
    const reader = new FrameReader();
    const turns: Buffer[] = [];
    const sent: object[] = [];
    for (let turn = 0; turn < 200; turn++) {
      for (let i = 0; i < 5; i++) {
        const message = { t: 'text', id: turn, text: `${'x'.repeat(turn * 7)} ${i}` };
        writer.append(message);
        sent.push(message);
      }
      turns.push(writer.take());
    }
    writer.append({ t: 'text', id: 0, text: 'y'.repeat(300_000) });
    sent.push({ t: 'text', id: 0, text: 'y'.repeat(300_000) });
    turns.push(writer.take());
    expect(writer.take().length).toBe(0);
    expect(turns.flatMap((bytes) => reader.push(bytes))).toEqual(sent);
  });

  it('refuses a length over the limit, whole or split, before waiting for its bytes', () => {
    const over = Buffer.alloc(4);
    over.writeUInt32BE(MAX_FRAME_BYTES + 1);
    const expected = `link frame of ${MAX_FRAME_BYTES + 1} bytes is over the ${MAX_FRAME_BYTES}-byte limit`;
    expect(refusal(over)).toBe(expected);
    expect(refusal(over.subarray(0, 2), over.subarray(2))).toBe(expected);
    // After a good frame in the same chunk, and as the tail of a chunk.
    const good = encodeFrame({ t: 'text', id: 1, text: 'ok' });
    expect(refusal(Buffer.concat([good, over]))).toBe(expected);
    expect(refusal(Buffer.concat([good, over, Buffer.from('more')]))).toBe(expected);
  });

  it('refuses a corrupt frame without quoting it', () => {
    const frame = (body: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
    const password = 'hunter2-secret';
    expect(refusal(frame(Buffer.from(`{"t":"oob","data":"${password}`)))).toBe('a frame that is not JSON');
    expect(refusal(frame(Buffer.from(`\u0009${password}`)))).toBe('a frame of unknown type 9');
    expect(refusal(frame(Buffer.from([1, 0, 0])))).toBe('a frame too short for its type 1');
    expect(refusal(frame(Buffer.alloc(0)))).toBe('an empty frame');
    // Split across chunks, the refusal is the same.
    const corrupt = frame(Buffer.from(`{"password":"${password}`));
    expect(refusal(corrupt.subarray(0, 6), corrupt.subarray(6))).toBe('a frame that is not JSON');
  });
});
