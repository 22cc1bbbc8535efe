/**
 * Reads how many users a running runtime has assigned to each integration of a bot, from its
 * admin route `GET /bots/:bot/stats` (token from `SWITCHBOARD_ADMIN_TOKEN`). The token is sent,
 * never printed; failures become one clear {@link StatsError} naming the URL.
 */
import { request } from 'undici';
import type { BotTraffic } from './traffic.js';
import { willMove } from './traffic.js';

/** The runtime could not be asked: unreachable, refused the token, or answered nonsense. */
export class StatsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StatsError';
  }
}

const TIMEOUT_MS = 10_000;

/** Assignments per integration of `bot`; an empty map when the runtime does not know the bot. */
export async function fetchAssignments(baseUrl: string, bot: string, token: string | undefined): Promise<Map<string, number>> {
  let url: URL;
  try {
    url = new URL(`bots/${encodeURIComponent(bot)}/stats`, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  } catch {
    throw new StatsError(`--stats ${JSON.stringify(baseUrl)} is not a valid URL`);
  }
  const where = `${url.origin}${url.pathname}`;
  let res;
  try {
    res = await request(url, {
      method: 'GET',
      headers: token ? { authorization: `Bearer ${token}`, accept: 'application/json' } : { accept: 'application/json' },
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new StatsError(`cannot reach the runtime at ${where}: ${code}`, { cause: err });
  }
  const text = await res.body.text();
  if (res.statusCode === 401) {
    throw new StatsError(
      `the runtime at ${where} refused the admin token (401): ${token ? 'SWITCHBOARD_ADMIN_TOKEN is not the token the runtime expects' : 'set SWITCHBOARD_ADMIN_TOKEN'}`,
    );
  }
  // A bot the runtime does not serve yet has no users.
  if (res.statusCode === 404) return new Map();
  if (res.statusCode < 200 || res.statusCode >= 300) throw new StatsError(`the runtime at ${where} answered ${res.statusCode}`);
  let body: { integrations?: Array<{ name?: unknown; assignments?: unknown }> };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new StatsError(`the runtime at ${where} did not answer JSON`);
  }
  const out = new Map<string, number>();
  for (const i of body.integrations ?? []) {
    if (typeof i.name === 'string' && typeof i.assignments === 'number') out.set(i.name, i.assignments);
  }
  return out;
}

/** Adds `assigned` and `moving` to every integration of every bot (one request per bot). */
export async function addAssignments(traffic: BotTraffic[], baseUrl: string, token: string | undefined): Promise<void> {
  for (const t of traffic) {
    const assigned = await fetchAssignments(baseUrl, t.bot, token);
    for (const i of t.integrations) {
      i.assigned = assigned.get(i.name) ?? 0;
      i.moving = willMove(i) ? i.assigned : 0;
    }
  }
}
