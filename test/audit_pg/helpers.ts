import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canonicalJson, chainHash, GENESIS_HASH, recordLine } from '../../server/audit/canonical.ts';
import type { AuditEvent, AuditEventType } from '../../server/audit/events.ts';
import type { OutboxEvent, SinkReporter } from '../../server/audit/sinks/sink.ts';
import { verifyTrail } from '../../server/audit/verify.ts';
import { afterAll, beforeAll } from 'vitest';
import { requirePostgres, startPgCluster, type PgCluster } from '../support/postgres.ts';

/** The PostgreSQL binaries, or null (the suites skip loudly; CI makes that a failure). */
export const pgBin = requirePostgres('the PostgreSQL audit tests (test/audit_pg)');

const TYPES: AuditEventType[] = ['say', 'login_failed', 'move_arrive', 'get', 'command'];
const BASE = Date.parse('2026-11-20T10:00:00.000Z');

/** Events from..to (inclusive), varied in every column: one a second from BASE. */
export function makeEvents(from: number, to: number, overrides: (seq: number) => Partial<AuditEvent> = () => ({})): OutboxEvent[] {
  const out: OutboxEvent[] = [];
  for (let seq = from; seq <= to; seq++) {
    const event: AuditEvent = {
      ts: new Date(BASE + seq * 1000).toISOString(),
      event_type: TYPES[seq % TYPES.length]!,
      actor: {
        account: seq % 2 ? 'alice' : 'bob',
        character: seq % 2 ? 'Alice' : 'Bob',
        session_id: seq % 3 ? seq % 5 : null,
        protocol: seq % 2 ? 'telnet' : 'websocket',
        remote_addr: seq % 2 ? '10.0.0.1' : '10.0.0.2',
      },
      target: seq % 4 === 0 ? { kind: 'object', id: 100 + seq, name: `Sword ${seq}` } : null,
      location: seq % 3 ? 'Courtyard' : null,
      payload: { text: `hello ${seq} héllo ☃ 😀 "q" \\ \u2028`, nested: { n: seq, f: 0.1 * seq, big: 1e21, arr: [1, 'x', null, true] } },
      success: seq % 7 !== 0,
      ...overrides(seq),
    };
    out.push({ seq, event });
  }
  return out;
}

/**
 * The JSONL chain of these events as the trail writes it (record = canonicalJson({...event,
 * seq}), hash chained from `seed`), in a file that the JSONL verifier must call intact: the
 * hashes PostgreSQL has to match. Returns seq → { hash, prev }.
 */
export async function jsonlChain(events: readonly OutboxEvent[], seed = GENESIS_HASH): Promise<Map<number, { hash: string; prev: string }>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mud-jsonl-'));
  try {
    const file = path.join(dir, 'audit.jsonl');
    const out = new Map<number, { hash: string; prev: string }>();
    let prev = seed;
    const lines: string[] = [];
    for (const { seq, event } of events) {
      const body = canonicalJson({ ...event, seq });
      const hash = chainHash(prev, body);
      lines.push(recordLine(body, hash));
      out.set(seq, { hash, prev });
      prev = hash;
    }
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const verified = await verifyTrail([file]);
    if (!verified.intact) throw new Error(`the reference JSONL chain does not verify: ${verified.broken?.reason}`);
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A reporter that keeps every line (to look for the password in them). */
export function recordingReport(): SinkReporter & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
}

/** Every form of the password that would count as a leak. */
export function leaks(text: string, password: string): boolean {
  return [password, encodeURIComponent(password), Buffer.from(password).toString('base64')].some((p) => text.includes(p));
}

/** One throwaway cluster for the test file: started before its tests, removed after them. */
export function clusterForFile(): { readonly cluster: PgCluster } {
  const holder = { cluster: undefined as unknown as PgCluster };
  beforeAll(async () => {
    holder.cluster = await startPgCluster(pgBin!);
  }, 90_000);
  afterAll(async () => {
    await holder.cluster?.destroy();
  }, 90_000);
  return holder;
}
