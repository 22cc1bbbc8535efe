/**
 * The immutable, fully resolved configuration the runtime serves from. Built by the loader
 * once per change; read once per message, so a reload cannot tear a message in flight.
 */
import type { IntegrationType, ReplyFormat, Stickiness } from '../../schema/config.js';

/** How much a problem matters: errors fail validation; warnings and notes do not. */
export type Severity = 'error' | 'warning' | 'note';

/** A located config problem. `file` is relative to the working directory; line/column 1-based. */
export interface Problem {
  file: string;
  line: number;
  column: number;
  rule: string;
  message: string;
  /** Absent means `error`. */
  severity?: Severity;
}

export interface SourceLocation {
  file: string;
  line: number;
}

export interface ResolvedIntegration {
  name: string;
  type: IntegrationType;
  /** Required except for echo. */
  url?: string;
  /** Env references resolved. */
  headers: Readonly<Record<string, string>>;
  /** Deadline of the whole attempt, stream included. */
  timeoutMs: number;
  /** Ask for a streamed reply (`stream: true`); absent means false. */
  stream?: boolean;
  /** Streaming: from sending the request to the first non-empty text delta; absent means `timeoutMs`. */
  firstTokenTimeoutMs?: number;
  /** Streaming: longest gap between two text deltas; absent means `timeoutMs`. */
  idleTimeoutMs?: number;
  model?: string;
  maxTokens?: number;
  temperature?: number;
  /** Resolved `whsec_…` secrets, newest first as written. Empty: unsigned. */
  signingSecrets: readonly string[];
  source: SourceLocation;
}

export interface ResolvedBot {
  name: string;
  displayName: string;
  systemPrompt?: string;
  contextWindow: number;
  channels: {
    http?: { token?: string };
    telegram?: { token: string; secretToken: string; apiUrl: string };
    slack?: { botToken: string; signingSecret: string; apiUrl: string };
  };
  integrations: ReadonlyArray<{ name: string; weight: number; fallback: boolean }>;
  stickiness: Stickiness;
  fallbackMessage: string;
  /** Per-user limit (bot + platform + user id); absent: unlimited. */
  rateLimit?: ResolvedRateLimit;
  /** Command (lowercase, with its `/`) → what the runtime answers; empty when none. */
  commands: ReadonlyMap<string, ResolvedCommand>;
  /** How long a conversation's history is kept after its last message. */
  historyTtlMs: number;
  format: ReplyFormat;
  source: SourceLocation;
}

export interface ResolvedRateLimit {
  messages: number;
  perMs: number;
  /** The notice Telegram and Slack send, at most once per window. */
  message: string;
}

export interface ResolvedCommand {
  reply?: string;
  /** `reset`: clear the conversation's history before replying. */
  action?: 'reset';
}

export interface ConfigSnapshot {
  /**
   * Content revision: 12 hex chars of a sha256 over the set of (relative path, sha256 of
   * content) pairs (XOR-folded so a reload updates it incrementally); the same on every replica.
   */
  revision: string;
  /** HEAD commit when the config dir is inside a git checkout. */
  gitCommit?: string;
  dir: string;
  files: readonly string[];
  loadedAt: Date;
  bots: ReadonlyMap<string, ResolvedBot>;
  integrations: ReadonlyMap<string, ResolvedIntegration>;
  /** Every resolved value that came from an env reference: redacted from logs and errors. */
  secrets: readonly string[];
  allowPrivateNetwork: boolean;
}

export const DEFAULT_RATE_LIMIT_MESSAGE = "You're sending messages faster than I can answer. Please wait a moment and try again.";

export const DEFAULT_FALLBACK_MESSAGE = "Sorry, I can't answer right now. Please try again in a minute.";
