// Authentication primitives: pure message computation, no I/O, usable in Node and browsers.

export { tlsServerEndPointHash } from "./channel-binding.js";
export { md5PasswordMessage } from "./md5.js";
export { type AuthMethod, AuthPolicy, type ChannelBinding } from "./policy.js";
export { saslprep, saslprepOrRaw } from "./saslprep.js";
export {
  chooseScramMechanism,
  MAX_SCRAM_ITERATIONS,
  SCRAM_SHA_256,
  SCRAM_SHA_256_PLUS,
  ScramClient,
  type ScramClientOptions,
  type ScramMechanism,
} from "./scram.js";
