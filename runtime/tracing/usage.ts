/**
 * Token usage from a reply's metadata: OpenAI chat completions report
 * `usage.prompt_tokens` / `completion_tokens`, Anthropic and the OpenAI Responses API
 * `usage.input_tokens` / `output_tokens`; a custom webhook may use either shape.
 */
export function usageTokens(metadata: Record<string, unknown> | undefined): { input?: number; output?: number } {
  const usage = metadata?.usage;
  if (typeof usage !== 'object' || usage === null) return {};
  const u = usage as Record<string, unknown>;
  const pick = (...keys: string[]): number | undefined => {
    for (const k of keys) {
      const v = u[k];
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
    }
    return undefined;
  };
  const input = pick('input_tokens', 'prompt_tokens');
  const output = pick('output_tokens', 'completion_tokens');
  return { ...(input !== undefined ? { input } : {}), ...(output !== undefined ? { output } : {}) };
}
