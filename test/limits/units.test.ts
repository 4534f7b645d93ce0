import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { DEFAULT_LIMITS } from '../../server/config_limits.ts';
import { AddressSet, addressKey, normaliseAddress } from '../../server/net/address.ts';
import { AddressLimits } from '../../server/sessions/address_limits.ts';
import { FloodReporter, type Flood } from '../../server/sessions/flood_report.ts';

describe('addresses as the limits compare them', () => {
  it('counts IPv4 seen through IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(normaliseAddress('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(normaliseAddress('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(normaliseAddress('fe80::1%eth0')).toBe('fe80::1');
    expect(normaliseAddress(undefined)).toBe('unknown');
    expect(addressKey('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8::/64');
    expect(addressKey('::1')).toBe('::/64');
    expect(addressKey('64:ff9b::1.2.3.4')).toBe('64:ff9b::/64');
  });

  it('matches addresses and CIDR ranges, IPv4 and IPv6, and names a bad entry', () => {
    const set = new AddressSet(['127.0.0.0/8', '::1', '10.1.2.3', '2001:db8::/32']);
    for (const yes of ['127.0.0.1', '127.9.9.9', '::ffff:127.0.0.1', '::1', '10.1.2.3', '::ffff:10.1.2.3', '2001:db8:ffff::7']) expect(set.has(yes), yes).toBe(true);
    for (const no of ['128.0.0.1', '10.1.2.4', '::2', '2001:db9::1', 'unknown', '']) expect(set.has(no), no).toBe(false);
    expect(new AddressSet([]).has('127.0.0.1')).toBe(false);
    for (const bad of ['localhost', '10.0.0.0/33', '::/129', '1.2.3.4/8/1', '1.2.3.4/x', '1.2.3']) {
      expect(() => new AddressSet([bad])).toThrow(`${JSON.stringify(bad)} is not an address or CIDR range`);
    }
  });
});

describe('the limit settings', () => {
  it('has defaults no person reaches, read from MUD_COMMAND_RATE, MUD_LIMIT_* and MUD_RATE_EXEMPT', () => {
    expect(loadConfig({}, '/nonexistent').limits).toEqual(DEFAULT_LIMITS);
    expect(DEFAULT_LIMITS).toMatchObject({ commandRate: 20, commandBurst: 60, rateExempt: [] });
    const config = loadConfig(
      {
        MUD_COMMAND_RATE: '0',
        MUD_COMMAND_BURST: '10',
        MUD_LIMIT_CONNECTIONS: '5',
        MUD_LIMIT_CONNECTS_PER_MINUTE: '6',
        MUD_LIMIT_LOGIN_SCREEN: '7',
        MUD_LIMIT_ACCOUNTS_PER_HOUR: '8',
        MUD_LIMIT_WEB_SOCKETS: '9',
        MUD_RATE_EXEMPT: ' 127.0.0.1 , 10.0.0.0/8,::1,,',
      },
      '/nonexistent',
    );
    expect(config.limits).toEqual({
      commandRate: 0,
      commandBurst: 10,
      connections: 5,
      connectsPerMinute: 6,
      loginScreen: 7,
      accountsPerHour: 8,
      webSockets: 9,
      rateExempt: ['127.0.0.1', '10.0.0.0/8', '::1'],
    });
    expect(() => loadConfig({ MUD_COMMAND_RATE: '-1' }, '/nonexistent')).toThrow(ConfigError);
    expect(() => loadConfig({ MUD_LIMIT_CONNECTIONS: 'many' }, '/nonexistent')).toThrow('MUD_LIMIT_CONNECTIONS="many" is not a whole number');
    expect(() => loadConfig({ MUD_RATE_EXEMPT: '127.0.0.1,my-proxy' }, '/nonexistent')).toThrow('MUD_RATE_EXEMPT: "my-proxy" is not an address or CIDR range');
  });
});

describe('per-address counting', () => {
  it('spends new connections from a bucket per address, /64 for IPv6, and forgets nothing it still needs', () => {
    let now = 0;
    const limits = new AddressLimits({ ...DEFAULT_LIMITS, connectsPerMinute: 2, rateExempt: ['10.0.0.1'] }, () => now);
    expect(limits.admitConnection('2001:db8::1')).toBeNull();
    expect(limits.admitConnection('2001:db8::2')).toBeNull();
    expect(limits.admitConnection('2001:db8::3')).toEqual({ limit: 'connects_per_minute', max: 2, key: '2001:db8::/64' });
    expect(limits.admitConnection('2001:db8:0:1::1')).toBeNull();
    for (let i = 0; i < 10; i++) expect(limits.admitConnection('10.0.0.1')).toBeNull();
    now += 30_000;
    expect(limits.admitConnection('2001:db8::4')).toBeNull();
    expect(limits.admitConnection('2001:db8::4')).not.toBeNull();
  });
});

describe('flood reports', () => {
  afterEach(() => void vi.useRealTimers());

  it('reports a flood once when it has been quiet, and one that never ends every maxMs', () => {
    vi.useFakeTimers();
    const reports: Array<Flood<string>> = [];
    const floods = new FloodReporter<string>((f) => reports.push(f), { quietMs: 1000, maxMs: 5000 });
    const t0 = Date.now();
    expect(floods.note('a', () => 'first')).toBe(true);
    for (let i = 0; i < 99; i++) expect(floods.note('a', () => 'again')).toBe(false);
    vi.advanceTimersByTime(500);
    expect(reports).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(reports).toEqual([{ info: 'first', refused: 100, startedAt: t0, lastAt: t0 }]);

    // A refusal every 200 ms for 8 s: reported after 5 s, then again once it stops.
    for (let i = 0; i < 40; i++) {
      floods.note('b', () => `b${i}`);
      vi.advanceTimersByTime(200);
    }
    vi.advanceTimersByTime(2000);
    expect(reports.slice(1).map((r) => r.info)).toEqual(['b0', expect.stringMatching(/^b\d+$/)]);
    expect(reports[1]!.refused + reports[2]!.refused).toBe(40);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports a flood at once when its connection ends', () => {
    const reports: Array<Flood<string>> = [];
    const floods = new FloodReporter<string>((f) => reports.push(f));
    floods.note('a', () => 'a');
    floods.end('a');
    floods.end('a');
    expect(reports).toHaveLength(1);
  });
});
