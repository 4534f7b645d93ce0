import { describe, expect, it } from 'vitest';
import { TelnetParser, type TelnetEvent } from '../../server/telnet/parser.ts';
import { IAC, SB, SE, WILL, WONT, DO, DONT, CMD, OPT } from '../../server/telnet/constants.ts';

const b = (...xs: Array<number | string>) =>
  Buffer.concat(xs.map((x) => (typeof x === 'number' ? Buffer.from([x]) : Buffer.from(x, 'latin1'))));

/** Normalise events for comparison (Buffers -> latin1 strings). */
function norm(evs: TelnetEvent[]) {
  return evs.map((e) =>
    e.type === 'data' ? { type: 'data', data: e.data.toString('latin1') } : e.type === 'sb' ? { ...e, data: e.data.toString('latin1') } : e,
  );
}

/** Feed one byte at a time; merge adjacent data events so results are comparable with whole-chunk feeding. */
function feedBytewise(p: TelnetParser, buf: Buffer) {
  const out: ReturnType<typeof norm> = [];
  for (const byte of buf) {
    for (const e of norm(p.feed(Buffer.from([byte])))) {
      const last = out[out.length - 1];
      if (e.type === 'data' && last?.type === 'data') (last as { data: string }).data += (e as { data: string }).data;
      else out.push(e);
    }
  }
  return out;
}

function both(buf: Buffer, max = 64) {
  const whole = norm(new TelnetParser(max).feed(buf));
  const bytewise = feedBytewise(new TelnetParser(max), buf);
  expect(bytewise).toEqual(whole);
  return whole;
}

describe('TelnetParser', () => {
  it('passes plain data through', () => {
    expect(both(b('hello\r\n'))).toEqual([{ type: 'data', data: 'hello\r\n' }]);
  });

  it('collapses IAC IAC into one 0xFF data byte, in one data event', () => {
    expect(both(b('a', IAC, IAC, 'b', IAC, IAC))).toEqual([{ type: 'data', data: 'a\xffb\xff' }]);
  });

  it('parses each negotiation verb', () => {
    expect(both(b(IAC, WILL, 31, IAC, WONT, 24, IAC, DO, 1, IAC, DONT, 255))).toEqual([
      { type: 'negotiate', verb: WILL, option: 31 },
      { type: 'negotiate', verb: WONT, option: 24 },
      { type: 'negotiate', verb: DO, option: 1 },
      { type: 'negotiate', verb: DONT, option: 255 },
    ]);
  });

  it('keeps data and commands in order', () => {
    expect(both(b('ab', IAC, CMD.NOP, 'cd', IAC, DO, 3, 'ef'))).toEqual([
      { type: 'data', data: 'ab' },
      { type: 'command', command: CMD.NOP },
      { type: 'data', data: 'cd' },
      { type: 'negotiate', verb: DO, option: 3 },
      { type: 'data', data: 'ef' },
    ]);
  });

  it('reports unknown commands as commands and ignores stray IAC SE', () => {
    expect(both(b(IAC, 17, IAC, SE, 'x', IAC, CMD.GA))).toEqual([
      { type: 'command', command: 17 },
      { type: 'data', data: 'x' },
      { type: 'command', command: CMD.GA },
    ]);
  });

  it('parses a subnegotiation with doubled IAC inside', () => {
    expect(both(b('x', IAC, SB, OPT.NAWS, 0, 80, IAC, IAC, 24, IAC, SE, 'y'))).toEqual([
      { type: 'data', data: 'x' },
      { type: 'sb', option: OPT.NAWS, data: '\x00\x50\xff\x18' },
      { type: 'data', data: 'y' },
    ]);
  });

  it('parses an empty subnegotiation', () => {
    expect(both(b(IAC, SB, OPT.MCCP2, IAC, SE))).toEqual([{ type: 'sb', option: OPT.MCCP2, data: '' }]);
  });

  it('discards an oversized subnegotiation and recovers at IAC SE', () => {
    const body = 'z'.repeat(100);
    expect(both(b(IAC, SB, OPT.GMCP, body, IAC, SE, 'ok', IAC, SB, 24, 0, 'X', IAC, SE), 64)).toEqual([
      { type: 'sb-overflow', option: OPT.GMCP },
      { type: 'data', data: 'ok' },
      { type: 'sb', option: 24, data: '\x00X' },
    ]);
  });

  it('accepts a subnegotiation of exactly the cap', () => {
    const body = 'q'.repeat(64);
    expect(both(b(IAC, SB, 201, body, IAC, SE), 64)).toEqual([{ type: 'sb', option: 201, data: body }]);
  });

  it('never holds more than the cap while inside an unterminated SB', () => {
    const p = new TelnetParser(64);
    p.feed(b(IAC, SB, 201));
    for (let i = 0; i < 100; i++) {
      expect(p.feed(Buffer.alloc(1000, 0x41))).toEqual([]);
      expect(p.pendingBytes).toBeLessThanOrEqual(64);
    }
    expect(p.inSubnegotiation).toBe(true);
  });

  it('aborts SB on IAC <command> and handles the command (no wedge)', () => {
    expect(both(b(IAC, SB, 24, 0, 'abc', IAC, DO, 1, 'text', IAC, CMD.NOP))).toEqual([
      { type: 'sb-aborted', option: 24 },
      { type: 'negotiate', verb: DO, option: 1 },
      { type: 'data', data: 'text' },
      { type: 'command', command: CMD.NOP },
    ]);
    expect(both(b(IAC, SB, 24, 'abc', IAC, SB, 31, 0, 1, 0, 2, IAC, SE))).toEqual([
      { type: 'sb-aborted', option: 24 },
      { type: 'sb', option: 31, data: '\x00\x01\x00\x02' },
    ]);
    expect(both(b(IAC, SB, 24, 'abc', IAC, 'Z', 'more'))).toEqual([
      { type: 'sb-aborted', option: 24 },
      { type: 'command', command: 'Z'.charCodeAt(0) },
      { type: 'data', data: 'more' },
    ]);
  });

  it('handles IAC SB IAC (missing option byte)', () => {
    expect(both(b(IAC, SB, IAC, SE, 'a', IAC, SB, IAC, IAC, 'b'))).toEqual([{ type: 'data', data: 'a\xffb' }]);
  });

  it('carries state across chunk boundaries at every position', () => {
    const msg = b('he', IAC, IAC, 'y', IAC, WILL, 31, IAC, SB, 31, 0, 80, 0, 24, IAC, SE, 'end', IAC, CMD.GA);
    const expected = norm(new TelnetParser().feed(msg));
    for (let cut = 0; cut <= msg.length; cut++) {
      const p = new TelnetParser();
      const evs = [...norm(p.feed(msg.subarray(0, cut))), ...norm(p.feed(msg.subarray(cut)))];
      const merged: typeof evs = [];
      for (const e of evs) {
        const last = merged[merged.length - 1];
        if (e.type === 'data' && last?.type === 'data') (last as { data: string }).data += (e as { data: string }).data;
        else merged.push(e);
      }
      expect(merged, `cut at ${cut}`).toEqual(expected);
    }
  });

  it('returns zero-copy data slices only for the current chunk (no buffering of data)', () => {
    const p = new TelnetParser();
    expect(norm(p.feed(b('abc', IAC)))).toEqual([{ type: 'data', data: 'abc' }]);
    expect(norm(p.feed(b(IAC, 'd')))).toEqual([{ type: 'data', data: '\xffd' }]);
    expect(p.pendingBytes).toBe(0);
  });
});
