import { describe, expect, it } from 'vitest';
import { carriesProxyHeader, parseProxyHeader, ProxyHeaderError } from '../../server/net/proxy_protocol.ts';
import { proxyV1, proxyV2 } from './proxy_header.ts';

describe('reading a PROXY header', () => {
  it('v1 and v2 give the client address and the header length, whatever follows', () => {
    const v1 = Buffer.from(`${proxyV1('203.0.113.7')}look\r\n`);
    expect(parseProxyHeader(v1)).toEqual({ done: true, source: '203.0.113.7', length: proxyV1('203.0.113.7').length });
    expect(parseProxyHeader(Buffer.from('PROXY TCP6 2001:DB8:0:0::7 ::1 1 2\r\n'))).toMatchObject({ source: '2001:db8::7' });
    expect(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))).toEqual({ done: true, source: null, length: 15 });
    const v2 = proxyV2('2001:db8::9');
    expect(parseProxyHeader(Buffer.concat([v2, Buffer.from('x')]))).toEqual({ done: true, source: '2001:db8::9', length: v2.length });
    const local = Buffer.from(proxyV2('198.51.100.1'));
    local[12] = 0x20; // LOCAL: a health check
    expect(parseProxyHeader(local)).toMatchObject({ source: null });
  });

  it('waits for the rest of a header split across packets', () => {
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 203.0'))).toEqual({ done: false });
    expect(parseProxyHeader(proxyV2('198.51.100.1').subarray(0, 20))).toEqual({ done: false });
    expect(parseProxyHeader(Buffer.from('PRO'))).toEqual({ done: false });
  });

  it('throws a ProxyHeaderError (kind proxy_header) for each way a header is wrong', () => {
    const bad = [
      'GET / HTTP/1.1\r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n',
      'PROXY TCP4 ::1 5.6.7.8 1 2\r\n',
      'PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n',
      `PROXY ${'x'.repeat(120)}`,
    ];
    for (const text of bad) {
      let error: unknown = null;
      try {
        parseProxyHeader(Buffer.from(text));
      } catch (caught) {
        error = caught;
      }
      expect(error, text).toBeInstanceOf(ProxyHeaderError);
      expect((error as ProxyHeaderError).kind).toBe('proxy_header');
    }
    const version3 = Buffer.from(proxyV2('1.2.3.4'));
    version3[12] = 0x31;
    expect(() => parseProxyHeader(version3)).toThrow(/version 3/);
    const unix = Buffer.from(proxyV2('1.2.3.4'));
    unix[13] = 0x31;
    expect(() => parseProxyHeader(unix)).toThrow(/address family 3/);
  });

  it('a player is only taken for a gateway on a whole signature', () => {
    expect(carriesProxyHeader(Buffer.from('P'))).toBe(false);
    expect(carriesProxyHeader(Buffer.from('PROXY TCP4'))).toBe(true);
    expect(carriesProxyHeader(proxyV2('1.2.3.4'))).toBe(true);
    expect(carriesProxyHeader(Buffer.from('look\r\n'))).toBe(false);
  });
});
