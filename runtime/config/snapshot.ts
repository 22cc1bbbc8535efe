/**
 * The immutable, fully resolved configuration the runtime serves from. Built by the loader
 * once per change; read once per message, so a reload cannot tear a message in flight.
 */
import type { IntegrationType, Stickiness } from '../../schema/config.js';

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
  timeoutMs: number;
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
  source: SourceLocation;
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

export const DEFAULT_FALLBACK_MESSAGE = "Sorry, I can't answer right now. Please try again in a minute.";
