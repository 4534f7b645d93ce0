/** Telnet protocol layer: public surface for the rest of the server. */
export { TelnetConnection } from './connection.ts';
export {
  DEFAULT_LIMITS,
  type TelnetLimits,
  type TelnetConnectionOptions,
  type TelnetConnectionEvents,
} from './types.ts';
export { TelnetParser, type TelnetEvent } from './parser.ts';
export { LineSplitter, sanitizeLine, type LineResult } from './lines.ts';
export { OptionNegotiator, Q, type NegotiationPolicy, type QState, type Side } from './negotiation.ts';
export { encodeText, escapeIac, stripSgr, toNvtNewlines } from './encode.ts';
export * from './constants.ts';
