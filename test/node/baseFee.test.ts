import { expect } from "chai";
import { BaseFeeTracker, roundUpToTwoDigits, targetBaseFee } from "../../src/node/sequencer/baseFee";

const GWEI = 10n ** 9n;
const MIN = 10_000_000n; // 0.01 gwei

describe("sequencer base fee: L1's price of the posted bytes, carried by the L2 price", () => {
  it("rounds up to two significant digits, so the quoted fee (and the tuples signed with it) repeats", () => {
    expect([1n, 99n, 100n, 101n, 1_234_567n, 1_300_000n, 10n ** 18n + 1n].map(roundUpToTwoDigits)).to.deep.equal([
      1n,
      99n,
      100n,
      110n,
      1_300_000n,
      1_300_000n,
      1_100_000_000_000_000_000n,
    ]);
  });

  it("charges a plain transfer's 70 bytes at 40 L1 gas each through 21,000 L2 gas: about 0.133 × L1's base fee above the floor", () => {
    const fee = targetBaseFee({ minBaseFee: MIN, l1GasPerByte: 40n }, 10n * GWEI, { bytes: 70n, gas: 21_000n });
    // 10 gwei × 2,800 / 21,000 = 1.333… gwei, plus 0.01 gwei, rounded up to 1.4 gwei.
    expect(fee).to.equal(1_400_000_000n);
    // What the block's transactions pay then covers what its bytes cost on L1.
    expect(fee * 21_000n >= 10n * GWEI * 40n * 70n).to.equal(true);
  });

  it("stays at the floor when it does not track L1 (l1GasPerByte 0) or L1's base fee is 0", () => {
    const fixed = new BaseFeeTracker({ minBaseFee: MIN, l1GasPerByte: 0n });
    fixed.recordBlock(1_000, 21_000n, MIN);
    expect(fixed.update(100n * GWEI)).to.equal(MIN);
    const tracking = new BaseFeeTracker({ minBaseFee: MIN, l1GasPerByte: 40n });
    expect(tracking.update(0n)).to.equal(MIN);
  });

  it("follows the blocks' own ratio of bytes to gas over its window, empty blocks' bytes included", () => {
    const t = new BaseFeeTracker({ minBaseFee: 0n, l1GasPerByte: 40n, window: 2 });
    t.recordBlock(700, 210_000n, 0n); // ten transfers: 70 bytes each
    expect(t.update(GWEI)).to.equal(roundUpToTwoDigits((GWEI * 40n * 700n + 209_999n) / 210_000n));
    // Empty blocks' bytes are added to the last block with transactions, so they are paid for.
    for (let i = 0; i < 10; i++) t.recordBlock(70, 0n, 0n);
    expect(t.update(GWEI)).to.equal(roundUpToTwoDigits((GWEI * 40n * 1_400n + 209_999n) / 210_000n));
    // Two blocks of tokens (fewer bytes per gas) push the first out of the window.
    t.recordBlock(72, 34_311n, 0n);
    t.recordBlock(72, 34_311n, 0n);
    expect(t.update(GWEI)).to.equal(roundUpToTwoDigits((GWEI * 40n * 144n + 68_621n) / 68_622n));
  });

  it("rises by at most an eighth a sealed block and falls only by more than an eighth, so the tuple wallets sign (twice the latest base fee) stays valid through an L1 spike", () => {
    const t = new BaseFeeTracker({ minBaseFee: MIN, l1GasPerByte: 40n });
    t.recordBlock(70, 21_000n, MIN);
    // L1 jumps from 0 to 100 gwei: the quote climbs an eighth (on the two-digit grid) per block.
    const quotes: bigint[] = [];
    for (let block = 0; block < 100; block++) {
      const q = t.update(100n * GWEI);
      expect(t.update(100n * GWEI), "asking again within a block").to.equal(q);
      quotes.push(q);
      t.recordBlock(70, 21_000n, q);
    }
    for (let i = 1; i < quotes.length; i++) expect(quotes[i] * 8n <= quotes[i - 1] * 9n, `block ${i}: ${quotes[i - 1]} → ${quotes[i]}`).to.equal(true);
    // A wallet that signed twice block 0's fee is still good five blocks later.
    expect(2n * quotes[0] >= quotes[5]).to.equal(true);
    const top = targetBaseFee({ minBaseFee: MIN, l1GasPerByte: 40n }, 100n * GWEI, { bytes: 70n, gas: 21_000n });
    expect(quotes[quotes.length - 1]).to.equal(top);
    // 5% lower: kept. Half: followed at once (a lower fee never makes a signed tuple invalid).
    expect(t.update(95n * GWEI)).to.equal(top);
    expect(t.update(50n * GWEI) < top).to.equal(true);
  });
});
