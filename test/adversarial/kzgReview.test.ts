/**
 * Adversarial review of KZG through kzg-wasm on worker threads (2cb870e..7e91bec): a malicious
 * proposer (blobs L1 takes that the challenger must still open), a malicious beacon API (sidecars
 * built to make the check throw, hang, crash or poison the worker, or pass wrongly) and a hostile
 * environment (many requests at once, a worker that dies, a process that must exit). Each test is
 * named for the behaviour it checks. Longer sweeps: KZG_REVIEW_DOMAIN_POINTS (of the 4,096 domain
 * points opened, default 8) and KZG_REVIEW_MICRO_CASES (openings compared with micro-eth-signer,
 * the implementation this replaced; default 0, its setup alone loads in ~5 s).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import http from "node:http";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { Transaction, Wallet } from "ethers";
import { loadKZG } from "kzg-wasm";
import { BlobNotPreparedError, blobCommitment, blobProof, blobSidecars, ethersKzg, openBlobAt, verifyBlob, versionedHashOf } from "../../src/node/l1/kzg";
import { KzgWorker, KzgWorkerError } from "../../src/node/l1/kzgWorker";
import { BeaconBlobSource, BlobAuthenticationError } from "../../src/node/l1/beaconClient";
import { openBlob } from "../../src/core/kzgOpening";
import { BLS_MODULUS, ROOT_OF_UNITY, bitReverse, blobElements, elementsToBlob, powMod } from "../../src/core/blobOpening";
import { BYTES_PER_BLOB, FIELD_ELEMENTS_PER_BLOB, encodeBlob } from "../../src/core/blobLayout";
import { encodeEmptyRun } from "../../src/core/commitment";
import { blobRollup, chainedClaims, l1Now } from "../helpers/blobFixture";
import { Rng } from "./rng";

const N = FIELD_ELEMENTS_PER_BLOB;
const DOMAIN_POINTS = Number(process.env.KZG_REVIEW_DOMAIN_POINTS ?? 8);
const MICRO_CASES = Number(process.env.KZG_REVIEW_MICRO_CASES ?? 0);

const word = (v: bigint) => "0x" + v.toString(16).padStart(64, "0");
const hex = (b: Uint8Array) => "0x" + Buffer.from(b).toString("hex");
type Kzg = Awaited<ReturnType<typeof loadKZG>>;

/** A blob of these values (field elements) at these indices, zero elsewhere. */
function sparseBlob(values: Record<number, bigint>): Buffer {
  return elementsToBlob(Array.from({ length: N }, (_, i) => values[i] ?? 0n));
}

/** A random field element. */
function fieldElement(rng: Rng): bigint {
  return BigInt(hex(rng.bytes(32))) % BLS_MODULUS;
}

/** ω^k, the domain point at blob index brp(k). */
const omega = (k: number) => powMod(ROOT_OF_UNITY, BigInt(k));

/** The blob of a small batch as the sequencer encodes it: few non-zero elements, so its KZG is fast. */
const smallBlob = (tag: string) => encodeBlob(Buffer.from(`a batch: ${tag}`));

/** Whether the blob proof (commitment, proof) checks out for `blob`, and the pool still answers afterwards. */
async function poolAnswers(blob: Buffer, commitment: string, proof: string): Promise<void> {
  // Sequential requests land on the least busy worker (the first), concurrent ones on all.
  for (let i = 0; i < 3; i++) {
    expect(await blobCommitment(blob), `commitment ${i} after the attack`).to.equal(commitment);
    expect(await verifyBlob(blob, commitment, proof), `check ${i} after the attack`).to.equal(true);
  }
  const all = await Promise.all(Array.from({ length: 6 }, () => blobCommitment(blob)));
  expect(all, "six commitments at once after the attack").to.deep.equal(Array(6).fill(commitment));
}

describe("adversarial/kzgReview: KZG on kzg-wasm workers under attack", function () {
  this.timeout(180_000);
  let kzg: Kzg;
  before(async () => {
    kzg = await loadKZG();
  });

  describe("a malicious beacon API", () => {
    let server: http.Server;
    let url: string;
    let body = "";
    before(async () => {
      server = http.createServer((req, res) => {
        res.setHeader("content-type", "application/json");
        if (req.url === "/eth/v1/beacon/genesis") return res.end(JSON.stringify({ data: { genesis_time: "1000" } }));
        if (req.url === "/eth/v1/config/spec") return res.end(JSON.stringify({ data: { SECONDS_PER_SLOT: "12" } }));
        if (req.url === "/eth/v1/beacon/blob_sidecars/5") return res.end(body);
        res.statusCode = 404;
        res.end("{}");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const serve = (sidecars: unknown[]) => (body = JSON.stringify({ data: sidecars }));

    it("a sidecar whose kzg_proof is a megabyte of hex is refused, and does not leave the workers' kzg-wasm with an overflowed stack: honest blobs are still fetched, committed to and checked after", async () => {
      const blob = smallBlob("poison");
      const commitment = await blobCommitment(blob);
      const proof = await blobProof(blob, commitment);
      const hash = versionedHashOf(commitment);
      const source = new BeaconBlobSource(url);
      // The commitment is the real one (it hashes to the versioned hash); the proof is ~1 MB of bytes.
      serve([{ index: "0", blob: hex(blob), kzg_commitment: commitment, kzg_proof: "0x" + "ab".repeat(1_000_000) }]);
      const attempts = await Promise.allSettled(Array.from({ length: 4 }, () => source.blobs(1060n, [hash])));
      for (const a of attempts) expect(a.status === "rejected" && a.reason instanceof BlobAuthenticationError, "the poisoned sidecar is refused as unauthenticated").to.equal(true);
      // Straight to verifyBlob too, on every worker at once.
      expect(await Promise.all(Array.from({ length: 4 }, () => verifyBlob(blob, commitment, "0x" + "00".repeat(700_000))))).to.deep.equal([false, false, false, false]);
      serve([{ index: "0", blob: hex(blob), kzg_commitment: commitment, kzg_proof: proof }]);
      expect((await source.blobs(1060n, [hash]))[0].equals(blob), "the honest sidecar, served next").to.equal(true);
      await poolAnswers(blob, commitment, proof);
    });

    it("a KZG worker given arguments of any length (a huge proof, a huge commitment, a short blob) answers false or refuses, and keeps answering correctly after", async () => {
      const worker = new KzgWorker(require.resolve("kzg-wasm"));
      try {
        const blob = hex(smallBlob("worker"));
        const commitment = await worker.commitment(blob);
        const proof = await worker.blobProof(blob, commitment);
        expect(await worker.verify(blob, commitment, "0x" + "11".repeat(2_000_000)), "a 2 MB proof").to.equal(false);
        expect(await worker.verify(blob, "0x" + "11".repeat(2_000_000), proof), "a 2 MB commitment").to.equal(false);
        expect(await worker.verify(blob.slice(0, 1000), commitment, proof), "a short blob").to.equal(false);
        expect(await worker.verify(blob + "00".repeat(1_000_000), commitment, proof), "a blob a megabyte too long").to.equal(false);
        await worker.commitment(blob.slice(0, 1000)).then(
          (c) => expect.fail(`a short blob was committed to: ${c}`),
          (e: unknown) => expect(e).to.be.instanceOf(KzgWorkerError),
        );
        expect(await worker.commitment(blob), "the commitment after").to.equal(commitment);
        expect(await worker.verify(blob, commitment, proof), "the check after").to.equal(true);
      } finally {
        await worker.close();
      }
    });

    it("malformed sidecar fields are false, never errors, hangs or a wrong true: wrong lengths, an odd trailing nibble, non-hex, non-canonical elements, points off the curve or the subgroup, infinity with stray bits", async () => {
      const blob = smallBlob("fields");
      const commitment = await blobCommitment(blob);
      const proof = await blobProof(blob, commitment);
      const bare = (h: string) => h.slice(2);
      const cases: Array<[string, Uint8Array, string, string]> = [
        ["proof with a 97th nibble", blob, commitment, proof + "0"],
        // Buffer.from reads this commitment as the real one (versionedHashOf matches); kzg-wasm would shift it a nibble.
        ["commitment with a 97th nibble", blob, commitment + "0", proof],
        ["commitment followed by non-hex", blob, commitment + "zz", proof],
        ["proof with 0x0x", blob, commitment, "0x" + proof],
        ["empty proof", blob, commitment, "0x"],
        ["47-byte proof", blob, commitment, proof.slice(0, -2)],
        ["proof = commitment", blob, commitment, commitment],
        ["x = 0 with the compression bit: on the curve, outside G1", blob, commitment, "0x8" + "0".repeat(95)],
        ["x ≥ p", blob, commitment, "0x9f" + "ff".repeat(47)],
        ["no compression bit", blob, commitment, "0x0" + bare(proof).slice(1)],
        ["infinity with a stray bit", blob, commitment, "0xc0" + "00".repeat(46) + "01"],
        ["infinity as proof", blob, commitment, "0xc0" + "00".repeat(47)],
        ["infinity as commitment", blob, "0xc0" + "00".repeat(47), proof],
        ["an element equal to the modulus", Buffer.concat([Buffer.from(word(BLS_MODULUS).slice(2), "hex"), blob.subarray(32)]), commitment, proof],
        ["an element 2^256 − 1", Buffer.concat([Buffer.alloc(32, 0xff), blob.subarray(32)]), commitment, proof],
        ["a short blob", blob.subarray(0, BYTES_PER_BLOB - 32), commitment, proof],
        ["a long blob", Buffer.concat([blob, Buffer.alloc(32)]), commitment, proof],
      ];
      const results = await Promise.all(cases.map(([, b, c, p]) => verifyBlob(b, c, p)));
      cases.forEach(([name], i) => expect(results[i], name).to.equal(false));
      // The zero blob commits to infinity, and its proof is infinity: that one is true.
      const infinity = "0xc0" + "00".repeat(47);
      expect(await verifyBlob(Buffer.alloc(BYTES_PER_BLOB), infinity, infinity), "the zero blob against infinity").to.equal(true);
      await poolAnswers(blob, commitment, proof);
    });

    it("the commitment and proof are read as versionedHashOf reads them: upper-case and 0x-less hex of the right points verify", async () => {
      const blob = smallBlob("case");
      const commitment = await blobCommitment(blob);
      const proof = await blobProof(blob, commitment);
      const upper = (h: string) => "0x" + h.slice(2).toUpperCase();
      expect(versionedHashOf(upper(commitment))).to.equal(versionedHashOf(commitment));
      expect(await verifyBlob(blob, upper(commitment), upper(proof)), "upper case").to.equal(true);
      expect(versionedHashOf(commitment.slice(2))).to.equal(versionedHashOf(commitment));
      expect(await verifyBlob(blob, commitment.slice(2), proof.slice(2)), "without 0x").to.equal(true);
    });
  });

  describe("a malicious proposer: blobs L1 takes, opened at any point", () => {
    it("openings of extreme blobs (zeros, all r − 1, one non-zero element, random) at 0, domain points and off the domain verify with c-kzg, and y is the element on the domain", async () => {
      const rng = new Rng("kzg-review-extremes");
      const blobs: Record<string, Buffer> = {
        zeros: sparseBlob({}),
        "all r − 1": elementsToBlob(Array(N).fill(BLS_MODULUS - 1n)),
        "one element, the last": sparseBlob({ [N - 1]: BLS_MODULUS - 1n }),
        random: elementsToBlob(Array.from({ length: N }, () => fieldElement(rng))),
      };
      // 1 = ω^0 (index 0), ω^4095 (index 4095), r − 1 = ω^2048 (index 1), 0 and a random point off the domain.
      const points = [0n, 1n, BLS_MODULUS - 1n, omega(N - 1), fieldElement(rng)];
      for (const [name, blob] of Object.entries(blobs)) {
        const commitment = await blobCommitment(blob);
        const openings = await Promise.all(points.map((z) => openBlobAt(blob, z)));
        points.forEach((z, i) => {
          const { y, proof } = openings[i];
          expect(kzg.verifyKZGProof(commitment, word(z), y, proof), `${name} at ${z}`).to.equal(true);
        });
        const elements = blobElements(blob);
        expect(BigInt(openings[1].y), `${name}: p(1) is element 0`).to.equal(elements[0]);
        expect(BigInt(openings[3].y), `${name}: p(ω^4095) is element brp(4095)`).to.equal(elements[bitReverse(N - 1, 12)]);
      }
    });

    it(`openings at domain points (${DOMAIN_POINTS} of 4,096: KZG_REVIEW_DOMAIN_POINTS) give the quotient (p − y)/(x − z) as a polynomial: q(r)·(r − z) = p(r) − y at an independent r, and c-kzg accepts some`, async () => {
      const rng = new Rng("kzg-review-domain");
      const blob = elementsToBlob(Array.from({ length: N }, () => fieldElement(rng)));
      const r = fieldElement(rng);
      const pr = openBlob(blob, r).y;
      const indices = DOMAIN_POINTS >= N ? Array.from({ length: N }, (_, k) => k) : [0, 1, 2048, N - 1, ...Array.from({ length: Math.max(0, DOMAIN_POINTS - 4) }, () => rng.int(N))];
      for (const k of indices) {
        const z = omega(k);
        const { y, quotient } = openBlob(blob, z);
        const qr = openBlob(quotient, r).y;
        expect((qr * ((r - z + BLS_MODULUS) % BLS_MODULUS)) % BLS_MODULUS, `the quotient at ω^${k}`).to.equal((pr - y + BLS_MODULUS) % BLS_MODULUS);
      }
      const commitment = await blobCommitment(blob);
      const sample = [0, N - 1].map(omega);
      const openings = await Promise.all(sample.map((z) => openBlobAt(blob, z)));
      sample.forEach((z, i) => expect(kzg.verifyKZGProof(commitment, word(z), openings[i].y, openings[i].proof), `c-kzg at ${z}`).to.equal(true));
    });

    it("L1's point-evaluation precompile (0x0a) accepts openBlobAt's openings of extreme blobs, infinity proofs included, and refuses a y off by one", async () => {
      // Constant blobs: their quotients are zero, the proofs the point at infinity.
      const cases: Array<[Buffer, bigint[]]> = [
        [sparseBlob({}), [0n, omega(3), 0x1234567890abcdefn]],
        [elementsToBlob(Array(N).fill(BLS_MODULUS - 1n)), [0n, omega(3), 0x1234567890abcdefn]],
        [sparseBlob({ 5: 7n }), [omega(3), 0x1234567890abcdefn]],
      ];
      for (const [blob, points] of cases) {
        const commitment = await blobCommitment(blob);
        const hash = versionedHashOf(commitment);
        const openings = await Promise.all(points.map((z) => openBlobAt(blob, z)));
        for (const [i, z] of points.entries()) {
          const { y, proof } = openings[i];
          const input = (v: string) => "0x" + [hash, word(z), v, commitment, proof].map((h) => h.slice(2)).join("");
          const out = await ethers.provider.call({ to: "0x000000000000000000000000000000000000000a", data: input(y) });
          expect(out.length, `accepted at ${z}`).to.equal(2 + 128);
          await ethers.provider.call({ to: "0x000000000000000000000000000000000000000a", data: input(word((BigInt(y) + 1n) % BLS_MODULUS)) }).then(
            (o) => expect(o, "a wrong y").to.equal("0x"),
            () => undefined,
          );
        }
      }
    });

    it("blob batches of all zeros and of all r − 1 elements, which L1 takes, are proven fraudulent by the honest challenger (the precompile accepts both openings)", async () => {
      const t = await blobRollup();
      const now = await l1Now();
      const bodies = [encodeEmptyRun({ blocks: 1, timestamp: Number(now) })];
      const [claim] = chainedClaims([bodies], t.genesis, 0n, now);
      for (const blob of [sparseBlob({}), elementsToBlob(Array(N).fill(BLS_MODULUS - 1n))]) {
        await t.rebond();
        const { posting } = await t.post(0, [blob], [claim]);
        const receipt = await (await t.proveBlob(0, posting, 0, blob)).wait();
        expect(t.faultOf(receipt), "a layout fault").to.deep.equal({ blob: 0, fault: 1 });
        expect(await t.rollup.batchCount()).to.equal(0n);
      }
    });

    // Under npm run fuzz:kzg only: micro-eth-signer is not one of Cairn's dependencies (Hardhat brings it).
    (MICRO_CASES > 0 ? it : () => undefined)(`openBlob agrees with micro-eth-signer's computeProof (the implementation replaced) on ${MICRO_CASES} random blob and point pairs (KZG_REVIEW_MICRO_CASES)`, async function () {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { KZG } = require("micro-eth-signer/kzg") as typeof import("micro-eth-signer/kzg");
      const setup = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve("viem/package.json")), "trusted-setups", "mainnet.json"), "utf8")) as { g1_lagrange: string[]; g2_monomial: string[] };
      const micro = new KZG({ g1_lagrange: setup.g1_lagrange, g2_monomial: setup.g2_monomial });
      const rng = new Rng("kzg-review-micro");
      for (let c = 0; c < MICRO_CASES; c++) {
        const kind = c % 4;
        const blob = kind === 0 ? elementsToBlob(Array.from({ length: N }, () => fieldElement(rng))) : kind === 1 ? sparseBlob({ [rng.int(N)]: fieldElement(rng) }) : kind === 2 ? elementsToBlob(Array(N).fill(BLS_MODULUS - 1n - BigInt(rng.int(3)))) : smallBlob(String(c));
        const z = rng.chance(0.5) ? omega(rng.int(N)) : fieldElement(rng);
        const mine = await openBlobAt(blob, z);
        const [proof, y] = micro.computeProof(hex(blob), z) as unknown as [string, string];
        expect(mine.proof.toLowerCase(), `case ${c}: the proof`).to.equal(String(proof).toLowerCase());
        expect(BigInt(mine.y), `case ${c}: y`).to.equal(BigInt(y));
      }
    });
  });

  describe("the worker pool and ethers", () => {
    it("forty requests at once over distinct blobs each get their own blob's answer", async () => {
      const blobs = Array.from({ length: 8 }, (_, i) => sparseBlob({ [i * 97]: BigInt(i + 1) }));
      const expected = blobs.map((b) => kzg.blobToKZGCommitment(hex(b)).toLowerCase());
      const order = Array.from({ length: 40 }, (_, i) => (i * 3) % 8);
      const got = await Promise.all(order.map((i) => blobCommitment(blobs[i])));
      expect(got).to.deep.equal(order.map((i) => expected[i]));
    });

    it("a KZG worker that exits with requests queued fails them all at once and refuses the next, never hangs", async () => {
      const worker = new KzgWorker(require.resolve("kzg-wasm"));
      const blob = hex(sparseBlob({ 1: 1n }));
      const pending = Array.from({ length: 5 }, () => worker.commitment(blob).then(() => "answered", (e: unknown) => (e instanceof KzgWorkerError ? "failed" : "other")));
      await worker.close();
      const outcomes = await Promise.all(pending);
      expect(outcomes.every((o) => o === "failed" || o === "answered"), outcomes.join()).to.equal(true);
      expect(await worker.verify(blob, "0x00", "0x00").then(() => "answered", (e: unknown) => (e instanceof KzgWorkerError ? "failed" : "other"))).to.equal("failed");
    });

    it("a KZG worker whose kzg-wasm instance throws, or fails to load, answers that request with a KzgWorkerError and the next from a fresh instance", async () => {
      // A stand-in for kzg-wasm: load 1 fails, instance 2 throws on its first call, instance 3 answers with its number.
      const fake = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kzg-fake-")), "fake.js");
      fs.writeFileSync(
        fake,
        `let loads = 0;
         exports.loadKZG = async () => {
           const n = ++loads;
           if (n === 1) throw new Error("no wasm");
           let calls = 0;
           return { blobToKZGCommitment: () => { if (n === 2 && calls++ === 0) throw new Error("memory access out of bounds"); return "0x" + String(n).repeat(96); } };
         };`,
      );
      const worker = new KzgWorker(fake);
      try {
        const blob = hex(sparseBlob({}));
        const outcome = (p: Promise<string>) => p.then((c) => c.slice(0, 4), (e: unknown) => (e instanceof KzgWorkerError ? e.message : `other ${String(e)}`));
        expect(await outcome(worker.commitment(blob)), "the load failed").to.match(/no wasm/);
        expect(await outcome(worker.commitment(blob)), "the instance threw").to.match(/out of bounds/);
        expect(await outcome(worker.commitment(blob)), "a fresh instance").to.equal("0x33");
        expect(await outcome(worker.commitment(blob)), "and it stays").to.equal("0x33");
      } finally {
        await worker.close();
        fs.rmSync(path.dirname(fake), { recursive: true });
      }
    });

    it("a process that used the workers exits on its own once they are idle", async function () {
      const script = `
        const { blobCommitment } = require(${JSON.stringify(path.resolve(__dirname, "../../src/node/l1/kzg"))});
        blobCommitment(new Uint8Array(131072)).then((c) => console.log(c));`;
      const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: path.resolve(__dirname, "../.."), stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => {
          child.kill();
          resolve(-1);
        }, 30_000);
        child.on("exit", (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      expect(code, "exit code (−1: still running after 30 s)").to.equal(0);
      expect(out.trim()).to.equal("0xc0" + "00".repeat(47));
    });

    it("a blob shorter than a blob, which ethers pads with zeros, is signed from the sidecar of the padded blob (not refused as unprepared, not a commitment to stack bytes)", async () => {
      const short = Buffer.from("00" + "11".repeat(31), "hex");
      const padded = Buffer.concat([short, Buffer.alloc(BYTES_PER_BLOB - short.length)]);
      const sidecars = await blobSidecars([short]);
      expect(sidecars[0].commitment, "the short blob's commitment is the padded blob's").to.equal(await blobCommitment(padded));
      const request = { type: 3, chainId: 1n, nonce: 0, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n, maxFeePerBlobGas: 1n, to: Wallet.createRandom().address };
      const tx = Transaction.from(await Wallet.createRandom().signTransaction({ ...request, blobs: [short], kzg: ethersKzg([short], sidecars) }));
      expect(tx.blobVersionedHashes).to.deep.equal([versionedHashOf(sidecars[0].commitment)]);
      // Signed again for a re-send (a fee bump): the same answers.
      const again = Transaction.from(await Wallet.createRandom().signTransaction({ ...request, maxFeePerBlobGas: 2n, blobs: [short], kzg: ethersKzg([short], sidecars) }));
      expect(again.blobVersionedHashes).to.deep.equal(tx.blobVersionedHashes);
      // A blob it was not given: still refused, not computed.
      const asked = ethersKzg([short], sidecars) as { blobToKzgCommitment(blob: string): string };
      expect(() => asked.blobToKzgCommitment(hex(Buffer.alloc(BYTES_PER_BLOB, 0)))).to.throw(BlobNotPreparedError);
    });

    it("what is not a blob (an element not in the field, or more bytes than a blob) gets no commitment or proof: a KzgWorkerError, not bytes c-kzg left in memory", async () => {
      const blob = smallBlob("refused");
      const commitment = await blobCommitment(blob);
      const notField = Buffer.from(blob);
      notField.fill(0xff, 0, 32);
      const refused = (p: Promise<unknown>) => p.then((v) => `answered ${String(JSON.stringify(v)).slice(0, 30)}`, (e: unknown) => (e instanceof KzgWorkerError ? "refused" : `other ${String(e)}`));
      expect(await refused(blobCommitment(notField)), "commitment to a non-field element").to.equal("refused");
      expect(await refused(blobSidecars([notField])), "sidecar of a non-field element").to.equal("refused");
      expect(await refused(blobProof(notField, commitment)), "proof of a non-field element").to.equal("refused");
      expect(await refused(blobProof(blob, "0x" + "11".repeat(48))), "proof against bytes that are no point").to.equal("refused");
      expect(await refused(blobProof(blob, await blobCommitment(smallBlob("other")))), "proof against another blob's commitment").to.equal("refused");
      expect(await refused(blobSidecars([Buffer.concat([blob, Buffer.alloc(1)])])), "a blob one byte too long").to.equal("refused");
      expect(await refused(blobCommitment(Buffer.concat([blob, Buffer.alloc(1)]))), "a commitment of a blob one byte too long").to.equal("refused");
    });
  });
});
