import { describe, expect, it } from 'vitest';
import { logApiError } from '../../runtime/channels/log-api-error.js';
import { tokenRedactor } from '../../runtime/channels/channel-api.js';
import { captureLogger } from './channel-test-context.js';

const source = { channel: 'telegram' as const, platform: 'Telegram', redact: tokenRedactor('123:SECRET') };

describe('logApiError', () => {
  it('logs the platform error fields when the API answered', () => {
    const { log, lines } = captureLogger();
    logApiError(log, source, 'sendMessage', new Error('ignored'), { error_code: 400, description: 'Bad Request: chat not found' });
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([{ level: 40, channel: 'telegram', method: 'sendMessage', error_code: 400, description: 'Bad Request: chat not found', msg: 'Telegram API error' }]);
    expect(JSON.parse(lines[0] as string)).not.toHaveProperty('error');
  });

  it('logs the redacted message of any other failure', () => {
    const { log, lines } = captureLogger();
    logApiError(log, { ...source, channel: 'slack', platform: 'Slack' }, 'auth.test', new Error('connect ECONNREFUSED http://x/bot123:SECRET/getMe'), undefined);
    logApiError(log, source, 'getMe', 'plain 123:SECRET', undefined);
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { level: 40, channel: 'slack', method: 'auth.test', error: 'connect ECONNREFUSED http://x/bot[REDACTED]/getMe', msg: 'Slack API call failed' },
      { level: 40, channel: 'telegram', method: 'getMe', error: 'plain [REDACTED]', msg: 'Telegram API call failed' },
    ]);
    expect(lines.join('\n')).not.toContain('SECRET');
  });
});
