// pg8000/bridge: the WebSocket-to-PostgreSQL bridge that browser sessions connect through.

export {
  type BridgeConfig,
  BridgeConfigError,
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
export { type Bridge, createBridge, SUBPROTOCOL } from "./server.js";
export { CloseCode } from "./session.js";
export { type MintTokenOptions, mintToken } from "./tokens.js";
