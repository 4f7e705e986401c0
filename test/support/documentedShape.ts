// What an API answer holds beyond its documented schema (the zod schema its route declares, which
// OpenAPI publishes): a field a client cannot know of, or a value of the wrong shape. Used on every
// case state the tests read, so the view model and its documentation cannot drift apart.
import { z } from 'zod';

/** Paths (`treatment.estimates[0].lines[1].foo`) where `value` departs from `schema`; empty when it conforms. */
export function departures(schema: z.ZodType, value: unknown): string[] {
  const parsed = schema.safeParse(value);
  const wrong = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return [...wrong, ...undocumented(schema, value, '')];
}

function undocumented(schema: z.ZodType, value: unknown, at: string): string[] {
  if (value === null || value === undefined) return [];
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault) return undocumented(schema.unwrap() as z.ZodType, value, at);
  if (schema instanceof z.ZodArray) return Array.isArray(value) ? value.flatMap((v, i) => undocumented(schema.element as z.ZodType, v, `${at}[${i}]`)) : [];
  if (schema instanceof z.ZodUnion) {
    // The member it matches; each member's departures if none does (safeParse reports those).
    const member = (schema.options as z.ZodType[]).find((o) => o.safeParse(value).success);
    return member ? undocumented(member, value, at) : [];
  }
  if (schema instanceof z.ZodObject && typeof value === 'object' && !Array.isArray(value)) {
    const shape = schema.shape as Record<string, z.ZodType>;
    return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
      const path = at ? `${at}.${key}` : key;
      return key in shape ? undocumented(shape[key], v, path) : [`${path}: not in the documented schema`];
    });
  }
  return [];
}
