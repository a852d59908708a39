/**
 * Text that comes from L1 — a token's name and symbol, as its registration recorded them or as
 * its views answer — is untrusted bytes: not necessarily UTF-8, of any length, with terminal
 * escapes or right-to-left overrides. Nothing here throws: every input has a display form.
 */

/** Most bytes of a token name or symbol Cairn keeps: the Bridge's METADATA_MAX_BYTES. */
export const METADATA_MAX_BYTES = 64;

/**
 * Characters dropped for display: C0 and C1 controls and DEL (terminal escapes, NUL, newlines),
 * and the invisible direction marks and overrides that make "DSU" render as "USD" (Trojan Source).
 */
const UNDISPLAYABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * The display form of untrusted bytes: at most `maxBytes` of them (a cut never splits a
 * well-formed character, as the Bridge cuts), invalid UTF-8 replaced by U+FFFD, undisplayable
 * characters dropped, surrounding spaces trimmed.
 */
export function displayText(bytes: Uint8Array, maxBytes = METADATA_MAX_BYTES): string {
  const kept = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).subarray(0, utf8Cut(bytes, maxBytes));
  return kept.toString("utf8").replace(UNDISPLAYABLE, "").trim();
}

/** Where to cut `bytes` to at most `maxBytes` without splitting a character (drops at most 3 bytes). */
function utf8Cut(bytes: Uint8Array, maxBytes: number): number {
  if (bytes.length <= maxBytes) return bytes.length;
  let n = maxBytes;
  for (let dropped = 0; dropped < 3 && n > 0 && (bytes[n] & 0xc0) === 0x80; dropped++) n--;
  return n;
}

/**
 * The bytes of an ABI-encoded `string` (or `bytes`) whose offset word is at `headAt` in `data`
 * (an event's data or a call's return data); at most `maxBytes` of them, without copying.
 * Null when the encoding does not fit in `data`: offsets and lengths are checked as 256-bit
 * numbers, so nothing the data claims can make this read out of bounds or allocate.
 */
export function abiStringAt(data: Uint8Array, headAt: number, maxBytes = METADATA_MAX_BYTES): Uint8Array | null {
  const offset = wordAt(data, headAt);
  if (offset === null || offset > BigInt(data.length) - 32n) return null;
  const length = wordAt(data, Number(offset));
  const start = Number(offset) + 32;
  if (length === null || length > BigInt(data.length - start)) return null;
  // One byte past maxBytes, so that displayText can tell where a character was cut.
  return data.subarray(start, start + Math.min(Number(length), maxBytes + 1));
}

/**
 * The text a metadata view answered: an ABI string, or a bytes32 up to its first zero byte (as
 * MKR answers), or null for anything else. What the Bridge reads at registration, for callers
 * that ask a token directly (the CLI).
 */
export function viewText(returnData: Uint8Array, maxBytes = METADATA_MAX_BYTES): string | null {
  if (returnData.length === 32) {
    const end = returnData.indexOf(0);
    return displayText(returnData.subarray(0, end === -1 ? 32 : end), maxBytes);
  }
  const bytes = abiStringAt(returnData, 0, maxBytes);
  return bytes === null ? null : displayText(bytes, maxBytes);
}

/** The 32-byte big-endian word at `at`, or null past the end. */
export function wordAt(data: Uint8Array, at: number): bigint | null {
  if (!Number.isSafeInteger(at) || at < 0 || at + 32 > data.length) return null;
  return BigInt("0x" + Buffer.from(data.buffer, data.byteOffset + at, 32).toString("hex"));
}
