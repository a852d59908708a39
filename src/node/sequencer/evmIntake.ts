/**
 * The sequencer's intake in experimental EVM mode (docs/design/evm.md, *Tracer bullet*): a
 * contract transaction runs in the engine as a block of its own (Sequencer.sendContractTransaction);
 * anything else takes the packed path as in the default mode, refused if it names a contract
 * (core/evm/routing.ts). Transactions and L1 queue entries are applied one at a time here, so
 * that no state change lands while the engine awaits.
 */
import { authenticate, decodeRawTransaction, requireWithinBlockGasLimit, toSignedOp } from "../../core/intake";
import { isContractTransaction, refusePackedOnContracts } from "../../core/evm/routing";
import { parseEvmTransaction } from "../../core/evm/evmTransaction";
import { InvalidOperationError } from "../../core/errors";
import type { QueueEntry } from "../../core/queueOps";
import type { Recovered, RecoveryRequest } from "../recoveryWorker";
import type { StateTurns } from "../../chain/stateTurns";
import { yieldingPause } from "../../shared/eventLoop";
import type { Sequencer } from "./sequencer";

export class EvmIntake {
  constructor(
    private readonly sequencer: Sequencer,
    /** Recovers a packed transaction's signer (the node's worker thread, or here). */
    private readonly recover: (request: RecoveryRequest) => Recovered | Promise<Recovered>,
    /** Each task changes the state in a turn of its own: simulations of it wait meanwhile. */
    private readonly turns: StateTurns,
  ) {}

  /** Validates and applies `raw` in its turn, after `check` (the node's backpressure); returns its hash. */
  send(raw: string, check: () => void): Promise<string> {
    return this.oneAtATime(() => {
      check();
      return this.apply(raw);
    });
  }

  /** Runs `task` in its turn: nothing else applies to the state until it settles. */
  inTurn<T>(task: () => Promise<T>): Promise<T> {
    return this.oneAtATime(task);
  }

  /** Validates and applies `raw` now, for a caller already holding the turn ({@link inTurn}); returns its hash. */
  applyInTurn(raw: string): Promise<string> {
    return this.apply(raw);
  }

  /** Applies L1 queue entries in their turn. */
  queueEntries(entries: readonly QueueEntry[]): Promise<void> {
    return this.oneAtATime(async () => this.sequencer.addQueueEntries(entries));
  }

  private async apply(raw: string): Promise<string> {
    const chainId = this.sequencer.chainId;
    const state = this.sequencer.state;
    const bytes = typeof raw === "string" && /^0x([0-9a-fA-F]{2})+$/.test(raw) ? Buffer.from(raw.slice(2), "hex") : null;
    if (bytes && isContractTransaction(state, bytes, chainId)) {
      const tx = parseEvmTransaction(bytes, chainId);
      try {
        return await this.sequencer.sendContractTransaction(tx, yieldingPause());
      } catch (e) {
        // A transaction the chain already holds fails on its nonce; say what wallets expect.
        if (e instanceof InvalidOperationError && e.reason === "nonce-too-low" && this.sequencer.chain.hasTx(tx.hash)) throw new InvalidOperationError("nonce-too-low", "already known");
        throw e;
      }
    }
    const decoded = decodeRawTransaction(raw, chainId);
    requireWithinBlockGasLimit(decoded);
    const signed = await this.recover({ payload: decoded.signingPayload, sig: decoded.sig, raw: decoded.raw });
    const parsed = authenticate(decoded, signed.from, signed.hash!);
    refusePackedOnContracts(state, toSignedOp(state, parsed, 0, { checkNonce: false }));
    return this.sequencer.sendParsedTransaction(parsed);
  }

  /**
   * Runs `task` once every task handed here before it has settled: in a write turn asked for
   * now, so that tasks waiting together pass simulations together (write turns are first come,
   * first served, and reads asked for after a waiting write wait for it).
   */
  private oneAtATime<T>(task: () => Promise<T>): Promise<T> {
    return this.turns.write(task);
  }
}
