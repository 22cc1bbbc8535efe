/**
 * The parts of a Telegram `Message` the runtime reads, as a lenient zod schema: required
 * fields (`message_id`, `chat`) must be well formed, every other field is dropped when it has
 * the wrong type (an `entities` string, a `mime_type` object, `[null]` elements), and unknown
 * fields are ignored — so an authenticated update never breaks the route.
 */
import { z } from 'zod';
import { lenient, lenientArray, safeInt } from './lenient-schema.js';

// Anything truthy but the string "false" counts as a bot: a mistyped flag must never let
// the bot answer another bot (or itself).
const isBot = z.unknown().transform((v) => Boolean(v) && v !== 'false').optional();

const userSchema = z.object({
  id: safeInt,
  is_bot: isBot,
  first_name: lenient(z.string()),
  last_name: lenient(z.string()),
  username: lenient(z.string()),
});

const entitySchema = z.object({
  type: z.string(),
  offset: safeInt.nonnegative(),
  length: safeInt.nonnegative(),
  user: lenient(userSchema),
});

const fileSchema = z.object({
  file_id: z.string().min(1),
  file_unique_id: lenient(z.string()),
  file_size: lenient(z.number().nonnegative()),
  file_name: lenient(z.string()),
  mime_type: lenient(z.string()),
  width: lenient(z.number().nonnegative()),
  height: lenient(z.number().nonnegative()),
});

/** A Telegram message as the runtime uses it (see `TgMessage`). */
export const tgMessageSchema = z.object({
  message_id: safeInt,
  message_thread_id: lenient(safeInt),
  is_topic_message: lenient(z.boolean()),
  from: lenient(userSchema),
  chat: z.object({ id: safeInt, type: z.string() }),
  text: lenient(z.string()),
  caption: lenient(z.string()),
  entities: lenientArray(entitySchema),
  caption_entities: lenientArray(entitySchema),
  photo: lenientArray(fileSchema),
  document: lenient(fileSchema),
  audio: lenient(fileSchema),
  voice: lenient(fileSchema),
  video: lenient(fileSchema),
  reply_to_message: lenient(z.object({ from: lenient(userSchema) })),
});
