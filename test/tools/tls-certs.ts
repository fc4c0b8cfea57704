// Certificates for the test cluster: a throwaway CA, a server certificate it signs (for
// localhost, 127.0.0.1 and ::1) and a client certificate for the `cert`-authenticated user.
// Kept apart from provision.ts so the cluster's TLS setup reads in one place.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface TestCertificates {
  /** The CA certificate: what clients verify the server against (sslrootcert). */
  ca: string;
  /** The server's certificate and key (ssl_cert_file / ssl_key_file). */
  cert: string;
  key: string;
  /** A client certificate (CN = the cert user's name) and its key, mode 0600. */
  clientCert: string;
  clientKey: string;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await execFileAsync("openssl", args, { timeout: 60_000 });
  } catch (err) {
    const e = err as Error & { stderr?: string; code?: string };
    if (e.code === "ENOENT") throw new Error("test cluster: openssl not found (Debian: `apt-get install openssl`)");
    throw new Error(`openssl ${args.join(" ")} failed: ${e.stderr ?? e.message}`);
  }
}

/** A key and a certificate for `subject`, signed by the CA, with the given X.509 extensions. */
async function signed(dir: string, name: string, subject: string, extensions: string[]): Promise<[string, string]> {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.crt`);
  const ext = path.join(dir, `${name}.ext`);
  fs.writeFileSync(ext, `${extensions.join("\n")}\n`);
  await openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", key, "-out", csr]);
  await openssl([
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    path.join(dir, "ca.crt"),
    "-CAkey",
    path.join(dir, "ca.key"),
    // A serial of its own: -CAcreateserial would race on ca.srl when two certificates are signed at once.
    "-set_serial",
    String(Date.now() * 1000 + Math.floor(Math.random() * 1000)),
    "-days",
    "2",
    "-sha256",
    "-extfile",
    ext,
    "-out",
    cert,
  ]);
  fs.rmSync(csr);
  fs.rmSync(ext);
  fs.chmodSync(key, 0o600);
  return [cert, key];
}

/**
 * Short-lived certificates in `dir`. The server key is handed to `owner` (the server refuses a
 * key it does not own or that others can read); the client key stays ours, mode 0600, as
 * libpq and the driver require.
 */
export async function makeTestCertificates(
  dir: string,
  clientUser: string,
  owner?: { uid: number; gid: number },
): Promise<TestCertificates> {
  const ca = path.join(dir, "ca.crt");
  await openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=pg8000 test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
    "-keyout",
    path.join(dir, "ca.key"),
    "-out",
    ca,
  ]);
  const [[cert, key], [clientCert, clientKey]] = await Promise.all([
    signed(dir, "server", "/CN=localhost", [
      "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
      "extendedKeyUsage=serverAuth",
    ]),
    signed(dir, "client", `/CN=${clientUser}`, ["extendedKeyUsage=clientAuth"]),
  ]);
  if (owner) fs.chownSync(key, owner.uid, owner.gid);
  for (const file of [ca, cert, clientCert]) fs.chmodSync(file, 0o644);
  return { ca, cert, key, clientCert, clientKey };
}
