/**
 * zod building blocks for platform payloads (Telegram updates, Slack events) that must never
 * fail as a whole because one optional field has the wrong type: platforms add fields all the
 * time, and a payload they re-send on a 5xx would otherwise be retried forever. Unknown keys
 * are stripped, a badly typed optional field becomes `undefined`, and an array keeps only its
 * well-formed elements.
 */
import { z } from 'zod';

/** `schema`, or `undefined` when the value is missing or of the wrong type. */
export function lenient<T extends z.ZodType>(schema: T): z.ZodCatch<z.ZodOptional<T>> {
  return schema.optional().catch(undefined);
}

/** An array of `element` keeping only the elements that parse; not an array → `undefined`. */
export function lenientArray<T extends z.ZodType>(element: T): z.ZodType<z.output<T>[] | undefined> {
  return z.unknown().transform((value): z.output<T>[] | undefined => {
    if (!Array.isArray(value)) return undefined;
    const out: z.output<T>[] = [];
    for (const item of value) {
      const parsed = element.safeParse(item);
      if (parsed.success) out.push(parsed.data);
    }
    return out;
  }).optional();
}

/** A safe integer (Telegram ids, offsets). */
export const safeInt = z.number().int().refine(Number.isSafeInteger);
