/**
 * The provider registry: one transform pair per integration `type`.
 */
import type { IntegrationType } from '../../schema/config.js';
import { anthropicProvider } from './anthropic.js';
import { customProvider } from './custom.js';
import { echoProvider } from './echo.js';
import { openaiProvider } from './openai.js';
import type { Provider } from './provider.js';

const providers: Readonly<Record<IntegrationType, Provider>> = {
  custom: customProvider,
  echo: echoProvider,
  openai: openaiProvider,
  anthropic: anthropicProvider,
};

/** The provider for an integration `type` (the schema default `custom` when undefined). */
export function getProvider(type: IntegrationType | undefined): Provider {
  return providers[type ?? 'custom'];
}

export type { BadReplyReason, ParseResult, Provider, ProviderRequest } from './provider.js';
export type { SseEvent, StreamCodec, StreamDone, StreamState, StreamStep } from './stream-step.js';
