/**
 * Signature recovery on a worker thread: the sequencer's single most expensive step (~70 µs a
 * transaction with native secp256k1) moved off the thread that applies transactions, with the
 * keccak hashes around it — of the signing payload, of the recovered public key (the address),
 * and of the raw transaction (its hash). Requests made in the same tick go to the worker as one
 * message; answers come back in order, so two transactions of one sender keep their order. One
 * worker: ordering stays trivial, and a second core is all these machines have to give.
 */
import { Worker } from "node:worker_threads";
import { keccak256 } from "../core/hash";
import { bytesToAddress } from "../core/bytes";
import { recoverSigner, type TxSignature } from "../core/txSigning";

// Plain JavaScript, so the worker needs no TypeScript loader: it calls native secp256k1 and
// hash-wasm's WebAssembly keccak (messages that arrive while it compiles wait for it).
// A request is a run of items: flags (1: the message is already a 32-byte hash; 2: a raw
// transaction follows), u32 message length, message, 65 signature bytes, [u32 raw length, raw].
// An answer is, per item: ok (1), address (20), transaction hash (32, zero without a raw).
// It exits by itself when asked ("stop", and the shared flag it reads between items), never in
// the middle of a native call: a terminate() landing inside one makes node-addon-api throw a C++
// exception it cannot hand to JavaScript any more, and the whole process aborts.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const stopping = new Int32Array(workerData.stop);
const exitIfStopping = () => Atomics.load(stopping, 0) === 1 && process.exit(0);
const secp = require(workerData.secp);
const { createKeccak } = require(workerData.hashWasm);
const waiting = [];
let keccak = null;
createKeccak(256).then((hasher) => {
  keccak = (data) => {
    hasher.init();
    hasher.update(data);
    return hasher.digest("binary");
  };
  for (const m of waiting.splice(0)) answer(m);
});
parentPort.on("message", (m) => (m === "stop" ? process.exit(0) : keccak ? answer(m) : waiting.push(m)));
function answer({ items, count }) {
  const b = Buffer.from(items);
  const out = Buffer.alloc(count * 53);
  let at = 0;
  for (let i = 0; i < count; i++) {
    exitIfStopping();
    const flags = b[at];
    const length = b.readUInt32LE(at + 1);
    const message = b.subarray(at + 5, at + 5 + length);
    const sig = b.subarray(at + 5 + length, at + 70 + length);
    at += 70 + length;
    if (flags & 2) {
      const rawLength = b.readUInt32LE(at);
      out.set(keccak(b.subarray(at + 4, at + 4 + rawLength)), i * 53 + 21);
      at += 4 + rawLength;
    }
    try {
      const pub = secp.ecdsaRecover(sig.subarray(0, 64), sig[64], flags & 1 ? message : keccak(message), false);
      out[i * 53] = 1;
      out.set(keccak(pub.subarray(1)).subarray(12), i * 53 + 1);
    } catch {}
  }
  parentPort.postMessage(out.buffer, [out.buffer]);
}
`;
const ANSWER = 53;

/** What to recover: a signature over `hash`, or over keccak256(`payload`); and a raw transaction to hash. */
export type RecoveryRequest = ({ hash: Buffer } | { payload: Buffer }) & { sig: TxSignature; raw?: Buffer };

export interface Recovered {
  /** The signer, or null when the signature recovers none. */
  from: string | null;
  /** keccak256 of the raw transaction, when one was given. */
  hash: string | null;
}

interface Pending {
  request: RecoveryRequest;
  resolve(answer: Recovered): void;
}

export class RecoveryWorker {
  private readonly worker: Worker;
  private queue: Pending[] = [];
  private readonly inFlight: Pending[][] = [];
  private scheduled = false;
  private failed = false;
  /** Set to 1 to have the thread exit at its next item. */
  private readonly stopping = new Int32Array(new SharedArrayBuffer(4));
  private readonly exited: Promise<void>;

  private constructor(workerData: Record<string, string>) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ...workerData, stop: this.stopping.buffer } });
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once("exit", () => resolve()));
    this.worker.on("message", (buf: ArrayBuffer) => this.answer(Buffer.from(buf)));
    this.worker.on("error", () => this.fail());
  }

  /** A worker, or null where the native binding is missing (recovery then stays on the caller's thread). */
  static start(): RecoveryWorker | null {
    try {
      const secp = require.resolve("secp256k1/bindings");
      require(secp);
      return new RecoveryWorker({ secp, hashWasm: require.resolve("hash-wasm") });
    } catch {
      return null;
    }
  }

  /** The signer (and, with `raw`, the transaction hash) of one request, batched with the others of this tick. */
  recover(request: RecoveryRequest): Promise<Recovered> {
    if (this.failed) return Promise.resolve(recoverHere(request));
    return new Promise((resolve) => {
      this.queue.push({ request, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  /** Recovers `requests` as one message of their own (sent now, answered in order): how a replica pipelines a batch. */
  recoverAll(requests: RecoveryRequest[]): Promise<Recovered[]> {
    const answers = requests.map((request) => new Promise<Recovered>((resolve) => this.queue.push({ request, resolve })));
    this.flush();
    return Promise.all(answers);
  }

  /** Recovers whatever waits on the caller's thread, and has the thread exit by itself, between two native calls. */
  async stop(): Promise<void> {
    this.fail();
    Atomics.store(this.stopping, 0, 1);
    this.worker.postMessage("stop");
    await this.exited;
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let size = 0;
    for (const { request: r } of batch) size += 70 + messageOf(r).length + (r.raw ? 4 + r.raw.length : 0);
    const items = Buffer.alloc(size);
    let at = 0;
    for (const { request: r } of batch) {
      const message = messageOf(r);
      items[at] = ("hash" in r ? 1 : 0) | (r.raw ? 2 : 0);
      items.writeUInt32LE(message.length, at + 1);
      message.copy(items, at + 5);
      at += 5 + message.length;
      r.sig.r.copy(items, at);
      r.sig.s.copy(items, at + 32);
      items[at + 64] = r.sig.yParity;
      at += 65;
      if (r.raw) {
        items.writeUInt32LE(r.raw.length, at);
        r.raw.copy(items, at + 4);
        at += 4 + r.raw.length;
      }
    }
    this.inFlight.push(batch);
    this.worker.postMessage({ items: items.buffer, count: batch.length }, [items.buffer]);
  }

  private answer(out: Buffer): void {
    const batch = this.inFlight.shift();
    if (!batch) return;
    batch.forEach((p, i) => {
      const at = i * ANSWER;
      p.resolve({
        from: out[at] === 1 ? bytesToAddress(out.subarray(at + 1, at + 21)) : null,
        hash: p.request.raw ? "0x" + out.toString("hex", at + 21, at + ANSWER) : null,
      });
    });
  }

  /** From now on recover on the caller's thread; whatever was waiting is recovered there too. */
  private fail(): void {
    if (this.failed) return;
    this.failed = true;
    for (const p of [...this.inFlight.flat(), ...this.queue]) p.resolve(recoverHere(p.request));
    this.inFlight.length = 0;
    this.queue = [];
  }
}

function messageOf(r: RecoveryRequest): Buffer {
  return "hash" in r ? r.hash : r.payload;
}

/** The same answer, computed on the calling thread. */
export function recoverHere(r: RecoveryRequest): Recovered {
  const hash = "hash" in r ? r.hash : keccak256(r.payload);
  return { from: recoverSigner(hash, r.sig), hash: r.raw ? "0x" + keccak256(r.raw).toString("hex") : null };
}
