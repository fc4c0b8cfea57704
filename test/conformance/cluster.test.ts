// The conformance suite (oracle.ts, cases in cases.ts) against the throwaway test cluster.

import { connect } from "../../src/native/index.js";
import { cluster, superOptions } from "../integration/helpers.js";
import { defineConformanceSuite } from "./oracle.js";

defineConformanceSuite({
  backend: "cluster",
  serverVersion: cluster.serverVersion,
  connect: () => connect(superOptions()),
  sequential: false,
  extensions: cluster.hasHstore,
  connections: 2,
});
