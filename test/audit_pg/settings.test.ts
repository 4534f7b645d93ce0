import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { pgError } from '../../server/audit/pg_conn.ts';
import { redactUrl, scrubbed } from '../../server/audit/pg_redact.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';

/** No PostgreSQL needed: the URL handling and the settings. */
describe('PostgreSQL audit settings and the password', () => {
  it('redactUrl hides the password in every shape of URL', () => {
    expect(redactUrl('postgres://mud:s3cret@db.example:5432/audit')).toBe('postgres://mud:***@db.example:5432/audit');
    expect(redactUrl('postgresql://mud:p%40ss%2Fw@db/audit?sslmode=require')).toBe('postgresql://mud:***@db/audit?sslmode=require');
    expect(redactUrl('postgres://db/audit?user=mud&password=s3cret')).toBe('postgres://db/audit?user=mud&password=***');
    expect(redactUrl('postgres://mud@db/audit')).toBe('postgres://mud@db/audit');
    // Unescaped '#' or '/' in the password: the URL parser would misread it, so all the user part goes.
    expect(redactUrl('postgres://mud:pa#ss@db/audit')).toBe('postgres://***@db/audit');
    expect(redactUrl('postgres://mud:pa/ss:w@rd@db/audit')).not.toMatch(/pa\/ss|ss:w|w@rd/);
    expect(redactUrl('postgres://mud:1234#ss@db/audit')).toBe('postgres://***@db/audit');
    expect(redactUrl('postgres://mud:12?cd@db/audit')).toBe('postgres://***@db/audit');
    expect(redactUrl('not a url with s3cret')).not.toContain('s3cret');
  });

  it('scrubbed() and pgError() remove the password in any form from a message', () => {
    const url = 'postgres://mud:p%40ss-W0rd@db/audit';
    const text = `failed for ${url}: p@ss-W0rd / p%40ss-W0rd`;
    expect(scrubbed(text, url)).toBe('failed for postgres://mud:***@db/audit: *** / ***');
    const e = pgError(Object.assign(new Error(`boom ${url} p@ss-W0rd`), { code: '28P01', detail: 'p@ss-W0rd' }), url, 'connecting');
    expect(e.message).toBe('PostgreSQL postgres://mud:***@db/audit: connecting: boom postgres://mud:***@db/audit ***');
    expect(e.code).toBe('28P01');
    expect(JSON.stringify(e)).not.toContain('W0rd');
    // A malformed URL whose password pieces could surface as a host or a database name.
    const bad = 'postgres://mud:abcd/efgh?ijkl@db/audit';
    expect(scrubbed('getaddrinfo ENOTFOUND mud; database "efgh?ijkl@db/audit"; abcd', bad)).not.toMatch(/abcd|efgh|ijkl/);
  });

  it('MUD_AUDIT_PG_URL, MUD_SERVER_ID and MUD_AUDIT_READ, with their defaults', () => {
    expect(loadConfig({}, '/srv/mud').audit).toMatchObject({ pgUrl: null, serverId: os.hostname(), read: 'table' });
    const url = 'postgres://mud:s3cret@db:5432/audit';
    expect(loadConfig({ MUD_AUDIT_PG_URL: url, MUD_SERVER_ID: 'game-2', MUD_AUDIT_READ: 'pg' }, '/srv/mud').audit).toMatchObject({ pgUrl: url, serverId: 'game-2', read: 'pg' });
    expect(loadConfig({ MUD_AUDIT_PG_URL: '' }, '/srv/mud').audit?.pgUrl).toBeNull();
  });

  it('refuses MUD_AUDIT_READ=pg without a URL, and bad values, with clear messages that never show the password', () => {
    const err = (env: Record<string, string>) => {
      try {
        loadConfig(env, '/srv/mud');
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('no ConfigError');
    };
    expect(err({ MUD_AUDIT_READ: 'pg' })).toBe(
      'MUD_AUDIT_READ=pg reads the audit trail from PostgreSQL, but MUD_AUDIT_PG_URL is not set: set it, or MUD_AUDIT_READ=table',
    );
    expect(err({ MUD_AUDIT_READ: 'mysql' })).toBe('MUD_AUDIT_READ="mysql" should be table or pg');
    const bad = err({ MUD_AUDIT_PG_URL: 'mysql://mud:s3cret@db/audit' });
    expect(bad).toMatch(/^MUD_AUDIT_PG_URL=mysql:\/\/mud:\*\*\*@db\/audit should look like postgres:\/\//);
    expect(err({ MUD_SERVER_ID: ' ' })).toMatch(/^MUD_SERVER_ID=/);
  });
});
