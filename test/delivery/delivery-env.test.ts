/** The delivery env variables: defaults, accepted forms, and errors naming the variable. */
import { describe, expect, it } from 'vitest';
import { deliveryLeaseFromEnv, deliveryModeFromEnv, shutdownGraceFromEnv } from '../../runtime/delivery/delivery-env.js';

describe('delivery env', () => {
  it('defaults to a 30 s lease, a 25 s grace and durable delivery', () => {
    expect(deliveryLeaseFromEnv({})).toBe(30_000);
    expect(shutdownGraceFromEnv({})).toBe(25_000);
    expect(deliveryModeFromEnv({})).toBe('durable');
  });

  it('reads durations like config durations, and a bare number as seconds', () => {
    expect(deliveryLeaseFromEnv({ SWITCHBOARD_DELIVERY_LEASE: '2s' })).toBe(2000);
    expect(deliveryLeaseFromEnv({ SWITCHBOARD_DELIVERY_LEASE: '1500ms' })).toBe(1500);
    expect(deliveryLeaseFromEnv({ SWITCHBOARD_DELIVERY_LEASE: '45' })).toBe(45_000);
    expect(shutdownGraceFromEnv({ SWITCHBOARD_SHUTDOWN_GRACE: '0' })).toBe(0);
    expect(shutdownGraceFromEnv({ SWITCHBOARD_SHUTDOWN_GRACE: '1m' })).toBe(60_000);
    expect(deliveryModeFromEnv({ SWITCHBOARD_DELIVERY: 'in-process' })).toBe('in-process');
  });

  it('rejects bad values with a message naming the variable', () => {
    expect(() => deliveryLeaseFromEnv({ SWITCHBOARD_DELIVERY_LEASE: 'soon' })).toThrow(/SWITCHBOARD_DELIVERY_LEASE must be a duration.*"soon"/);
    expect(() => deliveryLeaseFromEnv({ SWITCHBOARD_DELIVERY_LEASE: '10ms' })).toThrow(/SWITCHBOARD_DELIVERY_LEASE must be at least 500 ms/);
    expect(() => shutdownGraceFromEnv({ SWITCHBOARD_SHUTDOWN_GRACE: '-1s' })).toThrow(/SWITCHBOARD_SHUTDOWN_GRACE/);
    expect(() => deliveryModeFromEnv({ SWITCHBOARD_DELIVERY: 'redis' })).toThrow(/SWITCHBOARD_DELIVERY must be durable or in-process/);
  });
});
