/**
 * What the embedded L1 (Hardhat 2.29, Osaka rules) charges for the heaviest precompile input a
 * one-step proof could have to replay: modexp with the largest operands Osaka allows (EIP-7823:
 * 1,024 bytes each), exponent all ones — and whether one byte more is refused.
 */
import type { EIP1193Provider } from "hardhat/types";

const MODEXP = "0x0000000000000000000000000000000000000005";
const CALLER = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"; // Hardhat's first funded account

function modexpInput(base: number, exponent: number, modulus: number): string {
  const len = (n: number) => n.toString(16).padStart(64, "0");
  return "0x" + len(base) + len(exponent) + len(modulus) + "ff".repeat(base + exponent + modulus);
}

async function estimate(p: EIP1193Provider, data: string): Promise<number | string> {
  try {
    return Number(BigInt((await p.request({ method: "eth_estimateGas", params: [{ from: CALLER, to: MODEXP, data }] })) as string));
  } catch (e) {
    return `refused: ${(e as Error).message.split("\n")[0].slice(0, 120)}`;
  }
}

/**
 * Gas of whole transactions (intrinsic and calldata included) calling modexp: at Osaka's operand
 * limits, and the largest all-ones exponent (1,024-byte base and modulus) that still fits one
 * transaction under Osaka's per-transaction cap, found by bisection.
 */
export async function worstModexp(p: EIP1193Provider): Promise<{
  atOperandLimits: number | string;
  oneByteOverLimit: number | string;
  largestFittingExponentBytes: number;
  largestFittingTransactionGas: number | string;
}> {
  let lo = 1;
  let hi = 1024;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (typeof (await estimate(p, modexpInput(1024, mid, 1024))) === "number") lo = mid;
    else hi = mid - 1;
  }
  return {
    atOperandLimits: await estimate(p, modexpInput(1024, 1024, 1024)),
    oneByteOverLimit: await estimate(p, modexpInput(1024, 1025, 1024)),
    largestFittingExponentBytes: lo,
    largestFittingTransactionGas: await estimate(p, modexpInput(1024, lo, 1024)),
  };
}
