/* Generated from schema/*.ts by `npm run schema`. Do not edit by hand. */
/* Types of the Switchboard webhook contract for webhook implementers. */

/**
 * The JSON body Switchboard POSTs to a custom webhook.
 */
export interface WebhookRequest {
  /**
   * System prompt first (if any), then history, then the current user message last.
   *
   * Items: One message in OpenAI chat format.
   */
  messages: {
    role: "system" | "user" | "assistant";
    /**
     * Text, or a list of parts (OpenAI format).
     */
    content:
      | string
      | (
          | {
              type: "text";
              text: string;
            }
          | {
              type: "image_url";
              image_url: {
                /**
                 * HTTPS URL of the image.
                 */
                url: string;
              };
            }
          | {
              type: "file";
              file: {
                /**
                 * HTTPS URL of the file.
                 */
                url: string;
                name: string;
                mime_type: string;
              };
            }
        )[];
  }[];
  conversation_id: string;
  user: {
    id: string;
    /**
     * The channel name: http, telegram, slack.
     */
    platform: string;
    name?: string;
    username?: string;
  };
  bot: {
    /**
     * The bot document name.
     */
    id: string;
    /**
     * displayName, else name.
     */
    name: string;
  };
  /**
   * Channel details; chat_id is always present.
   */
  metadata: {
    channel: string;
    chat_id: string;
    message_id?: string;
    /**
     * true for requests sent by `switchboard test`.
     */
    test?: boolean;
    [k: string]: unknown | undefined;
  };
  /**
   * Present (true) when the integration has stream: true: the webhook may answer text/event-stream (see WebhookStreamEvent) or plain JSON.
   */
  stream?: true;
}

/**
 * What a custom webhook answers with (2xx, JSON).
 */
export interface WebhookReply {
  /**
   * The reply text. Empty content with no attachments counts as a failed attempt.
   */
  content: string;
  /**
   * Items: A file to send back to the user.
   */
  attachments?: {
    type: "image" | "file" | "audio" | "video";
    url: string;
    name?: string;
    mime_type?: string;
  }[];
  metadata?: {
    [k: string]: unknown | undefined;
  };
}

/**
 * The JSON in the data: line of one event of a streamed (text/event-stream) custom webhook reply; data: [DONE] also ends the reply.
 */
export type WebhookStreamEvent =
  | {
      /**
       * Text appended to the reply; empty deltas are allowed and ignored.
       */
      delta: string;
    }
  | {
      done: true;
      /**
       * When given, the final text: it replaces the assembled deltas.
       */
      content?: string;
      /**
       * Items: A file to send back to the user.
       */
      attachments?: {
        type: "image" | "file" | "audio" | "video";
        url: string;
        name?: string;
        mime_type?: string;
      }[];
      metadata?: {
        [k: string]: unknown | undefined;
      };
    }
  | {
      error: {
        message: string;
      };
    };
