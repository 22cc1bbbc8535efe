import { describe, expect, it } from 'vitest';
import { cleanSlackText, slackAttachments, triageSlackEvent } from '../../runtime/channels/slack-event.js';
import { escapeSlackText, slackLink } from '../../runtime/channels/slack-send.js';

const sign = (f: { ref: string; name: string; mimeType: string }) => `https://x/files/${encodeURIComponent(f.ref)}`;

describe('triageSlackEvent', () => {
  const base = { type: 'event_callback', event_id: 'Ev1', authorizations: [{ user_id: 'UB' }] };

  it('starts a conversation at the message ts, or keeps the thread', () => {
    expect(triageSlackEvent({ ...base, event: { type: 'message', channel_type: 'im', channel: 'D1', user: 'U1', text: 'hi', ts: '1.1' } })).toMatchObject({
      kind: 'candidate',
      eventId: 'Ev1',
      conversationId: 'D1:1.1',
      selfUserId: 'UB',
    });
    expect(triageSlackEvent({ ...base, event: { type: 'app_mention', channel: 'C1', user: 'U1', text: '<@UB> hi', ts: '2.2', thread_ts: '1.0' } })).toMatchObject({ conversationId: 'C1:1.0' });
  });

  it('says why it ignores an event', () => {
    expect(triageSlackEvent({ ...base, event: { type: 'message', channel_type: 'im', subtype: 'message_changed', channel: 'D1', ts: '1' } })).toEqual({ kind: 'ignore', reason: 'subtype message_changed' });
    expect(triageSlackEvent({ ...base, event: { type: 'message', channel_type: 'channel', channel: 'C1', user: 'U1', text: 'x', ts: '1' } })).toEqual({ kind: 'ignore', reason: 'event message in channel' });
    expect(triageSlackEvent({ ...base, event: { type: 'message', channel_type: 'im', channel: 'D1', user: 'UB', text: 'x', ts: '1' } })).toEqual({ kind: 'ignore', reason: 'own message' });
    expect(triageSlackEvent({ ...base, event: { type: 'app_mention', channel: 'C1', user: 'U1', bot_id: 'B2', text: 'x', ts: '1' } })).toEqual({ kind: 'ignore', reason: 'message from a bot' });
    expect(triageSlackEvent({ type: 'event_callback', event: {} })).toEqual({ kind: 'ignore', reason: 'malformed event_callback' });
  });
});

describe('cleanSlackText', () => {
  it('removes only the bot mention and decodes Slack escapes', () => {
    expect(cleanSlackText('<@UB> is 1 &lt; 2 &amp;&amp; 3 &gt; 2? ask <@UALICE>', 'UB', true)).toBe('is 1 < 2 && 3 > 2? ask <@UALICE>');
    expect(cleanSlackText('hi <@UB|switchboard> there', 'UB', true)).toBe('hi there');
  });

  it('removes a leading mention when the bot id is unknown, and keeps a mention-only text', () => {
    expect(cleanSlackText('<@U0BOT> hello', undefined, true)).toBe('hello');
    expect(cleanSlackText('<@U0BOT> hello', undefined, false)).toBe('<@U0BOT> hello');
    expect(cleanSlackText('<@UB>', 'UB', true)).toBe('<@UB>');
  });
});

describe('slackAttachments', () => {
  it('maps MIME types, prefers url_private, falls back to id:, skips tombstones', () => {
    expect(
      slackAttachments(
        [
          { id: 'F1', name: 'a.png', mimetype: 'image/png', url_private: 'https://files.slack.com/a.png', url_private_download: 'https://files.slack.com/download/a.png' },
          { id: 'F2', title: 'Memo', mimetype: 'audio/webm' },
          { id: 'F3', mode: 'tombstone' },
          { id: 'F4', name: 'v.mp4', mimetype: 'video/mp4', url_private_download: 'https://files.slack.com/download/v.mp4' },
        ],
        sign,
      ),
    ).toEqual([
      { type: 'image', url: sign({ ref: 'https://files.slack.com/a.png', name: '', mimeType: '' }), name: 'a.png', mimeType: 'image/png' },
      { type: 'audio', url: 'https://x/files/id%3AF2', name: 'Memo', mimeType: 'audio/webm' },
      { type: 'video', url: sign({ ref: 'https://files.slack.com/download/v.mp4', name: '', mimeType: '' }), name: 'v.mp4', mimeType: 'video/mp4' },
    ]);
  });
});

describe('slack text helpers', () => {
  it('escapes mrkdwn control characters and builds safe links', () => {
    expect(escapeSlackText('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
    expect(slackLink({ url: 'https://x/y?a=1|2>', name: 'r|p<t' })).toBe('<https://x/y?a=1%7C2%3E|r¦p&lt;t>');
    expect(slackLink({ url: 'https://x/z' })).toBe('<https://x/z>');
  });
});

describe('triageSlackEvent with badly typed fields', () => {
  const dm = { type: 'message', channel_type: 'im', channel: 'D1', user: 'U1', text: 'hi', ts: '1.1' };

  it('reads authorizations: [null] as no known bot id', () => {
    expect(triageSlackEvent({ type: 'event_callback', event_id: 'Ev9', authorizations: [null], event: dm })).toEqual({ kind: 'candidate', eventId: 'Ev9', event: dm, conversationId: 'D1:1.1' });
    expect(triageSlackEvent({ type: 'event_callback', event_id: 'Ev9', authorizations: 'x', event: dm })).toMatchObject({ kind: 'candidate' });
  });

  it('drops null and mistyped files, keeping the good ones', () => {
    const t = triageSlackEvent({ ...base(), event: { ...dm, subtype: 'file_share', files: [null, 5, { id: 'F1', name: 'a.png', mimetype: { x: 1 }, url_private: 'https://f/a' }] } });
    if (t.kind !== 'candidate') throw new Error(`ignored: ${t.reason}`);
    expect(slackAttachments(t.event.files, sign)).toEqual([{ type: 'file', url: 'https://x/files/https%3A%2F%2Ff%2Fa', name: 'a.png', mimeType: 'application/octet-stream' }]);
  });

  it('drops a numeric text and still ignores bots whatever the bot_id type', () => {
    expect(triageSlackEvent({ ...base(), event: { ...dm, text: 42 } })).toEqual({ kind: 'ignore', reason: 'no text or files' });
    expect(triageSlackEvent({ ...base(), event: { ...dm, bot_id: 7 } })).toEqual({ kind: 'ignore', reason: 'message from a bot' });
    expect(triageSlackEvent({ ...base(), event: { ...dm, subtype: 3 } })).toEqual({ kind: 'ignore', reason: 'subtype 3' });
  });
});

function base(): Record<string, unknown> {
  return { type: 'event_callback', event_id: 'Ev1', authorizations: [{ user_id: 'UB' }] };
}
