import { expect } from "vitest";
import { InterfaceError } from "../../src/errors.js";

/** `run` throws an InterfaceError with exactly this message. */
export function expectInterfaceError(run: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InterfaceError);
  expect((thrown as Error).message).toBe(message);
}
