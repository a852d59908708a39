import { sequencerLoad } from "/work/main/bench/load/run";
(async () => {
  console.log("seq", JSON.stringify(await sequencerLoad({ seconds: 8, senders: 400, connections: 4 })));
})();
