/** `cairn deposit <amount>`: ETH or an ERC-20 from L1 into Cairn, waiting for the L2 credit. */
import type { Command } from "commander";
import { isAddress } from "ethers";
import { action } from "../action";
import { parseAmount } from "../context";
import { usage } from "../errors";
import type { CliIO } from "../output";

export function depositCommand(program: Command, io: CliIO): void {
  program
    .command("deposit")
    .description("deposit ETH or an ERC-20 from L1 to Cairn, and wait until it is credited on L2")
    .argument("<amount>", "how much, in whole units (e.g. 1.5)")
    .option("--token <token>", "ETH (default), an L1 token address, or the devnet token's symbol")
    .option("--to <address>", "the L2 recipient (default: your own address)")
    .option("--no-wait", "return once the L1 transaction is mined")
    .action(
      action<{ token?: string; to?: string; wait: boolean }>(io, async ({ ctx, out, opts, args: [amountText] }) => {
        const token = await ctx.token(opts.token);
        const amount = parseAmount(amountText, token);
        if (opts.to !== undefined && !isAddress(opts.to)) throw usage(`--to must be a 0x address, not "${opts.to}"`);
        const { cairn, l1Wallet } = await ctx.client(250);
        const to = opts.to ?? l1Wallet.address;
        const d = await out.spin(
          `depositing ${amountText} ${token.symbol} on L1`,
          () => (token.l1 ? cairn.depositERC20(token.l1, amount, to) : cairn.depositETH(amount, to)),
          (d) => `deposited on L1: queue entry ${d.queueIndex}, transaction ${d.l1Tx}`,
        );
        if (opts.wait) await out.spin("waiting for the L2 to credit it", () => d.credited, () => `credited to ${to} on L2`);
        out.result({ l1Tx: d.l1Tx, queueIndex: d.queueIndex, token: token.l1 ?? "ETH", amount: d.amount, recipient: to, credited: opts.wait }, [
          `${amountText} ${token.symbol} → ${to} on L2 (queue entry ${d.queueIndex}${opts.wait ? ", credited" : ", not waited for"})`,
        ]);
      }),
    );
}
