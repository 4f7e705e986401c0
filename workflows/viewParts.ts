// Changes of the view finer than a top-level field, for cases opened under VIEW_PARTS
// (workflows/patches.ts). A top-level change resends the whole field: the whole checklist for one
// uploaded document, every estimate and the tariff when one task of the treatment moves. A part names
// only the entries that changed, inside lists (by index) and objects (by key), a few levels down.
//
// Like a top-level change, a part is made of what changed in any version after its base, with its
// values at the new version; an entry it leaves out kept one value through all those versions. So it
// applies to the stored view at any version from its base up, and gives exactly the new view.
// Pure functions: the workflow makes parts, the activity (lib/caseView.ts) and ops:rebuild apply them.

/** What changed inside a list or an object: entries replaced whole, removed (objects), or changed in their turn; a list's new length. */
export interface ViewPart {
  length?: number;
  set?: Record<string, unknown>;
  drop?: string[];
  parts?: Record<string, ViewPart>;
}

/** What changed in a value since a base: all of it (`true`), or some of its entries, by key or index. */
export type Changed = true | Map<string, Changed>;

/** Levels below a top-level field that a part goes down to (treatment → estimates → one estimate); below, an entry is sent whole. */
const MAX_DEPTH = 3;

/** Thrown when a part does not fit the stored value (a read model behind the part's base): send the whole view. */
export class ViewPartMismatch extends Error {
  constructor(path: string) {
    super(`The stored view has no list or object at ${path} for this change: send the whole view.`);
    this.name = 'ViewPartMismatch';
  }
}

type Container = Record<string, unknown> | unknown[];
const kindOf = (v: unknown): 'list' | 'object' | 'value' => (Array.isArray(v) ? 'list' : typeof v === 'object' && v !== null ? 'object' : 'value');
const keysOf = (v: Container): string[] => (Array.isArray(v) ? v.map((_, i) => String(i)) : Object.keys(v));
const entry = (v: Container, key: string): unknown => (v as Record<string, unknown>)[key];

/**
 * What differs between two JSON values (as `JSON.parse` gives them), added to `into` (what differed
 * in earlier versions since the same base). Undefined when they are equal and nothing differed before.
 */
export function changedBetween(before: unknown, after: unknown, into?: Changed, depth = 0): Changed | undefined {
  if (into === true) return true;
  const kind = kindOf(before);
  if (kind !== kindOf(after) || kind === 'value' || depth >= MAX_DEPTH) return JSON.stringify(before) === JSON.stringify(after) ? into : true;
  const map = into ?? new Map<string, Changed>();
  const b = before as Container;
  const a = after as Container;
  for (const key of new Set([...keysOf(b), ...keysOf(a)])) {
    const was = entry(b, key);
    const now = entry(a, key);
    // An entry that appeared or went is replaced whole (a list's shorter length drops it). JSON has no
    // undefined values, so a key of either side is undefined on at most one.
    const changed = was === undefined || now === undefined ? true : changedBetween(was, now, map.get(key), depth + 1);
    if (changed) map.set(key, changed);
  }
  return map.size ? map : into;
}

/** The part of `value` (as JSON gives it) that `changed` names: its entries at their new values. */
export function partOf(value: unknown, changed: Map<string, Changed>): ViewPart {
  const part: ViewPart = {};
  const list = Array.isArray(value);
  if (list) part.length = value.length;
  for (const [key, c] of changed) {
    const now = entry(value as Container, key);
    if (now === undefined) {
      if (!list) (part.drop ??= []).push(key);
    } else if (c === true || kindOf(now) === 'value') {
      (part.set ??= {})[key] = now;
    } else {
      (part.parts ??= {})[key] = partOf(now, c);
    }
  }
  return part;
}

/** `value` with `part` applied (a new value; `value` is left as it was). Throws ViewPartMismatch when it does not fit. */
export function applyPart(value: unknown, part: ViewPart, path = 'view'): unknown {
  const list = part.length !== undefined;
  if (kindOf(value) !== (list ? 'list' : 'object')) throw new ViewPartMismatch(path);
  const out: Record<string, unknown> | unknown[] = list ? (value as unknown[]).slice(0, part.length) : { ...(value as Record<string, unknown>) };
  const put = (key: string, v: unknown) => {
    if (Array.isArray(out)) out[Number(key)] = v;
    else out[key] = v;
  };
  for (const key of part.drop ?? []) delete (out as Record<string, unknown>)[key];
  for (const [key, v] of Object.entries(part.set ?? {})) put(key, v);
  for (const [key, p] of Object.entries(part.parts ?? {})) put(key, applyPart(entry(out, key), p, `${path}.${key}`));
  // A list entry the part left out must have been there, unchanged, since its base.
  if (Array.isArray(out)) for (let i = 0; i < part.length!; i++) if (out[i] === undefined) throw new ViewPartMismatch(`${path}.${i}`);
  return out;
}
