/**
 * Attachments travel on the wire (channel bodies, webhook replies) with `mime_type` and
 * inside the runtime with `mimeType`: the two mappers below are the only place they flip.
 */
import type { Attachment } from './message.js';

/** An attachment as the webhook contract and the HTTP channel spell it. */
export interface WireAttachment {
  type: string;
  url: string;
  name?: string;
  mime_type?: string;
}

/** Wire → runtime (empty `name` / `mime_type` are dropped). */
export function attachmentFromWire(a: WireAttachment): Attachment {
  return { type: a.type, url: a.url, ...(a.name ? { name: a.name } : {}), ...(a.mime_type ? { mimeType: a.mime_type } : {}) };
}

/** Runtime → wire (empty `name` / `mimeType` are dropped). */
export function attachmentToWire(a: Attachment): WireAttachment {
  return { type: a.type, url: a.url, ...(a.name ? { name: a.name } : {}), ...(a.mimeType ? { mime_type: a.mimeType } : {}) };
}
