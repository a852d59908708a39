/**
 * Attack 1, invalid token metadata: register tokens whose views answer what no follower should
 * choke on — a name that is not UTF-8, a 300 kB name, a reverting decimals(), garbage ABI with
 * 100 kB of revert data, a bytes32 name — and deposit each to the honest senders. The sequencer
 * must keep applying the queue, serve the tokens' views, and carry their transfers.
 */
import hre from "hardhat";
import { AbiCoder } from "ethers";
import type { HostileMetadataBase } from "../../typechain-types";
import { l2TokenAddress } from "../../src/core/hashing";
import { outcome, queueApplied, waitFor, type AttackOutcome, type ChaosContext, type Figure } from "./context";
import type { HonestKey } from "./honestUsers";

const HOSTILE_TOKENS: Array<{ kind: string; contract: string; args: unknown[] }> = [
  { kind: "name not UTF-8, symbol with terminal escapes", contract: "InvalidUtf8Token", args: [] },
  { kind: "300 kB name and symbol", contract: "HugeMetadataToken", args: [300_000] },
  { kind: "decimals() reverts", contract: "RevertingDecimalsToken", args: [] },
  { kind: "name() reverts with 100 kB, symbol() lies about its length", contract: "GarbageMetadataToken", args: [] },
  { kind: "bytes32 name and symbol", contract: "Bytes32MetadataToken", args: [] },
];

/** Token units each honest sender is credited on L2, of each hostile token. */
const PER_SENDER = 1_000_000n;
const abi = AbiCoder.defaultAbiCoder();
const VIEW = { name: "0x06fdde03", symbol: "0x95d89b41", decimals: "0x313ce567" } as const;

export async function hostileMetadataAttack(ctx: ChaosContext, senders: HonestKey[]): Promise<AttackOutcome> {
  const { bridge } = ctx.devnet.d;
  const tokens: Array<{ kind: string; l1: string }> = [];
  for (const t of HOSTILE_TOKENS) tokens.push({ kind: t.kind, l1: await registerAndDeposit(ctx, t.contract, t.args, senders) });

  const problems: string[] = [];
  const queued = await bridge.queueLength();
  const applied = await waitFor(() => queueApplied(ctx, queued), 30_000);
  if (!applied) problems.push(`the sequencer stopped applying the L1 queue (at entry ${ctx.devnet.node.state.queueIndex} of ${queued})`);
  const served: Figure[] = [];
  for (const t of tokens) {
    const l2 = l2TokenAddress(t.l1);
    const views = await readViews(ctx, l2);
    const balance = await ctx.honestRpc.call<string>("eth_call", [{ to: l2, data: "0x70a08231" + senders[0].address.slice(2).padStart(64, "0") }, "latest"]).catch(() => null);
    const credited = balance !== null && BigInt(balance) === PER_SENDER;
    if (!views.ok) problems.push(`${t.kind}: the L2 views failed (${views.error})`);
    if (!credited) problems.push(`${t.kind}: the deposit was not credited on L2`);
    served.push({ kind: t.kind, tokenId: Number(await bridge.tokenIdOf(t.l1)), ...views.figures, credited });
    if (credited) ctx.senders.tokens.push(l2);
  }
  return outcome(problems, { tokensRegistered: tokens.length, queueApplied: applied, tokens: served });
}

/** Deploys a hostile token, registers it (as the attacker) and deposits some to each sender; returns its L1 address. */
async function registerAndDeposit(ctx: ChaosContext, contract: string, args: unknown[], senders: HonestKey[]): Promise<string> {
  const { bridge } = ctx.devnet.d;
  const { attacker, funder } = ctx.devnet;
  const token = (await hre.ethers.deployContract(contract, args, attacker)) as unknown as HostileMetadataBase;
  await (await bridge.connect(attacker).registerToken(token)).wait();
  const total = PER_SENDER * BigInt(senders.length);
  await (await token.connect(funder).mint(funder.address, total)).wait();
  await (await token.connect(funder).approve(bridge.target, total)).wait();
  for (const s of senders) await (await bridge.connect(funder).depositERC20(token, s.address, PER_SENDER)).wait();
  return (token.target as string).toLowerCase();
}

/** name(), symbol() and decimals() of an L2 token as the RPC serves them: each must answer, the strings valid UTF-8 of at most 64 bytes. */
async function readViews(ctx: ChaosContext, l2: string): Promise<{ ok: boolean; error?: string; figures: { [k: string]: Figure } }> {
  try {
    const call = (data: string) => ctx.honestRpc.call<string>("eth_call", [{ to: l2, data }, "latest"]);
    const [nameHex, symbolHex, decimalsHex] = await Promise.all([call(VIEW.name), call(VIEW.symbol), call(VIEW.decimals)]);
    const [name] = abi.decode(["string"], nameHex) as unknown as [string];
    const [symbol] = abi.decode(["string"], symbolHex) as unknown as [string];
    const [decimals] = abi.decode(["uint8"], decimalsHex) as unknown as [bigint];
    const tooLong = Buffer.byteLength(name) > 64 || Buffer.byteLength(symbol) > 64;
    return { ok: !tooLong, error: tooLong ? "a string longer than 64 bytes" : undefined, figures: { name, symbol, decimals: Number(decimals) } };
  } catch (e) {
    return { ok: false, error: (e as Error).message.slice(0, 200), figures: {} };
  }
}
