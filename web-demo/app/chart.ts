// A result as a chart: the statement runs again through run_columnar, whose typed arrays go to
// uPlot as they are (no per-point objects), so a million points draw in a fraction of a second.

import type { Connection } from "pg8000/native";
import uPlot from "uplot";
import { duration, isChartableType } from "./format.js";
import { el } from "./grid.js";
import type { ResultView } from "./result-view.js";

type Kind = "line" | "bar" | "scatter";
interface Columnar {
  columns: { name: string; type_oid: number; values: ArrayLike<unknown>; nulls?: Uint8Array }[];
}

export async function showChart(
  view: ResultView,
  host: HTMLElement,
  con: Connection,
  typeName: (oid: number) => string,
): Promise<void> {
  const status = el("div", "chart-status");
  status.textContent = "Fetching the columns…";
  host.append(status);
  const started = performance.now();
  let data: Columnar;
  try {
    data = (await con.run_columnar(view.sql)) as Columnar;
  } catch (err) {
    status.textContent = `The chart needs the statement run again, which failed: ${(err as Error).message}`;
    return;
  }
  const fetchedMs = performance.now() - started;
  const types = data.columns.map((c) => typeName(c.type_oid));
  const usable = data.columns.map((_, i) => i).filter((i) => isChartableType(types[i]!));
  const controls = el("div", "chart-controls");
  const xSelect = select(
    "chart-x",
    usable.map((i) => [String(i), data.columns[i]!.name]),
  );
  const ySelect = select(
    "chart-y",
    usable.map((i) => [String(i), data.columns[i]!.name]),
  );
  const kindSelect = select("chart-kind", [
    ["line", "line"],
    ["bar", "bar"],
    ["scatter", "scatter"],
  ]);
  ySelect.value = String(usable.find((i) => i !== usable[0]) ?? usable[0]);
  controls.append(label("x", xSelect), label("y", ySelect), label("as", kindSelect));
  const plotHost = el("div", "chart");
  plotHost.dataset.testid = "result-chart";
  host.append(controls, plotHost);
  let plot: uPlot | null = null;
  const draw = (): void => {
    const t0 = performance.now();
    const xi = Number(xSelect.value);
    const yi = Number(ySelect.value);
    const xType = types[xi]!;
    const [xs, ys] = sortedByX(toNumbers(data.columns[xi]!, xType), toNumbers(data.columns[yi]!, types[yi]!));
    plot?.destroy();
    const kind = kindSelect.value as Kind;
    const dark = matchMedia("(prefers-color-scheme: dark)").matches;
    const axis = { stroke: dark ? "#bbb" : "#333", grid: { stroke: dark ? "#333" : "#e5e5e5" }, size: 64 };
    plot = new uPlot(
      {
        width: Math.max(320, host.clientWidth - 8),
        height: 300,
        scales: { x: { time: xType.startsWith("timestamp") || xType === "date" } },
        axes: [axis, axis],
        legend: { show: true },
        cursor: { drag: { x: true, y: false } },
        series: [
          { label: data.columns[xi]!.name },
          {
            label: data.columns[yi]!.name,
            stroke: "#3b82f6",
            fill: kind === "bar" ? "rgba(59,130,246,0.5)" : undefined,
            width: kind === "scatter" ? 0 : 1,
            paths:
              kind === "bar" ? uPlot.paths.bars!({ size: [0.8, 64] }) : kind === "scatter" ? () => null : undefined,
            points: { show: kind === "scatter", size: 3, fill: "#3b82f6" },
          },
        ],
        hooks: {
          draw: [
            (u: uPlot) => {
              const ms = performance.now() - t0;
              // The x range as drawn (dates for a time axis): a hook for tests and a tooltip.
              const [min, max] = [u.scales.x!.min ?? Number.NaN, u.scales.x!.max ?? Number.NaN];
              const show = (v: number): string =>
                u.scales.x!.time ? new Date(v * 1000).toISOString().slice(0, 10) : String(v);
              plotHost.dataset.xRange = `${show(min)} – ${show(max)}`;
              plotHost.title = `x from ${plotHost.dataset.xRange}`;
              plotHost.dataset.drawMs = ms.toFixed(1);
              status.textContent = `${xs.length.toLocaleString("en-US")} points: columns fetched in ${duration(fetchedMs)}, drawn in ${duration(ms)}`;
            },
          ],
        },
      },
      [xs, ys] as unknown as uPlot.AlignedData,
      plotHost,
    );
  };
  for (const s of [xSelect, ySelect, kindSelect]) s.addEventListener("change", draw);
  plotHost.dataset.fetchMs = fetchedMs.toFixed(1);
  draw();
}

/**
 * A column as numbers: time in seconds (uPlot's time scale; run_columnar gives dates as days and
 * timestamps as milliseconds since 1970), NULL and non-numbers as NaN (gaps).
 */
function toNumbers(column: Columnar["columns"][number], type: string): Float64Array {
  const { values, nulls } = column;
  const out = new Float64Array(values.length);
  const scale = type === "date" ? 86_400 : type.startsWith("timestamp") ? 0.001 : 1;
  if (ArrayBuffer.isView(values) && !(values instanceof BigInt64Array) && !(values instanceof BigUint64Array)) {
    const numbers = values as unknown as ArrayLike<number>;
    if (scale === 1) out.set(numbers);
    else for (let i = 0; i < numbers.length; i++) out[i] = numbers[i]! * scale;
  } else {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      out[i] =
        v === null || v === undefined
          ? Number.NaN
          : v instanceof Date
            ? v.getTime() / 1000
            : typeof v === "string" && scale !== 1
              ? Date.parse(v) / 1000
              : Number(v) * scale;
    }
  }
  if (nulls) for (let i = 0; i < nulls.length; i++) if (nulls[i]) out[i] = Number.NaN;
  return out;
}

/** uPlot wants x ascending: sorts both columns by x when they are not already. */
function sortedByX(xs: Float64Array, ys: Float64Array): [Float64Array, Float64Array] {
  let sorted = true;
  for (let i = 1; i < xs.length && sorted; i++) if (xs[i]! < xs[i - 1]!) sorted = false;
  if (sorted) return [xs, ys];
  const order = new Uint32Array(xs.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => xs[a]! - xs[b]!);
  const sx = new Float64Array(xs.length);
  const sy = new Float64Array(ys.length);
  for (let i = 0; i < order.length; i++) {
    sx[i] = xs[order[i]!]!;
    sy[i] = ys[order[i]!]!;
  }
  return [sx, sy];
}

function select(testid: string, options: [string, string][]): HTMLSelectElement {
  const s = el("select");
  s.dataset.testid = testid;
  for (const [value, text] of options) {
    const o = el("option");
    o.value = value;
    o.textContent = text;
    s.append(o);
  }
  return s;
}

function label(text: string, control: HTMLElement): HTMLLabelElement {
  const l = el("label");
  l.append(`${text} `, control);
  return l;
}
