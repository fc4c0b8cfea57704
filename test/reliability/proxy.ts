// A TCP proxy between the driver and the real test cluster that misbehaves on purpose: it cuts
// the connection after a number of bytes, forwards in pieces of a fixed size, or stalls.

import * as net from "node:net";

export type Direction = "toServer" | "toClient";

export interface ProxyBehaviour {
  /** Close both sockets once this many bytes went this way (the byte that crosses is not sent). */
  cut?: { direction: Direction; afterBytes: number };
  /** Forward in pieces of at most this many bytes, each in its own write and event-loop turn. */
  splitBytes?: number;
  /** Stop forwarding (hold everything, close nothing) once this many bytes went this way. */
  stall?: { direction: Direction; afterBytes: number };
}

export interface FaultProxy {
  port: number;
  /** Used for connections accepted from now on. */
  behaviour: ProxyBehaviour;
  /** Connections accepted so far. */
  accepted: number;
  /** Bytes forwarded each way on the most recent connection. */
  traffic: Record<Direction, number>;
  close(): Promise<void>;
}

export async function startProxy(upstream: { host: string; port: number }): Promise<FaultProxy> {
  const sockets = new Set<net.Socket>();
  const proxy: FaultProxy = {
    port: 0,
    behaviour: {},
    accepted: 0,
    traffic: { toServer: 0, toClient: 0 },
    close: async () => undefined,
  };
  const server = net.createServer((client) => {
    proxy.accepted++;
    const behaviour = { ...proxy.behaviour };
    const traffic = { toServer: 0, toClient: 0 };
    proxy.traffic = traffic;
    const server = net.connect(upstream);
    for (const s of [client, server]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
      s.setNoDelay(true);
    }
    let dead = false;
    const kill = (): void => {
      dead = true;
      client.destroy();
      server.destroy();
    };
    client.on("close", kill);
    server.on("close", kill);
    pipe(client, server, "toServer", behaviour, kill, () => dead, traffic);
    pipe(server, client, "toClient", behaviour, kill, () => dead, traffic);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.port = (server.address() as net.AddressInfo).port;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return proxy;
}

function pipe(
  from: net.Socket,
  to: net.Socket,
  direction: Direction,
  behaviour: ProxyBehaviour,
  kill: () => void,
  isDead: () => boolean,
  traffic: Record<Direction, number>,
): void {
  let sent = 0;
  // Pieces wait here so splitting keeps the order and the pieces arrive in separate reads.
  const queue: Buffer[] = [];
  let flushing = false;
  const cut = behaviour.cut?.direction === direction ? behaviour.cut.afterBytes : Number.POSITIVE_INFINITY;
  const stall = behaviour.stall?.direction === direction ? behaviour.stall.afterBytes : Number.POSITIVE_INFINITY;
  const flush = (): void => {
    if (flushing) return;
    flushing = true;
    const step = (): void => {
      if (isDead()) return;
      const piece = queue.shift();
      if (!piece) {
        flushing = false;
        return;
      }
      to.write(piece);
      setImmediate(step);
    };
    step();
  };
  from.on("data", (data: Buffer) => {
    if (isDead()) return;
    const limit = Math.min(cut, stall);
    let chunk = data;
    if (sent + chunk.length > limit) chunk = chunk.subarray(0, Math.max(0, limit - sent));
    sent += chunk.length;
    traffic[direction] = sent;
    const size = behaviour.splitBytes;
    if (size) {
      for (let i = 0; i < chunk.length; i += size) queue.push(chunk.subarray(i, i + size));
      flush();
    } else if (chunk.length > 0) {
      to.write(chunk);
    }
    if (sent >= cut) {
      // Let what was allowed through go out first, then drop both sides.
      const finish = (): void => (queue.length === 0 ? kill() : void setImmediate(finish));
      setImmediate(finish);
    }
  });
}
