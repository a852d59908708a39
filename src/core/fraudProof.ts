/**
 * Builds what Rollup.proveFraud needs for one commitment: the verdict of replaying it, and the
 * witnesses — every account, token balance and allowance the replay touched, with multiproofs
 * against the pre-state — in the shape of IFraudVerifier.Witness. The state is left exactly as it was.
 */
import { ACCOUNT_TREE_DEPTH, ALLOWANCE_TREE_DEPTH, OpKind, TOKEN_TREE_DEPTH } from "./constants";
import { ByteWriter, word } from "./bytes";
import type { QueueEntry } from "./queueOps";
import { CairnError } from "./errors";
import { zeroHashes } from "./merkle";
import { buildMultiProof } from "./multiproof";
import { replayCommitment, type BatchPosition, type Verdict } from "./replay";
import type { AccessLog, L2State } from "./state";
import { TOKEN_ZERO, tokenLevels, tokenRoot } from "./tokenTree";
import { ALLOWANCE_ZERO, EMPTY_ALLOWANCE_ROOT, allowanceLevels, allowanceRoot } from "./allowanceTree";

export interface AccountWitness {
  index: number;
  empty: boolean;
  addr: string;
  nonce: bigint;
  balance: bigint;
  tokenRoot: string;
  tokenIds: number[];
  tokenBalances: bigint[];
  tokenProof: string[];
  tokenZeroFlags: string;
  allowanceRoot: string;
  /** Allowance keys (`tokenId · 2^24 + spender`) and amounts the replay read or wrote. */
  allowanceKeys: number[];
  allowances: bigint[];
  allowanceProof: string[];
  allowanceZeroFlags: string;
}

export interface QueueWitness {
  kind: number;
  account: string;
  tokenId: number;
  amount: bigint;
}

export interface Witness {
  pre: { accountsRoot: string; accountCount: bigint; queueIndex: bigint; withdrawalCount: bigint; tokenCount: bigint };
  accounts: AccountWitness[];
  accountProof: string[];
  accountZeroFlags: string;
  queue: QueueWitness[];
}

/** IFraudVerifier.FraudKind. */
export const FRAUD_KIND = { none: 0, malformed: 1, "invalid-operation": 2, "wrong-withdrawal-root": 3, "wrong-post-state": 4, "queue-count-mismatch": 5 } as const;

/** IFraudVerifier.Reason, by src/core's InvalidReason. */
export const FRAUD_REASON: Record<string, number> = {
  "bad-signature": 1,
  "unknown-account": 2,
  "insufficient-funds": 3,
  "fee-too-low": 4,
  "gas-limit-too-low": 5,
  "unknown-token": 6,
  "account-exists": 7,
  malformed: 8,
  overflow: 9,
  "queue-empty": 10,
  "insufficient-allowance": 11,
};

const hex = (b: Buffer) => "0x" + b.toString("hex");
const EMPTY_ALLOWANCE_ROOT_HEX = hex(EMPTY_ALLOWANCE_ROOT);
/** A witnessed account's state byte (IFraudVerifier's layout): held, empty, or held with an allowance root sent. */
const WITNESS_HELD = 0;
const WITNESS_EMPTY = 1;
const WITNESS_WITH_ALLOWANCES = 2;
const ACCOUNT_ZERO = zeroHashes(ACCOUNT_TREE_DEPTH);

/**
 * An account the pre-state does not hold, whose token tree the witness builder found non-empty:
 * the state and its access log disagree, and no proof built from them would verify.
 */
export class InconsistentWitnessError extends CairnError {
  override readonly name = "InconsistentWitnessError";
  readonly code = "INCONSISTENT_WITNESS";
  constructor(readonly accountIndex: number) {
    super(`empty account ${accountIndex} with a non-empty token tree`);
  }
}

export interface FraudCheck {
  verdict: Verdict;
  witness: Witness;
  /** The witness packed as IFraudVerifier reads it: what proveFraud takes. */
  packed: string;
}

/** Packs a witness in IFraudVerifier's byte layout. */
export function encodeWitness(w: Witness): string {
  const out = new ByteWriter();
  const u64 = (v: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(v);
    return b;
  };
  const bytes = (h: string) => Buffer.from(h.slice(2), "hex");
  out.bytes(bytes(w.pre.accountsRoot)).bytes(u64(w.pre.accountCount)).bytes(u64(w.pre.queueIndex)).bytes(u64(w.pre.withdrawalCount)).bytes(u64(w.pre.tokenCount));
  out.uint(w.accounts.length, 2);
  for (const a of w.accounts) {
    // The allowance root is sent only when it is not the empty tree's: most accounts have given none.
    const givesAllowances = !a.empty && a.allowanceRoot !== EMPTY_ALLOWANCE_ROOT_HEX;
    out.uint(a.index, 3).u8(a.empty ? WITNESS_EMPTY : givesAllowances ? WITNESS_WITH_ALLOWANCES : WITNESS_HELD);
    if (!a.empty) out.bytes(bytes(a.addr)).bytes(u64(a.nonce)).bytes(word(a.balance)).bytes(bytes(a.tokenRoot));
    if (givesAllowances) out.bytes(bytes(a.allowanceRoot));
    out.u8(a.tokenIds.length);
    a.tokenIds.forEach((id, k) => out.uint(id, 3).bytes(word(a.tokenBalances[k])));
    // Two bytes: an account holding many tokens can need more than 255 siblings in a depth-24 tree.
    out.uint(a.tokenProof.length, 2);
    for (const p of a.tokenProof) out.bytes(bytes(p));
    const tf = bytes(a.tokenZeroFlags);
    out.u8(tf.length).bytes(tf);
    out.u8(a.allowanceKeys.length);
    a.allowanceKeys.forEach((key, k) => out.uint(key, 6).bytes(word(a.allowances[k])));
    out.uint(a.allowanceProof.length, 2);
    for (const p of a.allowanceProof) out.bytes(bytes(p));
    const af = bytes(a.allowanceZeroFlags);
    out.u8(af.length).bytes(af);
  }
  out.uint(w.accountProof.length, 2);
  for (const p of w.accountProof) out.bytes(bytes(p));
  const af = bytes(w.accountZeroFlags);
  out.uint(af.length, 2).bytes(af);
  out.u8(w.queue.length);
  for (const q of w.queue) out.u8(q.kind).bytes(bytes(q.account)).uint(q.tokenId, 3).bytes(word(q.amount));
  return "0x" + out.toBuffer().toString("hex");
}

/**
 * Replays `body` on `state` (which must be at the commitment's pre-state), records what it
 * touches, rolls the state back and returns the verdict with the witnesses.
 */
export function buildFraudWitness(
  state: L2State,
  body: Buffer,
  params: { chainId: bigint; queueEntry(index: bigint): QueueEntry | undefined; position: BatchPosition },
): FraudCheck {
  const preAccountCount = state.accountCount;
  const pre = {
    accountsRoot: hex(state.accountsRoot()),
    accountCount: BigInt(preAccountCount),
    queueIndex: state.queueIndex,
    withdrawalCount: state.withdrawalCount,
    tokenCount: BigInt(state.tokenCount),
  };
  const cp = state.checkpoint();
  state.startAccessLog();
  let verdict: Verdict;
  let commitment: ReturnType<typeof replayCommitment>["commitment"];
  let touched: AccessLog;
  try {
    ({ verdict, commitment } = replayCommitment(state, body, params));
  } finally {
    touched = state.stopAccessLog();
    state.rollback(cp);
  }
  // Bytes that do not decode need no witness. A commitment that decodes and is malformed only as
  // a whole (a fee recipient that is no account) is replayed first on L1 too: it needs the
  // accounts and queue entries its operations touched, like any other verdict.
  if (!commitment) {
    const witness: Witness = { pre, accounts: [], accountProof: [], accountZeroFlags: "0x", queue: [] };
    return { verdict, witness, packed: encodeWitness(witness) };
  }

  const indices = [...touched.accounts].sort((a, b) => a - b);
  const sorted = (keys: Set<number> | undefined) => [...(keys ?? [])].sort((a, b) => a - b);
  const accounts = indices.map((index) => accountWitness(state, index, preAccountCount, sorted(touched.tokens.get(index)), sorted(touched.allowances.get(index))));
  const mp = indices.length ? buildMultiProof(ACCOUNT_TREE_DEPTH, indices, (l, i) => state.accountNode(l, i), ACCOUNT_ZERO) : { proof: [], zeroFlags: Buffer.alloc(0) };

  const queueOps = commitment.ops.filter((o) => o.kind === OpKind.QUEUE).length;
  const queue: QueueWitness[] = [];
  for (let i = state.queueIndex; i < state.queueIndex + BigInt(queueOps) && i < params.position.queueLimit; i++) {
    const e = params.queueEntry(i);
    if (!e) break;
    queue.push({ kind: e.kind, account: e.account, tokenId: e.tokenId, amount: e.amount });
  }
  const witness: Witness = { pre, accounts, accountProof: mp.proof.map(hex), accountZeroFlags: hex(mp.zeroFlags), queue };
  return { verdict, witness, packed: encodeWitness(witness) };
}

function accountWitness(state: L2State, index: number, preAccountCount: number, tokenIds: number[], allowanceKeys: number[]): AccountWitness {
  const empty = index >= preAccountCount;
  const a = empty ? undefined : state.peek(index);
  const tokens: ReadonlyMap<number, bigint> = a?.tokens ?? new Map<number, bigint>();
  const allowances: ReadonlyMap<number, bigint> = a?.allowances ?? new Map<number, bigint>();
  const levels = tokenLevels(tokens);
  // An empty account's token tree is all zero hashes: flags only, no siblings.
  const mp = tokenIds.length
    ? buildMultiProof(TOKEN_TREE_DEPTH, tokenIds, (l, i) => levels[l].get(i) ?? TOKEN_ZERO[l], TOKEN_ZERO)
    : { proof: [], zeroFlags: Buffer.alloc(0) };
  const allowanceNodes = allowanceLevels(allowances);
  const amp = allowanceKeys.length
    ? buildMultiProof(ALLOWANCE_TREE_DEPTH, allowanceKeys, (l, i) => allowanceNodes[l].get(i) ?? ALLOWANCE_ZERO[l], ALLOWANCE_ZERO)
    : { proof: [], zeroFlags: Buffer.alloc(0) };
  if (empty && (mp.proof.length > 0 || amp.proof.length > 0)) throw new InconsistentWitnessError(index);
  return {
    index,
    empty,
    addr: a?.address ?? "0x" + "00".repeat(20),
    nonce: a?.nonce ?? 0n,
    balance: a?.balance ?? 0n,
    tokenRoot: hex(tokenRoot(tokens)),
    tokenIds,
    tokenBalances: tokenIds.map((id) => tokens.get(id) ?? 0n),
    tokenProof: mp.proof.map(hex),
    tokenZeroFlags: hex(mp.zeroFlags),
    allowanceRoot: hex(allowanceRoot(allowances)),
    allowanceKeys,
    allowances: allowanceKeys.map((key) => allowances.get(key) ?? 0n),
    allowanceProof: amp.proof.map(hex),
    allowanceZeroFlags: hex(amp.zeroFlags),
  };
}

/** The Solidity FraudKind and Reason a verdict corresponds to. */
export function onChainVerdict(v: Verdict): { kind: number; reason: number } {
  if (v.ok) return { kind: 0, reason: 0 };
  return { kind: FRAUD_KIND[v.kind], reason: v.kind === "invalid-operation" ? FRAUD_REASON[v.reason] : 0 };
}
