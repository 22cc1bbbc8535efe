/**
 * `type: custom` streaming, pure half: the request asks for a stream, and each event of the
 * custom SSE format maps to one step (the schema that webhook implementers get agrees).
 */
import { describe, expect, it } from 'vitest';
import { webhookRequestSchema, webhookStreamEventSchema } from '../../schema/webhook.js';
import type { WebhookRequest } from '../../runtime/core/message.js';
import { customProvider, finishCustomStream } from '../../runtime/providers/custom.js';
import { parseCustomStreamEvent } from '../../runtime/providers/custom-stream.js';
import { integration } from '../helpers/snapshot.js';

const payload: WebhookRequest = {
  messages: [{ role: 'user', content: 'hi' }],
  conversation_id: 'c',
  user: { id: 'u', platform: 'http' },
  bot: { id: 'b', name: 'B' },
  metadata: { channel: 'http', chat_id: 'c' },
};

describe('custom provider, streaming', () => {
  it('adds "stream": true and the Accept header only when stream: true', () => {
    const streamed = customProvider.buildRequest(payload, integration('x', { stream: true }));
    expect(JSON.parse(streamed.body)).toEqual({ ...payload, stream: true });
    expect(webhookRequestSchema.safeParse(JSON.parse(streamed.body)).success).toBe(true);
    expect(streamed.headers).toEqual({ Accept: 'text/event-stream, application/json' });
    const plain = customProvider.buildRequest(payload, integration('x'));
    expect(plain.body).toBe(JSON.stringify(payload));
    expect(plain.headers).toEqual({});
  });

  it('maps every event of the format to its step', () => {
    const cases: Array<[{ event?: string; data: string }, unknown]> = [
      [{ data: '{"delta":"Hi"}' }, { type: 'delta', text: 'Hi' }],
      [{ event: 'delta', data: '{"delta":""}' }, { type: 'delta', text: '' }],
      [{ data: '{"done":true}' }, { type: 'done', done: {} }],
      [{ event: 'done', data: '{"done":true,"content":"X","metadata":{"a":1}}' }, { type: 'done', done: { content: 'X', metadata: { a: 1 } } }],
      [{ data: '[DONE]' }, { type: 'done', done: {} }],
      [{ data: '{"error":{"message":"nope"}}' }, { type: 'error', message: 'the webhook sent an error event: nope' }],
      [{ event: 'error', data: '{"error":"plain"}' }, { type: 'error', message: 'the webhook sent an error event: plain' }],
      [{ event: 'progress', data: 'anything' }, { type: 'ignore' }],
      [{ data: '{"role":"assistant"}' }, { type: 'ignore' }],
      [{ data: '{"delta":5}' }, { type: 'invalid', reason: 'invalid_shape', message: 'a stream event\'s "delta" is not a string' }],
      [{ data: '{"done":true,"content":1}' }, { type: 'invalid', reason: 'invalid_shape', message: 'the done event\'s "content" is not a string' }],
    ];
    for (const [event, step] of cases) expect(parseCustomStreamEvent(event), event.data).toEqual(step);
    expect(parseCustomStreamEvent({ data: 'oops' })).toMatchObject({ type: 'invalid', reason: 'invalid_json' });
  });

  it('agrees with the published event schema', () => {
    for (const data of ['{"delta":"a"}', '{"done":true,"content":"b"}', '{"error":{"message":"c"}}']) {
      expect(webhookStreamEventSchema.safeParse(JSON.parse(data)).success, data).toBe(true);
      expect(parseCustomStreamEvent({ data }).type).not.toBe('invalid');
    }
  });

  it('finishes with the assembled text unless done carries content; empty is a bad reply', () => {
    expect(finishCustomStream('ab', {})).toEqual({ ok: true, reply: { content: 'ab' } });
    expect(finishCustomStream('ab', { content: 'final' })).toEqual({ ok: true, reply: { content: 'final' } });
    expect(finishCustomStream('', {})).toMatchObject({ ok: false, reason: 'empty' });
    expect(finishCustomStream('', { attachments: [{ type: 'image', url: 'https://x/y.png' }] })).toMatchObject({ ok: true });
    expect(finishCustomStream('x', { attachments: [{ type: 'nope' }] })).toMatchObject({ ok: false, reason: 'invalid_shape' });
  });
});
