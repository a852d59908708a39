/** `cairn withdraw <amount>` and `cairn finalize <id>`: out of Cairn, through the challenge window. */
import type { Command } from "commander";
import { Option } from "commander";
import { Wallet, isAddress } from "ethers";
import { action } from "../action";
import { parseAmount } from "../context";
import { CliError, EXIT, usage } from "../errors";
import type { CliIO, Output } from "../output";
import { formatDuration } from "../output";
import type { CairnClient, WithdrawalStatus } from "../../sdk/client";
import { waitUntilPosted, waitUntilReady } from "../withdrawalWait";
import { l1Now } from "../../sdk/history";
import type { Provider } from "ethers";

const STAGES = ["l2", "posted", "ready", "finalized"] as const;
type Stage = (typeof STAGES)[number];

export function withdrawCommand(program: Command, io: CliIO): void {
  program
    .command("withdraw")
    .description("withdraw ETH or a bridged token from Cairn to L1; --until finalized also waits out the window and pays it out")
    .argument("<amount>", "how much, in whole units (e.g. 1.5)")
    .option("--token <token>", "ETH (default), the token's L1 address, or the devnet token's symbol")
    .option("--to <address>", "the L1 recipient (default: your own address)")
    .addOption(new Option("--until <stage>", "what to wait for: the L2 receipt, the batch on L1, the end of the challenge window, or the L1 payout").choices(STAGES).default("l2"))
    .action(
      action<{ token?: string; to?: string; until: Stage }>(io, async ({ ctx, out, opts, args: [amountText] }) => {
        const token = await ctx.token(opts.token);
        const amount = parseAmount(amountText, token);
        if (opts.to !== undefined && !isAddress(opts.to)) throw usage(`--to must be a 0x address, not "${opts.to}"`);
        const { cairn, l2 } = await ctx.client(250);
        const wallet = new Wallet(ctx.privateKey(), l2);
        const w = await out.spin(
          `withdrawing ${amountText} ${token.symbol} on L2`,
          () => cairn.withdraw(wallet, { amount, l1Recipient: opts.to, l1Token: token.l1 ?? undefined }),
          (w) => `withdrawal ${w.withdrawalId} started on L2 (${w.l2Tx})`,
        );
        const l1 = await ctx.l1();
        const status = await advance(cairn, l1, out, w.withdrawalId, opts.until);
        const now = await l1Now(l1);
        out.result({ withdrawalId: w.withdrawalId, l2Tx: w.l2Tx, ...status, l1Recipient: opts.to ?? wallet.address, token: token.l1 ?? "ETH", amount }, [
          `withdrawal ${w.withdrawalId}: ${describe(status.status, now)}`,
          ...(status.status.state === "finalized" ? [] : [`next: cairn finalize ${w.withdrawalId} --wait`]),
        ]);
      }),
    );

  program
    .command("finalize")
    .description("pay a withdrawal out on L1 once its batch is final (with the proof from the L2 node)")
    .argument("<id>", "the withdrawal id (printed by cairn withdraw)")
    .option("--wait", "wait for its batch and challenge window instead of exiting with code 3")
    .action(
      action<{ wait?: boolean }>(io, async ({ ctx, out, opts, args: [idText] }) => {
        const id = parseId(idText);
        const { cairn } = await ctx.client(250);
        const l1 = await ctx.l1();
        const before = await cairn.getWithdrawalStatus(id);
        if (before.state === "finalized") {
          out.result({ withdrawalId: id, state: "finalized", alreadyFinalized: true }, [`withdrawal ${id} was already paid out`]);
          return;
        }
        if (before.state !== "ready" && !opts.wait) {
          throw new CliError(`withdrawal ${id} is not final yet: ${describe(before, await l1Now(l1))}; run this again then, or pass --wait`, EXIT.notYet);
        }
        const { status, l1Tx } = await advance(cairn, l1, out, id, "finalized");
        out.result({ withdrawalId: id, state: status.state, l1Tx, alreadyFinalized: false }, [`withdrawal ${id} paid out on L1 (${l1Tx})`]);
      }),
    );

  program
    .command("withdrawal")
    .description("show where a withdrawal stands: on L2, posted (challengeable until), ready, or finalized")
    .argument("<id>", "the withdrawal id")
    .action(
      action(io, async ({ ctx, out, args: [idText] }) => {
        const id = parseId(idText);
        const cairn = await ctx.reader();
        const status = await cairn.getWithdrawalStatus(id);
        out.result(status, [`withdrawal ${id}: ${describe(status, await l1Now(await ctx.l1()))}`]);
      }),
    );
}

/** Moves withdrawal `id` on to `until`; finalizing pays it out. */
async function advance(cairn: CairnClient, l1: Provider, out: Output, id: bigint, until: Stage): Promise<{ status: WithdrawalStatus; l1Tx: string | null }> {
  let status = await cairn.getWithdrawalStatus(id);
  if (until === "posted" && status.state === "on-l2") status = await waitUntilPosted(cairn, out, id);
  if (until === "ready" || until === "finalized") status = await waitUntilReady(cairn, l1, out, id, 500);
  if (until !== "finalized" || status.state === "finalized") return { status, l1Tx: null };
  const receipt = await out.spin(`finalizing withdrawal ${id} on L1`, () => cairn.finalizeWithdrawal(id), (r) => `paid out on L1 (${r.hash})`);
  return { status: { ...status, state: "finalized", challengeableUntil: null }, l1Tx: receipt.hash };
}

/** Where the withdrawal stands, in words; `now` is the L1's clock. */
function describe(s: WithdrawalStatus, now: number): string {
  switch (s.state) {
    case "on-l2":
      return "on L2, waiting for its batch to be posted on L1";
    case "posted": {
      const left = s.challengeableUntil! - now;
      return `in batch ${s.batchIndex}, challengeable until ${new Date(s.challengeableUntil! * 1000).toISOString()}${left > 0 ? ` (about ${formatDuration(left)} from now)` : ""}`;
    }
    case "ready":
      return `in final batch ${s.batchIndex}, ready to finalize`;
    case "finalized":
      return "paid out on L1";
  }
}

function parseId(text: string): bigint {
  if (!/^\d+$/.test(text)) throw usage(`the withdrawal id must be a whole number, not "${text}"`);
  return BigInt(text);
}
