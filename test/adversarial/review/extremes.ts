/**
 * Fabricated pre-states and commitments at the edges of every field, for a differential run of
 * src/core (`buildFraudWitness`, the challenger's witness) against `FraudVerifier.verify` on the
 * same pre-state. Operations are signed for real, so they reach the checks after the signature.
 */
import { ethers } from "hardhat";
import { SigningKey, Wallet, parseEther } from "ethers";
import { l1Fixture } from "../../helpers/l1Fixture";
import { CHAIN_ID } from "../../helpers/fraudFixture";
import { randomAddress } from "../../helpers/randomWallet";
import { L1Contracts } from "../../../src/node/l1/contracts";
import { type L1QueueEntry } from "../../../src/chain/l1Queue";
import { L2State } from "../../../src/core/state";
import { applyOp, signingHashAt, type BlockEnv } from "../../../src/core/execute";
import { type QueueEntry } from "../../../src/core/queueOps";
import {
  buildFraudWitness,
  onChainVerdict,
} from "../../../src/core/fraudProof";
import { MAX_UINT256, MAX_UINT64 } from "../../../src/core/bytes";
import { OpKind, ZERO_ADDRESS } from "../../../src/core/constants";
import type { Commitment } from "../../../src/core/commitment";
import type { Op, SignedOp } from "../../../src/core/ops";
import type { FeeEntry, TxSignature } from "../../../src/core/txSigning";
import { InvalidOperationError } from "../../../src/core/errors";
import { keccak256 } from "../../../src/core/hash";
import { withdrawalTree, withdrawalsOf } from "../../../src/core/blockBuilder";
import type { FraudVerifier } from "../../../typechain-types";

/** A small deterministic generator (xorshift128+ on bigints, seeded by a string). */
export class Rand {
  private s0: bigint;
  private s1: bigint;
  constructor(seed: string) {
    const h = keccak256(Buffer.from(seed));
    this.s0 = h.readBigUInt64BE(0) | 1n;
    this.s1 = h.readBigUInt64BE(8) | 2n;
  }
  next64(): bigint {
    const M = (1n << 64n) - 1n;
    let x = this.s0;
    const y = this.s1;
    this.s0 = y;
    x = (x ^ (x << 23n)) & M;
    this.s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return (this.s1 + y) & M;
  }
  int(n: number): number {
    return Number(this.next64() % BigInt(n));
  }
  chance(p: number): boolean {
    return this.int(1_000_000) < p * 1_000_000;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  big(bits: number): bigint {
    let v = 0n;
    for (let i = 0; i < bits; i += 64) v = (v << 64n) | this.next64();
    return v & ((1n << BigInt(bits)) - 1n);
  }
}

/** Values at the edges: 0, 1, 2^k − 1, 2^k for every byte width, powers of ten, 10^31 multiples, the top of uint256. */
export const EDGE_VALUES: bigint[] = (() => {
  const out = new Set<bigint>([
    0n,
    1n,
    2n,
    9n,
    10n,
    11n,
    99n,
    100n,
    1000n,
    21_000n,
    100_000n,
    10_000_000n,
    20_000_000n,
  ]);
  for (let k = 8; k <= 256; k += 8) {
    out.add((1n << BigInt(k)) - 1n);
    if (k < 256) out.add(1n << BigInt(k));
  }
  for (let e = 0; e <= 77; e++) out.add(10n ** BigInt(e));
  for (const m of [1n, 7n, 10n, 100n, 12345n, 10n ** 45n, 10n ** 46n])
    if (m * 10n ** 31n <= MAX_UINT256) out.add(m * 10n ** 31n);
  out.add(MAX_UINT256 - 1n);
  out.add(MAX_UINT256 / 2n);
  out.add(MAX_UINT256 - (MAX_UINT256 % 10n ** 31n));
  return [...out].filter((v) => v <= MAX_UINT256);
})();

export interface Key {
  wallet: Wallet;
  address: string;
}

export interface ExtremeWorld {
  verifier: FraudVerifier;
  bridge: string;
  token: string;
  queue: L1QueueEntry[];
  keys: Key[];
  /** An address with a forced withdrawal on L1 and a key on L2 (keys[3]). */
  forcer: Key;
}

/**
 * The L1 side: a verifier, a Bridge with one registered token, and a queue holding every entry
 * kind — deposits to existing and new addresses, a registration, forced withdrawals of
 * more than any balance and of nothing held.
 */
export async function extremeWorld(): Promise<ExtremeWorld> {
  const f = await l1Fixture();
  const keys: Key[] = Array.from({ length: 4 }, (_, i) => {
    const wallet = new Wallet(
      keccak256(Buffer.from(`attack-review key ${i}`)).toString("hex")
    );
    return { wallet, address: wallet.address.toLowerCase() };
  });
  const [, funder] = await ethers.getSigners();
  await f.bridge.registerToken(f.token); // entry 0
  await f.bridge.connect(funder).depositETH(keys[0].address, { value: 123n }); // 1: existing
  await f.bridge
    .connect(f.alice)
    .depositERC20(f.token, keys[1].address, 10n ** 20n); // 2: existing, token
  const stranger = Wallet.createRandom().address;
  await f.bridge
    .connect(funder)
    .depositETH(stranger, { value: parseEther("1") }); // 3: new
  await f.bridge
    .connect(f.alice)
    .depositERC20(f.token, Wallet.createRandom().address, 5n); // 4: new, token
  const forcer = keys[3].wallet.connect(ethers.provider);
  await funder.sendTransaction({ to: forcer.address, value: parseEther("1") });
  await f.bridge.connect(forcer).forceWithdrawal(ZERO_ADDRESS, 1000n); // 5: forced ETH
  await f.bridge
    .connect(forcer)
    .forceWithdrawal(await f.token.getAddress(), MAX_UINT256); // 6: forced token, more than any balance
  await f.bridge.connect(funder).forceWithdrawal(ZERO_ADDRESS, 1n); // 7: forced, the caller has no L2 account
  await f.bridge.connect(funder).depositETH(keys[2].address, { value: 1n }); // 8: existing
  const l1 = new L1Contracts(ethers.provider, f.addresses);
  const queue = await l1.queueEntries(
    f.deployBlock,
    await ethers.provider.getBlockNumber()
  );
  return {
    verifier: f.verifier,
    bridge: f.addresses.bridge,
    token: (await f.token.getAddress()).toLowerCase(),
    queue,
    keys,
    forcer: keys[3],
  };
}

export interface PreState {
  state: L2State;
  /** Index of each key's account (undefined: none). */
  accountOf: Map<string, number>;
  queueLimit: bigint;
  lastInBatch: boolean;
}

/**
 * A pre-state: account 0, the four keys (some missing), and strangers; balances, nonces,
 * token balances and counters drawn from the edges.
 */
export function preState(world: ExtremeWorld, r: Rand): PreState {
  const edge = () =>
    r.chance(0.5)
      ? r.pick([
          0n,
          1n,
          10n ** 18n,
          10n ** 30n,
          MAX_UINT256 / 2n,
          MAX_UINT256 - 1_000_000_000_000n,
          MAX_UINT256,
        ])
      : r.pick(EDGE_VALUES);
  const nonce = () => r.pick([0n, 0n, 0n, 1n, 7n, MAX_UINT64 - 1n, MAX_UINT64]);
  const accounts: Array<{
    address: string;
    nonce: bigint;
    balance: bigint;
    tokens: Array<[number, bigint]>;
  }> = [
    {
      address: ZERO_ADDRESS,
      nonce: 0n,
      balance: r.chance(0.2) ? edge() : 0n,
      tokens: [],
    },
  ];
  const accountOf = new Map<string, number>();
  const tokenCount = r.chance(0.85) ? 1 : 0;
  for (const k of world.keys) {
    if (r.chance(0.12) && k !== world.keys[0]) continue;
    if (r.chance(0.2))
      accounts.push({
        address: randomAddress().toLowerCase(),
        nonce: 0n,
        balance: edge(),
        tokens: [],
      });
    accountOf.set(k.address, accounts.length);
    const tokens: Array<[number, bigint]> =
      tokenCount && r.chance(0.6) ? [[0, edge() || 1n]] : [];
    accounts.push({
      address: k.address,
      nonce: nonce(),
      balance: edge(),
      tokens,
    });
  }
  const withdrawalCount = r.pick([0n, 3n, MAX_UINT64 - 1n, MAX_UINT64]);
  const queueIndex = BigInt(r.int(world.queue.length + 1));
  const state = L2State.restore(accounts, {
    accountCount: accounts.length,
    tokens: tokenCount ? [world.token] : [],
    queueIndex,
    withdrawalCount,
  });
  const queueLimit =
    queueIndex + BigInt(r.int(world.queue.length - Number(queueIndex) + 1));
  return { state, accountOf, queueLimit, lastInBatch: r.chance(0.3) };
}

function sign(key: Key, hash: Buffer): TxSignature {
  const sig = new SigningKey(key.wallet.privateKey).sign(hash);
  return {
    r: Buffer.from(sig.r.slice(2), "hex"),
    s: Buffer.from(sig.s.slice(2), "hex"),
    yParity: sig.yParity,
  };
}

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const word = (v: bigint) =>
  Buffer.from(v.toString(16).padStart(64, "0"), "hex");

/** A signature mangled the ways a proposer might: high s, r or s zero, r ≥ n, parity flipped. */
function mangle(sig: TxSignature, r: Rand): TxSignature {
  const s = BigInt("0x" + sig.s.toString("hex"));
  switch (r.int(7)) {
    case 0:
      // N − s is above N/2 and still below 2^255 only sometimes; written as is, the top bit may be the parity's.
      return { ...sig, s: word(N - s), yParity: (1 - sig.yParity) as 0 | 1 };
    case 1:
      return { ...sig, r: word(0n) };
    case 2:
      return { ...sig, r: word(N + BigInt(r.int(5))) };
    case 3:
      return { ...sig, s: word(0n) };
    case 4:
      return { ...sig, yParity: (1 - sig.yParity) as 0 | 1 };
    case 5:
      return { ...sig, s: word(N / 2n + BigInt(r.int(2))) };
    default:
      return { r: r.bytes(32), s: r.bytes(32), yParity: r.int(2) as 0 | 1 };
  }
}

function feeEntry(r: Rand, baseFee: bigint): FeeEntry {
  const pick = () =>
    r.chance(0.5)
      ? r.pick([
          0n,
          baseFee,
          baseFee + 1n,
          2n * baseFee,
          baseFee - 1n > 0n ? baseFee - 1n : 0n,
        ])
      : r.pick(EDGE_VALUES);
  const gasLimit = r.chance(0.7)
    ? r.pick([100_000n, 21_000n, 20_999n, 34_311n, 34_310n, 51_411n, 51_410n, 60_000n, 59_999n, 200_000n])
    : r.pick(EDGE_VALUES);
  if (r.chance(0.3)) return { type: 0, gasPrice: pick(), gasLimit };
  const maxFeePerGas = pick();
  return {
    type: 2,
    maxPriorityFeePerGas: r.chance(0.5) ? 0n : pick(),
    maxFeePerGas,
    gasLimit,
  };
}

/**
 * A commitment on `pre`: operations drawn from every kind and edge, signed for real by the key
 * that owns the sender (at its nonce as the replay will see it) unless the case mangles it.
 */
export function commitment(
  world: ExtremeWorld,
  pre: PreState,
  r: Rand
): Commitment {
  const state = pre.state;
  const baseFee = r.chance(0.6)
    ? r.pick([0n, 1n, 10_000_000n])
    : r.pick(EDGE_VALUES);
  const fees: FeeEntry[] = Array.from(
    { length: r.pick([0, 1, 1, 1, 2, 3, 5, 32]) },
    () => feeEntry(r, baseFee)
  );
  const accountCount = state.accountCount;
  const feeRecipient = r.chance(0.85)
    ? r.int(accountCount)
    : r.pick([accountCount, accountCount + 1, 2 ** 21, 2 ** 28 - 1]);
  const ops: Op[] = [];
  const cp = state.checkpoint();
  const env: BlockEnv = {
    chainId: CHAIN_ID,
    baseFee,
    feeRecipient,
    fees,
    queueEntry: (i: bigint) =>
      i < pre.queueLimit
        ? (world.queue[Number(i)] as QueueEntry | undefined)
        : undefined,
  };
  try {
    const count = r.pick([0, 1, 1, 2, 3, 4, 6, 32]);
    for (let k = 0; k < count; k++) {
      const op = r.chance(0.25)
        ? queueOp(world, state, pre, r)
        : signedOp(world, state, pre, env, fees, r);
      ops.push(op);
      try {
        applyOp(state, op, env);
      } catch (e) {
        if (!(e instanceof InvalidOperationError)) throw e;
      }
    }
  } finally {
    state.rollback(cp);
  }
  return {
    postStateRoot: keccak256(r.bytes(8)),
    withdrawalRoot: null,
    timestamp: 1_700_000_000,
    baseFee,
    feeRecipient,
    fees,
    ops,
  };
}

function queueOp(
  world: ExtremeWorld,
  state: L2State,
  pre: PreState,
  r: Rand
): Op {
  const e = world.queue[Number(state.queueIndex)];
  const at = e ? state.indexOf(e.account.toLowerCase()) : undefined;
  const right: Op =
    !e || e.kind === 2
      ? { kind: OpKind.QUEUE, credit: "none" }
      : e.kind >= 3
      ? at === undefined
        ? { kind: OpKind.QUEUE, credit: "none" }
        : { kind: OpKind.QUEUE, credit: "existing", index: at }
      : at === undefined
      ? { kind: OpKind.QUEUE, credit: "new" }
      : { kind: OpKind.QUEUE, credit: "existing", index: at };
  if (r.chance(0.8)) return right;
  return r.pick<Op>([
    { kind: OpKind.QUEUE, credit: "none" },
    { kind: OpKind.QUEUE, credit: "new" },
    {
      kind: OpKind.QUEUE,
      credit: "existing",
      index: r.int(state.accountCount + 2),
    },
    { kind: OpKind.QUEUE, credit: "existing", index: 0 },
  ]);
}

function signedOp(
  world: ExtremeWorld,
  state: L2State,
  pre: PreState,
  env: BlockEnv,
  fees: FeeEntry[],
  r: Rand
): SignedOp {
  const key = r.pick(world.keys);
  const known = pre.accountOf.get(key.address) ?? state.indexOf(key.address);
  const from =
    known !== undefined && r.chance(0.9)
      ? known
      : r.pick([0, state.accountCount, r.int(state.accountCount + 1)]);
  const feeIndex =
    fees.length > 0 && r.chance(0.9)
      ? r.int(fees.length)
      : r.int(Math.max(1, 2 ** Math.ceil(Math.log2(Math.max(fees.length, 1)))));
  const amount = r.chance(0.3) ? r.pick([0n, 1n, 5n]) : r.pick(EDGE_VALUES);
  const tokenId = r.chance(0.85) ? 0 : r.pick([1, 255]);
  const someAccount = () =>
    r.chance(0.9)
      ? r.int(state.accountCount)
      : r.pick([state.accountCount, state.accountCount + 3]);
  const someAddress = () =>
    r.chance(0.6)
      ? randomAddress().toLowerCase()
      : r.pick([
          ZERO_ADDRESS,
          world.keys[r.int(4)].address,
          state.accountCount > 1
            ? state.account(Math.min(state.accountCount - 1, env.feeRecipient))
                .address
            : ZERO_ADDRESS,
        ]);
  const kind = r.pick([
    OpKind.ETH_TRANSFER,
    OpKind.ETH_TRANSFER,
    OpKind.ETH_TRANSFER_NEW,
    OpKind.TOKEN_TRANSFER,
    OpKind.TOKEN_TRANSFER_NEW,
    OpKind.WITHDRAW_ETH,
    OpKind.WITHDRAW_TOKEN,
  ]);
  const sig: TxSignature = {
    r: Buffer.alloc(32, 1),
    s: Buffer.alloc(32, 1),
    yParity: 0,
  };
  const base = { feeIndex, from, amount, sig };
  let op: SignedOp;
  switch (kind) {
    case OpKind.ETH_TRANSFER:
      op = {
        kind,
        ...base,
        to: r.chance(0.3)
          ? env.feeRecipient % 2 ** 24
          : r.chance(0.2)
          ? from
          : someAccount(),
      };
      break;
    case OpKind.ETH_TRANSFER_NEW:
      op = { kind, ...base, to: someAddress() };
      break;
    case OpKind.TOKEN_TRANSFER:
      op = { kind, ...base, tokenId, to: r.chance(0.2) ? from : someAccount() };
      break;
    case OpKind.TOKEN_TRANSFER_NEW:
      op = { kind, ...base, tokenId, to: someAddress() };
      break;
    case OpKind.WITHDRAW_ETH:
      op = {
        kind,
        ...base,
        l1Recipient: r.chance(0.1) ? ZERO_ADDRESS : key.address,
      };
      break;
    default:
      op = {
        kind: OpKind.WITHDRAW_TOKEN,
        ...base,
        tokenId,
        l1Recipient: r.chance(0.1) ? ZERO_ADDRESS : key.address,
      };
  }
  if (op.from < state.accountCount) {
    const owner =
      world.keys.find((k) => k.address === state.account(op.from).address) ??
      key;
    const nonce = state.account(op.from).nonce + (r.chance(0.1) ? 1n : 0n);
    const hash = signingHashAt(
      state,
      op,
      { ...env, chainId: r.chance(0.05) ? CHAIN_ID + 1n : CHAIN_ID },
      nonce
    );
    if (hash) op.sig = sign(r.chance(0.05) ? r.pick(world.keys) : owner, hash);
    if (r.chance(0.08)) op.sig = mangle(op.sig, r);
  }
  return op;
}

/** The claims an honest proposer would make for `c` on `pre` (post-state and withdrawal roots). */
export function honestClaims(
  world: ExtremeWorld,
  pre: PreState,
  c: Commitment
): Commitment {
  const state = pre.state;
  const cp = state.checkpoint();
  try {
    const env = envOf(world, pre, c);
    const results = [];
    for (const op of c.ops) {
      try {
        results.push(applyOp(state, op, env));
      } catch (e) {
        if (!(e instanceof InvalidOperationError)) throw e;
        return c;
      }
    }
    const tree = withdrawalTree(withdrawalsOf(results));
    return {
      ...c,
      postStateRoot: state.root(),
      withdrawalRoot: tree ? tree.getRoot() : null,
    };
  } finally {
    state.rollback(cp);
  }
}

export interface Judged {
  core: { kind: number; reason: number; opIndex: number };
  chain:
    | { kind: number; reason: number; opIndex: number }
    | { reverted: string };
}

/** Both verdicts on `body` from `pre`: src/core's (with the challenger's witness) and the verifier's. */
export async function judge(
  world: ExtremeWorld,
  pre: PreState,
  body: Buffer
): Promise<Judged> {
  const position = { queueLimit: pre.queueLimit, lastInBatch: pre.lastInBatch };
  const params = {
    chainId: CHAIN_ID,
    queueEntry: (i: bigint) => world.queue[Number(i)] as QueueEntry | undefined,
    position,
  };
  const { verdict, packed } = buildFraudWitness(pre.state, body, params);
  const v = onChainVerdict(verdict);
  const core = {
    ...v,
    opIndex:
      !verdict.ok && verdict.kind === "invalid-operation" ? verdict.opIndex : 0,
  };
  const context = {
    preStateRoot: "0x" + pre.state.root().toString("hex"),
    chainId: CHAIN_ID,
    bridge: world.bridge,
    queueLimit: pre.queueLimit,
    lastInBatch: pre.lastInBatch,
  };
  try {
    const [kind, reason, opIndex] = await world.verifier.verify(
      body,
      packed,
      context
    );
    return {
      core,
      chain: {
        kind: Number(kind),
        reason: Number(reason),
        opIndex: Number(opIndex),
      },
    };
  } catch (e) {
    const err = e as { shortMessage?: string; message: string; data?: string };
    let name = err.shortMessage ?? err.message;
    try {
      if (err.data)
        name = world.verifier.interface.parseError(err.data)?.name ?? name;
    } catch {
      /* keep the message */
    }
    return { core, chain: { reverted: name } };
  }
}

/** `op` signed by `key` for `state` at the sender's current nonce (or `nonce`), as the replay rebuilds it. */
export function signFor(
  state: L2State,
  op: SignedOp,
  env: BlockEnv,
  key: Key,
  nonce?: bigint
): SignedOp {
  const hash = signingHashAt(
    state,
    op,
    env,
    nonce ?? state.account(op.from).nonce
  );
  if (!hash)
    throw new Error("the state cannot resolve what this operation signs");
  return { ...op, sig: sign(key, hash) };
}

/** The environment a commitment `c` gives its operations on `pre`. */
export function envOf(
  world: ExtremeWorld,
  pre: PreState,
  c: Pick<Commitment, "baseFee" | "feeRecipient" | "fees">
): BlockEnv {
  return {
    chainId: CHAIN_ID,
    baseFee: c.baseFee,
    feeRecipient: c.feeRecipient,
    fees: c.fees,
    queueEntry: (i: bigint) =>
      i < pre.queueLimit ? world.queue[Number(i)] : undefined,
  };
}

/**
 * Appends to `c.ops` the operations `make` builds, in order, each made (and signed) for the
 * state the ones before it leave — on a scratch copy: the pre-state is left as it was. An
 * operation the state refuses stays in, as a malicious proposer would post it.
 */
export function makeOps(
  world: ExtremeWorld,
  pre: PreState,
  c: Commitment,
  make: Array<(s: L2State, env: BlockEnv) => Op>
): void {
  const env = envOf(world, pre, c);
  const cp = pre.state.checkpoint();
  try {
    for (const m of make) {
      const op = m(pre.state, env);
      c.ops.push(op);
      try {
        applyOp(pre.state, op, env);
      } catch (e) {
        if (!(e instanceof InvalidOperationError)) throw e;
      }
    }
  } finally {
    pre.state.rollback(cp);
  }
}

export { sign, mangle, N as SECP256K1_N, word };
