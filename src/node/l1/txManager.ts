/**
 * Sends a node's L1 transactions and sees each one mined, whatever happens to it on the way: a
 * transaction dropped from the mempool (evicted after a fee spike, lost in an L1 node restart) or
 * left underpriced is sent again at the same nonce with higher fees; a nonce taken by another
 * transaction of the same account is noticed and the transaction sent at the next one. Every
 * wait has a deadline. One transaction at a time, so the nonces of one account stay in order —
 * the node's batches, bonds and fraud proofs all go through one manager.
 */
import type { Provider, Signer, TransactionReceipt, TransactionRequest } from "ethers";
import { blobSidecars, ethersKzg } from "./kzg";
import { l1BlobBaseFee } from "./blobFees";
import { CairnError } from "../../core/errors";
import type { Logger } from "../../shared/logger";

export interface L1TxManagerOptions {
  logger: Logger;
  /** Send again, fees bumped, when not mined after this long (default 45 s: a few L1 slots). */
  resendAfterMs?: number;
  /** Give up on a transaction after this long in all (default 15 minutes). */
  timeoutMs?: number;
  /** How often to look for the receipt (default 1 s). */
  pollMs?: number;
  /** Fee increase of each re-send, in percent (default 25; L1 nodes want at least 10 to replace). */
  feeBumpPercent?: number;
  /** The most the manager will ever bid per gas (default: no cap). */
  maxFeePerGasCap?: bigint;
}

/** An L1 transaction the node could not get mined in time. */
export class L1TransactionTimeoutError extends CairnError {
  readonly code: string = "L1_TX_TIMEOUT";
  override readonly name = "L1TransactionTimeoutError";
  constructor(
    readonly what: string,
    readonly hashes: string[],
  ) {
    super("L1 transaction not mined in time", { details: `${what}: sent ${hashes.length} time(s) (${hashes.join(", ")})` });
  }
}

/** An L1 transaction that was mined and reverted: sending it again would not help. */
export class L1TransactionRevertedError extends CairnError {
  readonly code: string = "L1_TX_REVERTED";
  override readonly name = "L1TransactionRevertedError";
  constructor(
    readonly what: string,
    readonly hash: string,
  ) {
    super("L1 transaction reverted", { details: `${what}: ${hash}` });
  }
}

/** A signer that cannot reach L1: the manager reads nonces, fees and receipts through its provider. */
export class L1SignerWithoutProviderError extends CairnError {
  readonly code = "L1_SIGNER_WITHOUT_PROVIDER";
  override readonly name = "L1SignerWithoutProviderError";
  constructor() {
    super("the L1 signer has no provider");
  }
}

interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/**
 * What the node asks L1 to run. `blobs` makes it a type-3 transaction carrying them (their
 * commitments and proofs computed at signing); it then needs a `gasLimit`, since L1 estimates
 * gas without the blobs, where BLOBHASH reads zero.
 */
export type L1Request = Pick<TransactionRequest, "to" | "data" | "value" | "gasLimit"> & { blobs?: Uint8Array[] };

/** A blob transaction sent without a gas limit: its estimate would run without its blobs. */
export class BlobGasLimitMissingError extends CairnError {
  readonly code = "BLOB_GAS_LIMIT_MISSING";
  override readonly name = "BlobGasLimitMissingError";
  constructor(readonly what: string) {
    super("a blob transaction needs an explicit gas limit", { details: what });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class L1TxManager {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly resendAfterMs: number;
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly bump: bigint;
  /** Transactions sent again after they were not mined in time: for status and tests. */
  resends = 0;

  constructor(
    private readonly signer: Signer,
    private readonly options: L1TxManagerOptions,
  ) {
    this.resendAfterMs = options.resendAfterMs ?? 45_000;
    this.timeoutMs = options.timeoutMs ?? 15 * 60_000;
    this.pollMs = options.pollMs ?? 1_000;
    this.bump = BigInt(100 + (options.feeBumpPercent ?? 25));
  }

  private get provider(): Provider {
    if (!this.signer.provider) throw new L1SignerWithoutProviderError();
    return this.signer.provider;
  }

  /**
   * Sends `request` and resolves with its receipt once mined. Throws L1TransactionRevertedError
   * if it reverted (or its gas estimate does: the reason is in the error's cause), and
   * L1TransactionTimeoutError if no copy was mined in time.
   */
  send(request: L1Request, what: string): Promise<TransactionReceipt> {
    const run = this.queue.then(() => this.sendNow(request, what));
    // The caller gets run's failure; the queue only needs it settled before the next send.
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async sendNow(request: L1Request, what: string): Promise<TransactionReceipt> {
    const from = await this.signer.getAddress();
    const { blobs, ...call } = request;
    if (blobs && request.gasLimit === undefined) throw new BlobGasLimitMissingError(what);
    // ~0.7 s of KZG a blob: on the workers, not on the loop that seals blocks and answers RPC.
    const kzg = blobs ? ethersKzg(blobs, await blobSidecars(blobs)) : undefined;
    // A revert shows here, with its reason, before anything is sent.
    const gasLimit = request.gasLimit ?? ((await this.provider.estimateGas({ ...call, from })) * 12n) / 10n + 10_000n;
    const deadline = Date.now() + this.timeoutMs;
    const hashes: string[] = [];
    let nonce = await this.provider.getTransactionCount(from, "latest");
    let fees = await this.networkFees();
    // A blob transaction replaces another only at twice its blob fee (geth's rule): bid double each round.
    let maxFeePerBlobGas = blobs ? 2n * (await l1BlobBaseFee(this.provider)) + 1n : 0n;
    while (Date.now() < deadline) {
      const typed: TransactionRequest = blobs ? { type: 3, blobs, kzg, maxFeePerBlobGas } : { type: 2 };
      const hash = await this.broadcast({ ...call, gasLimit, nonce, ...fees, ...typed }, what);
      if (hash) hashes.push(hash);
      const outcome = await this.awaitMined(hashes, from, nonce, Math.min(deadline, Date.now() + this.resendAfterMs));
      if (outcome.receipt) {
        if (outcome.receipt.status !== 1) throw new L1TransactionRevertedError(what, outcome.receipt.hash);
        return outcome.receipt;
      }
      if (outcome.nonceTaken) {
        this.options.logger.warn({ what, nonce }, "L1 nonce taken by another transaction of this account; sending at the next one");
        nonce = await this.provider.getTransactionCount(from, "latest");
        continue;
      }
      this.resends++;
      fees = this.bumped(fees, await this.networkFees());
      if (blobs) {
        const network = 2n * (await l1BlobBaseFee(this.provider));
        maxFeePerBlobGas = 2n * maxFeePerBlobGas > network ? 2n * maxFeePerBlobGas : network;
      }
      this.options.logger.warn({ what, nonce, sent: hashes.length, maxFeePerGas: fees.maxFeePerGas.toString() }, "L1 transaction not mined in time (dropped or underpriced): sending it again with higher fees");
    }
    throw new L1TransactionTimeoutError(what, hashes);
  }

  /** Sends one signed copy; null when the node refused it as a duplicate or underpriced replacement. */
  private async broadcast(tx: TransactionRequest, what: string): Promise<string | null> {
    try {
      return (await this.signer.sendTransaction(tx)).hash;
    } catch (e) {
      const message = (e as Error).message;
      // The copy already in the mempool stands: keep waiting for it (the next round bids higher).
      if (/already known|underpriced|replacement/i.test(message)) {
        this.options.logger.warn({ what, err: message.slice(0, 200) }, "L1 node kept the earlier copy");
        return null;
      }
      // The nonce was used meanwhile: awaitMined notices and moves on.
      if (/nonce too low|nonce has already been used|NONCE_EXPIRED/i.test(message)) return null;
      throw e;
    }
  }

  /**
   * Waits until `until` for a receipt of any copy. `nonceTaken`: the account's mined nonce passed
   * `nonce` with none of ours mined — another transaction of this account took it.
   */
  private async awaitMined(hashes: string[], from: string, nonce: number, until: number): Promise<{ receipt?: TransactionReceipt; nonceTaken?: boolean }> {
    for (;;) {
      for (const h of hashes) {
        const receipt = await this.provider.getTransactionReceipt(h);
        if (receipt) return { receipt };
      }
      if ((await this.provider.getTransactionCount(from, "latest")) > nonce) {
        // A copy may have been mined between the two reads: look once more before saying so.
        for (const h of hashes) {
          const receipt = await this.provider.getTransactionReceipt(h);
          if (receipt) return { receipt };
        }
        return { nonceTaken: true };
      }
      if (Date.now() >= until) return {};
      await sleep(Math.min(this.pollMs, Math.max(0, until - Date.now())));
    }
  }

  private async networkFees(): Promise<Fees> {
    const data = await this.provider.getFeeData();
    const priority = data.maxPriorityFeePerGas ?? 1_000_000_000n;
    const max = data.maxFeePerGas ?? (data.gasPrice ?? 0n) + priority;
    return this.capped({ maxFeePerGas: max > priority ? max : priority, maxPriorityFeePerGas: priority });
  }

  /** The previous bid raised by the bump (what a replacement needs), or the network's if higher. */
  private bumped(previous: Fees, network: Fees): Fees {
    const raise = (v: bigint) => (v * this.bump) / 100n + 1n;
    const maxPriorityFeePerGas = network.maxPriorityFeePerGas > raise(previous.maxPriorityFeePerGas) ? network.maxPriorityFeePerGas : raise(previous.maxPriorityFeePerGas);
    let maxFeePerGas = network.maxFeePerGas > raise(previous.maxFeePerGas) ? network.maxFeePerGas : raise(previous.maxFeePerGas);
    if (maxFeePerGas < maxPriorityFeePerGas) maxFeePerGas = maxPriorityFeePerGas;
    return this.capped({ maxFeePerGas, maxPriorityFeePerGas });
  }

  private capped(f: Fees): Fees {
    const cap = this.options.maxFeePerGasCap;
    if (cap === undefined || f.maxFeePerGas <= cap) return f;
    return { maxFeePerGas: cap, maxPriorityFeePerGas: f.maxPriorityFeePerGas > cap ? cap : f.maxPriorityFeePerGas };
  }
}
