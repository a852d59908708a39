/**
 * ABI arguments of the calls Cairn's native contracts answer, with typed errors. ethers throws
 * at decoding only for data too short for the types, and defers a value that does not fit its
 * type (an address with high bits set, say) to its first read: {@link decodeArgs} and
 * {@link readValues} turn each into a {@link CalldataError}, at the same moment ethers fails.
 */
import { AbiCoder, isError, type Result } from "ethers";
import { CalldataError } from "../errors";

const abi = AbiCoder.defaultAbiCoder();

/** `data` decoded as `types`; its values are read with {@link readValues}. */
export function decodeArgs(types: readonly string[], data: Uint8Array): Result {
  try {
    return abi.decode(types, data);
  } catch (e) {
    if (isError(e, "BUFFER_OVERRUN")) throw new CalldataError("short", e);
    throw e;
  }
}

/** Every value of `decoded` (nested tuples and arrays too), read. */
export function readValues(decoded: Result): unknown[] {
  try {
    return decoded.toArray(true);
  } catch (e) {
    if (isDeferredDecodeFailure(e)) throw new CalldataError("invalid-value", e);
    throw e;
  }
}

export function encodeArgs(types: readonly string[], values: readonly unknown[]): string {
  return abi.encode(types, values);
}

/** What ethers throws at a deferred value's read: a plain Error carrying the ethers error it deferred. */
function isDeferredDecodeFailure(e: unknown): boolean {
  const deferred = e instanceof Error ? (e as { error?: unknown }).error : undefined;
  return deferred instanceof Error && typeof (deferred as { code?: unknown }).code === "string";
}
