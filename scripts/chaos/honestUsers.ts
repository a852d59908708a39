/**
 * Honest users, who keep using Cairn whatever is being done to it: L2 senders that send their
 * next transfer as soon as the last was acknowledged (backing off when refused or unreachable,
 * as a wallet would), and L1 users who deposit to fresh L2 addresses every few seconds.
 */
import secp256k1 from "secp256k1";
import { computeAddress, parseEther, type Signer } from "ethers";
import { keccak256 } from "../../src/core/hash";
import { rawTransaction, signingHash, type UnsignedTx } from "../../src/core/txSigning";
import { SELECTOR_TRANSFER } from "../../src/core/constants";
import { DEVNET_PARAMS } from "../../deploy/params";
import type { Bridge } from "../../typechain-types";
import { HttpRpc, RpcReplyError } from "./rpcClient";
import { between, sleep, type Rng } from "./rng";

/** JSON-RPC code of a refusal the client should retry later (the sequencer's backpressure). */
const OVERLOADED = -32005;

export interface HonestKey {
  key: Buffer;
  address: string;
}

/** `count` L2 keys drawn from the seed: the same seed, the same accounts. */
export function honestKeys(seed: number, count: number): HonestKey[] {
  return Array.from({ length: count }, (_, i) => {
    const key = keccak256(Buffer.from(`cairn-chaos-${seed}-${i}`));
    return { key, address: computeAddress("0x" + key.toString("hex")).toLowerCase() };
  });
}

export interface SenderStats {
  /** Acknowledged transaction hashes (lower case), each with when it was acknowledged (wall ms). */
  acknowledged: Map<string, number>;
  refusedOverloaded: number;
  /** The same, by the phase of the run they happened in: backpressure should engage only while posting is blocked. */
  refusedOverloadedByPhase: Record<string, number>;
  unreachable: number;
  /** Other refusals by message (a nonce moved after an unacknowledged send, say). */
  refused: Record<string, number>;
}

/** Signs an EIP-1559 transaction with a raw key (native secp256k1: the run's CPU is for the node). */
function sign(key: Buffer, tx: UnsignedTx): string {
  const { signature, recid } = secp256k1.ecdsaSign(signingHash(tx), key);
  return "0x" + rawTransaction(tx, { r: Buffer.from(signature.subarray(0, 32)), s: Buffer.from(signature.subarray(32)), yParity: recid as 0 | 1 }).toString("hex");
}

function tokenTransferData(to: string, amount: bigint): Buffer {
  return Buffer.from(SELECTOR_TRANSFER + to.slice(2).padStart(64, "0") + amount.toString(16).padStart(64, "0"), "hex");
}

export class HonestSenders {
  readonly stats: SenderStats = { acknowledged: new Map(), refusedOverloaded: 0, refusedOverloadedByPhase: {}, unreachable: 0, refused: {} };
  /** L2 token addresses every sender holds a balance of: transfers of them are mixed in. */
  readonly tokens: string[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  /** When start() was called (wall ms). */
  startedAt = 0;

  constructor(
    private readonly keys: HonestKey[],
    private readonly rpc: HttpRpc,
    private readonly random: Rng,
    private readonly phase: () => string,
  ) {}

  start(): void {
    this.running = true;
    this.startedAt = Date.now();
    this.loops = this.keys.map((k, i) => this.sendLoop(k, this.keys[(i + 1) % this.keys.length].address));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async sendLoop(me: HonestKey, friend: string): Promise<void> {
    let nonce: bigint | null = null;
    let sent = 0;
    while (this.running) {
      try {
        nonce ??= BigInt(await this.rpc.call<string>("eth_getTransactionCount", [me.address, "pending"]));
        const raw = sign(me.key, this.nextTransaction(nonce, friend, sent++));
        const hash = await this.rpc.call<string>("eth_sendRawTransaction", [raw]);
        this.stats.acknowledged.set(hash.toLowerCase(), Date.now());
        nonce++;
        await sleep(between(this.random, 10, 60));
      } catch (e) {
        await this.noteFailure(e);
        // The nonce may have moved (a send accepted whose reply was lost, a restart): ask again.
        nonce = null;
      }
    }
  }

  /** Mostly ETH transfers, some token transfers of whatever tokens are held. */
  private nextTransaction(nonce: bigint, to: string, n: number): UnsignedTx {
    const fee = { type: 2 as const, maxPriorityFeePerGas: 0n, maxFeePerGas: 20_000_000n, gasLimit: 60_000n };
    const base = { fee, chainId: DEVNET_PARAMS.l2ChainId, nonce };
    if (this.tokens.length > 0 && n % 4 === 3) {
      const token = this.tokens[between(this.random, 0, this.tokens.length - 1)];
      return { ...base, to: token, value: 0n, data: tokenTransferData(to, BigInt(between(this.random, 1, 1000))) };
    }
    return { ...base, to, value: BigInt(between(this.random, 1, 1_000_000)), data: Buffer.alloc(0) };
  }

  private async noteFailure(e: unknown): Promise<void> {
    if (e instanceof RpcReplyError) {
      if (e.rpc.code === OVERLOADED) {
        this.stats.refusedOverloaded++;
        const phase = this.phase();
        this.stats.refusedOverloadedByPhase[phase] = (this.stats.refusedOverloadedByPhase[phase] ?? 0) + 1;
      } else {
        const what = e.rpc.message.replace(/0x[0-9a-f]+|\b\d+\b/gi, "…").slice(0, 80);
        this.stats.refused[what] = (this.stats.refused[what] ?? 0) + 1;
      }
      await sleep(e.rpc.code === OVERLOADED ? 250 : 50);
      return;
    }
    this.stats.unreachable++;
    await sleep(200);
  }
}

export interface Deposit {
  recipient: string;
  amount: bigint;
  /** The attack under way when it was made. */
  phase: string;
}

/** L1 users depositing ETH to fresh L2 addresses every few seconds, throughout the run. */
export class HonestDepositors {
  readonly deposits: Deposit[] = [];
  private running = false;
  private loop: Promise<void> | null = null;
  failures = 0;

  constructor(
    private readonly bridge: Bridge,
    private readonly signers: Signer[],
    private readonly random: Rng,
    private readonly phase: () => string,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.depositLoop();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async depositLoop(): Promise<void> {
    for (let n = 0; this.running; n++) {
      const recipient = computeAddress("0x" + keccak256(Buffer.from(`cairn-chaos-deposit-${n}-${this.random()}`)).toString("hex")).toLowerCase();
      const amount = parseEther("0.01") + BigInt(between(this.random, 1, 1_000_000));
      const phase = this.phase();
      try {
        const signer = this.signers[n % this.signers.length];
        await (await this.bridge.connect(signer).depositETH(recipient, { value: amount })).wait();
        this.deposits.push({ recipient, amount, phase });
      } catch {
        this.failures++;
      }
      await sleep(between(this.random, 1_000, 2_500));
    }
  }
}
