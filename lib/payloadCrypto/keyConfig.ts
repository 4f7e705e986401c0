// The key-encryption keys (KEKs) that wrap the data keys, from the environment:
//   PARCOURS_KEKS="<id>:<base64 of 32 bytes>[,<id>:<base64>…]"   every KEK still needed to unwrap
//   PARCOURS_ACTIVE_KEK=<id>                                       wraps new data keys (optional with one KEK)
//   PARCOURS_DEK_CACHE_TTL=60s   how long a process keeps an unwrapped data key (a key shredded
//                                elsewhere still decrypts in other processes until then)
// Development without PARCOURS_KEKS: one KEK generated into the git-ignored data/keys.json.
import crypto from 'node:crypto';
import path from 'node:path';
import { jsonFileOnce } from '../devFiles';

export interface KeyConfig {
  /** KEK id → 32-byte key. */
  keks: ReadonlyMap<string, Buffer>;
  activeKekId: string;
  /** How long an unwrapped data key stays in a process's memory (ms). */
  cacheTtlMs: number;
  /** At most this many unwrapped data keys in memory (the least recently used go first). */
  cacheMaxEntries: number;
}

export const DEFAULT_DEK_CACHE_TTL_MS = 60_000;
export const DEFAULT_DEK_CACHE_MAX = 10_000;
const KEK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Parses PARCOURS_KEKS / PARCOURS_ACTIVE_KEK; errors name the variable and the expected form, never a key. */
export function parseKeks(keks: string, active: string | undefined): Pick<KeyConfig, 'keks' | 'activeKekId'> {
  const map = new Map<string, Buffer>();
  for (const entry of keks.split(',').map((e) => e.trim()).filter(Boolean)) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!KEK_ID.test(id)) throw new Error('PARCOURS_KEKS: each entry must be <id>:<base64 of 32 random bytes>, the id made of letters, digits, ".", "_" or "-" (e.g. kek-2026-12:…).');
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32) throw new Error(`PARCOURS_KEKS: the key "${id}" is ${key.length} bytes once base64-decoded; it must be 32 (make one with: node -p "require('crypto').randomBytes(32).toString('base64')").`);
    if (map.has(id)) throw new Error(`PARCOURS_KEKS: the id "${id}" appears twice.`);
    map.set(id, key);
  }
  if (map.size === 0) throw new Error('PARCOURS_KEKS is empty: give at least one <id>:<base64 of 32 bytes>.');
  const activeKekId = active?.trim() || (map.size === 1 ? [...map.keys()][0] : '');
  if (!activeKekId) throw new Error(`PARCOURS_KEKS has ${map.size} keys: set PARCOURS_ACTIVE_KEK to the one that wraps new data keys.`);
  if (!map.has(activeKekId)) throw new Error(`PARCOURS_ACTIVE_KEK is "${activeKekId}", which is not in PARCOURS_KEKS (${[...map.keys()].join(', ')}).`);
  return { keks: map, activeKekId };
}

/**
 * Development KEK: random, made once in data/keys.json (mode 0600, git-ignored, beside the
 * development database whose data keys it wraps). Production sets PARCOURS_KEKS instead.
 */
export function devKeks(root: string): { keks: string; active: string } {
  const file = path.join(root, 'data', 'keys.json');
  const read = jsonFileOnce<{ keks?: string; active?: string }>(file, () => ({ keks: `dev-1:${crypto.randomBytes(32).toString('base64')}`, active: 'dev-1' }));
  if (!read.keks || !read.active) throw new Error(`${file} lacks "keks" or "active": restore it (the development database's data keys need it), or set PARCOURS_KEKS.`);
  return { keks: read.keks, active: read.active };
}

/** A fresh single-KEK configuration (tests). */
export function randomKeyConfig(id = `kek-${crypto.randomUUID().slice(0, 8)}`, cache: Partial<Pick<KeyConfig, 'cacheTtlMs' | 'cacheMaxEntries'>> = {}): KeyConfig {
  return { keks: new Map([[id, crypto.randomBytes(32)]]), activeKekId: id, cacheTtlMs: cache.cacheTtlMs ?? DEFAULT_DEK_CACHE_TTL_MS, cacheMaxEntries: cache.cacheMaxEntries ?? DEFAULT_DEK_CACHE_MAX };
}

/** The PARCOURS_KEKS value of a configuration (to hand the same keys to a child process). */
export function keksEnv(keys: KeyConfig): { PARCOURS_KEKS: string; PARCOURS_ACTIVE_KEK: string } {
  return { PARCOURS_KEKS: [...keys.keks].map(([id, k]) => `${id}:${k.toString('base64')}`).join(','), PARCOURS_ACTIVE_KEK: keys.activeKekId };
}
