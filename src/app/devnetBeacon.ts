/**
 * The devnet's consensus layer, as far as blobs go. Hardhat has none and forgets a transaction's
 * blobs once it is mined, so the devnet keeps the blobs of every blob transaction its L1 is sent
 * (in process or over its JSON-RPC) and serves them through the Beacon API endpoints a rollup
 * node uses on Ethereum — `/eth/v1/beacon/genesis`, `/eth/v1/config/spec` and
 * `/eth/v1/beacon/blob_sidecars/{slot}` — so the challenger and replicas fetch and check blobs
 * with exactly the code they run against Ethereum. Slots are one second long and start at the
 * L1 genesis block's timestamp; Hardhat's block timestamps strictly increase, so each L1 block
 * has a slot of its own. Sidecars carry the blob, commitment and blob proof; the fields a node
 * does not read (the signed header and its inclusion proof) are left out.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Transaction, type Provider } from "ethers";
import type { EthereumProvider } from "hardhat/types";
import type { Logger } from "../shared/logger";

interface ArchivedBlob {
  blob: string;
  commitment: string;
  proof: string;
}

interface ArchivedTx {
  hash: string;
  blobs: ArchivedBlob[];
  /** Filled once the transaction is found mined. */
  slot?: bigint;
  position?: { block: number; index: number };
}

/** The blobs an L1 was sent, by the slot of the block that mined them. */
export class BlobArchive {
  private readonly txs = new Map<string, ArchivedTx>();
  private genesisTime: bigint | null = null;

  constructor(private readonly l1: Provider) {}

  /** Keeps the blobs of a raw transaction (network wrapper form); anything else is ignored. */
  note(raw: unknown): void {
    if (typeof raw !== "string" || !raw.startsWith("0x03")) return;
    let tx: Transaction;
    try {
      tx = Transaction.from(raw);
    } catch {
      return; // L1 refuses it too, and mines nothing of it
    }
    const blobs = tx.blobs;
    if (!tx.hash || !blobs || blobs.length === 0) return;
    this.txs.set(tx.hash, { hash: tx.hash, blobs: blobs.map((b) => ({ blob: hexOf(b.data), commitment: hexOf(b.commitment), proof: hexOf(b.proof) })) });
  }

  async genesis(): Promise<bigint> {
    if (this.genesisTime === null) {
      const block = await this.l1.getBlock(0);
      this.genesisTime = BigInt(block?.timestamp ?? 0);
    }
    return this.genesisTime;
  }

  /** The sidecars of the L1 block at `slot`, in block order, indexed as a beacon node does. */
  async sidecars(slot: bigint): Promise<Array<{ index: string; blob: string; kzg_commitment: string; kzg_proof: string }>> {
    await this.place();
    const txs = [...this.txs.values()].filter((t) => t.slot === slot).sort((a, b) => a.position!.index - b.position!.index);
    return txs.flatMap((t) => t.blobs).map((b, i) => ({ index: String(i), blob: b.blob, kzg_commitment: b.commitment, kzg_proof: b.proof }));
  }

  /** Finds the block of every archived transaction not placed yet (a dropped one stays unplaced). */
  private async place(): Promise<void> {
    const genesis = await this.genesis();
    for (const t of this.txs.values()) {
      if (t.slot !== undefined) continue;
      const receipt = await this.l1.getTransactionReceipt(t.hash);
      if (!receipt) continue;
      const block = await this.l1.getBlock(receipt.blockNumber);
      if (!block) continue;
      t.position = { block: receipt.blockNumber, index: receipt.index };
      t.slot = BigInt(block.timestamp) - genesis;
    }
  }
}

const hexOf = (v: string | Uint8Array) => (typeof v === "string" ? v : "0x" + Buffer.from(v).toString("hex"));

/**
 * Has `archive` note every raw transaction `provider` (the embedded L1) is sent, whether
 * through `send` (ethers in process) or `request` (its JSON-RPC server). Returns the undo.
 */
export function archiveBlobsSentTo(provider: EthereumProvider, archive: BlobArchive): () => void {
  const { send, request } = provider;
  const target = provider as { send: EthereumProvider["send"]; request: EthereumProvider["request"] };
  target.send = ((method: string, params?: unknown[]) => {
    if (method === "eth_sendRawTransaction") archive.note(params?.[0]);
    return send.call(provider, method, params);
  }) as EthereumProvider["send"];
  target.request = ((args: { method: string; params?: unknown[] | object }) => {
    if (args.method === "eth_sendRawTransaction" && Array.isArray(args.params)) archive.note(args.params[0]);
    return request.call(provider, args);
  }) as EthereumProvider["request"];
  return () => {
    target.send = send;
    target.request = request;
  };
}

export interface BeaconServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `archive` as a Beacon API on host:port (port 0: any free one). */
export async function startBeaconServer(archive: BlobArchive, options: { host: string; port: number; logger: Logger }): Promise<BeaconServer> {
  const server = http.createServer((req, res) => {
    answer(archive, req.method ?? "GET", req.url ?? "/").then(
      ({ status, body }) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      },
      (e: unknown) => {
        options.logger.error({ err: (e as Error).message, url: req.url }, "beacon API request failed");
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ code: 500, message: "internal error" }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(archive: BlobArchive, method: string, url: string): Promise<{ status: number; body: unknown }> {
  if (method !== "GET") return { status: 405, body: { code: 405, message: "only GET" } };
  const path = url.split("?")[0];
  if (path === "/eth/v1/beacon/genesis") {
    return { status: 200, body: { data: { genesis_time: String(await archive.genesis()), genesis_validators_root: "0x" + "00".repeat(32), genesis_fork_version: "0x00000000" } } };
  }
  if (path === "/eth/v1/config/spec") return { status: 200, body: { data: { SECONDS_PER_SLOT: "1" } } };
  const sidecars = /^\/eth\/v1\/beacon\/blob_sidecars\/([0-9]+)$/.exec(path);
  if (sidecars) return { status: 200, body: { data: await archive.sidecars(BigInt(sidecars[1])) } };
  if (path.startsWith("/eth/v1/beacon/blob_sidecars/")) return { status: 400, body: { code: 400, message: "block_id: only slot numbers are served" } };
  return { status: 404, body: { code: 404, message: "not found" } };
}
