/** The token of an `Authorization: Bearer <token>` header (trimmed), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  const token = m?.[1]?.trim();
  return token ? token : undefined;
}
