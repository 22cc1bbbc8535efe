/**
 * Which reply attachments may reach users. A webhook reply is untrusted: a `file:` URL sent
 * to a self-hosted Telegram Bot API is read from that server's disk, a `javascript:` URL
 * becomes a clickable link in Slack, a `data:` URL carries content nobody checked. Only
 * `https` (and `http` where private networks are allowed, i.e. local development) passes;
 * the rest of the reply is delivered without the dropped ones.
 */
import { attachmentFromWire, type WireAttachment } from '../core/attachments.js';
import type { Attachment } from '../core/message.js';

/** Schemes named in the dropped-attachment metric; anything else counts as `other`. */
const NAMED_SCHEMES = new Set(['http', 'file', 'data', 'javascript', 'ftp', 'blob']);

/** The scheme as the metric labels it (from a URL's `protocol`, empty when it did not parse). */
function schemeLabel(protocol: string): string {
  if (protocol === '') return 'invalid';
  const scheme = protocol.slice(0, -1);
  return NAMED_SCHEMES.has(scheme) ? scheme : 'other';
}

/** The attachments to deliver; `dropped` is called with the scheme label of each one left out. */
export function deliverableAttachments(list: readonly WireAttachment[], allowPrivateNetwork: boolean, dropped: (scheme: string) => void): Attachment[] {
  const out: Attachment[] = [];
  for (const a of list) {
    const protocol = URL.canParse(a.url) ? new URL(a.url).protocol : '';
    if (protocol === 'https:' || (protocol === 'http:' && allowPrivateNetwork)) out.push(attachmentFromWire(a));
    else dropped(schemeLabel(protocol));
  }
  return out;
}
