/**
 * The sequencer's base fee: what it charges per L2 gas so that fees pay for the L1 data its
 * blocks post. gasUsed is Ethereum's figure (21,000 for a plain send), so the L1 cost cannot ride
 * on extra gas as it once did; it rides on the price instead. The fee is
 *
 *   minBaseFee + l1BaseFee × l1GasPerByte × (bytes posted ÷ L2 gas used), over the recent blocks,
 *
 * rounded up to two significant digits and changed only when it must rise, or fall by more than
 * an eighth: every transaction that signs the quoted fee then signs the same tuple, which the
 * packed format lists once per block. It rises by at most an eighth a block, as Ethereum's does,
 * so a wallet that signs twice the latest block's base fee (ethers' and viem's default) stays
 * valid for five blocks at least, whatever L1 does meanwhile. The protocol does not check the base fee (a proposer
 * chooses it; a signer's `maxFeePerGas` caps it), so this is the sequencer's policy, not a rule.
 */

/** What sets the base fee. */
export interface BaseFeeOptions {
  /** The floor, paid for L2 execution whatever L1 costs (wei per gas). */
  minBaseFee: bigint;
  /**
   * L1 gas a posted byte costs: 40 under EIP-7623's floor for a non-zero byte (an upper bound:
   * zero bytes cost 10). 0 leaves the fee at the floor, for a chain whose fee must not move.
   */
  l1GasPerByte: bigint;
  /** How many recent blocks with transactions the bytes-per-gas ratio is taken over. */
  window?: number;
}

/** A block's share of the ratio: the bytes it posts and the L2 gas its transactions used. */
interface BlockCost {
  bytes: bigint;
  gas: bigint;
}

const DEFAULT_WINDOW = 64;
/**
 * The most L1 base fee the policy believes (wei per L1 gas, ~18 ETH): more is no L1's, but an L1
 * RPC can say anything — ethers reads "-0x1" as −1 and a 100,000-digit quantity as it is — and
 * a negative base fee would pay senders to transact, a gigantic one cost every quote seconds.
 */
export const MAX_L1_BASE_FEE = 2n ** 64n - 1n;
/** Before any transaction: a plain transfer among early accounts posts ~70 bytes for 21,000 gas. */
const PRIOR: BlockCost = { bytes: 70n, gas: 21_000n };

export class BaseFeeTracker {
  private readonly recent: BlockCost[] = [];
  private bytes = 0n;
  private gas = 0n;
  private quoted: bigint;
  /** The base fee the latest sealed block charged: how far the next may rise is counted from it. */
  private sealedFee: bigint;

  constructor(private readonly options: BaseFeeOptions) {
    this.quoted = options.minBaseFee;
    this.sealedFee = options.minBaseFee;
  }

  /** The base fee the next block charges. */
  get current(): bigint {
    return this.quoted;
  }

  /** Counts a sealed block: `bytes` it posts to L1, `gas` its transactions used, the base `fee` it charged. */
  recordBlock(bytes: number, gas: bigint, fee: bigint): void {
    this.sealedFee = fee;
    // Blocks without transactions still cost their bytes: they count toward the next that has some.
    if (gas === 0n && this.recent.length > 0) {
      this.recent[this.recent.length - 1].bytes += BigInt(bytes);
      this.bytes += BigInt(bytes);
      return;
    }
    this.recent.push({ bytes: BigInt(bytes), gas });
    this.bytes += BigInt(bytes);
    this.gas += gas;
    if (this.recent.length > (this.options.window ?? DEFAULT_WINDOW)) {
      const old = this.recent.shift()!;
      this.bytes -= old.bytes;
      this.gas -= old.gas;
    }
  }

  /** Moves the quoted fee toward what L1's base fee `l1BaseFee` now makes it; returns it. */
  update(l1BaseFee: bigint): bigint {
    if (l1BaseFee < 0n) l1BaseFee = 0n;
    else if (l1BaseFee > MAX_L1_BASE_FEE) l1BaseFee = MAX_L1_BASE_FEE;
    const target = targetBaseFee(this.options, l1BaseFee, this.gas > 0n ? { bytes: this.bytes, gas: this.gas } : PRIOR);
    if (target > this.quoted) this.quoted = minOf(target, this.ceiling());
    else if (target * 8n < this.quoted * 7n) this.quoted = target;
    return this.quoted;
  }

  /**
   * The most the next block may charge: an eighth above the last sealed block's, on the two-digit
   * grid. After a block that charged nothing, no signed fee is at stake: none.
   */
  private ceiling(): bigint | null {
    if (this.sealedFee === 0n) return null;
    const step = roundDownToTwoDigits((this.sealedFee * 9n) / 8n);
    return step > this.sealedFee ? step : this.sealedFee + 1n;
  }
}

/** The fee the recent ratio of bytes to gas asks for at L1 base fee `l1BaseFee`, rounded up. */
export function targetBaseFee(options: BaseFeeOptions, l1BaseFee: bigint, cost: BlockCost): bigint {
  const data = ceilDiv(l1BaseFee * options.l1GasPerByte * cost.bytes, cost.gas);
  return roundUpToTwoDigits(options.minBaseFee + data);
}

/** `v` rounded up to two significant decimal digits: 1,234,567 → 1,300,000. */
export function roundUpToTwoDigits(v: bigint): bigint {
  const unit = twoDigitUnit(v);
  return ceilDiv(v, unit) * unit;
}

/** `v` rounded down to two significant decimal digits: 1,234,567 → 1,200,000. */
export function roundDownToTwoDigits(v: bigint): bigint {
  const unit = twoDigitUnit(v);
  return (v / unit) * unit;
}

/** The place value of `v`'s second significant decimal digit (1 below 100). */
function twoDigitUnit(v: bigint): bigint {
  let unit = 1n;
  while (v >= 100n * unit) unit *= 10n;
  return unit;
}

function minOf(a: bigint, b: bigint | null): bigint {
  return b !== null && b < a ? b : a;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
