// A result as a chart, drawn by uPlot from typed arrays (no per-point objects). The numbers come
// from the columns the grid already holds when they are all there; otherwise the statement runs again
// through run_columnar, reduced to its chartable columns when it is a single query.

import type { Connection } from "pg8000/native";
import uPlot from "uplot";
import { type ChartColumn, type ColumnarColumn, columnsFromColumnar, onlyColumnsSql } from "./chart-data.js";
import { duration, isChartableType } from "./format.js";
import { el } from "./grid.js";
import type { ResultView } from "./result-view.js";

type Kind = "line" | "bar" | "scatter";

export async function showChart(
  view: ResultView,
  host: HTMLElement,
  con: Connection,
  typeName: (oid: number) => string,
): Promise<void> {
  const status = el("div", "chart-status");
  status.textContent = view.complete ? "Preparing the columns…" : "Fetching the columns…";
  host.append(status);
  const started = performance.now();
  let columns: ChartColumn[];
  let source: string;
  if (view.complete) {
    // The grid's own typed columns, joined (one task each): no conversion per value for numbers and times.
    const whole: ColumnarColumn[] = [];
    for (const [i, c] of view.columnList.entries()) {
      if (!isChartableType(c.type)) continue;
      whole.push(view.rows.column(i, c.name, c.oid ?? 0));
      await nextTask();
    }
    columns = columnsFromColumnar(whole, typeName, isChartableType);
    source = `built from the grid's ${view.rows.length.toLocaleString("en-US")} rows`;
  } else {
    // The grid has only part of the rows (still arriving, cancelled or failed): fetch them again.
    const all = view.columnList.map((c) => c.name);
    const wanted = view.columnList.filter((c) => isChartableType(c.type)).map((c) => c.name);
    const sql = onlyColumnsSql(view.sql, wanted, all) ?? view.sql;
    try {
      const data = (await con.run_columnar(sql)) as { columns: ColumnarColumn[] };
      columns = columnsFromColumnar(data.columns, typeName, isChartableType);
    } catch (err) {
      status.textContent = `The chart needs the statement run again, which failed: ${(err as Error).message}`;
      return;
    }
    source = "fetched";
  }
  if (columns.length === 0) {
    status.textContent = "No column of this result can be charted (numbers, dates or timestamps).";
    return;
  }
  const controls = el("div", "chart-controls");
  const options = columns.map((c, i): [string, string] => [String(i), c.name]);
  const xSelect = select("chart-x", options);
  const ySelect = select("chart-y", options);
  const kindSelect = select("chart-kind", [
    ["line", "line"],
    ["bar", "bar"],
    ["scatter", "scatter"],
  ]);
  ySelect.value = String(Math.min(1, columns.length - 1));
  // The first x and y as numbers ahead of the drawing, each in its own task.
  for (const i of [0, Math.min(1, columns.length - 1)]) await columns[i]!.prepare();
  const fetchedMs = performance.now() - started;
  controls.append(label("x", xSelect), label("y", ySelect), label("as", kindSelect));
  const plotHost = el("div", "chart");
  plotHost.dataset.testid = "result-chart";
  host.append(controls, plotHost);
  let plot: uPlot | null = null;
  const draw = (): void => {
    const t0 = performance.now();
    const xi = Number(xSelect.value);
    const yi = Number(ySelect.value);
    const x = columns[xi]!;
    const y = columns[yi]!;
    const xType = x.type;
    const [xs, ys] = sortedByX(x.numbers(), y.numbers());
    plotHost.dataset.prepareMs = (performance.now() - t0).toFixed(1);
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
          { label: x.name },
          {
            label: y.name,
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
              status.textContent = `${xs.length.toLocaleString("en-US")} points: columns ${source} in ${duration(fetchedMs)}, drawn in ${duration(ms)}`;
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

function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
