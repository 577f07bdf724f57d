import * as assert from 'assert';
import * as vscode from 'vscode';
import { LabsTreeProvider } from '../../src/tree/labsTree';
import { nodeId, type LabsNode } from '../../src/tree/nodes';
import { createLogger } from '../../src/common/logger';
import { activateExtension, MemoryMemento, RecordingTerminal, TEST_LAB } from './helpers';
import type { ContainerLabsApi } from '../../src/extension';
import type { LabSessionImpl } from '../../src/session/labSession';

function label(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

/** ThemeColor has an `id` at run time (typed from VS Code 1.97 on). */
function colorId(color: vscode.ThemeColor | undefined): string | undefined {
  const id: unknown = color === undefined ? undefined : Reflect.get(color, 'id');
  return typeof id === 'string' ? id : undefined;
}

function allLabs(provider: LabsTreeProvider): LabsNode[] {
  return provider.getChildren().flatMap((n) => (n.kind === 'course' ? provider.getChildren(n) : [n])).filter((n) => n.kind === 'lab');
}

describe('Labs tree', () => {
  let api: ContainerLabsApi;
  let session: LabSessionImpl;
  let provider: LabsTreeProvider;
  const channel = vscode.window.createOutputChannel('Container Labs tree test', { log: true });

  before(async () => {
    api = await activateExtension();
    session = api.createSession({ memento: new MemoryMemento(), terminal: new RecordingTerminal(), liveChecks: () => false });
    await session.reload();
    provider = new LabsTreeProvider(session, createLogger(channel, 'tree-test'));
  });

  after(() => {
    provider.dispose();
    session.dispose();
    channel.dispose();
  });

  it('lists the bundled labs and the workspace lab', () => {
    const labs = allLabs(provider);
    const ids = labs.map((n) => (n.kind === 'lab' ? n.lab.id : ''));
    assert.ok(ids.includes('first-containers'), `labs: ${ids.join(', ')}`);
    assert.ok(ids.includes(TEST_LAB), `labs: ${ids.join(', ')}`);
    const bundled = labs.filter((n) => n.kind === 'lab' && n.lab.source.origin === 'bundled');
    assert.ok(bundled.length >= 4, `${bundled.length} bundled labs`);
    // The live API's tree shows the same catalog.
    assert.strictEqual(allLabs(api.tree.provider).length, labs.length);
  });

  it('shows "passed/total" on labs and a status icon and contextValue on steps', async () => {
    const lab = allLabs(provider).find((n) => n.kind === 'lab' && n.lab.id === TEST_LAB);
    assert.ok(lab && lab.kind === 'lab');
    let item = provider.getTreeItem(lab);
    assert.strictEqual(item.description, '0/3 · workspace');
    assert.match(String(item.contextValue), /^lab\.workspace/);
    let steps = provider.getChildren(lab);
    assert.strictEqual(steps.length, 3);
    const first = provider.getTreeItem(steps[0]);
    assert.strictEqual(label(first), '1. Say hello from a container');
    assert.strictEqual((first.iconPath as vscode.ThemeIcon).id, 'circle-large-outline');
    assert.match(String(first.contextValue), /^step\.not-started\..*runnable.*checkable/);
    assert.deepStrictEqual(first.command?.arguments, [TEST_LAB, 'echo']);
    assert.strictEqual(first.command?.command, 'containerLabs.openWalkthrough');
    // A screen reader hears the step's status with its name (the icon alone says nothing).
    assert.strictEqual(first.accessibilityInformation?.label, 'Step 1, Say hello from a container, Not started');
    assert.strictEqual(item.accessibilityInformation?.label, 'Test lab: terminal and live checks, lab, 0 of 3 steps passed');

    // Pass the quiz, open the first step: the icons and the count follow.
    session.answerQuiz({ labId: TEST_LAB, stepId: 'quiz' }, [0]);
    await session.openStep({ labId: TEST_LAB, stepId: 'echo' });
    item = provider.getTreeItem(lab);
    assert.strictEqual(item.description, '1/3 · workspace');
    steps = provider.getChildren(lab);
    const quiz = provider.getTreeItem(steps[2]);
    assert.strictEqual((quiz.iconPath as vscode.ThemeIcon).id, 'pass-filled');
    assert.strictEqual(colorId((quiz.iconPath as vscode.ThemeIcon).color), 'testing.iconPassed');
    assert.match(String(quiz.contextValue), /^step\.passed\./);
    const current = provider.getTreeItem(steps[0]);
    assert.strictEqual((current.iconPath as vscode.ThemeIcon).id, 'arrow-circle-right');
    assert.strictEqual(current.description, 'current');
    assert.strictEqual(current.accessibilityInformation?.label, 'Step 1, Say hello from a container, In progress');
    assert.strictEqual(quiz.accessibilityInformation?.label, `Step 3, ${label(quiz).replace(/^3\. /, '')}, Passed`);

    // A wrong re-answer keeps a passed quiz passed (issue 12, item 8).
    session.answerQuiz({ labId: TEST_LAB, stepId: 'quiz' }, [1]);
    assert.strictEqual((provider.getTreeItem(provider.getChildren(lab)[2]).iconPath as vscode.ThemeIcon).id, 'pass-filled');
    // A wrong first answer shows as failed, with its reason in the tooltip.
    await session.resetStep({ labId: TEST_LAB, stepId: 'quiz' });
    session.answerQuiz({ labId: TEST_LAB, stepId: 'quiz' }, [1]);
    const failed = provider.getTreeItem(provider.getChildren(lab)[2]);
    assert.strictEqual((failed.iconPath as vscode.ThemeIcon).id, 'error');
    assert.match(String(failed.accessibilityInformation?.label), /^Step 3, .*, Not passed yet: try another answer\./);
    const resolved = provider.resolveTreeItem(failed, provider.getChildren(lab)[2]);
    assert.ok(resolved.tooltip instanceof vscode.MarkdownString);
    assert.match(resolved.tooltip.value.replace(/&nbsp;/g, ' '), /try another answer/);
  });

  it('counts a step without a check apart: read, never passed (issue 12, item 6)', async () => {
    const labId = 'first-containers';
    const lab = provider.find({ labId });
    const model = session.getLab(labId);
    assert.ok(lab && lab.kind === 'lab' && model);
    const checked = model.steps.filter((st) => st.check !== undefined || st.quiz !== undefined).length;
    const unchecked = model.steps.length - checked;
    const index = model.steps.findIndex((st) => st.check === undefined && st.quiz === undefined);
    assert.ok(checked > 0 && unchecked > 0 && index >= 0 && index < model.steps.length - 1, 'lab 1 has steps with and without a check');
    assert.strictEqual(provider.getTreeItem(lab).description, `0/${checked} · 0/${unchecked} read`);
    const step = model.steps[index];
    const next = model.steps[index + 1];
    assert.ok(step && next);
    // The student reads it and moves on.
    await session.openStep({ labId, stepId: step.id });
    await session.openStep({ labId, stepId: next.id });
    assert.strictEqual(session.getState({ labId, stepId: step.id }).status, 'passed', 'stored as done');
    const item = provider.getTreeItem(lab);
    assert.strictEqual(item.description, `0/${checked} · 1/${unchecked} read`);
    assert.strictEqual(item.accessibilityInformation?.label, `${model.title}, lab, 0 of ${checked} checked steps passed, 1 of ${unchecked} other steps read`);
    const row = provider.getTreeItem(provider.getChildren(lab)[index]);
    assert.strictEqual((row.iconPath as vscode.ThemeIcon).id, 'book');
    assert.strictEqual(row.accessibilityInformation?.label, `Step ${index + 1}, ${step.title}, Read`);
    assert.deepStrictEqual(session.getProgress(labId), { passed: 0, total: checked, read: 1, unchecked });
    await session.resetLab(labId);
  });

  it('refreshes only the rows whose look changed, with the same nodes; a reload rebuilds', async () => {
    await session.resetLab(TEST_LAB);
    const lab = provider.find({ labId: TEST_LAB });
    const other = provider.find({ labId: 'first-containers' });
    assert.ok(lab && lab.kind === 'lab' && other && other.kind === 'lab');
    // Render what VS Code would show: both labs and their steps.
    const steps = provider.getChildren(lab);
    for (const node of [lab, other, ...steps, ...provider.getChildren(other)]) provider.getTreeItem(node);
    const events: Array<LabsNode | LabsNode[] | undefined | void> = [];
    const sub = provider.onDidChangeTreeData((e) => events.push(e));
    try {
      const quiz = provider.find({ labId: TEST_LAB, stepId: 'quiz' });
      session.answerQuiz({ labId: TEST_LAB, stepId: 'quiz' }, [0]);
      await new Promise((r) => setTimeout(r, 50));
      assert.strictEqual(events.length, 1, `events: ${events.length}`);
      const fired = events[0];
      assert.ok(Array.isArray(fired), 'a list of rows, not the whole tree');
      assert.ok(quiz && fired.includes(quiz), 'the quiz row (the same node as before)');
      assert.ok(fired.includes(lab), 'its lab, whose count changed');
      assert.ok(!fired.includes(steps[0]) && !fired.includes(other), 'not the rows that look the same');
      // The same answer again changes nothing on screen: no refresh at all.
      session.answerQuiz({ labId: TEST_LAB, stepId: 'quiz' }, [0]);
      await new Promise((r) => setTimeout(r, 50));
      assert.strictEqual(events.length, 1);
      // Opening another step changes the two step rows (the current marker moves), never the
      // lab's row: refreshing it would make VS Code replace every step row under it.
      await session.openStep({ labId: TEST_LAB, stepId: 'live' });
      await new Promise((r) => setTimeout(r, 50));
      assert.strictEqual(events.length, 2, `events: ${events.length}`);
      const moved = events[1];
      assert.ok(Array.isArray(moved) && moved.length > 0 && moved.every((n) => n.kind === 'step'), 'only step rows');
      assert.ok((moved as LabsNode[]).includes(steps[1]), 'the newly current step');
      // A reload brings a new catalog: the whole tree is rebuilt.
      await session.reload();
      assert.strictEqual(events.length, 3);
      assert.strictEqual(events[2], undefined);
      assert.notStrictEqual(provider.find({ labId: TEST_LAB }), lab, 'new nodes after a reload');
    } finally {
      sub.dispose();
    }
  });

  it('knows each node\'s parent, for reveal', () => {
    const step = provider.find({ labId: TEST_LAB, stepId: 'live' });
    assert.ok(step && step.kind === 'step');
    const parent = provider.getParent(step);
    assert.ok(parent && parent.kind === 'lab' && parent.lab.id === TEST_LAB);
    // A bundled lab sits under the bundled course, which lists it among its children.
    const firstLab = provider.find({ labId: 'first-containers' });
    assert.ok(firstLab && firstLab.kind === 'lab');
    const course = provider.getParent(firstLab);
    assert.ok(course && course.kind === 'course', `the parent of first-containers is a course, not ${course?.kind ?? 'nothing'}`);
    assert.strictEqual(course.course.id, 'containers');
    assert.ok(provider.getChildren(course).includes(firstLab), 'the course lists the lab');
    assert.strictEqual(provider.getParent(course), undefined, 'a course is at the top');
    // The workspace lab belongs to no course: it is at the top.
    const workspaceLab = provider.find({ labId: TEST_LAB });
    assert.ok(workspaceLab && workspaceLab.kind === 'lab');
    assert.strictEqual(provider.getParent(workspaceLab), undefined);
  });

  it('shows a broken lab file with its error, and a click opens it at line:col', () => {
    const broken = { file: '/tmp/cl-test-broken.lab.yaml', origin: 'workspace' as const, issues: [{ file: '/tmp/cl-test-broken.lab.yaml', line: 3, col: 5, message: "unknown key 'stpes'", severity: 'error' as const }] };
    const fake = Object.create(session) as LabSessionImpl;
    Object.defineProperty(fake, 'catalog', { value: { ...session.catalog, broken: [broken] } });
    const p = new LabsTreeProvider(fake, createLogger(channel, 'tree-test'));
    try {
      const node = p.getChildren().find((n) => n.kind === 'broken');
      assert.ok(node, 'the broken file is listed');
      const item = p.getTreeItem(node);
      assert.strictEqual(label(item), 'cl-test-broken.lab.yaml');
      assert.match(String(item.description), /^3:5 unknown key 'stpes'/);
      assert.strictEqual(item.command?.command, 'containerLabs.openLabFile');
      assert.deepStrictEqual(item.command?.arguments, [broken.file, 3, 5]);
      // The other labs still load: the same course and labs as without the broken file.
      const others = p.getChildren().filter((n) => n !== node).map(nodeId);
      assert.deepStrictEqual(others, provider.getChildren().map(nodeId));
      assert.ok(others.includes('course:containers') && others.includes(`lab:${TEST_LAB}`), `top rows: ${others.join(', ')}`);
    } finally {
      p.dispose();
    }
  });
});

describe('Labs tree menus', () => {
  it('every viewItem pattern in package.json matches some tree item, and inline actions reach steps and labs', async () => {
    const api = await activateExtension();
    const ext = vscode.extensions.getExtension('container-labs.container-labs');
    const menus = (ext?.packageJSON as { contributes: { menus: Record<string, { command: string; when?: string; group?: string }[]> } }).contributes.menus['view/item/context'];
    const provider = api.tree.provider;
    // One passed step, so the reset action has something to match.
    api.session.answerQuiz({ labId: TEST_LAB, stepId: 'quiz' }, [0]);
    const values: string[] = [];
    const walk = (nodes: LabsNode[]): void => {
      for (const node of nodes) {
        values.push(String(provider.getTreeItem(node).contextValue));
        walk(provider.getChildren(node));
      }
    };
    walk(provider.getChildren());
    await api.session.resetStep({ labId: TEST_LAB, stepId: 'quiz' });
    values.push('brokenLab.workspace');
    for (const entry of menus) {
      const m = /viewItem =~ \/(.+?)\/(?:\s|$)/.exec(entry.when ?? '');
      assert.ok(m, `menu entry ${entry.command} has a viewItem pattern`);
      const re = new RegExp(m[1]);
      assert.ok(values.some((v) => re.test(v)), `${entry.command} (${m[1]}) matches no tree item; values: ${[...new Set(values)].slice(0, 8).join(', ')}`);
    }
    const inline = menus.filter((e) => e.group?.startsWith('inline')).map((e) => e.command);
    for (const command of ['containerLabs.runStepCommand', 'containerLabs.checkStep', 'containerLabs.resetStep', 'containerLabs.openWalkthrough']) {
      assert.ok(inline.includes(command), `${command} is an inline action`);
    }
  });
});
