/**
 * `.cairn/devnet.json`: what a running devnet tells scripts, the CLI and Hardhat tasks about
 * itself — RPC URLs, contract addresses, the test token and the funded test keys.
 */
import fs from "node:fs";
import { DevnetFileError } from "./errors";

export { DevnetFileError };

export interface DevnetInfo {
  /** `beaconUrl`: the devnet's Beacon API, serving the blobs of blob batches (`--l1-beacon` of other nodes). */
  l1: { rpcUrl: string; chainId: number; beaconUrl?: string };
  /** How the devnet's sequencer posts batches: calldata, blobs, or auto (absent in files of older devnets). */
  batchData?: "auto" | "blobs" | "calldata";
  l2: { rpcUrl: string; chainId: number };
  contracts: { bridge: string; rollup: string; fraudVerifier: string; deployBlock: number };
  challenger: { l1Address: string };
  explorer: { url: string } | null;
  faulty: string | null;
  /** Whether the devnet runs `--experimental-evm` (contracts; not fraud-provable yet). */
  experimentalEvm?: boolean;
  testToken: { l1: string; l2: string; name: string; symbol: string; decimals: number };
  withdrawalPredeploy: string;
  params: { challengeWindow: number; inclusionWindow: number; sequencerTimeout: number; bondSize: string };
  accounts: Array<{ address: string; privateKey: string; l1: { eth: string; tokens: string }; l2: { eth: string; tokens: string } }>;
}

/**
 * Reads a devnet description; null when the file does not exist.
 *
 * @throws {@link DevnetFileError} when it exists but is not one.
 *
 * @example
 * import { readDevnetInfo } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json");
 * if (!devnet) console.log("no devnet running here: start one with `npx cairn devnet`");
 * else console.log(`L1 ${devnet.l1.rpcUrl}, L2 ${devnet.l2.rpcUrl}, Bridge ${devnet.contracts.bridge}`);
 */
export function readDevnetInfo(file: string): DevnetInfo | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new DevnetFileError(`cannot read ${file}`, { cause: e, details: (e as Error).message });
  }
  let info: Partial<DevnetInfo>;
  try {
    info = JSON.parse(text) as Partial<DevnetInfo>;
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    throw new DevnetFileError(`${file} is not JSON`, { cause: e });
  }
  if (!info.l1?.rpcUrl || !info.l2?.rpcUrl || !info.contracts?.bridge || !info.contracts.rollup) {
    throw new DevnetFileError(`${file} is not a Cairn devnet description (no RPC URLs or contract addresses)`);
  }
  return { explorer: null, faulty: null, accounts: [], ...info } as DevnetInfo;
}
