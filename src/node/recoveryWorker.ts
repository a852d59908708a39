/**
 * Signature recovery on a worker thread: the sequencer's single most expensive step (~70 µs a
 * transaction with native secp256k1) moved off the thread that applies transactions. Requests
 * made in the same tick go to the worker as one message; answers come back in order, so two
 * transactions of one sender keep their order. One worker: ordering stays trivial, and a
 * second core is all these machines have to give.
 */
import { Worker } from "node:worker_threads";
import { keccak256 } from "../core/hash";
import { bytesToAddress } from "../core/bytes";
import { recoverSigner, type TxSignature } from "../core/txSigning";

// Plain JavaScript, so the worker needs no TypeScript loader: it only calls the native binding.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const secp = require(workerData.bindings);
parentPort.on("message", ({ hashes, sigs, count }) => {
  const h = Buffer.from(hashes), s = Buffer.from(sigs);
  const out = Buffer.alloc(count * 65);
  for (let i = 0; i < count; i++) {
    try {
      const pub = secp.ecdsaRecover(s.subarray(i * 65, i * 65 + 64), s[i * 65 + 64], h.subarray(i * 32, i * 32 + 32), false);
      out[i * 65] = 1;
      out.set(pub.subarray(1), i * 65 + 1);
    } catch {}
  }
  parentPort.postMessage(out.buffer, [out.buffer]);
});
`;

interface Pending {
  hash: Buffer;
  sig: TxSignature;
  resolve(from: string | null): void;
}

export class RecoveryWorker {
  private readonly worker: Worker;
  private queue: Pending[] = [];
  private readonly inFlight: Pending[][] = [];
  private scheduled = false;
  private failed = false;

  private constructor(bindings: string) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bindings } });
    this.worker.unref();
    this.worker.on("message", (buf: ArrayBuffer) => this.answer(Buffer.from(buf)));
    this.worker.on("error", () => this.fail());
  }

  /** A worker, or null where the native binding is missing (recovery then stays on the caller's thread). */
  static start(): RecoveryWorker | null {
    try {
      const bindings = require.resolve("secp256k1/bindings");
      require(bindings);
      return new RecoveryWorker(bindings);
    } catch {
      return null;
    }
  }

  /** The address that signed `hash`, or null. */
  recover(hash: Buffer, sig: TxSignature): Promise<string | null> {
    if (this.failed) return Promise.resolve(recoverSigner(hash, sig));
    return new Promise((resolve) => {
      this.queue.push({ hash, sig, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  /** Recovers `items` as one message of their own (sent now, answered in order): how a replica pipelines a batch. */
  recoverAll(items: Array<{ hash: Buffer; sig: TxSignature }>): Promise<Array<string | null>> {
    const answers = items.map((it) => new Promise<string | null>((resolve) => this.queue.push({ ...it, resolve })));
    this.flush();
    return Promise.all(answers);
  }

  async stop(): Promise<void> {
    this.fail();
    await this.worker.terminate();
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const hashes = Buffer.alloc(batch.length * 32);
    const sigs = Buffer.alloc(batch.length * 65);
    batch.forEach((p, i) => {
      p.hash.copy(hashes, i * 32);
      p.sig.r.copy(sigs, i * 65);
      p.sig.s.copy(sigs, i * 65 + 32);
      sigs[i * 65 + 64] = p.sig.yParity;
    });
    this.inFlight.push(batch);
    this.worker.postMessage({ hashes: hashes.buffer, sigs: sigs.buffer, count: batch.length }, [hashes.buffer, sigs.buffer]);
  }

  private answer(out: Buffer): void {
    const batch = this.inFlight.shift();
    if (!batch) return;
    batch.forEach((p, i) => p.resolve(out[i * 65] === 1 ? bytesToAddress(keccak256(out.subarray(i * 65 + 1, i * 65 + 65)).subarray(12)) : null));
  }

  /** From now on recover on the caller's thread; whatever was waiting is recovered there too. */
  private fail(): void {
    if (this.failed) return;
    this.failed = true;
    for (const p of [...this.inFlight.flat(), ...this.queue]) p.resolve(recoverSigner(p.hash, p.sig));
    this.inFlight.length = 0;
    this.queue = [];
  }
}
