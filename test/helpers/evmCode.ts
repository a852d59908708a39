/**
 * Test helpers for EVM bytecode: a small assembler, a contract put straight into an L2State, and
 * how long a run holds the event loop.
 */
import type { L2State } from "../../src/core/state";

export const hex = (s: string) => Buffer.from(s.replace(/^0x/, ""), "hex");
export const word = (v: bigint | number) => BigInt(v).toString(16).padStart(64, "0");

/** A contract at `address` with runtime `code`, put straight into the state. */
export function install(s: L2State, address: string, code: string, balance = 0n): number {
  const i = s.indexOf(address) ?? s.createAccount(address);
  s.setCode(i, hex(code));
  if (balance > 0n) s.setBalance(i, balance);
  return i;
}

// A small assembler: mnemonics, `label:` (a JUMPDEST), `@label` (PUSH2 of its offset), numbers and 0x… (the shortest PUSH)
const OPS: Record<string, number> = {
  STOP: 0x00, ADD: 0x01, SUB: 0x03, LT: 0x10, GT: 0x11, EQ: 0x14, ISZERO: 0x15, ADDRESS: 0x30, BALANCE: 0x31, CALLER: 0x33, CALLVALUE: 0x34,
  CALLDATALOAD: 0x35, CALLDATASIZE: 0x36, CALLDATACOPY: 0x37, RETURNDATASIZE: 0x3d, RETURNDATACOPY: 0x3e, NUMBER: 0x43, SELFBALANCE: 0x47,
  POP: 0x50, MLOAD: 0x51, MSTORE: 0x52, SLOAD: 0x54, SSTORE: 0x55, JUMP: 0x56, JUMPI: 0x57, GAS: 0x5a, JUMPDEST: 0x5b, PUSH0: 0x5f,
  CODECOPY: 0x39, DUP1: 0x80, DUP2: 0x81, DUP3: 0x82, SWAP1: 0x90, SWAP2: 0x91, LOG0: 0xa0, LOG1: 0xa1, CREATE: 0xf0, CALL: 0xf1, RETURN: 0xf3,
  DELEGATECALL: 0xf4, CREATE2: 0xf5, STATICCALL: 0xfa, REVERT: 0xfd, INVALID: 0xfe, SELFDESTRUCT: 0xff,
};
export function asm(src: string): string {
  const tokens = src.trim().split(/\s+/);
  const labels = new Map<string, number>();
  const emit = (pass: 1 | 2): string => {
    let out = "";
    for (const t of tokens) {
      if (t.endsWith(":")) {
        labels.set(t.slice(0, -1), out.length / 2);
        out += "5b";
      } else if (t.startsWith("@")) {
        const at = labels.get(t.slice(1));
        if (pass === 2 && at === undefined) throw new Error(`label ${t}`);
        out += "61" + (at ?? 0).toString(16).padStart(4, "0");
      } else if (/^(0x[0-9a-f]+|\d+)$/i.test(t)) {
        const v = BigInt(t);
        if (v === 0n) out += "5f";
        else {
          let h = v.toString(16);
          if (h.length % 2) h = "0" + h;
          out += (0x5f + h.length / 2).toString(16) + h;
        }
      } else if (t.startsWith("raw:")) {
        out += t.slice(4);
      } else {
        const op = OPS[t];
        if (op === undefined) throw new Error(`opcode ${t}`);
        out += op.toString(16).padStart(2, "0");
      }
    }
    return out;
  };
  emit(1);
  return emit(2);
}
/** `n` times around a loop that keeps its counter on the stack; `body` must leave the stack as it found it. */
export const loop = (name: string, n: number | string, body = "") => `${n} ${name}: ${body} 1 SWAP1 SUB DUP1 @${name} JUMPI POP`;

/** The longest a `everyMs` timer waited between two firings while `run` ran: how long the event loop was held. */
export async function longestWait(run: () => Promise<unknown>, everyMs = 5): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    longest = Math.max(longest, performance.now() - last);
    last = performance.now();
  }, everyMs);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  return Math.max(longest, performance.now() - last);
}

/**
 * One BN254 pairing pair (hex, no 0x): G1's generator (1, 2) and G2's, in EIP-197's order (x_im,
 * x_re, y_im, y_re). Valid points, so the pairing precompile (0x08) computes the pairing.
 */
export const BN254_GENERATOR_PAIR =
  word(1) +
  word(2) +
  [
    "11559732032986387107991004021392285783925812861821192530917403151452391805634",
    "10857046999023057135944570762232829481370756359578518086990519993285655852781",
    "4082367875863433681332203403145435568316851327593401208105741076214120093531",
    "8495653923123431417604973247489272438418190587263600148770280649306958101930",
  ]
    .map((x) => word(BigInt(x)))
    .join("");

/** blake2f's (0x09) 213-byte input of `rounds` rounds, final block flag set, all else zero: valid, `rounds` gas. */
export function blake2fInput(rounds: number): Buffer {
  const input = Buffer.alloc(213);
  input.writeUInt32BE(rounds, 0);
  input[212] = 1;
  return input;
}
