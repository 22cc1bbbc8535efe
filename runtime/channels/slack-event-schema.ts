/**
 * The parts of a Slack `event_callback` the runtime reads, as lenient zod schemas: a field of
 * the wrong type is dropped (`files: [null]`, `authorizations: [null]`, a numeric `text`)
 * instead of failing the request, and unknown fields are ignored, so an authenticated event
 * never breaks the route.
 */
import { z } from 'zod';
import { lenient, lenientArray } from './lenient-schema.js';

const str = lenient(z.string());

const fileSchema = z.object({
  id: str,
  name: str,
  title: str,
  mimetype: str,
  url_private: str,
  url_private_download: str,
  mode: str,
});

/** A message or app_mention event; the triage checks the fields it requires. */
export const slackEventSchema = z.object({
  type: str,
  subtype: str,
  channel: str,
  channel_type: str,
  user: str,
  text: str,
  ts: str,
  thread_ts: str,
  bot_id: str,
  team: str,
  files: lenientArray(fileSchema),
});

/** The envelope fields the triage reads besides `event`. */
export const slackEnvelopeSchema = z.object({
  event_id: str,
  authorizations: lenientArray(z.object({ user_id: str, is_bot: lenient(z.boolean()) })),
});
