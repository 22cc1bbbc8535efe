/**
 * `POST /integrations/:name/test` (admin): the dashboard's "Test Integration" button. Sends
 * one real request exactly as `switchboard test` does (as the synthetic bot
 * `switchboard-test`) and answers 200 with what was sent (secrets redacted), the status
 * (null when unreachable), latency, reply and diagnosis — also when the test failed, since
 * the route itself worked. 404 for an integration the loaded config does not have.
 */
import type { FastifyInstance } from 'fastify';
import type { Dispatcher } from 'undici';
import { DEFAULT_TEST_MESSAGE, testIntegration, type IntegrationTestResult } from '../cli/test-report.js';
import type { ResolvedIntegration } from '../config/snapshot.js';
import { errorBody } from '../core/errors.js';
import type { ConfigSource } from './options.js';
import { adminGuard } from './admin-auth.js';

/** Longest accepted test message, in characters. */
export const MAX_TEST_MESSAGE_CHARS = 8000;

export interface IntegrationTestRouteDeps {
  config: ConfigSource;
  adminToken?: string | undefined;
  /** Dispatcher override (tests inject a resolver). */
  dispatcher?: Dispatcher;
  /** Replaces the real test (tests of the route itself). */
  run?: (integration: ResolvedIntegration, message: string) => Promise<IntegrationTestResult>;
}

/** Registers the route on `app`. */
export function registerIntegrationTestRoute(app: FastifyInstance, deps: IntegrationTestRouteDeps): void {
  app.post<{ Params: { name: string }; Body: unknown }>('/integrations/:name/test', { onRequest: adminGuard(deps.adminToken, { challenge: true }) }, async (req, reply) => {
    const snapshot = deps.config.current();
    const integration = snapshot.integrations.get(req.params.name);
    if (!integration) return reply.code(404).send(errorBody('SWB_ERR_HTTP_NOT_FOUND', `unknown integration "${req.params.name}"`));
    const body = req.body ?? {};
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return reply.code(400).send(errorBody('SWB_ERR_HTTP_BAD_REQUEST', 'the body must be a JSON object like {"message": "..."}'));
    }
    const raw = (body as { message?: unknown }).message;
    if (raw !== undefined && (typeof raw !== 'string' || raw.length > MAX_TEST_MESSAGE_CHARS)) {
      return reply.code(400).send(errorBody('SWB_ERR_HTTP_BAD_REQUEST', `"message" must be a string of at most ${MAX_TEST_MESSAGE_CHARS} characters`));
    }
    const message = raw === undefined || raw.trim() === '' ? DEFAULT_TEST_MESSAGE : raw;
    const result = deps.run
      ? await deps.run(integration, message)
      : await testIntegration(integration, {
          message,
          allowPrivateNetwork: snapshot.allowPrivateNetwork,
          secrets: snapshot.secrets,
          ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
        });
    void reply.header('cache-control', 'no-store');
    return result;
  });
}
