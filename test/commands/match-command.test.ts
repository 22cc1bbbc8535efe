import { describe, expect, it } from 'vitest';
import { matchCommand } from '../../runtime/commands/match-command.js';
import type { ResolvedCommand } from '../../runtime/config/snapshot.js';

const commands = new Map<string, ResolvedCommand>([
  ['/reset', { action: 'reset', reply: 'Fresh start.' }],
  ['/help', { reply: 'Ask me anything.' }],
]);

describe('matchCommand', () => {
  it.each([
    ['/reset', '/reset'],
    ['  /help\n', '/help'],
    ['/RESET', '/reset'],
    ['/Help', '/help'],
    ['/reset@SupportBot', '/reset'],
    ['/reset@supportbot', '/reset'],
  ])('%j → %s', (text, name) => {
    expect(matchCommand(text, commands, { botUsername: 'SupportBot' })?.name).toBe(name);
  });

  it.each([
    ['/reset now', 'followed by more text'],
    ['please /reset', 'not at the start'],
    ['/start', 'not configured'],
    ['/reset@otherbot', 'addressed to another bot'],
    ['reset', 'no slash'],
    ['/', 'a bare slash'],
    ['', 'empty'],
  ])('%j is not a command (%s)', (text) => {
    expect(matchCommand(text, commands, { botUsername: 'supportbot' })).toBeNull();
  });

  it('without a known username, /cmd@anything does not match', () => {
    expect(matchCommand('/reset@supportbot', commands)).toBeNull();
  });

  it('returns the configured rule', () => {
    expect(matchCommand('/reset', commands)).toEqual({ name: '/reset', command: { action: 'reset', reply: 'Fresh start.' } });
    expect(matchCommand('/reset', new Map())).toBeNull();
  });
});
