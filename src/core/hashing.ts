/**
 * Every hash the L2 and the L1 contracts share; the twin of contracts/libraries/Hashing.sol.
 * test/contracts/Hashing.test.ts holds the two together on the same inputs.
 */
import { keccak256 } from "./hash";
import { addressBytes, bytesToAddress, word } from "./bytes";
import type { QueueKind } from "./constants";
import { OutOfRangeError } from "./errors";

const TIMESTAMP_MASK = (1n << 64n) - 1n;
const U64 = (v: bigint | number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(v));
  return b;
};

/** Running hash of the L1 queue after one entry (Hashing.queueAccumulator): the previous one's low 64 bits (its timestamp) are ignored; the token id is 24 bits. */
export function queueAccumulator(
  previous: Buffer,
  kind: QueueKind,
  account: string,
  tokenId: number,
  amount: bigint,
  timestamp: bigint,
): Buffer {
  const prevHash = Buffer.from(previous);
  prevHash.fill(0, 24);
  // The token id is a uint24, three bytes as abi.encodePacked writes it.
  if (!Number.isInteger(tokenId) || tokenId < 0 || tokenId >= 2 ** 24) throw new OutOfRangeError(`token id ${tokenId} outside uint24`);
  const id = Buffer.of(tokenId >>> 16, (tokenId >>> 8) & 0xff, tokenId & 0xff);
  const h = keccak256(Buffer.concat([prevHash, Buffer.of(kind), addressBytes(account), id, word(amount)]));
  const v = (BigInt("0x" + h.toString("hex")) & ~TIMESTAMP_MASK) | timestamp;
  return word(v);
}

/** A withdrawal, as recorded in a batch's withdrawal tree (Types.Withdrawal). */
export interface Withdrawal {
  id: bigint;
  l2Sender: string;
  l1Recipient: string;
  l1Token: string;
  amount: bigint;
}

/** Leaf of a withdrawal tree, hashed twice (Hashing.withdrawalLeaf). */
export function withdrawalLeaf(w: Withdrawal): Buffer {
  const pad = (a: string) => Buffer.concat([Buffer.alloc(12), addressBytes(a)]);
  const inner = keccak256(Buffer.concat([word(w.id), pad(w.l2Sender), pad(w.l1Recipient), pad(w.l1Token), word(w.amount)]));
  return keccak256(inner);
}

/** Leaf of a batch's commitment tree (Hashing.commitmentLeaf); also the L2 block hash. */
export function commitmentLeaf(preStateRoot: Buffer, body: Buffer): Buffer {
  return keccak256(Buffer.concat([preStateRoot, body]));
}

/**
 * The L2 hash of an empty block. Its commitment leaf cannot name it: blocks are merged into runs
 * when posted (one leaf for many), and a run of one has the same leaf at every height with the
 * same timestamp. The parent's hash and the height make it unique; every node derives the same.
 */
export function emptyBlockHash(parentHash: Buffer, number: number, timestamp: number): Buffer {
  const n = Buffer.alloc(13);
  n.writeBigUInt64BE(BigInt(number), 0);
  n.writeUIntBE(timestamp, 8, 5);
  return keccak256(Buffer.concat([Buffer.from("cairn:empty-block"), parentHash, n]));
}

/** The deterministic L2 address of a bridged L1 token (Hashing.l2TokenAddress). */
export function l2TokenAddress(l1Token: string): string {
  const h = keccak256(Buffer.concat([Buffer.from("cairn:l2-token"), addressBytes(l1Token.toLowerCase())]));
  return bytesToAddress(h.subarray(12));
}

/**
 * Leaf of the account tree: address ‖ nonce (8 bytes) ‖ ETH balance ‖ token-balance root ‖
 * allowance root, 124 bytes (one keccak block, as the 92 bytes before allowances were).
 */
export function accountLeaf(address: string, nonce: bigint, balance: bigint, tokenRoot: Buffer, allowanceRoot: Buffer): Buffer {
  // Written into one scratch buffer: the sequencer hashes some 65 leaves per block.
  const b = leafScratch;
  b.write(address.slice(2), 0, 20, "hex");
  b.writeBigUInt64BE(nonce, 20);
  b.write(balance.toString(16).padStart(64, "0"), 28, 32, "hex");
  tokenRoot.copy(b, 60);
  allowanceRoot.copy(b, 92);
  return keccak256(b);
}

const leafScratch = Buffer.alloc(124);

/**
 * The leaf of any account: {@link accountLeaf} without a contract hash; with one (an account with
 * code or storage, experimental EVM mode), today's 124 bytes and the contract hash
 * (evm/contractStore.ts), 156 bytes — docs/design/evm.md §2.1 less `nextAddress` (see its
 * *Tracer bullet*). The two preimage lengths differ, so no leaf has two readings.
 */
export function accountLeafWith(address: string, nonce: bigint, balance: bigint, tokenRoot: Buffer, allowanceRoot: Buffer, contractHash: Buffer | null): Buffer {
  const short = accountLeaf(address, nonce, balance, tokenRoot, allowanceRoot);
  return contractHash ? keccak256(Buffer.concat([leafScratch, contractHash])) : short;
}

/** The fields a state root commits to. */
export interface StateSummary {
  accountsRoot: Buffer;
  accountCount: number;
  queueIndex: bigint;
  withdrawalCount: bigint;
  tokenCount: number;
}

/** The L2 state root: the account tree plus the counters a fraud proof needs. */
export function stateRoot(s: StateSummary): Buffer {
  return keccak256(
    Buffer.concat([s.accountsRoot, U64(s.accountCount), U64(s.queueIndex), U64(s.withdrawalCount), U64(s.tokenCount)]),
  );
}
