// pg8000/bridge: the WebSocket-to-PostgreSQL bridge that browser sessions connect through.

export { createBridge, SUBPROTOCOL, type Bridge } from "./server.js";
export { mintToken, type MintTokenOptions } from "./tokens.js";
export { CloseCode } from "./session.js";
export {
  BridgeConfigError,
  type BridgeConfig,
  type BridgeLimits,
  type BridgeLogEvent,
  type TargetConfig,
  type TargetTls,
  type TargetTlsMode,
  type TcpTarget,
  type TokenRequest,
  type TokenVerdict,
  type UnixTarget,
} from "./config.js";
