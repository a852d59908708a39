/**
 * EIP-4844's KZG on a worker thread: in pure JavaScript a commitment or an opening takes ~1–2.5 s
 * a blob, and a batch of six blobs would otherwise hold the sequencer's event loop — its RPC, its
 * block cadence — for ~15 s; a challenger's blob proof (two commitments, two openings) for ~4 s,
 * and a follower's check of each sidecar for ~0.1 s a blob. The worker loads its own copy of the
 * trusted setup once (seconds, off the main thread too).
 */
import { Worker } from "node:worker_threads";
import { CairnError } from "../../core/errors";

// Plain JavaScript, so the worker needs no TypeScript loader. Blobs and points travel as hex.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { KZG } = require(workerData.kzg);
const setup = JSON.parse(fs.readFileSync(workerData.setup, "utf8"));
const kzg = new KZG({ g1_lagrange: setup.g1_lagrange, g2_monomial: setup.g2_monomial });
const run = {
  sidecars: ({ blobs }) =>
    blobs.map((blob) => {
      const commitment = kzg.blobToKzgCommitment(blob);
      return { commitment, proof: kzg.computeBlobProof(blob, commitment) };
    }),
  commitment: ({ blob }) => kzg.blobToKzgCommitment(blob),
  open: ({ blob, z }) => {
    const [proof, y] = kzg.computeProof(blob, BigInt(z));
    return { proof, y };
  },
  verify: ({ blob, commitment, proof }) => {
    try {
      return kzg.verifyBlobProof(blob, commitment, proof);
    } catch {
      // Bytes that are not field elements or points: not the blob, whatever the library's reason.
      return false;
    }
  },
};
parentPort.on("message", ({ id, op, args }) => {
  try {
    parentPort.postMessage({ id, out: run[op](args) });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});
`;

/** A blob's KZG commitment and blob proof, hex, as a type-3 transaction's sidecar carries them. */
export interface BlobSidecar {
  commitment: string;
  proof: string;
}

/** The worker failed or refused a blob. */
export class KzgWorkerError extends CairnError {
  readonly code = "KZG_WORKER";
  constructor(reason: string) {
    super(`KZG worker: ${reason}`);
  }
}

interface Pending {
  resolve(out: unknown): void;
  reject(e: Error): void;
}

/** What each request answers. */
interface Requests {
  sidecars: { args: { blobs: string[] }; out: BlobSidecar[] };
  commitment: { args: { blob: string }; out: string };
  open: { args: { blob: string; z: string }; out: { proof: string; y: string } };
  verify: { args: { blob: string; commitment: string; proof: string }; out: boolean };
}

export class KzgWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  /** `setup`: the trusted setup's JSON file; `kzgModule`: micro-eth-signer's KZG, resolved. */
  constructor(setup: string, kzgModule: string) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { setup, kzg: kzgModule } });
    // Idle, it must not keep the process alive.
    this.worker.unref();
    this.worker.on("message", (m: { id: number; out?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error === undefined) p.resolve(m.out);
      else p.reject(new KzgWorkerError(m.error));
      if (this.pending.size === 0) this.worker.unref();
    });
    this.worker.on("error", (e) => this.failAll(e.message));
    this.worker.on("exit", (code) => this.failAll(`exited with code ${code}`));
  }

  /** The commitments and blob proofs of `blobs` (hex), in order. */
  sidecars(blobs: string[]): Promise<BlobSidecar[]> {
    return this.request("sidecars", { blobs });
  }

  /** The KZG commitment of `blob` (hex). */
  commitment(blob: string): Promise<string> {
    return this.request("commitment", { blob });
  }

  /** The opening of `blob`'s polynomial at `z`: its value and the proof (hex). */
  open(blob: string, z: bigint): Promise<{ proof: string; y: string }> {
    return this.request("open", { blob, z: z.toString() });
  }

  /** Whether `proof` is the blob proof of `blob` against `commitment`; false for bytes that are not points. */
  verify(blob: string, commitment: string, proof: string): Promise<boolean> {
    return this.request("verify", { blob, commitment, proof });
  }

  private request<K extends keyof Requests>(op: K, args: Requests[K]["args"]): Promise<Requests[K]["out"]> {
    const id = this.next++;
    return new Promise<Requests[K]["out"]>((resolve, reject) => {
      this.pending.set(id, { resolve: (out) => resolve(out as Requests[K]["out"]), reject });
      // Working, it keeps the process alive until it answers.
      this.worker.ref();
      this.worker.postMessage({ id, op, args });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(reason: string): void {
    for (const p of this.pending.values()) p.reject(new KzgWorkerError(reason));
    this.pending.clear();
  }
}
