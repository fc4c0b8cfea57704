// W7's measurement: the same round trips direct, through the bridge and through the plain TCP
// relay, interleaved in short blocks (A B C, B C A, C A B, …) so that all three see the same load
// from the rest of the machine; a run of `alternate` lasts seconds, long enough for another
// process's burst to land on one path only. Per path: wall time, this process's CPU time, and
// the CPU time of the hop's own process (bridge or relay; Linux /proc), so that what the extra
// hop costs is measured where it is spent as well as end to end.

import * as fs from "node:fs";
import { gc, median, spread } from "./stats.mjs";

/** CPU time (ms) used so far by process `pid`, all its threads; undefined where /proc is missing. */
export function processCpuMs(pid) {
  if (pid === undefined) return undefined;
  try {
    // schedstat: nanoseconds on CPU per thread (the tick counts in /proc/<pid>/stat are 10 ms coarse).
    let ns = 0;
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    }
    if (Number.isFinite(ns) && ns > 0) return ns / 1e6;
  } catch {
    // fall through to /proc/<pid>/stat
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime in ticks of 10 ms (USER_HZ 100)
  } catch {
    return undefined;
  }
}

/**
 * Runs `reps` timed rounds (after `warmup`) of `blocks` blocks; in each block every path does
 * `run(path, size / blocks)` once, the order rotating from block to block. `paths` maps a name to
 * the pid of its hop process (undefined for none). Returns a bench line: medians over rounds of
 * the per-round sums of wall time (`median`), client CPU (`cpuMedian`) and hop CPU (`hopCpuMedian`).
 */
export async function interleaved(id, title, paths, run, { size, blocks, reps, warmup = 1 }) {
  const names = Object.keys(paths);
  const per = Math.floor(size / blocks);
  /** @returns {Record<string, number[]>} */
  const empty = () => Object.fromEntries(names.map((n) => [n, []]));
  const wall = empty();
  const cpu = empty();
  const hop = empty();
  for (let r = -warmup; r < reps; r++) {
    const sum = Object.fromEntries(names.map((n) => [n, { wall: 0, cpu: 0, hop: 0 }]));
    // One GC per round (a GC before each block would dominate the run's length); its cost lands
    // in every path's blocks alike as the order rotates.
    gc();
    for (let b = 0; b < blocks; b++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(b + k) % names.length];
        const pid = paths[name];
        const h0 = processCpuMs(pid);
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const seen = await run(name, per);
        const ms = performance.now() - t0;
        const c = process.cpuUsage(c0);
        const h1 = processCpuMs(pid);
        if (seen !== per) throw new Error(`${id} ${name}: saw ${seen} rows, expected ${per}`);
        sum[name].wall += ms;
        sum[name].cpu += (c.user + c.system) / 1000;
        sum[name].hop += pid === undefined ? 0 : h0 === undefined || h1 === undefined ? NaN : h1 - h0;
      }
    }
    if (r < 0) continue;
    for (const n of names) {
      wall[n].push(sum[n].wall);
      cpu[n].push(sum[n].cpu);
      hop[n].push(sum[n].hop);
    }
  }
  const medians = (xs) => Object.fromEntries(names.map((n) => [n, median(xs[n])]));
  return {
    id,
    title,
    unit: "ms",
    samples: wall,
    wall,
    cpu,
    hopCpu: hop,
    median: medians(wall),
    cpuMedian: medians(cpu),
    hopCpuMedian: medians(hop),
    spread: Object.fromEntries(names.map((n) => [n, spread(wall[n])])),
    blocks,
    size: per * blocks,
  };
}
