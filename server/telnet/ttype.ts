/** TTYPE/MTTS cycling lives in options/ttype.ts; re-exported here for existing callers. */
export { MAX_TTYPE_SENDS, MttsTracker, type TtypeStep } from './options/ttype.ts';
