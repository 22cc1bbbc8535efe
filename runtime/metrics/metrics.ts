/**
 * Prometheus metrics (prom-client), one registry per server so tests can run several
 * runtimes in one process. Served at GET /metrics. The per-message ones are FastCounter /
 * FastHistogram (runtime/fast-metrics.ts): same exposition, no label hashing per message.
 * The process and Node.js default metrics keep their standard names (`process_*`,
 * `nodejs_*`) so stock dashboards work. No label carries a user or chat id.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { VERSION } from '../core/version.js';
import { FastCounter, FastHistogram } from './fast-metrics.js';

export interface Metrics {
  registry: Registry;
  httpRequests: FastCounter<'route' | 'status'>;
  httpDuration: FastHistogram<'route'>;
  messages: FastCounter<'bot' | 'channel' | 'outcome'>;
  webhookAttempts: FastCounter<'bot' | 'integration' | 'role' | 'outcome'>;
  webhookLatency: FastHistogram<'bot' | 'integration'>;
  fallbacks: FastCounter<'bot' | 'integration'>;
  attachmentsDropped: Counter<'bot' | 'scheme'>;
  reloads: Counter<'outcome'>;
  configValid: Gauge;
  configProblems: Gauge;
  storeUp: Gauge;
  storeErrors: Counter<'operation'>;
  buildInfo: Gauge<'version'>;
  configInfo: Gauge<'revision'>;
  rateLimitErrors: Counter;
}

export interface MetricsOptions {
  /** Process and Node.js default metrics (default true). */
  defaultMetrics?: boolean;
  /** The revision of the config being served, read at every scrape for switchboard_config_info. */
  revision?: () => string | undefined;
}

/** Creates the registry and every runtime metric on it. */
export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const revision = opts.revision;
  const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
  return {
    registry,
    httpRequests: new FastCounter({ name: 'switchboard_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers }),
    httpDuration: new FastHistogram({ name: 'switchboard_http_request_duration_seconds', help: 'HTTP request duration by route', labelNames: ['route'], buckets: latencyBuckets, registers }),
    messages: new FastCounter({ name: 'switchboard_messages_total', help: 'Messages processed by bot, channel and outcome (answered | fallback_message | rate_limited | command | interrupted | cancelled)', labelNames: ['bot', 'channel', 'outcome'], registers }),
    webhookAttempts: new FastCounter({ name: 'switchboard_webhook_attempts_total', help: 'Webhook attempts by bot, integration, role (primary | fallback) and outcome (ok | unreachable | timeout | http_status | bad_reply | blocked)', labelNames: ['bot', 'integration', 'role', 'outcome'], registers }),
    webhookLatency: new FastHistogram({ name: 'switchboard_webhook_latency_seconds', help: 'Webhook attempt latency by bot and integration', labelNames: ['bot', 'integration'], buckets: latencyBuckets, registers }),
    attachmentsDropped: new Counter({ name: 'switchboard_reply_attachments_dropped_total', help: 'Reply attachments not delivered because of their URL scheme, by bot and scheme (http | file | data | javascript | ftp | blob | other | invalid)', labelNames: ['bot', 'scheme'], registers }),
    fallbacks: new FastCounter({ name: 'switchboard_fallbacks_total', help: 'Fallback integrations used, by bot and the integration that served', labelNames: ['bot', 'integration'], registers }),
    reloads: new Counter({ name: 'switchboard_config_reloads_total', help: 'Config reloads by outcome (ok | invalid | unchanged | error)', labelNames: ['outcome'], registers }),
    configValid: new Gauge({ name: 'switchboard_config_last_reload_valid', help: '1 when the last config reload was valid, 0 when the runtime keeps serving an older snapshot', registers }),
    configProblems: new Gauge({ name: 'switchboard_config_problems', help: 'Problems found by the last config reload', registers }),
    storeUp: new Gauge({ name: 'switchboard_store_up', help: '1 when the history store answers, 0 during an outage (messages are answered without history)', registers }),
    rateLimitErrors: new Counter({ name: 'switchboard_rate_limit_errors_total', help: 'Rate-limit checks that failed (Redis unreachable); each such message was let through', registers }),
    storeErrors: new Counter({ name: 'switchboard_store_errors_total', help: 'History store operations that failed, by operation', labelNames: ['operation'], registers }),
    buildInfo: buildInfo(registers),
    configInfo: new Gauge({
      name: 'switchboard_config_info',
      help: 'Always 1; the revision label is the config revision this replica serves (replicas on different revisions show up as several series)',
      labelNames: ['revision'],
      registers,
      collect() {
        const current = revision?.();
        this.reset();
        if (current) this.set({ revision: current }, 1);
      },
    }),
  };
}

function buildInfo(registers: Registry[]): Gauge<'version'> {
  const gauge = new Gauge({ name: 'switchboard_build_info', help: 'Always 1; the version label is the Switchboard package version', labelNames: ['version'], registers });
  gauge.set({ version: VERSION }, 1);
  return gauge;
}
