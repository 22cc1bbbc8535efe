import { describe, expect, it } from 'vitest';
import { isEnvFlagOn } from '../../runtime/core/env-flag.js';

describe('isEnvFlagOn', () => {
  it.each(['1', 'true', 'TRUE', 'True', 'yes', 'YES', ' yes '])('accepts %j', (v) => expect(isEnvFlagOn(v)).toBe(true));
  it.each([undefined, '', '0', 'false', 'no', 'on', 'y', '2', 'truthy'])('rejects %j', (v) => expect(isEnvFlagOn(v)).toBe(false));
});
