/** `cairn transfer <to> <amount>`: an L2 transfer of ETH or a bridged token. */
import type { Command } from "commander";
import { Contract, Wallet, formatEther, isAddress } from "ethers";
import { action } from "../action";
import { parseAmount } from "../context";
import { usage } from "../errors";
import type { CliIO } from "../output";
import { l2TokenAddress } from "../../core/hashing";

export function transferCommand(program: Command, io: CliIO): void {
  program
    .command("transfer")
    .description("send ETH or a bridged token to another account on Cairn")
    .argument("<to>", "the recipient's address")
    .argument("<amount>", "how much, in whole units (e.g. 1.5)")
    .option("--token <token>", "ETH (default), the token's L1 address, or the devnet token's symbol")
    .option("--wait-batch", "also wait until the transaction is in a batch posted on L1")
    .action(
      action<{ token?: string; waitBatch?: boolean }>(io, async ({ ctx, out, opts, args: [to, amountText] }) => {
        if (!isAddress(to)) throw usage(`the recipient must be a 0x address, not "${to}"`);
        const token = await ctx.token(opts.token);
        const amount = parseAmount(amountText, token);
        const l2 = await ctx.l2();
        const wallet = new Wallet(ctx.privateKey(), l2);
        const receipt = await out.spin(
          `sending ${amountText} ${token.symbol} to ${to}`,
          async () => {
            const tx = token.l1
              ? await new Contract(l2TokenAddress(token.l1), ["function transfer(address to, uint256 amount) returns (bool)"], wallet).transfer(to, amount)
              : await wallet.sendTransaction({ to, value: amount });
            return (await tx.wait())!;
          },
          (r) => `included in L2 block ${r.blockNumber}`,
        );
        let batchIndex: bigint | null = null;
        if (opts.waitBatch) {
          const { cairn } = await ctx.client(250);
          batchIndex = await out.spin("waiting for the batch to be posted on L1", () => cairn.waitForBatch(receipt.hash), (i) => `posted on L1 in batch ${i}`);
        }
        const fee = receipt.gasUsed * receipt.gasPrice;
        out.result({ l2Tx: receipt.hash, block: receipt.blockNumber, from: wallet.address, to, token: token.l1 ? l2TokenAddress(token.l1) : "ETH", l1Token: token.l1 ?? null, amount, fee, batchIndex }, [
          `${amountText} ${token.symbol} ${wallet.address} → ${to} in L2 block ${receipt.blockNumber} (fee ${formatEther(fee)} ETH)`,
          `transaction ${receipt.hash}`,
        ]);
      }),
    );
}
