import { describe, expect, it } from 'vitest';
import { AddressProtocolErrors, lineExcerpt, ProtocolErrorLimiter, type ProtocolErrorReport } from '../../server/sessions/protocol_errors.ts';
import { readTableFile } from '../audit_trail/helpers.ts';
import { startGame } from '../support/game.ts';
import { LineSplitter } from '../../server/telnet/lines.ts';

describe('the protocol error limiter', () => {
  it('reports one error per kind a minute, the next with the count held back, and the rest at close', () => {
    let now = 1_000_000;
    const reports: ProtocolErrorReport[] = [];
    const limiter = new ProtocolErrorLimiter((r) => reports.push(r), () => now);
    for (let i = 0; i < 5; i++) limiter.report('bad_gmcp', `Pkg${i}`);
    limiter.report('line_too_long', 'look (over 4096 bytes)');
    now += 59_999;
    limiter.report('bad_gmcp', 'still within the minute');
    now += 1;
    limiter.report('bad_gmcp', 'a minute on');
    limiter.report('bad_gmcp', 'held');
    // Typed at a password prompt: withheld.
    limiter.report('subneg_truncated', null);
    limiter.flush();
    expect(reports).toEqual([
      { kind: 'bad_gmcp', excerpt: 'Pkg0', suppressed: 0 },
      { kind: 'line_too_long', excerpt: 'look (over 4096 bytes)', suppressed: 0 },
      { kind: 'bad_gmcp', excerpt: 'a minute on', suppressed: 5 },
      { kind: 'subneg_truncated', excerpt: null, suppressed: 0 },
      { kind: 'bad_gmcp', excerpt: null, suppressed: 1, closing: true },
    ]);
  });

  it('keeps an excerpt short, and of a line only its first word', () => {
    const reports: ProtocolErrorReport[] = [];
    const limiter = new ProtocolErrorLimiter((r) => reports.push(r));
    limiter.report('ws_frame_refused', 'é'.repeat(200));
    expect([...reports[0]!.excerpt!]).toHaveLength(60);
    expect(reports[0]!.excerpt!.endsWith('…')).toBe(true);
    expect(lineExcerpt('connect Bob hunter2-secret', '30 bytes')).toBe('connect (30 bytes)');
    expect(lineExcerpt('   ', 'over 4096 bytes')).toBe('(over 4096 bytes)');
    // One word alone may be a password typed ahead of its question: only the size.
    expect(lineExcerpt('hunter2\xe9secret', '15 bytes')).toBe('(15 bytes)');
    expect(lineExcerpt('  hunter2-secret  ', '18 bytes')).toBe('(18 bytes)');
  });
});

describe('protocol errors of connections that never became a session', () => {
  it('are limited per address and protocol, and the oldest address is forgotten first, its count reported', () => {
    const seen: Array<[string, string, ProtocolErrorReport]> = [];
    const errors = new AddressProtocolErrors((address, protocol, report) => seen.push([address, protocol, report]), 2);
    errors.report('10.0.0.1', 'telnet', 'bad_proxy_header', 'PROXY TCP9');
    errors.report('10.0.0.1', 'telnet', 'bad_proxy_header', 'PROXY again');
    errors.report('10.0.0.2', 'telnet', 'bad_proxy_header', 'x');
    errors.report('10.0.0.3', 'telnet', 'bad_proxy_header', 'y');
    expect(seen).toEqual([
      ['10.0.0.1', 'telnet', { kind: 'bad_proxy_header', excerpt: 'PROXY TCP9', suppressed: 0 }],
      ['10.0.0.2', 'telnet', { kind: 'bad_proxy_header', excerpt: 'x', suppressed: 0 }],
      ['10.0.0.1', 'telnet', { kind: 'bad_proxy_header', excerpt: null, suppressed: 1, closing: true }],
      ['10.0.0.3', 'telnet', { kind: 'bad_proxy_header', excerpt: 'y', suppressed: 0 }],
    ]);
  });

  it('are audited by the game with the address and protocol, the count held back at shutdown', async () => {
    const run = await startGame();
    run.game.sessions.reportConnectionError('::ffff:10.0.0.9', 'telnet', 'bad_proxy_header', 'PROXY TCP9 garbage');
    run.game.sessions.reportConnectionError('10.0.0.9', 'telnet', 'bad_proxy_header', 'PROXY again');
    await run.stop();
    const events = readTableFile(run.config.dataDir).filter((e) => e.event_type === 'protocol_error');
    expect(events.map((e) => [e.actor, e.payload])).toEqual([
      [{ account: null, character: null, session_id: null, protocol: 'telnet', remote_addr: '10.0.0.9' }, { kind: 'bad_proxy_header', excerpt: 'PROXY TCP9 garbage', suppressed: 0 }],
      [{ account: null, character: null, session_id: null, protocol: 'telnet', remote_addr: '10.0.0.9' }, { kind: 'bad_proxy_header', suppressed: 1, closing: true }],
    ]);
  });
});

describe('the line splitter and UTF-8', () => {
  const results = (chunks: number[][]) => {
    const s = new LineSplitter();
    return chunks.flatMap((c) => s.push(Buffer.from(c)));
  };

  it('flags a line whose bytes are not UTF-8, bad or cut short', () => {
    expect(results([[0x61, 0xc3, 0x0a]])).toEqual([{ type: 'line', line: 'a\ufffd', bytes: 2, invalidUtf8: true }]);
    expect(results([[0xc0, 0xaf, 0x0d, 0x0a]])[0]).toMatchObject({ invalidUtf8: true });
    expect(results([[0xed, 0xa0, 0x80, 0x0a]])[0]).toMatchObject({ invalidUtf8: true });
  });

  it('does not flag good UTF-8, split across packets, or a U+FFFD the client typed', () => {
    expect(results([[0x63, 0x61, 0x66, 0xc3], [0xa9, 0x0a]])).toEqual([{ type: 'line', line: 'café', bytes: 5 }]);
    expect(results([[...Buffer.from('\ufffd ok\n')]])).toEqual([{ type: 'line', line: '\ufffd ok', bytes: 6 }]);
  });

  it('gives the start of an overlong line, for its excerpt', () => {
    const s = new LineSplitter(10);
    expect(s.push(Buffer.from('look at everything here\n'))).toEqual([{ type: 'overlong', head: 'look at everything here' }]);
  });
});
