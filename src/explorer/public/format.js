// Text for amounts, times and hashes: pure functions, no DOM.

/** "1.5" from base units: every digit of the fraction unless `maxFrac` cuts it (then "~" says so). */
export function units(base, decimals = 18, maxFrac = Infinity) {
  const v = BigInt(base);
  const scale = 10n ** BigInt(decimals);
  const neg = v < 0n ? "-" : "";
  const abs = v < 0n ? -v : v;
  let frac = (abs % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  const cut = frac.length > maxFrac;
  if (cut) frac = frac.slice(0, maxFrac).replace(/0+$/, "");
  return `${cut ? "~" : ""}${neg}${(abs / scale).toLocaleString("en-US")}${frac ? "." + frac : ""}`;
}

/** 2^256 − 1: OpenZeppelin's infinite allowance, which transferFrom never decreases. */
const UNLIMITED = (1n << 256n) - 1n;

/** "0.25 ETH", "10,000 CTT": an amount of ETH (token null) or of a token ({symbol, decimals}); "unlimited CTT" for an infinite allowance. */
export function amountText(base, token, maxFrac) {
  if (token && BigInt(base) === UNLIMITED) return `unlimited ${token.symbol}`;
  return token ? `${units(base, token.decimals, maxFrac)} ${token.symbol}` : `${units(base, 18, maxFrac)} ETH`;
}

/** Wei in gwei, for gas prices. */
export const gwei = (wei) => `${units(wei, 9)} gwei`;

/** "2025-06-01 12:00:05 UTC" from a timestamp in seconds. */
export function dateTime(seconds) {
  return new Date(Number(seconds) * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/** "45s", "3m 20s", "2h 5m", "3d 4h". */
export function duration(s) {
  s = Math.max(0, Math.floor(s));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m ${s % 60}s`;
  const hrs = Math.floor(s / 3600);
  return hrs < 48 ? `${hrs}h ${Math.floor((s % 3600) / 60)}m` : `${Math.floor(hrs / 24)}d ${hrs % 24}h`;
}

/** "5s ago" (or "just now") from a timestamp and the chain's clock now. */
export function age(seconds, now) {
  const s = now - Number(seconds);
  return s < 1 ? "just now" : `${duration(s)} ago`;
}

/** "0x3c44cd…4293bc": the middle of a long hex value left out (the full value goes in a title and a copy button). */
export function short(hex) {
  return hex && hex.length > 18 ? `${hex.slice(0, 8)}…${hex.slice(-6)}` : hex || "—";
}

/** "1 batch", "3 batches". */
export const plural = (n, word, many = word + "s") => `${n} ${n === 1 ? word : many}`;
