/**
 * Parsers for incoming subnegotiation bodies now live with their option
 * under options/; re-exported here for existing callers. All of them are
 * total: malformed input returns null, never throws.
 */
export { cleanName, MAX_NAME_LENGTH } from './options/option.ts';
export { parseNaws } from './options/naws.ts';
export { parseMtts, parseTtypeIs } from './options/ttype.ts';
export { answerCharsetRequest, isUtf8Name, parseCharset, type CharsetMessage } from './options/charset.ts';
export { parseGmcp } from './options/gmcp.ts';
