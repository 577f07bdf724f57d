/**
 * The table of check kinds (src/core/checks/kinds) and the dispatcher over it, in plain Node:
 * every kind the schema allows has an entry, a check's kind is read in one place, and
 * all/any/not combine their parts. The parts here are host-file checks (no engine) and
 * container checks against an engine socket that does not exist (status `error`).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { socketDocker } from '../support/engine';
import type { Check, CheckKind, ContainerMatch } from '../../src/core/model';
import { describeCheck } from '../../src/core/checks/describe';
import { checkNeedsPolling, evaluateCheck, type CheckContext } from '../../src/core/checks/evaluate';
import { firstHttpCheck, isCheckKind, readCheck } from '../../src/core/checks/kind';
import { CHECK_KIND_TABLE } from '../../src/core/checks/kinds';
import { checkProblems } from '../../src/core/checks/meaning';
import { checkSubjects, type CheckSubjects } from '../../src/core/checks/subjects';
import { readSchema } from '../../src/core/labs/schema';

/** One check of every kind, as a lab file could hold it. */
const SAMPLES: { [K in CheckKind]: Check } = {
  all: { all: [{ image: { ref: 'alpine' } }, { volume: { name: 'data' } }] },
  any: { any: [{ image: { ref: 'alpine' } }] },
  not: { not: { image: { ref: 'alpine' } } },
  image: { image: { ref: 'alpine' } },
  imageAbsent: { imageAbsent: { ref: 'alpine' } },
  container: { container: { name: 'web', state: 'running' } },
  containerAbsent: { containerAbsent: { name: 'web' } },
  port: { port: { container: { name: 'web' }, containerPort: 80 } },
  http: { http: { container: { name: 'web' }, containerPort: 80 } },
  mount: { mount: { container: { name: 'web' }, destination: '/data' } },
  file: { file: { path: '/etc/hostname' } },
  logs: { logs: { container: { name: 'web' }, contains: 'ready' } },
  env: { env: { container: { name: 'web' }, name: 'MODE' } },
  volume: { volume: { name: 'data' } },
  volumeAbsent: { volumeAbsent: { name: 'data' } },
  network: { network: { name: 'backend', container: { name: 'web' } } },
  networkAbsent: { networkAbsent: { name: 'backend' } },
};

describe('checks: the table of kinds', () => {
  it('has exactly the kinds the lab schema allows, each with describe, evaluate, needsPolling and subjects', () => {
    const definitions = readSchema('lab').definitions as { check: { properties: Record<string, unknown> } };
    const schemaKinds = Object.keys(definitions.check.properties).sort();
    assert.deepEqual(Object.keys(CHECK_KIND_TABLE).sort(), schemaKinds);
    for (const [kind, spec] of Object.entries(CHECK_KIND_TABLE)) {
      assert.equal(typeof spec.describe, 'function', `${kind}.describe`);
      assert.equal(typeof spec.evaluate, 'function', `${kind}.evaluate`);
      assert.equal(typeof spec.needsPolling, 'function', `${kind}.needsPolling`);
      assert.equal(typeof spec.subjects, 'function', `${kind}.subjects`);
    }
  });

  it('reads the kind of every check in one place, and nothing from an object that names no kind', () => {
    for (const [kind, check] of Object.entries(SAMPLES)) {
      const read = readCheck(check);
      assert.equal(read?.kind, kind);
      assert.equal(read?.body, (check as Record<string, unknown>)[kind]);
    }
    assert.equal(readCheck({} as Check), undefined);
    assert.equal(readCheck({ imageExists: { ref: 'alpine' } } as unknown as Check), undefined);
    assert.equal(isCheckKind('toString'), false, 'only own kinds, not what every object inherits');
  });

  it('describes every kind in its own words', () => {
    const lines = Object.values(SAMPLES).map(describeCheck);
    assert.equal(new Set(lines).size, lines.length, lines.join('\n'));
    assert.equal(describeCheck(SAMPLES.containerAbsent), 'no container named "web" exists');
    assert.equal(describeCheck(SAMPLES.volumeAbsent), 'volume data is removed');
    assert.equal(describeCheck(SAMPLES.network), 'network backend exists and a container named "web" is connected to it, created since this step opened');
    assert.equal(describeCheck(SAMPLES.networkAbsent), 'network backend is removed');
    assert.equal(describeCheck(SAMPLES.not), 'not: image alpine:latest is present');
    assert.equal(describeCheck({} as Check), 'an unknown check');
  });

  it('polls exactly the kinds that change without an engine event (http, logs, file), also inside all/any/not', () => {
    const polled = Object.entries(SAMPLES).filter(([, check]) => checkNeedsPolling(check)).map(([kind]) => kind).sort();
    assert.deepEqual(polled, ['file', 'http', 'logs']);
    assert.equal(checkNeedsPolling({ not: SAMPLES.logs }), true);
    assert.equal(checkNeedsPolling({ any: [SAMPLES.image, { all: [SAMPLES.volume, SAMPLES.http] }] }), true);
    assert.equal(checkNeedsPolling({ any: [SAMPLES.image, { all: [SAMPLES.volume, SAMPLES.port] }] }), false);
    assert.equal(checkNeedsPolling({} as Check), false);
  });

  it('finds the HTTP service of a step inside all/any, not inside not', () => {
    const http = (SAMPLES.http as { http: unknown }).http;
    assert.equal(firstHttpCheck(SAMPLES.http), http);
    assert.equal(firstHttpCheck({ all: [SAMPLES.container, { any: [SAMPLES.volume, SAMPLES.http] }] }), http);
    assert.equal(firstHttpCheck({ not: SAMPLES.http }), undefined);
    assert.equal(firstHttpCheck(SAMPLES.port), undefined);
    assert.equal(firstHttpCheck(undefined), undefined);
  });

  it('says what each kind reads from the engine, so a live check knows which events concern it', () => {
    const web = { name: 'web' };
    const none: CheckSubjects = { containers: [], images: false, volumes: false, networks: false, unknown: false };
    const expected: { [K in CheckKind]: CheckSubjects } = {
      all: { ...none, images: true, volumes: true },
      any: { ...none, images: true },
      not: { ...none, images: true },
      image: { ...none, images: true },
      imageAbsent: { ...none, images: true },
      container: { ...none, containers: [(SAMPLES.container as { container: ContainerMatch }).container] },
      containerAbsent: { ...none, containers: [web] },
      port: { ...none, containers: [web] },
      http: { ...none, containers: [web] },
      mount: { ...none, containers: [web], volumes: true },
      file: none,
      logs: { ...none, containers: [web] },
      env: { ...none, containers: [web] },
      volume: { ...none, volumes: true },
      volumeAbsent: { ...none, volumes: true },
      network: { ...none, containers: [web], networks: true },
      networkAbsent: { ...none, networks: true },
    };
    for (const [kind, check] of Object.entries(SAMPLES)) assert.deepEqual(checkSubjects(check), expected[kind as CheckKind], kind);
    // Matching containers by image looks at images too (a tag can move to another image).
    assert.deepEqual(checkSubjects({ not: { logs: { container: { image: 'alpine' }, contains: 'x' } } }), { ...none, containers: [{ image: 'alpine' }], images: true });
    assert.deepEqual(checkSubjects({ file: { container: web, path: '/x' } }), { ...none, containers: [web] });
    for (const odd of [{}, { imageExists: { ref: 'a' } }, { image: { ref: 'a' }, volume: { name: 'v' } }, { all: { image: { ref: 'a' } } }, { port: 'web' }]) {
      assert.equal(checkSubjects(odd as unknown as Check).unknown, true, JSON.stringify(odd));
    }
    assert.equal(checkSubjects({ any: [SAMPLES.volume, {} as Check] }).unknown, true, 'an odd part makes the whole check odd');
  });

  it('lints meaning the schema cannot express, with the path into the lab file', () => {
    const wrong: Check = { container: { name: 'web', exitCode: 0, state: 'running' } };
    assert.deepEqual(checkProblems(wrong, ['steps', 2, 'check']), [
      { path: ['steps', 2, 'check', 'container', 'state'], message: 'steps[2].check.container: exitCode means the container has exited, so state must be exited (or left out), not running' },
    ]);
    const nested = checkProblems({ all: [SAMPLES.image, { not: wrong }] }, ['steps', 0, 'check']);
    assert.deepEqual(nested.map((p) => p.path), [['steps', 0, 'check', 'all', 1, 'not', 'container', 'state']]);
    assert.deepEqual(checkProblems({ container: { exitCode: 0, state: 'exited' } }, []), []);
    assert.deepEqual(checkProblems(SAMPLES.any, []), []);
  });
});

describe('checks: the dispatcher (all / any / not over the table)', () => {
  let dir: string;
  let present: string;
  let missing: string;
  /** No engine listens here: container checks give status error, host-file checks still work. */
  const nowhere: CheckContext = { docker: socketDocker(path.join(os.tmpdir(), 'cl-test-no-engine.sock')), timeoutMs: 2000 };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-kinds-'));
    present = path.join(dir, 'present.txt');
    missing = path.join(dir, 'missing.txt');
    fs.writeFileSync(present, 'hello kinds\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const has = (file: string, contains?: string): Check => ({ file: contains === undefined ? { path: file } : { path: file, contains } });

  it('a single kind goes to its entry', async () => {
    assert.deepEqual(await evaluateCheck(has(present, 'kinds'), nowhere).then(({ status, reason }) => ({ status, reason })), {
      status: 'passed',
      reason: `${present} exists and contains "kinds"`,
    });
    const gone = await evaluateCheck(has(missing), nowhere);
    assert.equal(gone.status, 'failed');
    assert.equal(gone.reason, `${missing} does not exist on this computer`);
    assert.equal(typeof gone.elapsedMs, 'number');
  });

  it('all: the first failure is the reason; every part is kept', async () => {
    const result = await evaluateCheck({ all: [has(present), has(missing), has(present, 'absent text')] }, nowhere);
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, `${missing} does not exist on this computer`);
    assert.deepEqual(result.children?.map((c) => c.status), ['passed', 'failed', 'failed']);
    const passed = await evaluateCheck({ all: [has(present), has(present, 'hello')] }, nowhere);
    assert.equal(passed.status, 'passed');
    assert.equal(passed.reason, `${present} exists; ${present} exists and contains "hello"`);
  });

  it('any: one passing part is enough; otherwise every failure is named', async () => {
    const result = await evaluateCheck({ any: [has(missing), has(present)] }, nowhere);
    assert.equal(result.status, 'passed');
    assert.equal(result.reason, `${present} exists`);
    const none = await evaluateCheck({ any: [has(missing), has(present, 'absent text')] }, nowhere);
    assert.equal(none.status, 'failed');
    assert.equal(none.reason, `none of the alternatives holds: ${missing} does not exist on this computer; or ${present} exists but does not contain "absent text"`);
  });

  it('not: turns a failure into a pass and a pass into a failure', async () => {
    const result = await evaluateCheck({ not: has(missing) }, nowhere);
    assert.equal(result.status, 'passed');
    assert.equal(result.reason, `as wanted, ${missing} does not exist on this computer`);
    const wrong = await evaluateCheck({ not: has(present) }, nowhere);
    assert.equal(wrong.status, 'failed');
    assert.equal(wrong.reason, `it should not be so, but ${present} exists`);
  });

  it('an engine that cannot be asked makes a part "cannot check": never a pass of not, and all fails first on a real failure', async () => {
    const engine: Check = { container: { name: 'cl-test-kinds-web' } };
    const alone = await evaluateCheck(engine, nowhere);
    assert.equal(alone.status, 'error');
    assert.match(alone.reason, /^cannot check: nothing listens at .*cl-test-no-engine\.sock/);
    assert.equal((await evaluateCheck({ not: engine }, nowhere)).status, 'error');
    assert.equal((await evaluateCheck({ all: [has(present), engine] }, nowhere)).status, 'error');
    assert.equal((await evaluateCheck({ all: [engine, has(missing)] }, nowhere)).status, 'failed');
    assert.equal((await evaluateCheck({ any: [engine, has(present)] }, nowhere)).status, 'passed');
  });

  it('a check that names no kind is "cannot check", at the top or as a part', async () => {
    const unknown = await evaluateCheck({ imageExists: { ref: 'alpine' } } as unknown as Check, nowhere);
    assert.deepEqual([unknown.status, unknown.reason], ['error', 'the check has an unknown kind: imageExists']);
    const empty = await evaluateCheck({ any: [{} as Check, has(missing)] }, nowhere);
    assert.equal(empty.status, 'error');
    assert.equal(empty.reason, 'the check has an unknown kind: (empty)');
  });
});
