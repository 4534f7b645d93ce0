/**
 * The modes the bench compares: what server each one starts and with which settings. One place
 * for it because the runs (bench/workloads.ts), the seeding (bench/seed_process.ts), the
 * command line (bench/options.ts) and the main loop (bench/run.ts) all ask "is this the game?",
 * "is it audited?".
 */

export type Mode = 'audited' | 'unaudited' | 'echo' | 'fanout' | 'portal' | 'nocp';
export const ALL_MODES: Mode[] = ['audited', 'unaudited', 'echo', 'fanout', 'portal', 'nocp'];
/** The modes that run the game itself (the others are baselines on bare sockets). */
export const isGame = (mode: Mode) => mode === 'audited' || mode === 'unaudited' || mode === 'portal' || mode === 'nocp';
/** The modes whose runs are checked for one command event per command in every sink. */
export const isAudited = (mode: Mode) => mode === 'audited' || mode === 'portal' || mode === 'nocp';
/**
 * `portal`: the audited game as `npm start` runs it, a portal process and a game process over
 * the link, to measure what the link costs against `audited` (one process). Run only when
 * --modes names it; its CPU and memory rows are the portal's alone (the game is its child).
 */
export const BASELINE_SCRIPT: Partial<Record<Mode, string>> = { echo: 'bench/echo_server.ts', fanout: 'bench/fanout_server.ts', portal: 'server/portal/main.ts' };

export const MODE_ENV: Record<Mode, Record<string, string>> = {
  audited: {},
  // Auditing off: plain Characters, and every audit sink off (the command/movement/player logs,
  // the chat and admin logs, the JSONL trail and the audit table; MUD_AUDIT=off alone now turns
  // them all off, the others are spelled out so the mode stays the same if that changes).
  // server.log and portal.log stay on.
  unaudited: {
    MUD_CHARACTER_TYPECLASS: 'typeclasses/character.Character',
    MUD_AUDIT: 'off',
    MUD_CHAT_LOG: 'off',
    MUD_ADMIN_LOG: 'off',
    MUD_AUDIT_JSONL: 'off',
    MUD_AUDIT_TABLE: 'off',
  },
  echo: {},
  fanout: {},
  portal: {},
  // Issue 18's game-thread check: the audited server with the Merkle tree and signatures off.
  nocp: { MUD_AUDIT_CHECKPOINTS: 'off' },
};
