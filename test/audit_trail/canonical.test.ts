import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, GENESIS_HASH } from '../../server/audit/canonical.ts';
import { auditEvent } from '../../server/audit/events.ts';
import { listTrailFiles } from '../../server/audit/jsonl_files.ts';
import { verifyTrail } from '../../server/audit/verify.ts';
import { startGame } from '../support/game.ts';
import { auditDir, readTable, readTrail } from './helpers.ts';

/** Player text that has broken JSON canonicalisation elsewhere. */
const NASTY = ['\u0000\u001f\u007f\u0080\u009f', 'line\nbreak\r\n\t', '\u2028\u2029', 'quote " backslash \\ slash /', '\ud83d\ude00 emoji', 'lone \ud800 surrogate', 'lone \udfff low', 'é vs e\u0301', '{"seq":1,"hash":"x"}'];

describe('canonical JSON', () => {
  it('is JSON.stringify with keys sorted at every depth, and survives a parse', () => {
    const value = { b: 1, a: { d: [3, { z: undefined, y: 'x', fn: () => 1 }], c: null }, when: new Date(0), n: [-0, 0.1, 1e21, 5e-324, undefined], s: NASTY };
    const sortedDeep = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(sortedDeep) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortedDeep((v as Record<string, unknown>)[k])])) : v;
    const text = canonicalJson(value);
    expect(text).toBe(JSON.stringify(sortedDeep(JSON.parse(JSON.stringify(value)))));
    expect(text.startsWith('{"a":{"c":null,"d":[3,{"y":"x"}]},"b":1,"n":[0,0.1,1e+21,5e-324,null],"s":[')).toBe(true);
    expect(canonicalJson(JSON.parse(text))).toBe(text);
    expect(chainHash(GENESIS_HASH, '{}')).toMatch(/^[0-9a-f]{64}$/);
    expect(() => canonicalJson({ big: 1n })).toThrow(TypeError);
  });

  it('lets hostile player text through both sinks unchanged, and the chain still verifies', async () => {
    const run = await startGame();
    try {
      const actor = { account: 'mallory', character: 'mallory', session_id: null, protocol: null, remote_addr: null };
      for (const text of NASTY) run.game.audit.emit(auditEvent('say', actor, { location: text, payload: { text, [text]: text, nested: { list: [text, 1.5, null] } } }));
      await run.game.auditTrail.flush();
      const said = readTrail(run.config.logDir).filter((r) => r.event_type === 'say');
      expect(said.map((r) => r.payload.text)).toEqual(NASTY);
      expect(said.map((r) => r.location)).toEqual(NASTY);
      expect((await readTable(run.game)).filter((e) => e.event_type === 'say').map((e) => e.payload)).toEqual(said.map((r) => r.payload));
      const files = listTrailFiles(auditDir(run.config.logDir));
      // One record per line, and no raw control character from player text reached the file.
      const lines = fs.readFileSync(path.join(auditDir(run.config.logDir), 'audit.jsonl'), 'utf8').split('\n');
      expect(lines.filter(Boolean)).toHaveLength(said.length);
      expect(lines.join('')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      expect(lines[0]).toContain(String.raw`"\u0000\u001f\u007f\u0080\u009f"`);
      expect((await verifyTrail(files)).intact).toBe(true);
    } finally {
      await run.stop();
    }
  });
});
