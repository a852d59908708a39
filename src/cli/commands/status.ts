/** `cairn status` and `cairn batches`: what the rollup looks like from L2 and from L1. */
import type { Command } from "commander";
import { Wallet, formatEther, formatUnits } from "ethers";
import { action } from "../action";
import { usage } from "../errors";
import { formatDuration, type CliIO } from "../output";
import { RollupHistory, l1Now, type BatchRecord } from "../../sdk/history";
import { Rollup__factory } from "../../../typechain-types";
import type { RollupStatus, TokenBalance } from "../../chain/api";

export function statusCommands(program: Command, io: CliIO): void {
  program
    .command("status")
    .description("the L2 head, batches posted and final, deposits waiting, and your balances")
    .action(
      action(io, async ({ ctx, out }) => {
        const l2 = await ctx.l2();
        const status = (await l2.send("rollup_status", [])) as RollupStatus;
        let account: { address: string; l2Balance: bigint; tokens: TokenBalance[] } | null = null;
        if (ctx.hasKey()) {
          const address = new Wallet(ctx.privateKey()).address;
          const [l2Balance, tokens] = await Promise.all([l2.getBalance(address), l2.send("rollup_getTokenBalances", [address, "latest"]) as Promise<TokenBalance[]>]);
          account = { address, l2Balance, tokens };
        }
        out.result({ ...status, account }, [
          `L2 block     ${status.l2BlockNumber}   state root ${status.stateRoot}`,
          `batches      ${status.batches.posted} posted, ${status.batches.final} final, ${status.batches.reverted} reverted by fraud proofs`,
          `deposits     ${status.queueConsumed} credited, ${status.pendingDeposits} waiting`,
          `contracts    Rollup ${status.l1.rollup}  Bridge ${status.l1.bridge}  (L1 chain ${status.l1.chainId})`,
          ...(account ? [`you          ${account.address}: ${[`${formatEther(account.l2Balance)} ETH`, ...account.tokens.map((t) => `${formatUnits(BigInt(t.balance), t.decimals)} ${t.symbol || t.l2Token}`)].join(", ")} on L2`] : []),
        ]);
      }),
    );

  program
    .command("batches")
    .description("batches posted on L1, newest first: challengeable (with time left), final, or reverted")
    .option("--last <n>", "how many to show", "10")
    .option("--from-block <n>", "L1 block to read events from (the deployment block)")
    .action(
      action<{ last: string; fromBlock?: string }>(io, async ({ ctx, out, opts }) => {
        const last = Number(opts.last);
        if (!Number.isInteger(last) || last < 1) throw usage(`--last must be a positive whole number, not "${opts.last}"`);
        const fromBlock = opts.fromBlock !== undefined ? Number(opts.fromBlock) : (ctx.devnet?.contracts.deployBlock ?? 0);
        if (!Number.isInteger(fromBlock) || fromBlock < 0) throw usage(`--from-block must be an L1 block number, not "${opts.fromBlock}"`);
        const l1 = await ctx.l1();
        const addresses = await ctx.addresses();
        const history = new RollupHistory(l1, addresses, fromBlock);
        await history.update();
        const now = await l1Now(l1);
        history.refreshStates(now);
        const shown = history.batches.slice(-last).reverse();
        const finalCount = Number(await Rollup__factory.connect(addresses.rollup, l1).finalBatchCount());
        out.result({ l1Time: now, finalBatchCount: finalCount, batches: shown }, shown.length ? shown.map((b) => describeBatch(b, now)) : ["no batches posted yet"]);
      }),
    );
}

function describeBatch(b: BatchRecord, now: number): string {
  const blocks = `L2 blocks ${b.firstBlock}–${b.firstBlock + b.blocks - 1}`;
  const state =
    b.state === "reverted"
      ? `REVERTED by a fraud proof (${b.revertedBy!.l1Tx})`
      : b.state === "final"
        ? "final"
        : `challengeable for ${formatDuration(b.challengeableUntil - now)}`;
  return `#${b.index}  ${blocks}  ${state}  proposer ${b.proposer}  L1 tx ${b.l1Tx}`;
}
