/**
 * `type: openai` streamed replies (Chat Completions with `stream: true` and
 * `stream_options.include_usage`): `chat.completion.chunk` objects whose
 * `choices[0].delta.content` carries the text, a chunk with `finish_reason`, a last chunk
 * with empty `choices` and the `usage`, then `data: [DONE]`. A mid-stream `{error}` object
 * is an in-band error.
 */
import { isRecord, maskKeys, shorten } from './parts.js';
import { eventJson, finishText, type SseEvent, type StreamState, type StreamStep } from './stream-step.js';

/** Pure: one Chat Completions stream event → one step (model, finish_reason, usage, refusal go to `state`). */
export function parseOpenAIStreamEvent(event: SseEvent, state: StreamState): StreamStep {
  const data = event.data.trim();
  if (data === '[DONE]') return { type: 'done', done: {} };
  const chunk = eventJson(data);
  if (!isRecord(chunk)) return { type: 'invalid', reason: 'invalid_json', message: `a stream chunk is not a JSON object: ${shorten(data, 80)}` };
  if (chunk.error !== undefined) {
    const err = isRecord(chunk.error) ? chunk.error : {};
    const code = typeof err.code === 'string' ? err.code : typeof err.type === 'string' ? err.type : undefined;
    const text = typeof err.message === 'string' ? maskKeys(shorten(err.message, 240)) : 'no message';
    return { type: 'error', message: `OpenAI stream error${code ? ` (${code})` : ''}: ${text}` };
  }
  if (typeof chunk.model === 'string') state.metadata.model = chunk.model;
  if (isRecord(chunk.usage)) state.metadata.usage = chunk.usage;
  const choice = Array.isArray(chunk.choices) ? (chunk.choices[0] as unknown) : undefined;
  if (!isRecord(choice)) return { type: 'ignore' };
  if (typeof choice.finish_reason === 'string') state.metadata.finish_reason = choice.finish_reason;
  const delta = isRecord(choice.delta) ? choice.delta : undefined;
  if (delta && typeof delta.refusal === 'string') state.metadata.refusal = `${typeof state.metadata.refusal === 'string' ? state.metadata.refusal : ''}${delta.refusal}`;
  // Role-only and finish chunks carry no content: an empty delta, never a first token.
  return delta && typeof delta.content === 'string' ? { type: 'delta', text: delta.content } : { type: 'ignore' };
}

/** Pure: the final reply of a Chat Completions stream (text + model, finish_reason, usage). */
export function finishOpenAIStream(text: string, _done: unknown, state: StreamState): ReturnType<typeof finishText> {
  const finish = typeof state.metadata.finish_reason === 'string' ? ` (finish_reason ${state.metadata.finish_reason})` : '';
  const refusal = typeof state.metadata.refusal === 'string' ? `; the model refused: ${shorten(state.metadata.refusal, 200)}` : '';
  return finishText(text, state, `${finish}${refusal}`);
}
