/**
 * Prometheus metrics (prom-client), one registry per server so tests can run several
 * runtimes in one process. Served at GET /metrics. The per-message ones are FastCounter /
 * FastHistogram (runtime/fast-metrics.ts): same exposition, no label hashing per message.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { FastCounter, FastHistogram } from './fast-metrics.js';

export interface Metrics {
  registry: Registry;
  httpRequests: FastCounter<'route' | 'status'>;
  httpDuration: FastHistogram<'route'>;
  messages: FastCounter<'bot' | 'channel' | 'outcome'>;
  webhookAttempts: FastCounter<'bot' | 'integration' | 'outcome'>;
  webhookLatency: FastHistogram<'bot' | 'integration'>;
  fallbacks: FastCounter<'bot' | 'integration'>;
  reloads: Counter<'outcome'>;
  configValid: Gauge;
  configProblems: Gauge;
  storeUp: Gauge;
  storeErrors: Counter<'operation'>;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'switchboard_' });
  const registers = [registry];
  const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
  return {
    registry,
    httpRequests: new FastCounter({ name: 'switchboard_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers }),
    httpDuration: new FastHistogram({ name: 'switchboard_http_request_duration_seconds', help: 'HTTP request duration by route', labelNames: ['route'], buckets: latencyBuckets, registers }),
    messages: new FastCounter({ name: 'switchboard_messages_total', help: 'Messages processed by bot, channel and outcome (answered | fallback_message)', labelNames: ['bot', 'channel', 'outcome'], registers }),
    webhookAttempts: new FastCounter({ name: 'switchboard_webhook_attempts_total', help: 'Webhook attempts by bot, integration and outcome (ok | unreachable | timeout | http_status | bad_reply | blocked)', labelNames: ['bot', 'integration', 'outcome'], registers }),
    webhookLatency: new FastHistogram({ name: 'switchboard_webhook_latency_seconds', help: 'Webhook attempt latency by bot and integration', labelNames: ['bot', 'integration'], buckets: latencyBuckets, registers }),
    fallbacks: new FastCounter({ name: 'switchboard_fallbacks_total', help: 'Fallback integrations used, by bot and the integration that served', labelNames: ['bot', 'integration'], registers }),
    reloads: new Counter({ name: 'switchboard_config_reloads_total', help: 'Config reloads by outcome (ok | invalid | unchanged | error)', labelNames: ['outcome'], registers }),
    configValid: new Gauge({ name: 'switchboard_config_last_reload_valid', help: '1 when the last config reload was valid, 0 when the runtime keeps serving an older snapshot', registers }),
    configProblems: new Gauge({ name: 'switchboard_config_problems', help: 'Problems found by the last config reload', registers }),
    storeUp: new Gauge({ name: 'switchboard_store_up', help: '1 when the history store answers, 0 during an outage (messages are answered without history)', registers }),
    storeErrors: new Counter({ name: 'switchboard_store_errors_total', help: 'History store operations that failed, by operation', labelNames: ['operation'], registers }),
  };
}
