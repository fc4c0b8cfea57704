// "tls-server-end-point" channel binding data (RFC 5929 §4.1): a hash of the server's DER
// certificate, made with the hash function of the certificate's own signature algorithm, except
// that MD5 and SHA-1 are replaced by SHA-256. Only the outer signatureAlgorithm of the certificate
// is needed, so a few lines of DER reading stand in for an X.509 parser.

import { InterfaceError } from "../../errors.js";
import { digest, type HashName } from "./primitives.js";

const SEQUENCE = 0x30;
const OBJECT_IDENTIFIER = 0x06;
const CONTEXT_0 = 0xa0; // [0] EXPLICIT, constructed

/** Signature algorithm OIDs that name exactly one hash, mapped to the hash RFC 5929 says to use. */
const SIGNATURE_ALGORITHM_HASHES: Record<string, HashName> = {
  "1.2.840.113549.1.1.4": "SHA-256", // md5WithRSAEncryption (MD5 is upgraded)
  "1.2.840.113549.1.1.5": "SHA-256", // sha1WithRSAEncryption (SHA-1 is upgraded)
  "1.2.840.113549.1.1.14": "SHA-224", // sha224WithRSAEncryption
  "1.2.840.113549.1.1.11": "SHA-256", // sha256WithRSAEncryption
  "1.2.840.113549.1.1.12": "SHA-384", // sha384WithRSAEncryption
  "1.2.840.113549.1.1.13": "SHA-512", // sha512WithRSAEncryption
  "1.2.840.10045.4.1": "SHA-256", // ecdsa-with-SHA1
  "1.2.840.10045.4.3.1": "SHA-224", // ecdsa-with-SHA224
  "1.2.840.10045.4.3.2": "SHA-256", // ecdsa-with-SHA256
  "1.2.840.10045.4.3.3": "SHA-384", // ecdsa-with-SHA384
  "1.2.840.10045.4.3.4": "SHA-512", // ecdsa-with-SHA512
  "1.2.840.10040.4.3": "SHA-256", // dsa-with-sha1
  "2.16.840.1.101.3.4.3.1": "SHA-224", // dsa-with-sha224
  "2.16.840.1.101.3.4.3.2": "SHA-256", // dsa-with-sha256
};

const RSASSA_PSS = "1.2.840.113549.1.1.10";

/** Hash algorithm OIDs as they appear inside RSASSA-PSS parameters. */
const HASH_ALGORITHMS: Record<string, HashName> = {
  "1.2.840.113549.2.5": "SHA-256", // md5 (upgraded)
  "1.3.14.3.2.26": "SHA-256", // sha1 (upgraded)
  "2.16.840.1.101.3.4.2.4": "SHA-224",
  "2.16.840.1.101.3.4.2.1": "SHA-256",
  "2.16.840.1.101.3.4.2.2": "SHA-384",
  "2.16.840.1.101.3.4.2.3": "SHA-512",
};

/** Signature algorithms without a separate hash function, for which RFC 5929 defines no binding. */
const NO_SINGLE_HASH: Record<string, string> = {
  "1.3.101.112": "Ed25519",
  "1.3.101.113": "Ed448",
};

/**
 * The tls-server-end-point channel binding data for a server certificate (DER-encoded X.509).
 * Throws InterfaceError when the certificate cannot be parsed or its signature algorithm has no
 * defined channel binding hash (e.g. Ed25519), in which case SCRAM-SHA-256-PLUS is impossible.
 */
export async function tlsServerEndPointHash(certDer: Uint8Array): Promise<Uint8Array> {
  return digest(certificateBindingHash(certDer), certDer);
}

function certificateBindingHash(der: Uint8Array): HashName {
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue }
  // AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
  const certificate = readElement(der, 0, der.length, SEQUENCE);
  if (certificate.end !== der.length) throw malformed("trailing bytes after the certificate");
  const tbsCertificate = readElement(der, certificate.contentStart, certificate.end, SEQUENCE);
  const algorithm = readElement(der, tbsCertificate.end, certificate.end, SEQUENCE);
  const oidElement = readElement(der, algorithm.contentStart, algorithm.end, OBJECT_IDENTIFIER);
  const oid = decodeOid(der.subarray(oidElement.contentStart, oidElement.end));

  const hash = SIGNATURE_ALGORITHM_HASHES[oid];
  if (hash) return hash;
  if (oid === RSASSA_PSS) return pssHash(der, oidElement.end, algorithm.end);
  const noHash = NO_SINGLE_HASH[oid];
  if (noHash) {
    throw new InterfaceError(
      `channel binding is not possible with this server certificate: its ${noHash} signature ` +
        `algorithm has no hash function for tls-server-end-point (RFC 5929)`,
    );
  }
  throw new InterfaceError(
    `channel binding is not possible with this server certificate: unsupported signature algorithm ${oid}`,
  );
}

/**
 * RSASSA-PSS keeps its hash in the parameters (RFC 4055):
 * RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] EXPLICIT AlgorithmIdentifier DEFAULT sha1, ... }
 * Parameters we cannot read fall back to SHA-256, the value for the default SHA-1 and by far the
 * most common choice; a readable but unknown hash is an error, since guessing would fail later.
 */
function pssHash(der: Uint8Array, paramsStart: number, paramsEnd: number): HashName {
  let hashOid: string;
  try {
    const params = readElement(der, paramsStart, paramsEnd, SEQUENCE);
    if (params.contentStart === params.end || der[params.contentStart] !== CONTEXT_0) {
      return "SHA-256"; // hashAlgorithm absent: the default, SHA-1, upgraded
    }
    const explicit = readElement(der, params.contentStart, params.end, CONTEXT_0);
    const hashAlgorithm = readElement(der, explicit.contentStart, explicit.end, SEQUENCE);
    const oid = readElement(der, hashAlgorithm.contentStart, hashAlgorithm.end, OBJECT_IDENTIFIER);
    hashOid = decodeOid(der.subarray(oid.contentStart, oid.end));
  } catch {
    return "SHA-256";
  }
  const hash = HASH_ALGORITHMS[hashOid];
  if (!hash) {
    throw new InterfaceError(
      `channel binding is not possible with this server certificate: unsupported RSASSA-PSS hash ${hashOid}`,
    );
  }
  return hash;
}

interface DerElement {
  contentStart: number;
  /** Offset just past the element. */
  end: number;
}

function malformed(detail: string): InterfaceError {
  return new InterfaceError(`cannot read the server certificate for channel binding: ${detail}`);
}

/** Reads one DER element at `offset` that must end by `limit` and carry `expectedTag`. */
function readElement(der: Uint8Array, offset: number, limit: number, expectedTag: number): DerElement {
  if (offset + 2 > limit) throw malformed("truncated DER");
  if (der[offset] !== expectedTag) {
    throw malformed(`expected DER tag 0x${expectedTag.toString(16)}, found 0x${der[offset]!.toString(16)}`);
  }
  let length = der[offset + 1]!;
  let contentStart = offset + 2;
  if (length & 0x80) {
    // Long form: the low bits count the length bytes. DER forbids the indefinite form (0x80), and
    // certificates never need more than 4 length bytes.
    const lengthBytes = length & 0x7f;
    if (lengthBytes === 0 || lengthBytes > 4) throw malformed("unsupported DER length");
    if (contentStart + lengthBytes > limit) throw malformed("truncated DER");
    length = 0;
    for (let i = 0; i < lengthBytes; i++) length = length * 256 + der[contentStart + i]!;
    contentStart += lengthBytes;
  }
  const end = contentStart + length;
  if (end > limit) throw malformed("DER element overruns its container");
  return { contentStart, end };
}

/** Dotted-decimal form of an OBJECT IDENTIFIER's content bytes. */
function decodeOid(bytes: Uint8Array): string {
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < bytes.length; i++) {
    value = value * 128 + (bytes[i]! & 0x7f);
    if (bytes[i]! & 0x80) continue;
    if (arcs.length === 0) {
      // The first subidentifier packs the first two arcs as 40 * first + second (first <= 2).
      const first = Math.min(2, Math.floor(value / 40));
      arcs.push(first, value - 40 * first);
    } else {
      arcs.push(value);
    }
    value = 0;
  }
  if (bytes.length === 0 || bytes[bytes.length - 1]! & 0x80) throw malformed("invalid OBJECT IDENTIFIER");
  return arcs.join(".");
}
