// Opens the byte stream a connection runs on and negotiates TLS on it (SSLRequest).
// Node transports are imported lazily, through `#node-transport`, which browser and worker
// bundles resolve to transport/node-unavailable.ts: they never see node:net / node:tls.

import { InterfaceError, OperationalError } from "../errors.js";
import * as msg from "../protocol/serializer.js";
import type { TlsOptions, Transport } from "../transport/transport.js";
import type { ResolvedOptions } from "./options.js";

export async function openTransport(o: ResolvedOptions): Promise<Transport> {
  let transport: Transport;
  if (o.bridge !== undefined && o.bridge !== null) {
    const { connectBridge } = await import("../transport/websocket.js");
    return connectBridge(o);
  }
  if (o.sock) {
    if (isTransport(o.sock)) {
      transport = o.sock;
    } else {
      const { NodeTransport } = await import("#node-transport");
      transport = new NodeTransport(o.sock as unknown as import("node:stream").Duplex);
    }
  } else {
    const { connectSocket } = await import("#node-transport");
    transport = await connectSocket({
      host: o.host,
      port: o.port,
      unixSock: o.unix_sock,
      sourceAddress: o.source_address,
      keepAlive: o.tcp_keepalive,
      timeout: o.timeout,
    });
  }
  try {
    await negotiateTls(transport, o);
  } catch (err) {
    transport.destroy();
    throw err;
  }
  return transport;
}

function isTransport(sock: unknown): sock is Transport {
  return typeof (sock as Transport).attach === "function" && typeof (sock as Transport).write === "function";
}

const IP_ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;

async function negotiateTls(transport: Transport, o: ResolvedOptions): Promise<void> {
  const ssl = o.ssl_context;
  if (ssl === false) return;
  const required = ssl === true || (typeof ssl === "object" && ssl !== null);
  if (!transport.startTls) {
    if (required) throw new InterfaceError("this transport cannot do TLS itself; use ssl_context: false or null");
    return;
  }
  const answer = await sslResponse(transport, o.timeout);
  if (answer === "N") {
    if (required) {
      throw new InterfaceError(
        "the server refuses SSL (it answered 'N' to SSLRequest); enable ssl on the server or set ssl_context to null/false",
      );
    }
    return;
  }
  const servername = IP_ADDRESS.test(o.host) ? undefined : o.host;
  const options: TlsOptions =
    typeof ssl === "object" && ssl !== null
      ? { servername, ...(ssl as TlsOptions) }
      : { servername, rejectUnauthorized: false };
  await transport.startTls(options);
}

/** Sends SSLRequest and reads the server's one-byte answer. */
function sslResponse(transport: Transport, timeout: number | undefined): Promise<"S" | "N"> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (timeout !== undefined) {
      timer = setTimeout(() => {
        reject(new OperationalError(`timeout: no answer to SSLRequest within ${timeout} s`));
      }, timeout * 1000);
    }
    let done = false;
    transport.attach({
      data: (chunk) => {
        if (done) return;
        done = true;
        if (timer) clearTimeout(timer);
        const answer = String.fromCharCode(chunk[0]!);
        if (chunk.length > 1) {
          // Bytes after the answer were not protected by TLS: refuse them (CVE-2021-23222).
          reject(new InterfaceError("the server sent unexpected data after its SSL response; refusing to continue"));
        } else if (answer === "S" || answer === "N") {
          resolve(answer);
        } else if (answer === "E") {
          reject(new InterfaceError("the server does not understand SSLRequest (protocol version too old?)"));
        } else {
          reject(new InterfaceError(`unexpected answer to SSLRequest: 0x${chunk[0]!.toString(16)}`));
        }
      },
      close: (error) => {
        if (done) return;
        done = true;
        if (timer) clearTimeout(timer);
        reject(error ?? new OperationalError("the server closed the connection during SSL negotiation"));
      },
    });
    const w = new msg.MessageWriter(8);
    msg.sslRequest(w);
    transport.write(w.take());
  });
}
