/**
 * `GET /dashboard`: one HTML page served by the runtime (no CDN, no build step) that reads
 * `GET /dashboard/data` every few seconds and draws it with uPlot. uPlot is a runtime
 * dependency and is served straight from the installed package, so there is no vendored
 * copy to keep current and its licence ships with it. The page's own script and style
 * live in `dashboard/` at the package root. Admin auth with a Basic challenge, so a
 * browser prompts for the token (any user name, the token as password); the static assets
 * hold no data and are served without it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ResolvedBot } from '../config/snapshot.js';
import { errorBody, SwitchboardError } from '../core/errors.js';
import { PACKAGE_ROOT, VERSION } from '../core/version.js';
import type { ConfigSource } from './options.js';
import type { Timeline } from '../stats/timeline.js';
import type { StoreHealth } from '../store/store.js';
import { adminGuard } from './admin-auth.js';

export interface DashboardDeps {
  config: ConfigSource;
  adminToken?: string | undefined;
  /** The bot's A/B stats (GET /bots/:bot/stats). */
  readStats?: ((bot: ResolvedBot) => Promise<unknown>) | undefined;
  /** The bot's per-minute timeline of the last `minutes`. */
  readTimeline?: ((bot: ResolvedBot, minutes: number) => Promise<Timeline>) | undefined;
  storeHealth?: () => StoreHealth;
}

interface Asset {
  type: string;
  body: Buffer;
}

/** Page script, style and the chart library, loaded once. */
function loadAssets(): Map<string, Asset> {
  const require = createRequire(import.meta.url);
  const uplot = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`));
  const own = (file: string) => readFileSync(join(PACKAGE_ROOT, 'dashboard', file));
  return new Map<string, Asset>([
    ['index.html', { type: 'text/html; charset=utf-8', body: own('index.html') }],
    ['dashboard.js', { type: 'text/javascript; charset=utf-8', body: own('dashboard.js') }],
    ['dashboard.css', { type: 'text/css; charset=utf-8', body: own('dashboard.css') }],
    ['uPlot.iife.min.js', { type: 'text/javascript; charset=utf-8', body: uplot('uPlot.iife.min.js') }],
    ['uPlot.min.css', { type: 'text/css; charset=utf-8', body: uplot('uPlot.min.css') }],
  ]);
}

/** Same-origin scripts and fetches only; uPlot sets element styles. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Registers `/dashboard`, `/dashboard/assets/:file` and `/dashboard/data` on `app`. */
export function registerDashboardRoutes(app: FastifyInstance, deps: DashboardDeps): void {
  const assets = loadAssets();
  const guard = adminGuard(deps.adminToken, { challenge: true });

  app.get('/dashboard', { onRequest: guard }, async (_req, reply) => {
    const page = assets.get('index.html') as Asset;
    return reply.type(page.type).header('content-security-policy', CSP).header('cache-control', 'no-store').header('x-content-type-options', 'nosniff').send(page.body);
  });

  app.get<{ Params: { file: string } }>('/dashboard/assets/:file', async (req, reply) => {
    const asset = req.params.file === 'index.html' ? undefined : assets.get(req.params.file);
    if (!asset) return reply.code(404).send(errorBody('SWB_ERR_HTTP_NOT_FOUND', `no dashboard asset "${req.params.file}"`));
    return reply.type(asset.type).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(asset.body);
  });

  app.get<{ Querystring: { minutes?: string } }>('/dashboard/data', { onRequest: guard }, async (req, reply) => {
    const minutes = Math.min(Math.max(Number.parseInt(req.query.minutes ?? '', 10) || 1440, 1), 1440);
    const snapshot = deps.config.current();
    const status = deps.config.status?.();
    const bots = await Promise.all(
      [...snapshot.bots.values()].map(async (bot) => {
        try {
          const [stats, timeline] = await Promise.all([deps.readStats?.(bot) ?? null, deps.readTimeline?.(bot, minutes) ?? null]);
          return { name: bot.name, displayName: bot.displayName, stickiness: bot.stickiness, stats, timeline, error: null };
        } catch (err) {
          const message = err instanceof SwitchboardError ? err.message : 'the stats could not be read from the store';
          return { name: bot.name, displayName: bot.displayName, stickiness: bot.stickiness, stats: null, timeline: null, error: message };
        }
      }),
    );
    void reply.header('cache-control', 'no-store');
    return {
      generatedAt: new Date().toISOString(),
      version: VERSION,
      config: {
        revision: snapshot.revision,
        gitCommit: snapshot.gitCommit ?? null,
        files: snapshot.files,
        loadedAt: snapshot.loadedAt.toISOString(),
        lastReloadError: status?.lastReloadError ? { at: status.lastReloadError.at.toISOString(), problems: status.lastReloadError.problems } : null,
        reloads: status?.reloads ?? null,
      },
      store: deps.storeHealth?.() ?? null,
      integrations: [...snapshot.integrations.values()].map((i) => ({ name: i.name, type: i.type })),
      bots,
    };
  });
}
