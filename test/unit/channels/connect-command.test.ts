import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/channels/conversation/commands.js';

describe('/connect parsing', () => {
  it('reads the overview, a code, the yes/no of a request and an unlink', () => {
    expect(parseCommand('/connect')).toEqual({ ok: true, command: { name: 'connect', action: 'show' } });
    expect(parseCommand('connect abcd2345')).toEqual({ ok: true, command: { name: 'connect', action: 'code', code: 'abcd2345' } });
    expect(parseCommand('/connect yes 65f0c0ffee0000000000abcd')).toEqual({
      ok: true,
      command: { name: 'connect', action: 'yes', requestId: '65f0c0ffee0000000000abcd' },
    });
    expect(parseCommand('/connect NO 65f0c0ffee0000000000abcd')).toMatchObject({ ok: true, command: { action: 'no' } });
    expect(parseCommand('/connect unlink 65f0c0ffee0000000000abcd')).toMatchObject({ ok: true, command: { action: 'unlink' } });
  });

  it('answers anything else with the usage line', () => {
    expect(parseCommand('/connect ABCD 2345 X')).toEqual({ ok: false, reason: 'usage', command: 'connect' });
    expect(parseCommand('/connect yes')).toEqual({ ok: true, command: { name: 'connect', action: 'code', code: 'yes' } });
    expect(parseCommand('/connect unlink a b')).toEqual({ ok: false, reason: 'usage', command: 'connect' });
  });
});
