// pg8000/bridge: the WebSocket-to-PostgreSQL bridge that browser sessions connect through.

export { BRIDGE_SUBPROTOCOL, CloseCode, RefusalReason } from "../src/bridge-protocol.js";
export {
  type BridgeConfig,
  BridgeConfigError,
  type BridgeLimits,
  type BridgeLogEvent,
  type BridgeMetricsConfig,
  type RawRelayConfig,
  type TargetConfig,
  type TargetLogins,
  type TargetTls,
  type TargetTlsMode,
  type TcpTarget,
  type TokenRequest,
  type TokenVerdict,
  type UnixTarget,
} from "./config.js";
export { type Bridge, createBridge, SUBPROTOCOL } from "./server.js";
export { type MintTokenOptions, mintToken } from "./tokens.js";
