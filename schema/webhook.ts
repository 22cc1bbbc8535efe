/**
 * Zod schemas of the webhook contract (`type: custom`): the JSON body
 * Switchboard POSTs and the reply it accepts. Generated from these:
 * `schema/generated/webhook-request.schema.json`, `webhook-reply.schema.json`,
 * `webhook-stream-event.schema.json` and the TypeScript types in `schema/generated/webhook.ts` that implementers import.
 */
import { z } from 'zod';

export const textPart = z.strictObject({ type: z.literal('text'), text: z.string() }).describe('A text part.');
export const imagePart = z
  .strictObject({ type: z.literal('image_url'), image_url: z.strictObject({ url: z.string().describe('HTTPS URL of the image.') }) })
  .describe('An image, as a URL (OpenAI format).');
export const filePart = z
  .strictObject({
    type: z.literal('file'),
    file: z.strictObject({ url: z.string().describe('HTTPS URL of the file.'), name: z.string(), mime_type: z.string() }),
  })
  .describe('A file the user sent, as a URL.');
export const contentPart = z.discriminatedUnion('type', [textPart, imagePart, filePart]).describe('One part of a multimodal message.');

export const chatMessage = z
  .strictObject({
    role: z.enum(['system', 'user', 'assistant']),
    content: z.union([z.string(), z.array(contentPart)]).describe('Text, or a list of parts (OpenAI format).'),
  })
  .describe('One message in OpenAI chat format.');

export const webhookRequestSchema = z
  .strictObject({
    messages: z.array(chatMessage).describe('System prompt first (if any), then history, then the current user message last.'),
    conversation_id: z.string(),
    user: z.strictObject({
      id: z.string(),
      platform: z.string().describe('The channel name: http, telegram, slack.'),
      name: z.string().optional(),
      username: z.string().optional(),
    }),
    bot: z.strictObject({ id: z.string().describe('The bot document name.'), name: z.string().describe('displayName, else name.') }),
    metadata: z
      .looseObject({
        channel: z.string(),
        chat_id: z.string(),
        message_id: z.string().optional(),
        test: z.boolean().optional().describe('true for requests sent by `switchboard test`.'),
      })
      .describe('Channel details; chat_id is always present.'),
    stream: z
      .literal(true)
      .optional()
      .describe('Present (true) when the integration has stream: true: the webhook may answer text/event-stream (see WebhookStreamEvent) or plain JSON.'),
  })
  .describe('The JSON body Switchboard POSTs to a custom webhook.');

export const replyAttachment = z
  .object({
    type: z.enum(['image', 'file', 'audio', 'video']),
    url: z.string(),
    name: z.string().optional(),
    mime_type: z.string().optional(),
  })
  .describe('A file to send back to the user.');

export const webhookReplySchema = z
  .object({
    content: z.string().describe('The reply text. Empty content with no attachments counts as a failed attempt.'),
    attachments: z.array(replyAttachment).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .describe('What a custom webhook answers with (2xx, JSON).');

export const webhookStreamEventSchema = z
  .union([
    z.object({ delta: z.string().describe('Text appended to the reply; empty deltas are allowed and ignored.') }).describe('A piece of the reply.'),
    z
      .object({
        done: z.literal(true),
        content: z.string().optional().describe('When given, the final text: it replaces the assembled deltas.'),
        attachments: z.array(replyAttachment).optional(),
        metadata: z.record(z.string(), z.unknown()).optional(),
      })
      .describe('The end of the reply.'),
    z.object({ error: z.object({ message: z.string() }) }).describe('Fails the attempt.'),
  ])
  .describe('The JSON in the data: line of one event of a streamed (text/event-stream) custom webhook reply; data: [DONE] also ends the reply.');

export type ContentPart = z.infer<typeof contentPart>;
export type ChatMessage = z.infer<typeof chatMessage>;
export type WebhookRequest = z.infer<typeof webhookRequestSchema>;
export type WebhookReply = z.infer<typeof webhookReplySchema>;
export type ReplyAttachment = z.infer<typeof replyAttachment>;
export type WebhookStreamEvent = z.infer<typeof webhookStreamEventSchema>;
