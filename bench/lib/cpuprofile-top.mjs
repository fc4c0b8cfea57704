// `node bench/lib/cpuprofile-top.mjs <file.cpuprofile> [top=25] [filter]`: self time by function
// (and by file), from a V8 CPU profile written by `node --cpu-prof`.

import * as fs from "node:fs";

const [file, topArg = "25", filter] = process.argv.slice(2);
const profile = JSON.parse(fs.readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFn = new Map();
const byFile = new Map();
for (const [id, us] of self) {
  const { callFrame: f } = byId.get(id);
  const where = f.url
    ? `${f.url.replace(/^file:\/\/.*?\/(node_modules|dist|bench)\//, "$1/")}:${f.lineNumber + 1}`
    : "";
  const key = `${f.functionName || "(anonymous)"} ${where}`;
  byFn.set(key, (byFn.get(key) ?? 0) + us);
  const fileKey = f.url ? f.url.replace(/^file:\/\/.*?\/(node_modules|dist|bench)\//, "$1/") : f.functionName;
  byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
}
const show = (map, n) =>
  [...map]
    .filter(([k]) => !filter || k.includes(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .forEach(([k, us]) =>
      console.log(`${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`),
    );
console.log(`total ${(total / 1000).toFixed(0)} ms sampled`);
console.log("-- by function (self)");
show(byFn, Number(topArg));
console.log("-- by file (self)");
show(byFile, 15);
