/**
 * EIP-4844's KZG on a worker thread: kzg-wasm (c-kzg compiled to WebAssembly, the ceremony's
 * trusted setup built in) takes ~0.35 s a commitment or a blob proof, and a batch of six blobs
 * would otherwise hold the sequencer's event loop — its RPC, its block cadence — for ~4 s. A
 * follower's check of a sidecar takes ~15 ms. Each worker loads its own copy of the setup
 * (~0.4 s, off the main thread too); kzg.ts keeps a worker for each core it may use.
 */
import { CairnError } from "../../core/errors";
import { ThreadRequests } from "../threadRequests";

// Plain JavaScript, so the worker needs no TypeScript loader. Blobs and points travel as hex.
// kzg-wasm hands c-kzg whatever bytes it is given and ignores c-kzg's refusals: bytes of another
// length are read past their end, a commitment to what is not a blob is whatever memory held, and
// a megabyte of argument overflows the WebAssembly stack and leaves the instance failing every
// call after. So every argument is checked here first, exactly as long and in the field, and an
// instance that throws anyway is dropped for a fresh one.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { loadKZG } = require(workerData.kzg);
const BLOB_HEX = 2 + 2 * 131072;
const MODULUS_HEX = "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001";
let loaded = load();
function load() {
  const p = loadKZG();
  p.catch(() => {}); // a load that fails fails the requests that await it
  return p;
}
/** The instance to use: a fresh one if the one awaited was dropped meanwhile. */
async function instance() {
  for (;;) {
    const p = loaded;
    const kzg = await p;
    if (p === loaded) return kzg;
  }
}
const lower = (h) => h.toLowerCase();
const isBlob = (h) => typeof h === "string" && h.length === BLOB_HEX && /^0x[0-9a-fA-F]*$/.test(h);
const isPoint = (h) => typeof h === "string" && /^0x[0-9a-fA-F]{96}$/.test(h);
/** The index of the blob's first element not below the modulus, or -1. */
function notInField(blob) {
  const h = lower(blob);
  for (let i = 0; i < 4096; i++) if (h.slice(2 + 64 * i, 66 + 64 * i) >= MODULUS_HEX) return i;
  return -1;
}
/** Why the blob is not one to commit to, or null. */
function notABlob(blob) {
  if (!isBlob(blob)) return "not a blob: " + (typeof blob === "string" ? (blob.length - 2) / 2 + " bytes" : typeof blob);
  const bad = notInField(blob);
  return bad < 0 ? null : "blob element " + bad + " is not a field element";
}
const run = {
  sidecar: (kzg, { blob }) => {
    const refused = notABlob(blob);
    if (refused) return { error: refused };
    const commitment = lower(kzg.blobToKZGCommitment(blob));
    return { out: { commitment, proof: lower(kzg.computeBlobKZGProof(blob, commitment)) } };
  },
  commitment: (kzg, { blob }) => {
    const refused = notABlob(blob);
    return refused ? { error: refused } : { out: lower(kzg.blobToKZGCommitment(blob)) };
  },
  blobProof: (kzg, { blob, commitment }) => {
    const refused = notABlob(blob) || (isPoint(commitment) ? null : "the commitment is not 48 bytes of hex");
    if (refused) return { error: refused };
    const proof = lower(kzg.computeBlobKZGProof(blob, commitment));
    // c-kzg's refusal of a commitment that is no point, or not this blob's, is lost on the way: check.
    return kzg.verifyBlobKZGProof(blob, commitment, proof) ? { out: proof } : { error: "the commitment is not this blob's" };
  },
  // Bytes that are not a blob, field elements or points: not the blob, whatever the reason.
  verify: (kzg, { blob, commitment, proof }) => ({ out: isBlob(blob) && isPoint(commitment) && isPoint(proof) && kzg.verifyBlobKZGProof(blob, commitment, proof) }),
};
parentPort.on("message", async ({ id, op, args }) => {
  try {
    const kzg = await instance();
    parentPort.postMessage({ id, ...run[op](kzg, args) });
  } catch (e) {
    // Whatever broke inside kzg-wasm (or loading it) may have broken the instance: a new one.
    loaded = load();
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

/** What each request answers. */
interface Requests {
  sidecar: { args: { blob: string }; out: BlobSidecar };
  commitment: { args: { blob: string }; out: string };
  blobProof: { args: { blob: string; commitment: string }; out: string };
  verify: { args: { blob: string; commitment: string; proof: string }; out: boolean };
}

export class KzgWorker {
  private readonly thread: ThreadRequests<{ id: number; out?: unknown; error?: string }>;

  /** `kzgModule`: kzg-wasm, resolved. */
  constructor(kzgModule: string) {
    this.thread = new ThreadRequests(WORKER_SOURCE, { kzg: kzgModule }, (reason) => new KzgWorkerError(reason));
  }

  /** The commitment and blob proof of `blob` (hex), as a sidecar carries them. */
  sidecar(blob: string): Promise<BlobSidecar> {
    return this.request("sidecar", { blob });
  }

  /** The KZG commitment of `blob` (hex). */
  commitment(blob: string): Promise<string> {
    return this.request("commitment", { blob });
  }

  /** The blob proof of `blob` against `commitment` (hex). */
  blobProof(blob: string, commitment: string): Promise<string> {
    return this.request("blobProof", { blob, commitment });
  }

  /** Whether `proof` is the blob proof of `blob` against `commitment`; false for bytes that are not points. */
  verify(blob: string, commitment: string, proof: string): Promise<boolean> {
    return this.request("verify", { blob, commitment, proof });
  }

  /** Requests sent and not answered yet: how busy the worker is. */
  get load(): number {
    return this.thread.load;
  }

  /** Whether the thread has gone (a dead one fails every request at once). */
  get dead(): boolean {
    return this.thread.dead;
  }

  private async request<K extends keyof Requests>(op: K, args: Requests[K]["args"]): Promise<Requests[K]["out"]> {
    const answer = await this.thread.send({ op, args });
    if (answer.error !== undefined) throw new KzgWorkerError(answer.error);
    return answer.out as Requests[K]["out"];
  }

  close(): Promise<void> {
    return this.thread.close();
  }
}
