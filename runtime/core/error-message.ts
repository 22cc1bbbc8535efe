/** The message of a thrown value, for log lines (a non-Error is stringified). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
