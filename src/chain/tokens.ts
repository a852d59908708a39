/**
 * The L2's bridged tokens as their L1 registrations describe them: what a node learns from the
 * Bridge's TokenRegistered events, decoded without trusting the token that answered.
 */
// One factory, not typechain's index, which would load every contract's bytecode with the SDK.
import { Bridge__factory } from "../../typechain-types/factories/contracts/L1/Bridge__factory";
import { abiStringAt, displayText, wordAt } from "./untrustedText";

/**
 * A token as its L1 registration described it. The name and symbol are whatever the token
 * answered (the Bridge bounds them, nothing checks them): kept as the bytes the event carried,
 * and served for display as {@link displayText} makes them.
 */
export interface TokenMetadata {
  tokenId: number;
  l1Token: string;
  l2Token: string;
  /** Display form of the name: valid UTF-8, no control characters, at most 64 bytes' worth. */
  name: string;
  symbol: string;
  /** The name's bytes as the event carried them (0x hex, at most 65 bytes: see abiStringAt). */
  nameBytes: string;
  symbolBytes: string;
  decimals: number;
}

export const TOKEN_REGISTERED = Bridge__factory.createInterface().getEvent("TokenRegistered").topicHash;

/**
 * A `TokenRegistered(address indexed l1Token, uint24 indexed tokenId, address l2Token, string
 * name, string symbol, uint8 decimals)` log, decoded without trusting it: name and symbol as
 * bounded bytes and their display form, decimals 18 if out of range (as the Bridge records it).
 * Null for a log that is not one (wrong topics, or data too short to hold the fixed fields);
 * a string that does not decode is "" — a registration is never dropped for its metadata.
 */
export function decodeTokenRegistered(log: { topics: readonly string[]; data: string }): TokenMetadata | null {
  if (log.topics.length !== 3 || !log.topics.every((t) => /^0x[0-9a-fA-F]{64}$/.test(t)) || log.topics[0].toLowerCase() !== TOKEN_REGISTERED) return null;
  if (!/^0x([0-9a-fA-F]{2})*$/.test(log.data)) return null;
  const data = Buffer.from(log.data.slice(2), "hex");
  const l2Token = wordAt(data, 0);
  const decimals = wordAt(data, 96);
  if (l2Token === null || decimals === null) return null;
  const name = abiStringAt(data, 32) ?? new Uint8Array(0);
  const symbol = abiStringAt(data, 64) ?? new Uint8Array(0);
  return {
    tokenId: Number(BigInt(log.topics[2]) & 0xffffffn),
    l1Token: addressOfWord(BigInt(log.topics[1])),
    l2Token: addressOfWord(l2Token),
    name: displayText(name),
    symbol: displayText(symbol),
    nameBytes: "0x" + Buffer.from(name).toString("hex"),
    symbolBytes: "0x" + Buffer.from(symbol).toString("hex"),
    decimals: decimals > 255n ? DEFAULT_DECIMALS : Number(decimals),
  };
}

/** Decimals the Bridge records for a token whose decimals() reverts or answers above 255. */
export const DEFAULT_DECIMALS = 18;

const addressOfWord = (word: bigint) => "0x" + (word & ((1n << 160n) - 1n)).toString(16).padStart(40, "0");
