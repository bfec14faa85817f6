/**
 * Keys and values inside the engine are byte strings held as latin1 JavaScript strings (one
 * char per byte), so that JavaScript's string order is etcd's byte order, any bytes etcd accepts
 * round-trip exactly, and ASCII text (most keys and JSON values) needs no conversion or Buffer at
 * all. This module converts at the edges and turns etcd's (key, range_end) pairs into intervals.
 */

/** An interval of keys: exactly `key`, or [start, end) with `end` null for "no upper bound". */
export type KeyInterval = { single: string } | { start: string; end: string | null };

// Any char above 0x7f means the text is not plain ASCII.
const nonAscii = /[\u0080-\uffff]/;

/** UTF-8 text as engine bytes; ASCII (the common case) passes through unchanged. */
export function keyFromText(text: string): string {
  return !nonAscii.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
}

/** Engine bytes back to the UTF-8 text they encode. */
export function keyToText(key: string): string {
  return !nonAscii.test(key) ? key : Buffer.from(key, 'latin1').toString('utf8');
}

export function keyFromBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export function keyToBytes(key: string): Buffer {
  return Buffer.from(key, 'latin1');
}

/**
 * etcd's reading of (key, range_end): an empty range_end is the single key; "\0" means every
 * key >= key; otherwise [key, range_end), empty when range_end <= key.
 */
export function intervalOf(key: string, rangeEnd: string | undefined): KeyInterval {
  if (!rangeEnd) return { single: key };
  if (rangeEnd === '\0') return { start: key, end: null };
  return { start: key, end: rangeEnd };
}

/** The smallest key greater than every key with this prefix, as etcd computes it. */
export function prefixEnd(prefix: string): string {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const code = prefix.charCodeAt(i);
    if (code < 0xff) return prefix.slice(0, i) + String.fromCharCode(code + 1);
  }
  // Every byte is 0xff (or the prefix is empty): no upper bound.
  return '\0';
}

export function inInterval(interval: KeyInterval, key: string): boolean {
  if ('single' in interval) return key === interval.single;
  return key >= interval.start && (interval.end === null || key < interval.end);
}
