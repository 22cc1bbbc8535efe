/**
 * The provider side of a streamed reply: one server-sent event in, one step out. Each
 * provider that can stream supplies a pair of pure functions (`parseEvent`, `finish`); the
 * webhook client does the reading, the deadlines and the size cap.
 */
import type { BadReplyReason, ParseResult } from './provider.js';

/** One parsed server-sent event: `event` is undefined when the server named none. */
export interface SseEvent {
  event?: string | undefined;
  data: string;
}

/** What the stream said so far besides text (model, finish/stop reason, usage), kept across events. */
export interface StreamState {
  metadata: Record<string, unknown>;
}

/** The end of a stream as the backend declared it; `content`, when given, replaces the assembled deltas. */
export interface StreamDone {
  content?: string;
  attachments?: unknown;
  metadata?: unknown;
}

/** What one event means. Empty `text` deltas are allowed and never count as a first token. */
export type StreamStep =
  | { type: 'delta'; text: string }
  | { type: 'done'; done: StreamDone }
  | { type: 'error'; message: string }
  | { type: 'ignore' }
  | { type: 'invalid'; message: string; reason: BadReplyReason };

/** A provider's streaming half: pure and synchronous; `state` is the only thing they change. */
export interface StreamCodec {
  /** One event → one step; may record metadata in `state`. */
  parseEvent(event: SseEvent, state: StreamState): StreamStep;
  /** The assembled text, the `done` step and the state → the final reply (validated like a JSON reply). */
  finish(text: string, done: StreamDone, state: StreamState): ParseResult;
}

/** Shared by the providers: a reply from plain text and state, empty text being a bad reply. */
export function finishText(text: string, state: StreamState, what: string): ParseResult {
  if (text.trim() === '') return { ok: false, reason: 'empty', message: `the stream ended without text${what}` };
  return { ok: true, reply: { content: text, metadata: { ...state.metadata } } };
}

/** JSON.parse of an event's data, or null when it is not JSON. */
export function eventJson(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return null;
  }
}
