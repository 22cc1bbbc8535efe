import { describe, expect, it } from 'vitest';
import { classifyError, failureErrorCode } from '../../runtime/webhook/classify.js';
import { BlockedAddressError } from '../../runtime/webhook/guarded-dispatcher.js';

describe('classifyError', () => {
  const err = (code: string) => Object.assign(new Error(`x ${code}`), { code });
  it('classifies by code along the cause chain', () => {
    expect(classifyError(err('ECONNREFUSED'), false, 1000)).toEqual({ failure: 'unreachable', message: 'connection refused (ECONNREFUSED)' });
    expect(classifyError(new Error('wrapped', { cause: err('ENOTFOUND') }), false, 1000)).toEqual({
      failure: 'unreachable',
      message: 'the host name could not be resolved (ENOTFOUND)',
    });
    expect(classifyError(err('CERT_HAS_EXPIRED'), false, 1000)).toEqual({ failure: 'unreachable', message: 'TLS handshake failed (CERT_HAS_EXPIRED)' });
    expect(classifyError(err('ERR_TLS_CERT_ALTNAME_INVALID'), false, 1000).message).toBe('TLS handshake failed (ERR_TLS_CERT_ALTNAME_INVALID)');
    expect(classifyError(err('UND_ERR_SOCKET'), false, 1000).message).toBe('the connection was closed before a complete reply (UND_ERR_SOCKET)');
    expect(classifyError(err('UND_ERR_CONNECT_TIMEOUT'), false, 1000)).toEqual({ failure: 'timeout', message: 'no complete reply within 1000 ms' });
    expect(classifyError(err('UND_ERR_ABORTED'), true, 250)).toEqual({ failure: 'timeout', message: 'no complete reply within 250 ms' });
    expect(classifyError(new BlockedAddressError('h.example', '10.0.0.1'), false, 1000).failure).toBe('blocked');
  });
  it('maps failure classes to coded errors', () => {
    expect(failureErrorCode('unreachable')).toBe('SWB_ERR_WEBHOOK_UNREACHABLE');
    expect(failureErrorCode('timeout')).toBe('SWB_ERR_WEBHOOK_TIMEOUT');
    expect(failureErrorCode('http_status')).toBe('SWB_ERR_WEBHOOK_HTTP_STATUS');
    expect(failureErrorCode('bad_reply')).toBe('SWB_ERR_WEBHOOK_BAD_REPLY');
    expect(failureErrorCode('blocked')).toBe('SWB_ERR_WEBHOOK_BLOCKED');
  });
});
