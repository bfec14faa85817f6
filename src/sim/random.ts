/**
 * The simulator's one source of randomness: a small seeded PRNG, so that a run with the same
 * seed and a virtual clock is the same run. Also makes the version-4 UUIDs that status
 * updates and stream ids carry.
 */

export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed | 0;
  }

  /** A float in [0, 1). (mulberry32) */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** 16 random bytes shaped as a version-4, RFC 4122 UUID. */
  uuidBytes(): Buffer {
    const bytes = Buffer.allocUnsafe(16);
    for (let i = 0; i < 16; i += 4) bytes.writeUInt32LE((this.next() * 4294967296) >>> 0, i);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    return bytes;
  }

  /** A UUID in its 36-character text form. */
  uuid(): string {
    const hex = this.uuidBytes().toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

/**
 * Whether `bytes` is a UUID Mesos accepts (`id::UUID::fromBytes`): 16 bytes whose version
 * nibble is one of the RFC 4122 versions 1–5.
 */
export function isValidUuidBytes(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false;
  const version = bytes[6]! >> 4;
  return version >= 1 && version <= 5;
}
