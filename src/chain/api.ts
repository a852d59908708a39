/**
 * The shapes of what the L2's rollup_* JSON-RPC methods answer: one definition that the RPC
 * that serves them and the SDK, CLI and viem actions that read them all import.
 */

/** `rollup_status`: where the L2 stands and what L1 holds of it. */
export interface RollupStatus {
  l2BlockNumber: number;
  stateRoot: string;
  batches: { posted: number; final: number; reverted: number };
  pendingDeposits: number;
  /** L1 queue entries (deposits, registrations, forced withdrawals) the L2 has applied. */
  queueConsumed: number;
  l1: { bridge: string; rollup: string; chainId: number };
}
