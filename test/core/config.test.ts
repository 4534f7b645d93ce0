import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

const CWD = '/srv/mud';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({}, CWD);
    expect(config).toMatchObject({
      host: '0.0.0.0',
      telnetPort: 4000,
      webPort: 4001,
      dataDir: path.join(CWD, 'data'),
      logDir: path.join(CWD, 'logs'),
      defaultCharacterTypeclass: 'typeclasses/audited_character.AuditedCharacter',
      loginIdleTimeoutMs: 600_000,
    });
    expect(config.logs).toMatchObject({ audit: true, admin: true, chat: true, auditMaxBytes: 10 * 1024 * 1024, auditKeep: 50, dailyKeep: 30, fileMode: 0o600, dirMode: 0o700 });
    expect(config.audit).toMatchObject({ jsonl: true, table: true, retentionDays: 90 });
    expect(config.admin).toMatchObject({ enabled: true, metrics: 'loopback', metricsToken: '' });
  });

  it('reads the environment, and MUD_AUDIT=off turns every audit trail off unless one is set on', () => {
    const config = loadConfig({ MUD_TELNET_PORT: '0', MUD_HOST: '127.0.0.1', MUD_AUDIT: 'off', MUD_AUDIT_TABLE: 'on', MUD_LOG_FILE_MODE: '640' }, CWD);
    expect(config.telnetPort).toBe(0);
    expect(config.host).toBe('127.0.0.1');
    expect(config.logs).toMatchObject({ audit: false, admin: false, chat: false, server: true, portal: true, fileMode: 0o640 });
    expect(config.audit).toMatchObject({ jsonl: false, table: true });
    expect(loadConfig({ MUD_METRICS: 'open', MUD_ADMIN_CONSOLE: 'off' }, CWD).admin).toMatchObject({ enabled: false, metrics: 'open' });
  });

  it('names the variable and what it expects when a value is wrong', () => {
    expect(() => loadConfig({ MUD_WEB_PORT: '70000' }, CWD)).toThrow(new ConfigError('MUD_WEB_PORT="70000" is not a whole number from 0 to 65535'));
    expect(() => loadConfig({ MUD_AUDIT: 'maybe' }, CWD)).toThrow('MUD_AUDIT="maybe" should be on or off');
    expect(() => loadConfig({ MUD_CONFIG: '/nonexistent/mud.json' }, CWD)).toThrow(/Cannot read config file \/nonexistent\/mud.json/);
    expect(() => loadConfig({ MUD_METRICS: 'everyone' }, CWD)).toThrow(new ConfigError('MUD_METRICS (admin.metrics) should be "loopback", "open" or "off"'));
  });
});
