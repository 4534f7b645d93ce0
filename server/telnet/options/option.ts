/**
 * What one telnet option module describes, and what the connection lends it.
 *
 * A module is a static description (code, the sides we offer, the sides we
 * agree to) plus `attach`, which is called once per connection and returns
 * the hooks that hold that connection's per-option state in their closure.
 * The RFC 1143 state itself stays in OptionNegotiator: modules only answer
 * "may this side be enabled?" and react to "this side changed".
 */
import type { Side } from '../negotiation.ts';
import type { TelnetConnectionEvents } from '../types.ts';

/** Connection fields the options fill in; TelnetConnection exposes them publicly. */
export interface ClientState {
  width: number;
  height: number;
  clientName: string | null;
  terminalTypes: string[];
  mtts: number | null;
  ansi: boolean;
  /** What the client said of itself over NEW-ENVIRON (MNES names: CLIENT_NAME, …). */
  environ: Record<string, string>;
}

/** The connection as the option modules see it. */
export interface OptionHost {
  readonly client: ClientState;
  /** MSSP table from TelnetConnectionOptions, if any. */
  readonly mssp: (() => Record<string, string | string[]>) | undefined;
  /** Queue bytes on the connection's one output pipeline (covered by the output cap). */
  send(frame: Buffer): void;
  /** Emit to game listeners; a throwing listener closes only this connection. */
  emit<K extends keyof TelnetConnectionEvents>(event: K, ...args: TelnetConnectionEvents[K]): void;
  isLocal(opt: number): boolean;
  isRemote(opt: number): boolean;
  /** Switch both directions between UTF-8 and Latin-1. */
  setUtf8(on: boolean): void;
  startCompression(): void;
  stopCompression(): void;
  /** The connection came from a MUD_PROXY_FROM gateway, whose IPADDRESS is believed. */
  readonly fromGateway: boolean;
  /** The client has said what it will say of itself (NEW-ENVIRON answered or refused). */
  environSettled(): void;
}

/** Per-connection reactions of one option; all optional. */
export interface OptionHooks {
  /** A side of this option became enabled or disabled (after any reply went out). */
  changed?(side: Side, enabled: boolean): void;
  /** Body of IAC SB <code> ... IAC SE, IAC IAC already collapsed. */
  subnegotiation?(body: Buffer): void;
  /** The client refused a side we asked for. */
  refused?(side: Side): void;
}

export interface TelnetOption {
  readonly code: number;
  /** Sides we ask for when the connection starts: local = IAC WILL, remote = IAC DO. */
  readonly offer: readonly Side[];
  /** Sides we agree to when the client asks: local on DO, remote on WILL. Others are refused. */
  readonly accept: readonly Side[];
  /** Whether this connection supports the option at all (default: yes). */
  available?(host: OptionHost): boolean;
  attach?(host: OptionHost): OptionHooks;
}

/** Longest client-supplied name we keep (TTYPE, GMCP client, charset). */
export const MAX_NAME_LENGTH = 64;

/** Printable ASCII only, trimmed and length-capped: these strings end up in logs. */
export function cleanName(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '').trim().slice(0, MAX_NAME_LENGTH);
}
