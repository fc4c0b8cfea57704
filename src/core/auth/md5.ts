// PostgreSQL's MD5 password authentication (docs, "Password Authentication"; protocol message
// AuthenticationMD5Password): the response is "md5" + md5hex(md5hex(password + user) + salt),
// where the inner hash is what pg_authid stores and the salt is the server's 4 random bytes.
// Strings are hashed as UTF-8, the encoding this driver always uses with the server. WebCrypto
// has no MD5: @noble/hashes does it, imported only when a server asks for MD5.

import { InterfaceError } from "../../errors.js";
import { concatBytes, utf8 } from "./bytes.js";

/** The PasswordMessage payload answering AuthenticationMD5Password. */
export async function md5PasswordMessage(user: string, password: string, salt: Uint8Array): Promise<string> {
  if (salt.length !== 4) {
    throw new InterfaceError(`MD5 authentication salt must be 4 bytes, got ${salt.length}`);
  }
  const [{ md5 }, { bytesToHex }] = await Promise.all([
    import("@noble/hashes/legacy.js"),
    import("@noble/hashes/utils.js"),
  ]);
  const storedHash = bytesToHex(md5(utf8(password + user)));
  return `md5${bytesToHex(md5(concatBytes(utf8(storedHash), salt)))}`;
}
