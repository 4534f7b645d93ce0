import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { tlsConfigured } from '../../server/config_reach.ts';
import { tempDir } from '../support/temp_dir.ts';

const load = (env: Record<string, string>) => loadConfig(env, tempDir());

describe('the reach settings', () => {
  it('default to no TLS and no gateways, port 4443', () => {
    const { reach } = load({});
    expect(reach).toEqual({ tlsPort: 4443, tlsCert: null, tlsKey: null, tlsSelfSigned: false, webTls: false, proxyFrom: [] });
    expect(tlsConfigured(reach)).toBe(false);
  });

  it('read MUD_TLS_*, MUD_WEB_TLS and MUD_PROXY_FROM', () => {
    const { reach } = load({ MUD_TLS_PORT: '992', MUD_TLS_CERT: '/etc/mud/cert.pem', MUD_TLS_KEY: '/etc/mud/key.pem', MUD_WEB_TLS: 'on', MUD_PROXY_FROM: '10.0.0.0/8, ::1' });
    expect(reach).toEqual({ tlsPort: 992, tlsCert: '/etc/mud/cert.pem', tlsKey: '/etc/mud/key.pem', tlsSelfSigned: false, webTls: true, proxyFrom: ['10.0.0.0/8', '::1'] });
    expect(tlsConfigured(reach)).toBe(true);
    expect(tlsConfigured(load({ MUD_TLS_SELF_SIGNED: 'on' }).reach)).toBe(true);
  });

  it('refuse what cannot work, naming the variable', () => {
    expect(() => load({ MUD_TLS_CERT: '/etc/mud/cert.pem' })).toThrow(new ConfigError('MUD_TLS_CERT and MUD_TLS_KEY go together: give both files (PEM), or neither'));
    expect(() => load({ MUD_WEB_TLS: 'on' })).toThrow(/MUD_WEB_TLS=on needs a certificate/);
    expect(() => load({ MUD_PROXY_FROM: '10.0.0.0/8,haproxy.local' })).toThrow(/^MUD_PROXY_FROM: "haproxy.local" is not an address or CIDR range/);
    expect(() => load({ MUD_TLS_PORT: '70000' })).toThrow(/MUD_TLS_PORT="70000" is not a whole number from 0 to 65535/);
    expect(() => load({ MUD_TLS_SELF_SIGNED: 'maybe' })).toThrow(/MUD_TLS_SELF_SIGNED="maybe" should be on or off/);
  });
});
