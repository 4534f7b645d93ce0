import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../server/audit/events.ts';
import { describe as lineOf } from '../../server/audit/sinks/text_lines.ts';
import { REFUSAL_LOG_EVERY_MS, Staff } from '../../server/staff/staff.ts';
import { ObjectStore, StaffStore } from '../../server/store/index.ts';
import { tempDir } from '../support/temp_dir.ts';

/**
 * The refusals of a banned address, on a clock the test moves: one line a minute per address,
 * and the line after the minute says how many were refused without a line of their own.
 */
describe('refused connections of a banned address', () => {
  let store: ObjectStore | undefined;
  afterEach(() => store?.close());

  it('are logged once a minute, the next line counting the refusals in between', () => {
    store = new ObjectStore(path.join(tempDir(), 'game.sqlite3'));
    let now = Date.parse('2026-03-01T12:00:00Z');
    const events: AuditEvent[] = [];
    const staff = new Staff(new StaffStore(store.db), store, { emit: (event) => events.push(event) }, () => now);
    const ban = store.unitOfWork(() => staff.ban('address', '10.0.0.0/8', 'spam bots', 'Root', null));
    const lines = () => events.map((event) => lineOf(event)?.message);

    expect(staff.refuseConnection('10.1.2.3', 'telnet')).toMatch(/^Your address is banned/);
    now += 1_000;
    expect(staff.refuseConnection('10.1.2.3', 'telnet')).toMatch(/^Your address is banned/);
    now += REFUSAL_LOG_EVERY_MS - 1_001; // the last millisecond of the minute
    expect(staff.refuseConnection('10.1.2.3', 'telnet')).toMatch(/^Your address is banned/);
    expect(lines()).toEqual([`AUDIT BANNED: from 10.1.2.3 via telnet (address ban #${ban.id} on '10.0.0.0/8'; 0 more refused in the minute before)`]);

    now += 1; // a minute after the line
    staff.refuseConnection('10.1.2.3', 'telnet');
    expect(lines().slice(1)).toEqual([`AUDIT BANNED: from 10.1.2.3 via telnet (address ban #${ban.id} on '10.0.0.0/8'; 2 more refused in the minute before)`]);
    expect(events.map((event) => event.payload.refused_before)).toEqual([0, 2]);
  });
});
