/**
 * L1 gas of the Merkle walks a one-step proof of an EVM step makes (contracts/test/
 * StepCostHarness.sol), as whole transactions on the embedded L1: 21,000, the calldata (every
 * sibling sent: no empty subtree skipped, the worst case) and the walk.
 */
import type { EIP1193Provider } from "hardhat/types";
import { Interface, keccak256, toUtf8Bytes } from "ethers";
import { readFileSync } from "node:fs";
import path from "node:path";

const CALLER = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"; // Hardhat's first funded account

/** Depths measured: memory (17 levels: 4 MiB, more than 2^24 gas can expand), accounts (24), storage (256). */
export const WALK_DEPTHS = { memoryWord: 17, account: 24, storageSlot: 256 } as const;

export async function merkleWalkGas(p: EIP1193Provider): Promise<Record<keyof typeof WALK_DEPTHS, number>> {
  const art = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "artifacts", "contracts", "test", "StepCostHarness.sol", "StepCostHarness.json"), "utf8")) as { abi: ConstructorParameters<typeof Interface>[0]; bytecode: string };
  const iface = new Interface(art.abi);
  const hash = await p.request({ method: "eth_sendTransaction", params: [{ from: CALLER, data: art.bytecode }] });
  const receipt = (await p.request({ method: "eth_getTransactionReceipt", params: [hash] })) as { contractAddress: string };
  const out = {} as Record<keyof typeof WALK_DEPTHS, number>;
  for (const [name, depth] of Object.entries(WALK_DEPTHS) as Array<[keyof typeof WALK_DEPTHS, number]>) {
    const siblings = Array.from({ length: depth }, (_, i) => keccak256(toUtf8Bytes(`sibling ${i}`)));
    const data = iface.encodeFunctionData("pathRoot", [keccak256("0x01"), (1n << BigInt(depth)) - 12345n, siblings]);
    out[name] = Number(BigInt((await p.request({ method: "eth_estimateGas", params: [{ from: CALLER, to: receipt.contractAddress, data }] })) as string));
  }
  return out;
}
