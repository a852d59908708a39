/**
 * Multi-leaf Merkle proofs for positional trees, exactly as contracts/libraries/MultiProof.sol
 * walks them: leaves sorted by index, level by level, a node paired with its right neighbour
 * when both are known, otherwise with the next sibling — from `proof`, or, when bit k of
 * `zeroFlags` is set, the zero hash of that level (empty subtrees are never sent).
 */
import { hashPair } from "./hash";
import { OutOfRangeError } from "./errors";

export interface MultiProof {
  proof: Buffer[];
  zeroFlags: Buffer;
}

type Walk = (level: number, index: number) => Buffer;

function walk(depth: number, indices: number[], leaves: Buffer[], sibling: Walk): Buffer {
  let idx = indices.slice();
  let node = leaves.slice();
  for (let level = 0; level < depth; level++) {
    const nextIdx: number[] = [];
    const nextNode: Buffer[] = [];
    for (let i = 0; i < idx.length; ) {
      const at = idx[i];
      let h: Buffer;
      // Arithmetic, not bit operators (32-bit in JS): allowance trees have 48-bit positions.
      const odd = at % 2 === 1;
      if (!odd && i + 1 < idx.length && idx[i + 1] === at + 1) {
        h = hashPair(node[i], node[i + 1]);
        i += 2;
      } else {
        const s = sibling(level, odd ? at - 1 : at + 1);
        h = odd ? hashPair(s, node[i]) : hashPair(node[i], s);
        i += 1;
      }
      nextIdx.push(Math.floor(at / 2));
      nextNode.push(h);
    }
    idx = nextIdx;
    node = nextNode;
  }
  return node[0];
}

/**
 * Builds the proof for `indices` (strictly increasing) given a way to read any node of the tree.
 */
export function buildMultiProof(depth: number, indices: number[], nodeAt: Walk, zero: Buffer[]): MultiProof {
  const proof: Buffer[] = [];
  const flags: number[] = [];
  const leaves = indices.map((i) => nodeAt(0, i));
  walk(depth, indices, leaves, (level, index) => {
    const s = nodeAt(level, index);
    const isZero = s.equals(zero[level]);
    flags.push(isZero ? 1 : 0);
    if (!isZero) proof.push(s);
    return s;
  });
  const zeroFlags = Buffer.alloc(Math.ceil(flags.length / 8));
  flags.forEach((f, k) => {
    if (f) zeroFlags[k >> 3] |= 1 << (k & 7);
  });
  return { proof, zeroFlags };
}

/**
 * The root the proof gives for `leaves` at `indices` (MultiProof.roots). Refuses what the
 * Solidity walk refuses: no leaves, indices not strictly increasing or outside the tree, and for
 * a lone leaf (MultiProof.leafRoots) a depth over 64 or more than 8 flag bytes.
 */
export function multiProofRoot(depth: number, indices: number[], leaves: Buffer[], mp: MultiProof, zero: Buffer[]): Buffer {
  if (indices.length === 0 || indices.length !== leaves.length || zero.length <= depth) throw new OutOfRangeError("multiproof without leaves");
  indices.forEach((index, k) => {
    if (index < 0 || index >= 2 ** depth || (k > 0 && index <= indices[k - 1])) throw new OutOfRangeError(`multiproof index ${index} out of order or outside the tree`);
  });
  if (indices.length === 1 && (depth > 64 || mp.zeroFlags.length > 8)) throw new OutOfRangeError("single-leaf multiproof too deep or with more than 8 flag bytes");
  let used = 0;
  let sent = 0;
  const root = walk(depth, indices, leaves, (level) => {
    const flagged = used >> 3 < mp.zeroFlags.length && (mp.zeroFlags[used >> 3] & (1 << (used & 7))) !== 0;
    used++;
    if (flagged) return zero[level];
    if (sent >= mp.proof.length) throw new OutOfRangeError("multiproof too short");
    return mp.proof[sent++];
  });
  if (sent !== mp.proof.length) throw new OutOfRangeError("multiproof too long");
  return root;
}
