/**
 * W3C trace-context ids and the `traceparent` header, without the SDK: what propagation
 * needs when no exporter is configured (a new span id per webhook request, a new trace id
 * when none came in). Ids are cut from a pooled random buffer: one getrandom per 256 ids.
 */
import { randomBytes } from 'node:crypto';
import { isSpanContextValid, TraceFlags, type SpanContext } from '@opentelemetry/api';

const POOL_IDS = 256;
let pool = Buffer.alloc(0);
let offset = 0;

function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(16 * POOL_IDS);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  // All-zero ids are invalid in W3C trace context; 2^-64 odds, but cheap to rule out.
  return /^0+$/.test(hex) ? randomHex(bytes) : hex;
}

/** A new 16-byte trace id (32 lowercase hex digits). */
export const newTraceId = (): string => randomHex(16);
/** A new 8-byte span id (16 lowercase hex digits). */
export const newSpanId = (): string => randomHex(8);

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * Parses a W3C `traceparent` header value; undefined when absent or malformed (version
 * ff, all-zero ids, a version-00 header with trailing data), so the caller starts a new trace.
 */
export function parseTraceparent(value: string | string[] | undefined): SpanContext | undefined {
  if (typeof value !== 'string' || value.length > 512) return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  const ctx: SpanContext = { traceId, spanId, traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
  return isSpanContextValid(ctx) ? ctx : undefined;
}

/** The `traceparent` header value of a span context (version 00). */
export function formatTraceparent(ctx: SpanContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.traceFlags & TraceFlags.SAMPLED ? '01' : '00'}`;
}
