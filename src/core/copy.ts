// COPY sub-protocol handling for a query (filled in by the COPY work; see QueryRequest).

import type { QueryRequest } from "./query.js";

export interface CopyHandler {
  handle(type: number, bytes: Uint8Array, offset: number, length: number, request: QueryRequest): void;
}
