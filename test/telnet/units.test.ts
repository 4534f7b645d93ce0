import { describe, expect, it } from 'vitest';
import { LineSplitter, sanitizeLine, type LineResult } from '../../server/telnet/lines.ts';
import { OptionNegotiator, Q, type Side } from '../../server/telnet/negotiation.ts';
import { DO, DONT, WILL, WONT, OPT, type NegotiationVerb } from '../../server/telnet/constants.ts';
import { encodeText, escapeIac, stripSgr, msspFrame, charsetRequest, gmcpFrame } from '../../server/telnet/encode.ts';
import { parseNaws, parseGmcp, parseCharset, parseMtts, parseTtypeIs } from '../../server/telnet/subneg.ts';
import { MttsTracker } from '../../server/telnet/ttype.ts';

const lines = (rs: LineResult[]) => rs.map((r) => (r.type === 'line' ? r.line : '<overlong>'));

describe('LineSplitter', () => {
  it('splits on CRLF, LF, CR NUL, bare CR and LF CR', () => {
    const s = new LineSplitter();
    expect(lines(s.push(Buffer.from('a\r\nb\nc\r\0d\re\n\rf\n')))).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('keeps empty lines', () => {
    const s = new LineSplitter();
    expect(lines(s.push(Buffer.from('\r\n\r\n\n\n')))).toEqual(['', '', '', '']);
    expect(lines(new LineSplitter().push(Buffer.from('\r\r\r\0')))).toEqual(['', '', '']);
  });

  it('does not emit an extra empty line when CR and LF arrive in separate packets', () => {
    const s = new LineSplitter();
    expect(lines(s.push(Buffer.from('look\r')))).toEqual(['look']);
    expect(lines(s.push(Buffer.from('\n')))).toEqual([]);
    expect(lines(s.push(Buffer.from('north\r')))).toEqual(['north']);
    expect(lines(s.push(Buffer.from('\0')))).toEqual([]);
    expect(lines(s.push(Buffer.from('x\n')))).toEqual(['x']);
  });

  it('decodes UTF-8 split across packets', () => {
    const s = new LineSplitter();
    const e = Buffer.from('café\n', 'utf8');
    expect(lines(s.push(e.subarray(0, 4)))).toEqual([]);
    expect(lines(s.push(e.subarray(4, 5)))).toEqual([]);
    expect(lines(s.push(e.subarray(5)))).toEqual(['café']);
  });

  it('replaces a truncated UTF-8 sequence at end of line without leaking into the next line', () => {
    const s = new LineSplitter();
    expect(lines(s.push(Buffer.from([0x61, 0xc3, 0x0a, 0x62, 0x0a])))).toEqual(['a\ufffd', 'b']);
  });

  it('decodes latin1 after setEncoding', () => {
    const s = new LineSplitter();
    s.setEncoding('latin1');
    expect(lines(s.push(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a])))).toEqual(['café']);
  });

  it('reports an overlong line once, discards it to its terminator, then recovers', () => {
    const s = new LineSplitter(10);
    expect(lines(s.push(Buffer.from('0123456789')))).toEqual([]);
    expect(lines(s.push(Buffer.from('X')))).toEqual(['<overlong>']);
    expect(lines(s.push(Buffer.alloc(5000, 0x41)))).toEqual([]);
    expect(s.pendingBytes).toBe(0);
    expect(lines(s.push(Buffer.from('tail\r\nok\r\n')))).toEqual(['ok']);
  });

  it('accepts a line of exactly maxLineBytes', () => {
    const s = new LineSplitter(10);
    expect(lines(s.push(Buffer.from('0123456789\n')))).toEqual(['0123456789']);
  });

  it('applies backspace/DEL and strips control characters including ESC', () => {
    expect(sanitizeLine('helo\x08lo')).toBe('hello');
    expect(sanitizeLine('ab\x7f\x7f\x7fc')).toBe('c');
    expect(sanitizeLine('say \x1b[31mred\x00\x07')).toBe('say [31mred');
    expect(sanitizeLine('tab\there')).toBe('tab\there');
    expect(sanitizeLine('ok é 😀\x08')).toBe('ok é ');
  });

  it('supports IAC EC / IAC EL editing', () => {
    const s = new LineSplitter();
    s.push(Buffer.from('abc'));
    s.eraseChar();
    expect(lines(s.push(Buffer.from('\n')))).toEqual(['ab']);
    s.push(Buffer.from('junk'));
    s.eraseLine();
    expect(lines(s.push(Buffer.from('ok\n')))).toEqual(['ok']);
  });
});

function negotiator(acceptLocal: number[] = [], acceptRemote: number[] = []) {
  const sent: Array<[string, number]> = [];
  const changes: Array<[Side, number, boolean]> = [];
  const name = (v: NegotiationVerb) => ({ [WILL]: 'WILL', [WONT]: 'WONT', [DO]: 'DO', [DONT]: 'DONT' })[v];
  const n = new OptionNegotiator({
    send: (v, o) => sent.push([name(v), o]),
    acceptLocal: (o) => acceptLocal.includes(o),
    acceptRemote: (o) => acceptRemote.includes(o),
    changed: (s, o, e) => changes.push([s, o, e]),
  });
  return { n, sent, changes };
}

describe('OptionNegotiator (RFC 1143 Q method)', () => {
  it('refuses an unknown DO once; a flood gets no further replies', () => {
    const { n, sent } = negotiator();
    for (let i = 0; i < 10_000; i++) n.receive(DO, 99);
    expect(sent).toEqual([['WONT', 99]]);
  });

  it('refuses an unknown WILL once', () => {
    const { n, sent } = negotiator();
    for (let i = 0; i < 100; i++) n.receive(WILL, 99);
    expect(sent).toEqual([['DONT', 99]]);
  });

  it('refused options stay quiet across DO/DONT alternation', () => {
    const { n, sent } = negotiator();
    for (let i = 0; i < 100; i++) {
      n.receive(DO, 99);
      n.receive(DONT, 99);
    }
    expect(sent).toEqual([['WONT', 99]]);
  });

  it('agrees to a supported DO once and ignores repeats', () => {
    const { n, sent, changes } = negotiator([OPT.SGA]);
    n.receive(DO, OPT.SGA);
    n.receive(DO, OPT.SGA);
    expect(sent).toEqual([['WILL', OPT.SGA]]);
    expect(changes).toEqual([['local', OPT.SGA, true]]);
    n.receive(DONT, OPT.SGA);
    n.receive(DONT, OPT.SGA);
    expect(sent).toEqual([['WILL', OPT.SGA], ['WONT', OPT.SGA]]);
    expect(changes.at(-1)).toEqual(['local', OPT.SGA, false]);
  });

  it('does not reply when the peer answers our own offer', () => {
    const { n, sent, changes } = negotiator();
    n.requestLocal(OPT.EOR, true);
    n.requestRemote(OPT.NAWS, true);
    expect(sent).toEqual([['WILL', OPT.EOR], ['DO', OPT.NAWS]]);
    n.receive(DO, OPT.EOR);
    n.receive(WILL, OPT.NAWS);
    expect(sent.length).toBe(2);
    expect(n.isLocal(OPT.EOR)).toBe(true);
    expect(n.isRemote(OPT.NAWS)).toBe(true);
    expect(changes).toEqual([['local', OPT.EOR, true], ['remote', OPT.NAWS, true]]);
  });

  it('handles refusal of our offer without replying', () => {
    const { n, sent } = negotiator();
    n.requestLocal(OPT.GMCP, true);
    n.receive(DONT, OPT.GMCP);
    expect(sent).toEqual([['WILL', OPT.GMCP]]);
    expect(n.localState(OPT.GMCP)).toBe(Q.NO);
  });

  it('uses the queue bit when we change our mind mid-negotiation', () => {
    const { n, sent } = negotiator();
    n.requestLocal(OPT.EOR, true); // WILL, WANTYES
    n.requestLocal(OPT.EOR, false); // queued
    n.receive(DO, OPT.EOR); // -> WANTNO, send WONT
    expect(sent).toEqual([['WILL', OPT.EOR], ['WONT', OPT.EOR]]);
    n.receive(DONT, OPT.EOR);
    expect(n.localState(OPT.EOR)).toBe(Q.NO);
  });

  it('forceLocal sends WILL/WONT ECHO even when the client never answers', () => {
    const { n, sent } = negotiator();
    n.forceLocal(OPT.ECHO, true);
    n.forceLocal(OPT.ECHO, true);
    n.forceLocal(OPT.ECHO, false);
    n.forceLocal(OPT.ECHO, true);
    expect(sent).toEqual([['WILL', 1], ['WONT', 1], ['WILL', 1]]);
    n.receive(DO, OPT.ECHO);
    expect(n.isLocal(OPT.ECHO)).toBe(true);
    n.forceLocal(OPT.ECHO, false);
    n.receive(DONT, OPT.ECHO);
    expect(sent.length).toBe(4);
    expect(n.localState(OPT.ECHO)).toBe(Q.NO);
  });
});

describe('encoding', () => {
  it('doubles IAC', () => {
    expect([...escapeIac(Buffer.from([1, 255, 2, 255, 255]))]).toEqual([1, 255, 255, 2, 255, 255, 255, 255]);
    const b = Buffer.from('plain');
    expect(escapeIac(b)).toBe(b);
  });

  it('converts newlines, strips SGR when asked, encodes latin1 with IAC doubled', () => {
    expect(encodeText('a\nb\r\nc\rd', { ansi: true, utf8: true }).toString('latin1')).toBe('a\r\nb\r\nc\r\0d');
    expect(stripSgr('\x1b[1;31mred\x1b[0m \x1b[2J')).toBe('red \x1b[2J');
    expect([...encodeText('ÿé€', { ansi: true, utf8: false })]).toEqual([255, 255, 0xe9, 0x3f]);
  });

  it('builds MSSP, CHARSET and GMCP frames', () => {
    expect([...msspFrame({ NAME: 'Mud', PORT: ['1', '2'] })]).toEqual([
      255, 250, 70, 1, ...Buffer.from('NAME'), 2, ...Buffer.from('Mud'), 1, ...Buffer.from('PORT'), 2, 0x31, 2, 0x32, 255, 240,
    ]);
    expect([...charsetRequest()]).toEqual([255, 250, 42, 1, ...Buffer.from(';UTF-8'), 255, 240]);
    expect(gmcpFrame('Core.Ping').toString('latin1')).toBe('\xff\xfa\xc9Core.Ping\xff\xf0');
    expect(gmcpFrame('Char.Vitals', { hp: 1 }).toString('latin1')).toBe('\xff\xfa\xc9Char.Vitals {"hp":1}\xff\xf0');
  });
});

describe('subnegotiation parsers', () => {
  it('NAWS: only exactly 4 bytes', () => {
    expect(parseNaws(Buffer.from([0, 100, 0, 40]))).toEqual({ width: 100, height: 40 });
    expect(parseNaws(Buffer.from([0, 0, 0, 40]))).toEqual({ width: null, height: 40 });
    expect(parseNaws(Buffer.from([0, 100, 0, 40, 0, 1]))).toBeNull();
    expect(parseNaws(Buffer.from([0, 100]))).toBeNull();
    expect(parseNaws(Buffer.alloc(0))).toBeNull();
  });

  it('GMCP: package + optional JSON; malformed returns null', () => {
    expect(parseGmcp(Buffer.from('Core.Hello {"client":"Mudlet","version":"4"}'))).toEqual({
      pkg: 'Core.Hello',
      data: { client: 'Mudlet', version: '4' },
    });
    expect(parseGmcp(Buffer.from('Core.Ping'))).toEqual({ pkg: 'Core.Ping', data: undefined });
    expect(parseGmcp(Buffer.from('Core.Hello {"client":'))).toBeNull();
    expect(parseGmcp(Buffer.from(' {}'))).toBeNull();
    expect(parseGmcp(Buffer.from([0xff, 0xfe, 0x00]))).toBeNull();
  });

  it('CHARSET, TTYPE, MTTS', () => {
    expect(parseCharset(Buffer.from('\x02UTF-8', 'latin1'))).toEqual({ type: 'accepted', charset: 'UTF-8' });
    expect(parseCharset(Buffer.from([3]))).toEqual({ type: 'rejected' });
    expect(parseCharset(Buffer.from('\x01;UTF-8;ISO-8859-1', 'latin1'))).toEqual({ type: 'request', charsets: ['UTF-8', 'ISO-8859-1'] });
    expect(parseCharset(Buffer.alloc(0))).toBeNull();
    expect(parseTtypeIs(Buffer.from('\x00MUDLET', 'latin1'))).toBe('MUDLET');
    expect(parseTtypeIs(Buffer.from('\x01x', 'latin1'))).toBeNull();
    expect(parseMtts('MTTS 137')).toBe(137);
    expect(parseMtts('XTERM')).toBeNull();
  });
});

describe('MttsTracker', () => {
  it('cycles name -> terminal -> MTTS and stops', () => {
    const t = new MttsTracker();
    expect(t.begin()).toBe(true);
    expect(t.begin()).toBe(false);
    expect(t.reply('TINTIN++', null)).toEqual({ ignored: false, first: true, sendAgain: true });
    expect(t.reply('XTERM', null).sendAgain).toBe(true);
    expect(t.reply('MTTS 2', 2)).toEqual({ ignored: false, first: false, sendAgain: false });
    expect(t.ansi).toBe(false);
    expect(t.reply('MTTS 2', 2).ignored).toBe(true);
  });

  it('stops on a repeated reply and caps the number of SENDs', () => {
    const t = new MttsTracker();
    t.begin();
    t.reply('XTERM', null);
    expect(t.reply('XTERM', null).sendAgain).toBe(false);
    expect(t.types).toEqual(['XTERM']);
    const u = new MttsTracker();
    u.begin();
    const steps = ['A', 'B', 'C', 'D', 'E'].map((n) => u.reply(n, null));
    expect(steps.map((s) => s.sendAgain)).toEqual([true, true, true, false, false]);
    expect(steps[4]!.ignored).toBe(true);
  });

  it('dumb terminal means no colour', () => {
    const t = new MttsTracker();
    t.begin();
    t.reply('DUMB', null);
    expect(t.ansi).toBe(false);
  });
});
