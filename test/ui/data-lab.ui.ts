/**
 * UI test (issue 12, "done when"): lab 4 of the course ("Data in containers") completed start to
 * finish twice, as two students would, each in a workbench of their own (fresh progress, fresh
 * workspace and data folder):
 *   - with the Run buttons only (the clean-up's destructive commands confirmed in VS Code's
 *     dialog), with a detour on the way (item 3): Run, then Reset Step keeping what the step
 *     made, so its named container is in the way of the next Run; the page says so and how to
 *     remove it, and "Remove it and run again" (asked first) gets the student out. The
 *     screenshot media/screenshots/named-container-in-the-way.png is taken there;
 *   - with typed commands only, in a terminal the student opens (Ctrl+`): each step's commands
 *     typed as the instructions show them (the data folder's path filled in, item 4).
 * Every step must pass by itself, with no Check now. Only lab 4's own names are used (the
 * course layer, which runs the same labs, never runs beside the UI layer), and whatever is
 * left of them is removed at the end.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { escapeRegExp } from '../../src/core/text';
import { containerExists, mainDocker, volumeExists } from '../support/engine';
import { repoRoot, Workbench } from './harness';

const docker = mainDocker();

interface LabFile {
  title: string;
  steps: Array<{ id: string; title: string; commands?: Array<string | { run: string; destructive?: boolean }> }>;
}
const LAB = parse(fs.readFileSync(path.join(repoRoot, 'labs', '04-data.lab.yaml'), 'utf8')) as LabFile;
const CONTAINERS = ['cl-lab-bind', 'cl-lab-write', 'cl-lab-ro', 'cl-lab-vol', 'cl-lab-scratch'];
const VOLUME = 'cl-lab-data';

/** Which of a step's commands a student clicks (the others show, list or open a shell). */
const RUN_PLAN: Record<string, number[]> = {
  'prepare-data': [0],
  'bind-mount': [0],
  'write-through-mount': [0],
  'read-only': [0],
  'named-volume': [0, 1, 2],
  tmpfs: [0],
  'clean-up': [0, 1],
};

async function removeLabObjects(): Promise<void> {
  for (const name of CONTAINERS) {
    await docker.getContainer(name).remove({ force: true }).catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 404) throw error;
    });
  }
  await docker.getVolume(VOLUME).remove().catch((error: { statusCode?: number }) => {
    if (error.statusCode !== 404) throw error;
  });
}

async function labObjectsLeft(): Promise<string[]> {
  const left: string[] = [];
  for (const name of CONTAINERS) if (await containerExists(docker, name)) left.push(name);
  if (await volumeExists(docker, VOLUME)) left.push(`volume ${VOLUME}`);
  return left;
}

function stepTitle(index: number): RegExp {
  const step = LAB.steps[index];
  if (!step) throw new Error(`lab 4 has no step ${index}`);
  return new RegExp(escapeRegExp(step.title));
}

/** The step's check passes by itself; if not, the error says what ran (the log) and what the engine has. */
async function waitPassed(wb: Workbench, what: string, commands: readonly string[] = []): Promise<void> {
  const page = wb.webview();
  try {
    await page.locator('[data-testid="check-status"][data-status="passed"]').waitFor({ state: 'visible', timeout: 60_000 });
  } catch (error) {
    const shown = await page.getByTestId('check-status').innerText().catch(() => '(no check status)');
    const left = await labObjectsLeft().catch((e: unknown) => [`(the engine did not answer: ${String(e)})`]);
    throw new Error(
      `${what} did not pass by itself within 60 s; its commands in the log: ${wb.commandTrail(commands)}; the engine has: ${left.join(', ') || 'none of the lab\'s objects'}; the page says: ${shown}; the terminal: ${(await wb.terminalText()).slice(-600)}`,
      { cause: error },
    );
  }
}

/** The step's page shows this step (after Next or a tree click). */
async function onStep(wb: Workbench, index: number): Promise<void> {
  await wb.webview().getByRole('heading', { name: stepTitle(index) }).first().waitFor({ state: 'visible', timeout: 30_000 });
}

/** VS Code's modal dialog: asserts its question, clicks one of its buttons. */
async function answerDialog(wb: Workbench, question: RegExp, button: string): Promise<void> {
  const dialog = wb.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await dialog.innerText(), question);
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
}

/**
 * Item 3 with Run buttons only: Reset Step (from the tree row) and keep what the step made when
 * asked; the step's named container is now in the way of its command. The page says so and how
 * to remove it; "Remove it and run again" asks, removes only that container and runs the
 * command again, and the step passes by itself.
 */
async function namedContainerInTheWay(wb: Workbench, index: number): Promise<void> {
  const row = wb.treeItem(stepTitle(index));
  await row.hover();
  await row.getByRole('button', { name: 'Reset Step' }).click();
  await answerDialog(wb, /Also remove what this step left \(cl-lab-bind\)\?/, 'Cancel');
  const page = wb.webview();
  await page.getByTestId('remove-leftovers').waitFor({ state: 'visible', timeout: 30_000 });
  assert.notEqual(await page.getByTestId('check-status').getAttribute('data-status'), 'passed', 'the reset step is not passed');
  const leftover = await page.getByTestId('leftover').innerText();
  assert.match(leftover, /"cl-lab-bind" from an earlier try is in the way/, leftover);
  assert.match(leftover, /docker rm -f cl-lab-bind/, `it says how to remove it: ${leftover}`);
  await page.getByTestId('remove-leftovers').scrollIntoViewIfNeeded();
  const shot = await wb.screenshot('named-container-in-the-way');
  fs.copyFileSync(shot, path.join(repoRoot, 'media', 'screenshots', 'named-container-in-the-way.png'));
  const before = await docker.getContainer('cl-lab-bind').inspect();
  await page.getByTestId('remove-leftovers').click();
  await answerDialog(wb, /Remove cl-lab-bind and run the command again\?/, 'Remove and Run');
  await waitPassed(wb, 'bind-mount, run again');
  const after = await docker.getContainer('cl-lab-bind').inspect();
  assert.notEqual(after.Id, before.Id, 'the container that passes is a new one');
  await page.getByTestId('remove-leftovers').waitFor({ state: 'detached', timeout: 30_000 });
}

describe('UI: lab 4 (data) from start to finish, with Run buttons only and with typed commands only', function () {
  this.timeout(600_000);
  let wb: Workbench | undefined;

  before(async function () {
    assert.deepEqual(await labObjectsLeft(), [], 'lab 4\'s containers and volume must not exist before this test (remove them first)');
    assert.deepEqual(LAB.steps.map((s) => s.id), Object.keys(RUN_PLAN), 'this test knows every step of lab 4');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      await wb.reportFailure(`data-lab-${this.currentTest.title}`);
    }
    await wb?.close();
    wb = undefined;
    // Each way starts from nothing of the lab's, whatever the one before left.
    await removeLabObjects();
  });

  after(async function () {
    await removeLabObjects();
  });

  it('Run buttons only: every step passes by itself, the clean-up asks before it removes', async function () {
    wb = await Workbench.open();
    const w = wb;
    await w.openStep(new RegExp(`^${escapeRegExp(LAB.title)}`), stepTitle(0));
    for (let i = 0; i < LAB.steps.length; i++) {
      const step = LAB.steps[i];
      if (!step) break;
      await onStep(w, i);
      const page = w.webview();
      const clicked: string[] = [];
      for (const index of RUN_PLAN[step.id] ?? []) {
        const command = step.commands?.[index];
        const destructive = typeof command === 'object' && command.destructive === true;
        assert.equal(await page.getByTestId(`destructive-${index}`).count(), destructive ? 1 : 0, `${step.id} command ${index}: marked destructive as the lab says`);
        await page.getByTestId(`run-${index}`).click();
        if (destructive) {
          // VS Code's modal dialog: the command runs only once the student says so.
          await answerDialog(w, /This command removes something\. Run it\?/, 'Run');
        }
        // The shell runs the lab's commands one after the other: wait for each to be typed in.
        const text = typeof command === 'string' ? command : (command?.run ?? '');
        const shown = text.split('${labData}')[0]?.trim() ?? '';
        clicked.push(shown);
        await w.waitForTerminalText(new RegExp(escapeRegExp(shown.slice(0, 40))), 30_000);
      }
      await waitPassed(w, `step ${step.id}`, clicked);
      if (step.id === 'bind-mount') await namedContainerInTheWay(w, i);
      if (i < LAB.steps.length - 1) await page.getByTestId('next').click();
    }
    assert.deepEqual(await labObjectsLeft(), [], 'the clean-up step removed every container and the volume');
  });

  it('typed commands only, in a terminal of the student\'s own: every step passes by itself', async function () {
    wb = await Workbench.open();
    const w = wb;
    await w.openStep(new RegExp(`^${escapeRegExp(LAB.title)}`), stepTitle(0));
    // No Run click: the student opens a terminal of their own (Ctrl+`), a plain one.
    assert.equal(await w.page.locator('.terminal .xterm').count(), 0, 'no terminal is open yet');
    await w.page.keyboard.press('Control+Backquote');
    await w.waitForTerminalText(/[$#]\s*$/, 30_000);
    for (let i = 0; i < LAB.steps.length; i++) {
      const step = LAB.steps[i];
      if (!step) break;
      await onStep(w, i);
      const page = w.webview();
      // What the student reads: the first code block of the instructions, placeholders filled.
      const block = (await page.locator('#instructions pre code').first().innerText()).trim();
      assert.doesNotMatch(block, /\$\{/, `${step.id}: the instructions show no unfilled placeholder: ${block}`);
      const lines = block.split('\n').map((l) => l.trim()).filter((l) => l !== '');
      assert.ok(lines.length > 0, `${step.id}: the instructions show a command`);
      assert.notEqual(await page.getByTestId('check-status').getAttribute('data-status'), 'passed', `${step.id} has not passed before the student typed anything`);
      for (const line of lines) await w.typeInTerminal(line);
      await waitPassed(w, `step ${step.id} (typed)`);
      if (i < LAB.steps.length - 1) await page.getByTestId('next').click();
    }
    assert.deepEqual(await labObjectsLeft(), [], 'the typed clean-up removed every container and the volume');
  });
});
