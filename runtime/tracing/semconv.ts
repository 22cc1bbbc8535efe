/**
 * The OpenTelemetry semantic-convention names Switchboard writes on its spans. The GenAI
 * conventions are still in development, so, as the OpenTelemetry JS maintainers advise,
 * they are copied here rather than imported from the package's unstable entry point. They
 * follow `@opentelemetry/semantic-conventions` 1.45.0 (the GenAI client span, with
 * `gen_ai.provider.name`); docs/observability.md pins the same version.
 */
import type { IntegrationType } from '../../schema/config.js';

export const SEMCONV_PACKAGE_VERSION = '1.45.0';

export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';

export const ATTR_SWITCHBOARD_BOT = 'switchboard.bot';
export const ATTR_SWITCHBOARD_INTEGRATION = 'switchboard.integration';
export const ATTR_SWITCHBOARD_ATTEMPT_ROLE = 'switchboard.attempt.role';
export const ATTR_SWITCHBOARD_CHANNEL = 'switchboard.channel';
export const ATTR_SWITCHBOARD_REQUEST_ID = 'switchboard.request_id';

/**
 * `gen_ai.provider.name` of an integration type: the well-known values for the two vendor
 * APIs, a `switchboard.`-namespaced custom value otherwise (the convention allows custom
 * values for providers it does not list).
 */
export function providerName(type: IntegrationType): string {
  switch (type) {
    case 'openai':
      return 'openai';
    case 'anthropic':
      return 'anthropic';
    default:
      return `switchboard.${type}`;
  }
}
