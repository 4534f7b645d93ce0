/**
 * How players reach the game besides plain telnet and http: the TLS telnet listener, HTTPS on the
 * web port, and the PROXY-protocol gateways (HAProxy, a web-to-telnet gateway) whose word on the
 * client's address is believed. `GameConfig.reach`, from the config file's `reach` block and
 * MUD_TLS_PORT / MUD_TLS_CERT / MUD_TLS_KEY / MUD_TLS_SELF_SIGNED / MUD_WEB_TLS / MUD_PROXY_FROM.
 */
import { AddressSet } from './net/address.ts';
import { ConfigError, flag, integer, type Env } from './config_env.ts';

export interface ReachSettings {
  /** The TLS telnet port (4443); the listener runs only when a certificate is configured. */
  tlsPort: number;
  /** PEM certificate (chain) and private key files; both or neither. */
  tlsCert: string | null;
  tlsKey: string | null;
  /** No files given: make a self-signed certificate into the data dir (tls/), once. */
  tlsSelfSigned: boolean;
  /** Serve the web port over HTTPS with the same certificate. */
  webTls: boolean;
  /** Addresses and CIDR ranges allowed to send a PROXY header (and NEW-ENVIRON IPADDRESS). */
  proxyFrom: string[];
}

export const DEFAULT_REACH: Readonly<ReachSettings> = {
  tlsPort: 4443,
  tlsCert: null,
  tlsKey: null,
  tlsSelfSigned: false,
  webTls: false,
  proxyFrom: [],
};

/** A certificate is configured (files, or a self-signed one), so TLS can be served. */
export function tlsConfigured(reach: ReachSettings): boolean {
  return (reach.tlsCert !== null && reach.tlsKey !== null) || reach.tlsSelfSigned;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

export function reachConfig(env: Env, file: Partial<ReachSettings> | undefined): ReachSettings {
  const base = { ...DEFAULT_REACH, ...file };
  const settings: ReachSettings = {
    tlsPort: integer(env, 'MUD_TLS_PORT', base.tlsPort, { min: 0, max: 65535 }),
    tlsCert: env.MUD_TLS_CERT !== undefined ? text(env.MUD_TLS_CERT) : text(base.tlsCert),
    tlsKey: env.MUD_TLS_KEY !== undefined ? text(env.MUD_TLS_KEY) : text(base.tlsKey),
    tlsSelfSigned: flag(env, 'MUD_TLS_SELF_SIGNED', base.tlsSelfSigned === true),
    webTls: flag(env, 'MUD_WEB_TLS', base.webTls === true),
    proxyFrom:
      env.MUD_PROXY_FROM !== undefined
        ? env.MUD_PROXY_FROM.split(',').map((s) => s.trim()).filter(Boolean)
        : Array.isArray(base.proxyFrom)
          ? base.proxyFrom.map(String)
          : [],
  };
  if ((settings.tlsCert === null) !== (settings.tlsKey === null)) {
    throw new ConfigError('MUD_TLS_CERT and MUD_TLS_KEY go together: give both files (PEM), or neither');
  }
  if (settings.webTls && !tlsConfigured(settings)) {
    throw new ConfigError('MUD_WEB_TLS=on needs a certificate: set MUD_TLS_CERT and MUD_TLS_KEY, or MUD_TLS_SELF_SIGNED=on');
  }
  try {
    new AddressSet(settings.proxyFrom);
  } catch (error) {
    throw new ConfigError(`MUD_PROXY_FROM: ${(error as Error).message}`);
  }
  return settings;
}
