/**
 * The KZG commitments and blob proofs of a blob transaction, computed on a worker thread: in pure
 * JavaScript they take ~2.5 s a blob, and a batch of six blobs would otherwise hold the
 * sequencer's event loop — its RPC, its block cadence — for ~15 s. The worker loads its own copy
 * of the trusted setup once (seconds, off the main thread too).
 */
import { Worker } from "node:worker_threads";
import { CairnError } from "../../core/errors";

// Plain JavaScript, so the worker needs no TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { KZG } = require(workerData.kzg);
const setup = JSON.parse(fs.readFileSync(workerData.setup, "utf8"));
const kzg = new KZG({ g1_lagrange: setup.g1_lagrange, g2_monomial: setup.g2_monomial });
parentPort.on("message", ({ id, blobs }) => {
  try {
    const out = blobs.map((blob) => {
      const commitment = kzg.blobToKzgCommitment(blob);
      return { commitment, proof: kzg.computeBlobProof(blob, commitment) };
    });
    parentPort.postMessage({ id, out });
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
  resolve(out: BlobSidecar[]): void;
  reject(e: Error): void;
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
    this.worker.on("message", (m: { id: number; out?: BlobSidecar[]; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.out) p.resolve(m.out);
      else p.reject(new KzgWorkerError(m.error ?? "no answer"));
      if (this.pending.size === 0) this.worker.unref();
    });
    this.worker.on("error", (e) => this.failAll(e.message));
    this.worker.on("exit", (code) => this.failAll(`exited with code ${code}`));
  }

  /** The commitments and blob proofs of `blobs` (hex), in order. */
  sidecars(blobs: string[]): Promise<BlobSidecar[]> {
    const id = this.next++;
    return new Promise<BlobSidecar[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Working, it keeps the process alive until it answers.
      this.worker.ref();
      this.worker.postMessage({ id, blobs });
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
