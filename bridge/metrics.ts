// The bridge's counters, rendered in Prometheus' text exposition format for GET /metrics.
// Nothing here is per-client (no addresses, tokens or role names): labels are target names,
// refusal reasons and close codes, all bounded by the configuration.
// Format: https://prometheus.io/docs/instrumenting/exposition_formats/ (text format 0.0.4).

import type { RefusalReason } from "../src/bridge-protocol.js";

/** Upper bounds (seconds) of the upstream connect-time histogram. */
const CONNECT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class BridgeMetrics {
  sessionsOpen = 0;
  private sessionsTotal = 0;
  private readonly refused = new Map<RefusalReason, number>();
  private readonly closed = new Map<number, number>();
  bytesFromClients = 0;
  bytesToClients = 0;
  private readonly connectBuckets = new Array<number>(CONNECT_BUCKETS.length).fill(0);
  private connectCount = 0;
  private connectSum = 0;
  private upstreamFailures = 0;
  private reloads = 0;

  sessionOpened(): void {
    this.sessionsOpen++;
    this.sessionsTotal++;
  }

  sessionClosed(code: number): void {
    this.sessionsOpen--;
    this.closed.set(code, (this.closed.get(code) ?? 0) + 1);
  }

  refusal(reason: RefusalReason): void {
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
  }

  upstreamConnected(seconds: number): void {
    this.connectCount++;
    this.connectSum += seconds;
    for (let i = 0; i < CONNECT_BUCKETS.length; i++) if (seconds <= CONNECT_BUCKETS[i]!) this.connectBuckets[i]!++;
  }

  upstreamFailed(): void {
    this.upstreamFailures++;
  }

  reloaded(): void {
    this.reloads++;
  }

  /** The exposition text. */
  render(): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [string, number][]): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    metric("pg8000_bridge_sessions_open", "gauge", "Sessions open now (cancel requests included).", [
      ["", this.sessionsOpen],
    ]);
    metric("pg8000_bridge_sessions_total", "counter", "Sessions accepted since start.", [["", this.sessionsTotal]]);
    metric(
      "pg8000_bridge_sessions_refused_total",
      "counter",
      "Connections refused, by reason.",
      [...this.refused].map(([reason, n]) => [`{reason="${reason}"}`, n]),
    );
    metric(
      "pg8000_bridge_sessions_closed_total",
      "counter",
      "Sessions ended, by WebSocket close code.",
      [...this.closed].map(([code, n]) => [`{code="${code}"}`, n]),
    );
    metric("pg8000_bridge_bytes_total", "counter", "Bytes relayed, by direction.", [
      ['{direction="client_to_server"}', this.bytesFromClients],
      ['{direction="server_to_client"}', this.bytesToClients],
    ]);
    lines.push(
      "# HELP pg8000_bridge_upstream_connect_seconds Time to connect (and do TLS) to a target.",
      "# TYPE pg8000_bridge_upstream_connect_seconds histogram",
    );
    CONNECT_BUCKETS.forEach((le, i) => {
      lines.push(`pg8000_bridge_upstream_connect_seconds_bucket{le="${le}"} ${this.connectBuckets[i]}`);
    });
    lines.push(
      `pg8000_bridge_upstream_connect_seconds_bucket{le="+Inf"} ${this.connectCount}`,
      `pg8000_bridge_upstream_connect_seconds_sum ${this.connectSum}`,
      `pg8000_bridge_upstream_connect_seconds_count ${this.connectCount}`,
    );
    metric("pg8000_bridge_upstream_failures_total", "counter", "Connections to a target that failed.", [
      ["", this.upstreamFailures],
    ]);
    metric("pg8000_bridge_config_reloads_total", "counter", "Configurations reloaded (SIGHUP or reload()).", [
      ["", this.reloads],
    ]);
    return `${lines.join("\n")}\n`;
  }
}
