/**
 * Loading Hardhat from the `cairn` command, which may run as built JavaScript: Hardhat reads
 * hardhat.config.ts, and only a process that can require TypeScript can load it, so ts-node is
 * registered first when nothing has (the commands that need Hardhat — devnet, deploy — pay for
 * it; the others never load it).
 */
import path from "node:path";
import { PACKAGE_ROOT } from "../shared/packageRoot";

/** Hardhat's runtime environment for `network` (or the config's default), loaded once. */
export async function loadHardhat(network?: string): Promise<typeof import("hardhat")> {
  if (network) process.env.HARDHAT_NETWORK = network;
  process.env.HARDHAT_CONFIG ??= path.join(PACKAGE_ROOT, "hardhat.config.ts");
  if (!(".ts" in require.extensions)) {
    (require("ts-node") as typeof import("ts-node")).register({ transpileOnly: true, project: path.join(PACKAGE_ROOT, "tsconfig.json") });
  }
  return (await import("hardhat")).default;
}
