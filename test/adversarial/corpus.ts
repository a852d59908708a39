/**
 * Batches that once broke the property (property.ts), posted again on every run so the fixes stay
 * fixed. Each was found by the generators on the world of world.ts ("property"); the bytes are
 * any bytes as far as the property is concerned, so a change to the world only makes an entry less
 * pointed, never wrong. `found` says what went wrong then.
 */
export interface CorpusEntry {
  found: string;
  /** The run and case that produced it (the generators read src/core, so a later tree may generate other bytes for it). */
  origin: string;
  queueCount: bigint;
  /** The `commitments` argument, hex. */
  data: string;
}

export const CORPUS: readonly CorpusEntry[] = [
  {
    found: "gas × price overflow before the balance check: base fee 2^256 − 1 priced in full, 22,000-odd gas; src/core says insufficient-funds, the verifier panicked (0x11) before c3d40c3",
    origin: "seed prefix case 328",
    queueCount: 14n,
    data:
      "0x" +
      "00bf000000000000000000000000000000000000000000000000000000000000000008006553f164e020ffffffffffff" +
      "ffffffffffffffffffffffffffffffffffffffffffffffffffff05010200e020ffffffffffffffffffffffffffffffff" +
      "ffffffffffffffffffffffffffffffff40b498020864031c0007024ff156679201bdc8a69be2d4ac9232ab9ec6cdd8cd" +
      "0c2da516aff8080b3fd73470e933f849fba2cefc028466b83cec7e653db22fd4b7372b6f6dffac3407e6e0bbc87ca528" +
      "80",
  },
  {
    found: "base fee + priority fee overflow: caps of 2^256 − 1 under a base fee of 10^7; src/core says gas-limit-too-low, the verifier panicked (0x11) in its effective-price sum before c3d40c3",
    origin: "seed prefix case 1563",
    queueCount: 13n,
    data:
      "0x" +
      "01f2fa7b397b31de9fca9823c70885b372856050037f9a4dc198252785daf3bc9f5706006553f1642701000202e020ff" +
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe020ffffffffffffffffffffffffffffff" +
      "ffffffffffffffffffffffffffffffffff40578702230127032502044460096c536a2e5938589cae8608c17be90733e4" +
      "969c7db7bd501097967a572078197adea4697dc3932121dfea9f345790fd20f44cc3ed467016922445a4d2205d8af47a" +
      "93396eeaa48e73aba07eb3f8528fccd0082973b5c01517b8fcc38dfc32f649ad88a0d162512042fe9d07035af32c9484" +
      "93afbf9eef2f60fd4e56c89b374a394c542d0a2964406c8bdf16fce9041631936ced097b01e90a130bd46f234eb66208" +
      "33b47ec1a494cc4ede829df9ff8377a4396c02b80020ffffffffffffffffffffffffffffffffffffffffffffffffffff" +
      "ffffffffffff4d10c1f95b6c333957573b68b74a7a42e3ac17bbaed9116125aba8c1f86e983191337abf409de6e6f094" +
      "7a55afdc51081f44e155c928b73b3f0a92d75dec9ac653c0a9ee8b710020cc228096632bf70fcd762c6f9ff207010139" +
      "f2f4e6d9340c19561728fe4328d61555e48125cced9109658136363385524e6e7a2dd38b8911b00cb125d21208f56b44" +
      "f2b06d25e8bee08bb00d52e88c2cab7940e0e369",
  },
  {
    found: "fee recipient 1 written as the varint 0x81 0x00 (a redundant zero group): accepted by both sides before c3d40c3, a second encoding of the block",
    origin: "seed prefix case 1525",
    queueCount: 13n,
    data:
      "0x" +
      "00a978989824b5ecf2eeeb0878692282bb0958bd058d1f3f777a027aa7e34c8d2d540755fd4d3561bf833ecc35ed6930" +
      "fa57cd5816a98292f0f6b23cd091b5b3e10224006553f164270181000102002702250101b8c075e12dc518c371d193f3" +
      "bbbf68f27d39759ecee419e93f6f4813b3a23d03512873069d1c9c3b882f0f0a41c7fac26655866b79ca40e41a8b9d26" +
      "743982f2a581052d6ebb0c41a5878dd1e40b01eb48992df172bcc5",
  },
  {
    found: "index width 6 bits where 3 hold every index: accepted by both sides before c3d40c3",
    origin: "seed prefix case 422",
    queueCount: 13n,
    data:
      "0x" +
      "007b1a050dc793e153d9a4062d1204f24c7eff38a22282ae792fc52448d1764b0fb50c006553f1642701000102230127" +
      "03250201210b809480187205263c16d0f24fe7559fc39b14b1d2243ee6bcb5aa4f6a94bd6530b3dcf49e9222d651be25" +
      "9368f66802b0e0442e74a9cb8ccfb9c0e9d3c84e32500c06e45ef68b31",
  },
  {
    found: "every amount with a leading zero mantissa byte: accepted by both sides before c3d40c3",
    origin: "seed prefix case 271",
    queueCount: 14n,
    data:
      "0x" +
      "002d402f9423c883c3c2f63a4717e952b52a424e9354e39679a50fcffa5dbd8ed8d600006553f16447000105000108",
  },
  {
    found: "every amount with a factor of ten left in its mantissa below exponent 31: accepted by both sides before c3d40c3",
    origin: "seed prefix case 1006",
    queueCount: 13n,
    data:
      "0x" +
      "007c3f28e496792720d2b96fd239a122fc098fed4233a40b96f0b98e81d6a5cb9bdc06006553f16440ffff0501002614" +
      "240a0135f0000702a22c9f978a08a8eeb44aebb82ddd5306e280000fd727f6c4d3afaeee2cd4a7f5119714564129817c" +
      "c5e81cab8948e164517a3f791467b8789174705adb326b439dd6c75c542a",
  },
  {
    found: "the base fee's mantissa behind the length escape although it is under 7 bytes: accepted by both sides before c3d40c3",
    origin: "seed prefix case 131",
    queueCount: 14n,
    data:
      "0x" +
      "002d402f9423c883c3c2f63a4717e952b52a424e9354e39679a50fcffa5dbd8ed8d600006553f164e7010105000108",
  },
  {
    found: "zero amounts written as 0 × 10^5: accepted by both sides before c3d40c3",
    origin: "seed prefix case 1131",
    queueCount: 13n,
    data:
      "0x" +
      "007a0f6cd47d1476e1039b243ec8dd3c05d94cb1a655120304ae04592a7e4b13350806006553f1642701060102052702" +
      "25010126e000278eb508a29668f637d6bfda492da645769a7db946a88e3eb31769f4f63f5775f29346a21ebb406ff153" +
      "5f6b980334669869466b7b2674261ad41c2935177e8df9f289d37248",
  },
  {
    found: "a queue operation only, and a fee recipient (2^24 − 1) that is no account: the fee-recipient rule of 8fd2c56 makes replayCommitment call it malformed after replaying the operation, buildFraudWitness treats every malformed verdict as undecodable and sends an empty witness, and the verifier, replaying the queue operation before its own fee-recipient check, reverts FraudWitnessBadQueueEntry: the fraud cannot be proven",
    origin: "seed 7bcc5e4b5905 case 8567",
    queueCount: 14n,
    data:
      "0x" +
      "002f000000000000000000000000000000000000000000000000000000000000000000006553f1642701ffffff070001" +
      "08",
  },
];
