import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sequencerLoad } from "./run";

const seconds = Number(process.argv[2] ?? 15);
sequencerLoad({ seconds, senders: 400, connections: 4, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), "cairn-prof-")) })
  .then((r) => console.log(JSON.stringify(r)))
  .then(() => process.exit(0));
