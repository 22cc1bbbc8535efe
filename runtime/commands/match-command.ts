/**
 * Recognizes a bot command in a message: the whole text (surrounding whitespace aside) is one
 * of the bot's `commands`, compared without regard to case. On Telegram `/cmd@botusername`
 * also matches when the username is this bot's; a command addressed to another bot in a
 * group is not this bot's. A command followed by more text is an ordinary message.
 */
import type { ResolvedCommand } from '../config/snapshot.js';

export interface MatchedCommand {
  /** The configured command, lowercase with its `/`. */
  name: string;
  command: ResolvedCommand;
}

export interface MatchCommandOptions {
  /** Telegram only: the bot's username (without `@`), so `/cmd@username` matches. */
  botUsername?: string;
}

/** The command `text` invokes, or null when it is not exactly one of `commands`. */
export function matchCommand(text: string, commands: ReadonlyMap<string, ResolvedCommand>, opts: MatchCommandOptions = {}): MatchedCommand | null {
  if (commands.size === 0) return null;
  const trimmed = text.trim();
  if (!trimmed.startsWith('/') || /\s/.test(trimmed)) return null;
  let name = trimmed.toLowerCase();
  const at = name.indexOf('@');
  if (at >= 0) {
    const username = opts.botUsername?.toLowerCase();
    if (username === undefined || name.slice(at + 1) !== username) return null;
    name = name.slice(0, at);
  }
  const command = commands.get(name);
  return command ? { name, command } : null;
}
