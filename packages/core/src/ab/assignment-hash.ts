/**
 * The hash of the traffic split: FNV-1a 32 over UTF-8 bytes, finished with MurmurHash3's fmix32
 * (FNV-1a alone mixes the last bytes poorly: keys `user-1`, `user-2` would land close together).
 * Stable across processes, platforms and releases: an assignment never changes unless the
 * experiment does. Not a security hash.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a 32 of the UTF-8 bytes of `text`, continued from `state` (encoded inline: no allocation). */
export function fnv1a32(text: string, state: number = FNV_OFFSET): number {
  let h = state >>> 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    // A surrogate pair is one code point of 4 bytes; a lone surrogate is encoded as U+FFFD, as TextEncoder does.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        i++;
        const cp = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        h = Math.imul(h ^ (0xf0 | (cp >>> 18)), FNV_PRIME);
        h = Math.imul(h ^ (0x80 | ((cp >>> 12) & 0x3f)), FNV_PRIME);
        h = Math.imul(h ^ (0x80 | ((cp >>> 6) & 0x3f)), FNV_PRIME);
        h = Math.imul(h ^ (0x80 | (cp & 0x3f)), FNV_PRIME);
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) h = Math.imul(h ^ c, FNV_PRIME);
    else if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >>> 6)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
    } else {
      h = Math.imul(h ^ (0xe0 | (c >>> 12)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >>> 6) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
    }
  }
  return h >>> 0;
}

/** FNV-1a 32 of one more byte. */
export function fnv1a32Byte(byte: number, state: number): number {
  return Math.imul(state ^ byte, FNV_PRIME) >>> 0;
}

/** MurmurHash3's 32-bit finalizer: a bijection with full avalanche. */
export function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
