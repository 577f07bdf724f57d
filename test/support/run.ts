/**
 * One id for this test process, and the names and labels made from it.
 *
 * Every layer runs against ONE shared engine, next to other layers (and maybe another clone's
 * test run). A test sees only its own objects: it names them with `uniqueName`, labels them
 * with `RUN_LABELS`, and filters lists and events by that name or label. Nothing else on the
 * engine is assumed to be absent or quiet.
 */
import { randomBytes } from 'node:crypto';

/** Short, lower-case, unique to this process (pid for a human, random bytes for two machines sharing an engine). */
export const RUN_ID = `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;

/** The label key every object a test creates carries; its value is RUN_ID. */
const RUN_LABEL = 'org.container-labs.test-run';

/** Labels for a container, volume or network this run creates. */
export const RUN_LABELS: Readonly<Record<string, string>> = Object.freeze({ [RUN_LABEL]: RUN_ID });

let counter = 0;

/**
 * A name no other run (and no other call in this run) uses: `cl-test-<what>-<run>-<n>`.
 * Valid as a container, volume, network name and as an image repository (lower case).
 */
export function uniqueName(what: string): string {
  counter += 1;
  return `cl-test-${what}-${RUN_ID}-${counter}`;
}
