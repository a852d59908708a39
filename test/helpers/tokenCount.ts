import { ethers, network } from "hardhat";
import type { Bridge } from "../../typechain-types";

/**
 * Storage slot of `Bridge._tokens` (the registered tokens' array, whose length is the token
 * count): after `_queue` (slot 0) and `_queueHead` (slot 1). {@link setBridgeTokenCount} checks
 * it through `tokenCount()`, so a change of layout fails loudly instead of writing elsewhere.
 */
const TOKENS_SLOT = 2;

/**
 * Sets the Bridge's registered-token count to `count` with `hardhat_setStorageAt`, as if that
 * many tokens had been registered: registering 65,536 tokens for real is out of a test's reach.
 * The skipped ids have no L1 address (`tokenAt` gives address(0)); the next registration gets id
 * `count`. The L2 learns of the skipped ids only through {@link skipTokenIds}.
 */
export async function setBridgeTokenCount(bridge: Bridge, count: number): Promise<void> {
  const address = await bridge.getAddress();
  await network.provider.send("hardhat_setStorageAt", [address, ethers.toQuantity(TOKENS_SLOT), ethers.toBeHex(count, 32)]);
  const now = await bridge.tokenCount();
  if (now !== BigInt(count)) throw new Error(`Bridge._tokens is not at slot ${TOKENS_SLOT}: tokenCount() is ${now} after setting ${count}`);
}

/** Placeholder L1 address of a skipped token id: distinct per id, never registered on L1. */
export function skippedTokenAddress(id: number): string {
  return "0x" + "5c".repeat(8) + id.toString(16).padStart(24, "0");
}

/**
 * Registers `count` fresh TestTokens (18 decimals, named `${name} ${i}`) on `bridge`, one after
 * another so they take consecutive ids, and gives their L1 addresses in lower case: the chains of
 * tokens the crowded proof shapes move (test/adversarial/tokenWeightGasReview.test.ts, bench/fraudGas.ts).
 */
export async function registerTestTokens(bridge: Bridge, name: string, symbol: string, count: number, from = 0): Promise<string[]> {
  const addresses: string[] = [];
  for (let i = from; i < from + count; i++) {
    const token = await ethers.deployContract("TestToken", [`${name} ${i}`, `${symbol}${i}`, 18]);
    await (await bridge.registerToken(token)).wait();
    addresses.push((await token.getAddress()).toLowerCase());
  }
  return addresses;
}
