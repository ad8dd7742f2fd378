/**
 * Stable hashing for partition keys. The same key hashes to the same value in every process and on every
 * machine (no per-process salt), which is what lets a keyed partition be computed anywhere.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a over the UTF-16 code units of a string, as an unsigned integer. */
export function hashString(text: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME);
  }
  // murmur3 finaliser: FNV alone spreads short numeric keys poorly over small partition counts.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * Hash any key value. Strings and numbers are distinct (`1` and `'1'` differ); falsy keys (`0`, `''`, `false`)
 * are ordinary keys. Objects are hashed by their canonical JSON (sorted object keys).
 */
export function stableHash(key: unknown): number {
  return hashString(canonicalKey(key));
}

/** A canonical string form of a key: equal keys give equal strings, across processes. */
export function canonicalKey(key: unknown): string {
  switch (typeof key) {
    case 'string':
      return `s:${key}`;
    case 'number':
      return Object.is(key, -0) ? 'n:0' : `n:${key}`;
    case 'boolean':
      return key ? 'b:1' : 'b:0';
    case 'bigint':
      return `i:${key}`;
    case 'undefined':
      return 'u:';
    default:
      return key === null ? 'z:' : `o:${canonicalJson(key)}`;
  }
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (ArrayBuffer.isView(value)) return `[${Array.from(value as unknown as ArrayLike<number>).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** The partition (0..partitions-1) a key belongs to. */
export function partitionForKey(key: unknown, partitions: number): number {
  if (partitions <= 1) return 0;
  return stableHash(key) % partitions;
}
