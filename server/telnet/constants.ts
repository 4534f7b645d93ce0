/**
 * Telnet command and option codes.
 *
 * Commands: RFC 854 (NVT, IAC and the command bytes), RFC 885 (EOR command).
 * Options: each constant names the RFC or community spec that defines it.
 * Plain `const` objects rather than `enum`s so the values are ordinary numbers
 * that work the same under tsx/esbuild and tsc.
 */

/** RFC 854 command bytes (the byte that follows IAC). */
export const CMD = {
  /** RFC 885: End of record, used by MUD clients to mark the end of a prompt. */
  EOR: 239,
  /** End of subnegotiation parameters. */
  SE: 240,
  NOP: 241,
  /** Data mark (Synch). */
  DM: 242,
  BRK: 243,
  /** Interrupt process. */
  IP: 244,
  /** Abort output. */
  AO: 245,
  /** Are you there. */
  AYT: 246,
  /** Erase character. */
  EC: 247,
  /** Erase line. */
  EL: 248,
  /** Go ahead: the classic "prompt finished" marker. */
  GA: 249,
  /** Start of subnegotiation. */
  SB: 250,
  WILL: 251,
  WONT: 252,
  DO: 253,
  DONT: 254,
  /** Interpret as command; doubled (IAC IAC) it is a literal 0xFF data byte. */
  IAC: 255,
} as const;

export const IAC = CMD.IAC;
export const WILL = CMD.WILL;
export const WONT = CMD.WONT;
export const DO = CMD.DO;
export const DONT = CMD.DONT;
export const SB = CMD.SB;
export const SE = CMD.SE;
export const GA = CMD.GA;
export const EOR_CMD = CMD.EOR;

/** Negotiation verbs (the bytes that are followed by an option byte). */
export type NegotiationVerb = typeof WILL | typeof WONT | typeof DO | typeof DONT;

export function isNegotiationVerb(b: number): b is NegotiationVerb {
  return b === WILL || b === WONT || b === DO || b === DONT;
}

/** Option codes. */
export const OPT = {
  /** RFC 856: 8-bit clean transmission. */
  BINARY: 0,
  /** RFC 857: the side that is WILL ECHO echoes; used to hide passwords. */
  ECHO: 1,
  /** RFC 858: suppress go-ahead. */
  SGA: 3,
  /** RFC 1091: terminal type; MTTS extends it (https://tintin.mudhalla.net/protocols/mtts/). */
  TTYPE: 24,
  /** RFC 885: end of record. */
  EOR: 25,
  /** RFC 1073: negotiate about window size. */
  NAWS: 31,
  /** RFC 1572: environment variables; MNES names the MUD ones (https://tintin.mudhalla.net/protocols/mnes/). */
  NEW_ENVIRON: 39,
  /** RFC 1184: linemode (never accepted; listed for logging/tests). */
  LINEMODE: 34,
  /** RFC 2066: character set negotiation. */
  CHARSET: 42,
  /** MUD Server Status Protocol (https://tintin.mudhalla.net/protocols/mssp/). */
  MSSP: 70,
  /** MUD Client Compression Protocol v2 (https://tintin.mudhalla.net/protocols/mccp/). */
  MCCP2: 86,
  /** Generic MUD Communication Protocol (https://tintin.mudhalla.net/protocols/gmcp/). */
  GMCP: 201,
} as const;

/** RFC 1091 TTYPE subnegotiation codes. */
export const TTYPE_IS = 0;
export const TTYPE_SEND = 1;

/** RFC 2066 CHARSET subnegotiation codes. */
export const CHARSET_REQUEST = 1;
export const CHARSET_ACCEPTED = 2;
export const CHARSET_REJECTED = 3;
export const CHARSET_TTABLE_IS = 4;
export const CHARSET_TTABLE_REJECTED = 5;

/** RFC 1572 NEW-ENVIRON subnegotiation codes. */
export const ENVIRON = { IS: 0, SEND: 1, INFO: 2, VAR: 0, VALUE: 1, ESC: 2, USERVAR: 3 } as const;

/** MSSP subnegotiation markers. */
export const MSSP_VAR = 1;
export const MSSP_VAL = 2;

/**
 * MTTS bit values (https://tintin.mudhalla.net/protocols/mtts/).
 * Only the ones this layer acts on are named.
 */
export const MTTS = {
  ANSI: 1,
  VT100: 2,
  UTF8: 4,
  COLORS_256: 8,
  MOUSE_TRACKING: 16,
  OSC_COLOR_PALETTE: 32,
  SCREEN_READER: 64,
  PROXY: 128,
  TRUECOLOR: 256,
  MNES: 512,
  MSLP: 1024,
  SSL: 2048,
} as const;

const OPTION_NAMES = new Map<number, string>(
  Object.entries(OPT).map(([name, code]) => [code, name]),
);

/** Human-readable option name for logs, e.g. `NAWS` or `OPT 99`. */
export function optionName(opt: number): string {
  return OPTION_NAMES.get(opt) ?? `OPT ${opt}`;
}
