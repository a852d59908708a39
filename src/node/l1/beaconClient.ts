/**
 * Blobs from a consensus-layer node, as rollup nodes on Ethereum get them: the Beacon API's
 * `/eth/v1/beacon/blob_sidecars/{slot}`, the slot found from the L1 block's timestamp
 * (`(timestamp − genesis_time) / SECONDS_PER_SLOT`, both read once from the node). A blob is
 * handed out only once it is proven to be the one the Rollup named: its sidecar's commitment
 * hashes to the versioned hash, and its blob proof verifies the blob against that commitment.
 * Anything else is an error, never a blob.
 */
import { CairnError } from "../../core/errors";
import { BYTES_PER_BLOB } from "../../core/blobLayout";
import { verifyBlob, versionedHashOf } from "./kzg";

/** Where a node gets the blobs behind the versioned hashes the Rollup stored. */
export interface BlobSource {
  /**
   * The blobs with `versionedHashes`, in order, all carried by the L1 block at `l1Timestamp`
   * (a batch's blobs travel in one transaction), each checked against its hash. Throws
   * BlobUnavailableError or BlobAuthenticationError, never returns other bytes.
   */
  blobs(l1Timestamp: bigint, versionedHashes: readonly string[]): Promise<Buffer[]>;
}

/** The beacon node did not answer as the Beacon API says. */
export class BeaconRequestError extends CairnError {
  override readonly name = "BeaconRequestError";
  readonly code = "BEACON_REQUEST";
  constructor(
    readonly url: string,
    details: string,
    options: { cause?: unknown } = {},
  ) {
    super(`beacon node request failed (${url})`, { details, cause: options.cause });
  }
}

/** No sidecar at the slot carries a blob with the versioned hash (pruned, or never seen). */
export class BlobUnavailableError extends CairnError {
  override readonly name = "BlobUnavailableError";
  readonly code = "BLOB_UNAVAILABLE";
  constructor(
    readonly versionedHash: string,
    readonly slot: bigint,
  ) {
    super(`blob ${versionedHash} not found at slot ${slot}`, { details: "consensus nodes prune blobs after ~18 days: point --l1-beacon at an archive, or post in calldata" });
  }
}

/** A sidecar names the commitment of the versioned hash but its blob does not open to it. */
export class BlobAuthenticationError extends CairnError {
  override readonly name = "BlobAuthenticationError";
  readonly code = "BLOB_AUTHENTICATION";
  constructor(
    readonly versionedHash: string,
    readonly slot: bigint,
    details: string,
  ) {
    super(`blob ${versionedHash} at slot ${slot} fails its KZG check`, { details });
  }
}

/** One `blob_sidecars` entry, as the Beacon API gives it (fields this client reads). */
interface SidecarJson {
  index: string;
  blob: string;
  kzg_commitment: string;
  kzg_proof: string;
}

export interface BeaconClientOptions {
  /** Per-request deadline in ms (default 30 s: a blob answer is ~260 kB of hex a blob). */
  timeoutMs?: number;
}

/** A Beacon API client for blob sidecars: the BlobSource of every node given `--l1-beacon`. */
export class BeaconBlobSource implements BlobSource {
  private readonly base: string;
  private clock: Promise<{ genesisTime: bigint; secondsPerSlot: bigint }> | null = null;

  constructor(
    url: string,
    private readonly options: BeaconClientOptions = {},
  ) {
    this.base = url.replace(/\/+$/, "");
  }

  async blobs(l1Timestamp: bigint, versionedHashes: readonly string[]): Promise<Buffer[]> {
    const slot = await this.slotOf(l1Timestamp);
    // One request for the slot, however many of its blobs the batch uses.
    const sidecars = await this.sidecars(slot);
    const out: Buffer[] = [];
    for (const versionedHash of versionedHashes) out.push(await this.checkedBlob(sidecars, slot, versionedHash));
    return out;
  }

  private async checkedBlob(sidecars: SidecarJson[], slot: bigint, versionedHash: string): Promise<Buffer> {
    const want = versionedHash.toLowerCase();
    const sidecar = sidecars.find((s) => versionedHashOf(s.kzg_commitment).toLowerCase() === want);
    if (!sidecar) throw new BlobUnavailableError(versionedHash, slot);
    const blob = Buffer.from(sidecar.blob.replace(/^0x/, ""), "hex");
    if (blob.length !== BYTES_PER_BLOB) throw new BlobAuthenticationError(versionedHash, slot, `the blob is ${blob.length} bytes`);
    if (!(await verifyBlob(blob, sidecar.kzg_commitment, sidecar.kzg_proof))) throw new BlobAuthenticationError(versionedHash, slot, "the blob proof does not verify the blob against the commitment");
    return blob;
  }

  /** The slot of the L1 block at `l1Timestamp`. */
  async slotOf(l1Timestamp: bigint): Promise<bigint> {
    const { genesisTime, secondsPerSlot } = await this.slotClock();
    if (l1Timestamp < genesisTime || (l1Timestamp - genesisTime) % secondsPerSlot !== 0n) {
      throw new BeaconRequestError(this.base, `L1 time ${l1Timestamp} is not a slot start (genesis ${genesisTime}, ${secondsPerSlot} s slots): is this the beacon node of this L1?`);
    }
    return (l1Timestamp - genesisTime) / secondsPerSlot;
  }

  private slotClock(): Promise<{ genesisTime: bigint; secondsPerSlot: bigint }> {
    // Read once; a failure is not kept, so the next call asks again.
    this.clock ??= (async () => {
      const genesis = (await this.get("/eth/v1/beacon/genesis")) as { data?: { genesis_time?: string } };
      const spec = (await this.get("/eth/v1/config/spec")) as { data?: { SECONDS_PER_SLOT?: string } };
      const genesisTime = decimal(genesis.data?.genesis_time, "genesis_time", this.base);
      const secondsPerSlot = decimal(spec.data?.SECONDS_PER_SLOT, "SECONDS_PER_SLOT", this.base);
      if (secondsPerSlot === 0n) throw new BeaconRequestError(this.base, "SECONDS_PER_SLOT is 0");
      return { genesisTime, secondsPerSlot };
    })().catch((e: unknown) => {
      this.clock = null;
      throw e;
    });
    return this.clock;
  }

  private async sidecars(slot: bigint): Promise<SidecarJson[]> {
    const body = (await this.get(`/eth/v1/beacon/blob_sidecars/${slot}`)) as { data?: unknown };
    if (!Array.isArray(body.data)) throw new BeaconRequestError(this.base, `blob_sidecars/${slot} has no data array`);
    return body.data.filter(isSidecar);
  }

  private async get(path: string): Promise<unknown> {
    const url = this.base + path;
    let response: Response;
    try {
      response = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
    } catch (e) {
      throw new BeaconRequestError(url, (e as Error).message, { cause: e });
    }
    // A slot with no block is 404 on a beacon node: it carries no blob.
    if (response.status === 404 && path.includes("/blob_sidecars/")) return { data: [] };
    if (!response.ok) throw new BeaconRequestError(url, `HTTP ${response.status}`);
    try {
      return await response.json();
    } catch (e) {
      throw new BeaconRequestError(url, "the answer is not JSON", { cause: e });
    }
  }
}

function isSidecar(v: unknown): v is SidecarJson {
  const s = v as Partial<SidecarJson> | null;
  return !!s && typeof s.blob === "string" && typeof s.kzg_commitment === "string" && typeof s.kzg_proof === "string";
}

function decimal(v: string | undefined, field: string, url: string): bigint {
  if (typeof v !== "string" || !/^[0-9]+$/.test(v)) throw new BeaconRequestError(url, `${field} is ${JSON.stringify(v)}`);
  return BigInt(v);
}
