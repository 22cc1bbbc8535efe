/**
 * Tracing of one message: a span for the inbound message, one per store turn, one per
 * webhook attempt (the GenAI client span) and one for the channel delivery, opened and
 * closed by the pipeline and the server at the arrows between the stages.
 *
 * Propagation always works: an inbound `traceparent` is continued and every webhook
 * request carries one of the same trace with a new span id. Spans are recorded and
 * exported over OTLP/HTTP only when an endpoint is configured; without one the helpers
 * hand out non-recording spans that carry ids and nothing else, so the hot path allocates
 * one small object per span and builds no attributes.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { IntegrationType } from '../../schema/config.js';
import * as sc from './semconv.js';
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent } from './trace-ids.js';
import { usageTokens } from './usage.js';

export type { Span } from '@opentelemetry/api';

/** What the attempt span describes: one request to one integration. */
export interface AttemptSpanInfo {
  bot: string;
  integration: string;
  type: IntegrationType;
  model?: string | undefined;
  conversationId: string;
  role: 'primary' | 'fallback';
}

/** How an attempt ended, as the webhook client reports it (the fields tracing reads). */
export interface AttemptOutcome {
  ok: boolean;
  failure?: string;
  status?: number | undefined;
  /** The reply's metadata; `usage` (OpenAI or Anthropic shape) gives the token counts. */
  metadata?: Record<string, unknown> | undefined;
  message?: string;
}

export interface Tracing {
  /** True when spans are recorded and exported. */
  readonly recording: boolean;
  /** The span of one inbound message, continuing the request's `traceparent` when valid. */
  startInboundSpan(headers: Readonly<Record<string, string | string[] | undefined>>, attrs: { channel: string; bot: string; requestId?: string }): Span;
  /** A store round trip (`begin_turn`, `end_turn`) under `parent`. */
  startStoreSpan(parent: Span, name: string): Span;
  /** One webhook attempt (kind CLIENT, `chat {model}` or `chat {integration}`) under `parent`. */
  startAttemptSpan(parent: Span, info: AttemptSpanInfo): Span;
  /** Records the outcome (status, usage tokens, `error.type`) and ends the attempt span. */
  endAttemptSpan(span: Span, outcome: AttemptOutcome): void;
  /** The channel's delivery of the reply under `parent`. */
  startDeliverySpan(parent: Span, channel: string): Span;
  /** Exports what is buffered (tests, shutdown). */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** `OTEL_EXPORTER_OTLP_ENDPOINT` (base URL; `/v1/traces` is appended) — unset: no export. */
  endpoint?: string | undefined;
  /** `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`: the full traces URL, used as is. */
  tracesEndpoint?: string | undefined;
  serviceName?: string;
  version: string;
  /** Replaces the OTLP exporter (tests). */
  exporter?: SpanExporter;
  /** Batch delay in ms (default 1000). */
  scheduledDelayMillis?: number;
}

/** `injectTraceparent(headers, span)`: sets `traceparent` for the request `span` describes. */
export function injectTraceparent(headers: Record<string, string>, span: Span): void {
  headers.traceparent = formatTraceparent(span.spanContext());
}

/** Tracing options from the standard OpenTelemetry environment variables. */
export function tracingOptionsFromEnv(env: NodeJS.ProcessEnv, version: string): TracingOptions {
  return {
    endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    tracesEndpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || undefined,
    serviceName: env.OTEL_SERVICE_NAME || 'switchboard',
    version,
  };
}

/** Creates the tracing of one runtime (no global registration: several runtimes can share a process). */
export function createTracing(opts: TracingOptions): Tracing {
  const url = opts.tracesEndpoint ?? (opts.endpoint ? `${opts.endpoint.replace(/\/+$/, '')}/v1/traces` : undefined);
  const exporter = opts.exporter ?? (url ? new OTLPTraceExporter({ url }) : undefined);
  return exporter ? recordingTracing(exporter, opts) : propagatingTracing;
}

/** No exporter: non-recording spans that carry the trace context only. */
const propagatingTracing: Tracing = {
  recording: false,
  startInboundSpan(headers) {
    const remote = parseTraceparent(headers.traceparent);
    // A new trace is marked sampled so a backend with a parent-based sampler records it.
    return trace.wrapSpanContext(remote ?? { traceId: newTraceId(), spanId: newSpanId(), traceFlags: TraceFlags.SAMPLED });
  },
  // Nothing to record: the parent's context is all a child would carry.
  startStoreSpan: (parent) => parent,
  startDeliverySpan: (parent) => parent,
  startAttemptSpan(parent) {
    const p = parent.spanContext();
    return trace.wrapSpanContext({ traceId: p.traceId, spanId: newSpanId(), traceFlags: p.traceFlags });
  },
  endAttemptSpan() {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

function recordingTracing(exporter: SpanExporter, opts: TracingOptions): Tracing {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: opts.serviceName ?? 'switchboard', [ATTR_SERVICE_VERSION]: opts.version }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: opts.scheduledDelayMillis ?? 1000 })],
  });
  const tracer: Tracer = provider.getTracer('switchboard', opts.version);
  const under = (parent: Span) => trace.setSpan(ROOT_CONTEXT, parent);

  return {
    recording: true,
    startInboundSpan(headers, attrs) {
      const remote = parseTraceparent(headers.traceparent);
      const ctx = remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
      const attributes: Attributes = { [sc.ATTR_SWITCHBOARD_CHANNEL]: attrs.channel, [sc.ATTR_SWITCHBOARD_BOT]: attrs.bot };
      if (attrs.requestId) attributes[sc.ATTR_SWITCHBOARD_REQUEST_ID] = attrs.requestId;
      return tracer.startSpan(`message ${attrs.channel}`, { kind: SpanKind.SERVER, attributes }, ctx);
    },
    startStoreSpan(parent, name) {
      return tracer.startSpan(`store ${name}`, { kind: SpanKind.INTERNAL }, under(parent));
    },
    startAttemptSpan(parent, info) {
      const attributes: Attributes = {
        [sc.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
        [sc.ATTR_GEN_AI_PROVIDER_NAME]: sc.providerName(info.type),
        [sc.ATTR_GEN_AI_CONVERSATION_ID]: info.conversationId,
        [sc.ATTR_SWITCHBOARD_BOT]: info.bot,
        [sc.ATTR_SWITCHBOARD_INTEGRATION]: info.integration,
        [sc.ATTR_SWITCHBOARD_ATTEMPT_ROLE]: info.role,
      };
      if (info.model) attributes[sc.ATTR_GEN_AI_REQUEST_MODEL] = info.model;
      return tracer.startSpan(`chat ${info.model ?? info.integration}`, { kind: SpanKind.CLIENT, attributes }, under(parent));
    },
    endAttemptSpan(span, outcome) {
      if (outcome.status !== undefined) span.setAttribute(sc.ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.status);
      const usage = usageTokens(outcome.metadata);
      if (usage.input !== undefined) span.setAttribute(sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS, usage.input);
      if (usage.output !== undefined) span.setAttribute(sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, usage.output);
      if (typeof outcome.metadata?.model === 'string') span.setAttribute(sc.ATTR_GEN_AI_RESPONSE_MODEL, outcome.metadata.model);
      if (!outcome.ok) {
        span.setAttribute(sc.ATTR_ERROR_TYPE, outcome.failure ?? 'error');
        span.setStatus({ code: SpanStatusCode.ERROR, ...(outcome.message ? { message: outcome.message } : {}) });
      }
      span.end();
    },
    startDeliverySpan(parent, channel) {
      return tracer.startSpan(`deliver ${channel}`, { kind: SpanKind.INTERNAL, attributes: { [sc.ATTR_SWITCHBOARD_CHANNEL]: channel } }, under(parent));
    },
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
