import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { findService, tokenFromLogs } from '../../src/session/findService';
import { activateExtension, docker, LIVE_CONTAINER, MemoryMemento, nextEvent, removeContainer, RUN_ID, RUN_LABEL, RUN_LABEL_KEY, runName, ShellTerminal, TEST_LAB, waitFor } from './helpers';

describe('Lab file diagnostics', () => {
  const dir = path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '/tmp', '.container-labs');
  const file = path.join(dir, 'cl-test-broken.lab.yaml');

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(file, { force: true });
  });

  it('marks errors of an open *.lab.yaml at their line and column, and clears them when fixed', async () => {
    const api = await activateExtension();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, 'id: cl-test-broken\ntitle: Broken\nsummary: x\nminutes: 1\nstpes: []\n');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const diagnostics = await waitFor('diagnostics', () => {
      const list = vscode.languages.getDiagnostics(doc.uri);
      return list.length > 0 ? list : undefined;
    });
    assert.ok(diagnostics.every((d) => d.source === 'Container Labs'));
    const unknown = diagnostics.find((d) => /stpes/.test(d.message));
    assert.ok(unknown, `messages: ${diagnostics.map((d) => d.message).join(' | ')}`);
    assert.strictEqual(unknown.range.start.line, 4);
    assert.strictEqual(unknown.severity, vscode.DiagnosticSeverity.Error);
    // The watcher reloads the catalog: the broken file shows up in the tree's catalog, the rest still loads.
    await waitFor('the broken file in the catalog', () => api.session.catalog.broken.some((b) => b.file === file), 10_000);
    assert.ok(api.session.getLab(TEST_LAB));

    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    await editor.edit((e) => e.replace(new vscode.Range(0, 0, doc.lineCount, 0), 'id: cl-test-broken\ntitle: Fixed\nsummary: x\nminutes: 1\nsteps:\n  - id: one\n    title: One\n    instructions: Read.\n'));
    await waitFor('no diagnostics', () => (vscode.languages.getDiagnostics(doc.uri).length === 0 ? true : undefined));
    await doc.save();
    await waitFor('the fixed lab in the catalog', () => api.session.getLab('cl-test-broken'), 10_000);
  });
});

describe('Status bar', () => {
  it('shows the current lab step and its state, and opens the walkthrough', async () => {
    const api = await activateExtension();
    await api.session.openStep({ labId: TEST_LAB, stepId: 'quiz' });
    const item = api.statusBar.item;
    // The step's place, and the lab's count as the tree shows it (passed of all), never one for the other.
    const before = api.session.getProgress(TEST_LAB);
    assert.ok(item.text.endsWith(`Test lab: terminal and live checks · step 3 · ${before.passed}/3 passed`), item.text);
    assert.strictEqual((item.command as vscode.Command).command, 'containerLabs.openWalkthrough');
    assert.deepStrictEqual((item.command as vscode.Command).arguments, [TEST_LAB, 'quiz']);
    // The icon is not read aloud: the accessible label says the status in words.
    assert.match(String(item.accessibilityInformation?.label), /^Container Labs: Test lab: terminal and live checks, step 3 of 3, .*, in progress$/);
    api.session.answerQuiz({ labId: TEST_LAB, stepId: 'quiz' }, [0]);
    assert.match(item.text, /\$\(pass-filled\)/);
    assert.ok(item.text.endsWith(`step 3 · ${before.passed + 1}/3 passed`), `the count follows the passed quiz: ${item.text}`);
    assert.match(String(item.accessibilityInformation?.label), /, passed$/);
    await api.session.resetStep({ labId: TEST_LAB, stepId: 'quiz' });
  });
});

describe('Clean up a lab', function () {
  this.timeout(60_000);
  const d = docker();
  after(() => removeContainer(d, LIVE_CONTAINER));

  it('removes exactly what the lab created, after listing it with why', async () => {
    const api = await activateExtension();
    await removeContainer(d, LIVE_CONTAINER);
    const terminal = new ShellTerminal();
    const session = api.createSession({ memento: new MemoryMemento(), terminal, liveChecks: () => false, isTrusted: () => true });
    try {
      await session.reload();
      await session.openStep({ labId: TEST_LAB, stepId: 'live' });
      await waitFor('the event stream', () => session.hasLedger(TEST_LAB) && api.engine.events.connected, 15_000);
      // The lab's own command, run in a shell as the terminal would.
      assert.strictEqual(await session.runCommand({ labId: TEST_LAB, stepId: 'live' }, 0), true);
      await terminal.lastExit;
      const plan = await waitFor('the ledger to record the container', async () => {
        const p = await session.cleanupPlan(TEST_LAB);
        return p.items.some((i) => i.kind === 'container' && i.name === LIVE_CONTAINER) ? p : undefined;
      }, 10_000);
      assert.deepStrictEqual(plan.items.map((i) => `${i.kind} ${i.name}`), [`container ${LIVE_CONTAINER}`]);
      assert.match(plan.items[0]?.why ?? '', new RegExp(`^created by \`docker run --name ${LIVE_CONTAINER} alpine( echo ${LIVE_CONTAINER}| \\.\\.\\.)\` at \\d\\d:\\d\\d$`));
      const report = await session.cleanupLab(plan);
      assert.strictEqual(report.removed, 1);
      await assert.rejects(d.getContainer(LIVE_CONTAINER).inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
      assert.deepStrictEqual((await session.cleanupPlan(TEST_LAB)).items, []);
    } finally {
      session.dispose();
    }
  });
});

describe('Clean up a lab: containers with generated names', function () {
  this.timeout(60_000);
  const d = docker();
  let dir = '';

  // Both containers carry this run's label; a second label tells the lab's from the other one's.
  const ROLE = 'cl-test-role';
  const LAB_ROLE = `${ROLE}=lab-${RUN_ID}`;
  const OTHER_ROLE = `${ROLE}=other-${RUN_ID}`;

  /** Removes the containers this run labelled (the lab's and the other program's). */
  async function removeLabelled(): Promise<void> {
    const list = await d.listContainers({ all: true, filters: { label: [RUN_LABEL, ROLE] } });
    await Promise.all(list.map((c) => removeContainer(d, c.Id)));
  }

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-ledger-'));
    fs.writeFileSync(path.join(dir, 'cl-test-unnamed.lab.yaml'), [
      'id: cl-test-unnamed',
      'title: "Test lab: a container with a generated name"',
      'summary: One alpine container without --name.',
      'minutes: 1',
      'images: [alpine:latest]',
      'steps:',
      '  - id: run',
      '    title: Run alpine',
      '    instructions: Run it.',
      '    commands:',
      `      - run: docker run --label ${RUN_LABEL} --label ${LAB_ROLE} alpine echo cl-test-unnamed`,
      `    check: { container: { label: ${LAB_ROLE}, exitCode: 0 } }`,
      '',
    ].join('\n'));
  });

  after(async () => {
    await removeLabelled();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes the one the lab\'s command made, not one another program made from the same image meanwhile', async () => {
    const api = await activateExtension();
    const terminal = new ShellTerminal();
    const session = api.createSession({
      memento: new MemoryMemento(), terminal, liveChecks: () => false, isTrusted: () => true,
      roots: () => [{ dir, origin: 'workspace' }],
    });
    const ref = { labId: 'cl-test-unnamed', stepId: 'run' };
    try {
      await session.reload();
      await session.openStep(ref);
      await waitFor('the ledger to start', () => session.hasLedger(ref.labId) && api.engine.events.connected, 15_000);
      // Another program (here: this test, through the API) runs alpine while the lab is open.
      const other = await nextEvent(d, { type: ['container'], event: ['die'], label: [OTHER_ROLE] }, async () => {
        const c = await d.createContainer({ Image: 'alpine:latest', Cmd: ['true'], Labels: { [RUN_LABEL_KEY]: RUN_ID, [ROLE]: `other-${RUN_ID}` } });
        await c.start();
      });
      assert.ok(other);
      // The student clicks Run: the command runs in a real shell and makes its own alpine container.
      assert.strictEqual(await session.runCommand(ref, 0), true);
      await terminal.lastExit;
      const mine = await waitFor('the lab\'s container', async () => {
        const list = await d.listContainers({ all: true, filters: { label: [LAB_ROLE] } });
        return list[0];
      }, 15_000);
      const plan = await waitFor('the ledger to record it', async () => {
        const p = await session.cleanupPlan(ref.labId);
        return p.items.length > 0 ? p : undefined;
      }, 10_000);
      assert.deepStrictEqual(plan.items.map((i) => i.name), [mine.Names[0]?.replace(/^\//, '')], 'only the lab\'s container, not the other program\'s');
      const report = await session.cleanupLab(plan);
      assert.strictEqual(report?.removed, 1);
      const left = await d.listContainers({ all: true, filters: { label: [RUN_LABEL, ROLE] } });
      assert.deepStrictEqual(left.map((c) => c.Labels[ROLE]), [`other-${RUN_ID}`], 'the other program\'s container is still there');
    } finally {
      session.dispose();
    }
  });
});

describe('Open the service', function () {
  this.timeout(60_000);
  const d = docker();
  const WEB = runName('web');
  after(() => removeContainer(d, WEB));

  it('reads Jupyter-style tokens from logs', () => {
    assert.strictEqual(tokenFromLogs('… http://127.0.0.1:8888/?token=abc123def\n or http://x:8888/lab?token=abc123def'), 'abc123def');
    assert.strictEqual(tokenFromLogs('no token here'), undefined);
  });

  it('finds the running container, its host port and the token from its logs', async () => {
    // The engine picks the host port (HostPort ''): nothing here can collide with another test's.
    const c = await d.createContainer({
      name: WEB,
      Labels: { [RUN_LABEL_KEY]: RUN_ID },
      Image: 'alpine:latest',
      Cmd: ['sh', '-c', 'echo "serving at http://127.0.0.1:8080/?token=cafe1234"; mkdir -p /www; echo hi > /www/index.html; exec httpd -f -p 8080 -h /www'],
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    });
    await c.start();
    const info = await c.inspect();
    const hostPort = Number(info.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort);
    assert.ok(hostPort > 0);
    // The precondition: the token line is in the logs (the shell prints it just after start).
    await waitFor('the token line in the logs', async () => (await c.logs({ stdout: true, stderr: true })).toString('utf8').includes('token=cafe1234'));
    const found = await findService(d, '127.0.0.1', { container: { name: WEB }, containerPort: 8080 });
    assert.ok(found, 'the service is found');
    assert.strictEqual(found.hostPort, hostPort);
    assert.strictEqual(found.url, `http://127.0.0.1:${hostPort}/?token=cafe1234`);
    assert.strictEqual(found.label, `Port ${hostPort}`);
    // Not published on that container port: nothing to open.
    assert.strictEqual(await findService(d, '127.0.0.1', { container: { name: WEB }, containerPort: 9999 }), undefined);
    assert.strictEqual(await findService(d, '127.0.0.1', { container: { name: runName('nothing') }, containerPort: 8080 }), undefined);
  });
});

describe('Forged arguments to other commands', () => {
  it('are refused without side effects', async () => {
    await activateExtension();
    assert.strictEqual(await vscode.commands.executeCommand('containerLabs.checkStep', 'no-such-lab', 'x'), undefined);
    assert.strictEqual(await vscode.commands.executeCommand('containerLabs.resetStep', { run: 'rm -rf /' }), undefined);
    assert.strictEqual(await vscode.commands.executeCommand('containerLabs.openLabFile', '/etc/passwd', 1, 1), undefined);
    assert.strictEqual(await vscode.commands.executeCommand('containerLabs.cleanupLab', 'no-such-lab'), undefined);
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.fsPath === '/etc/passwd'), '/etc/passwd was not opened');
  });
});
