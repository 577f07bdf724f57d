import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Lab } from '../../src/core/model';
import { loadLabFile } from '../../src/core/labs/loader';
import { runLab, solutionCommands } from '../../src/core/runner/run';
import type { LabRunResult } from '../../src/core/runner/types';
import { BUSYBOX, containerExists, imageExists, mainDocker, volumeExists } from '../support/engine';
import { waitFor } from '../support/wait';
import { runnerName, useRunnerFixture } from './runner-support';

/** This run's copy of the fixture labs (see runnerFixtures), set by the suite's before hook. */
let fixtureLabs = '';

async function fixture(name: string): Promise<Lab> {
  const { lab, issues } = await loadLabFile(path.join(fixtureLabs, `${name}.lab.yaml`), 'workspace');
  if (!lab) throw new Error(`fixture ${name} does not load: ${issues.map((i) => `${i.line}:${i.col} ${i.message}`).join('; ')}`);
  return lab;
}

function statuses(result: LabRunResult): Record<string, string> {
  return Object.fromEntries(result.steps.map((s) => [s.id, s.status]));
}

describe('runLab (real engine)', function () {
  this.timeout(90_000);
  const docker = mainDocker();
  const names = {
    containers: ['hello', 'it', 'seven', 'wrong', 'web'].map(runnerName),
    volumes: [runnerName('vol')],
    images: [runnerName('tag:v1')],
  };
  let workspace = '';
  useRunnerFixture(docker, names, (dir, fixtures) => {
    workspace = dir;
    fixtureLabs = fixtures;
  });

  const base = () => ({ docker, publishedHost: '127.0.0.1', workspaceFolder: workspace });

  it('solves and checks every step of a good lab, then removes what it created; a re-run starts clean', async () => {
    const lab = await fixture('runner-pass');
    for (let run = 1; run <= 2; run++) {
      const result = await runLab(lab, base());
      assert.deepEqual(
        statuses(result),
        {
          'read-me': 'info',
          'make-volume': 'passed',
          'write-data': 'passed',
          'tag-image': 'passed',
          'host-file': 'passed',
          'keep-running': 'passed',
          'exit-seven': 'passed',
          'self-check': 'quiz',
        },
        `run ${run}: ${JSON.stringify(result.steps.map((s) => [s.id, s.reason]))}`,
      );
      assert.deepEqual([result.passed, result.failed, result.skipped, result.errors], [6, 0, 0, 0]);
      // The command exited 7, as its exitCode: says, and the check passed.
      const seven = result.steps.find((s) => s.id === 'exit-seven');
      assert.equal(seven?.commands[0].exitCode, 7);
      // The interactive command was not run; the solution was.
      const it = result.steps.find((s) => s.id === 'keep-running');
      assert.deepEqual(it?.commands.map((c) => c.text), [`docker run -d -i --name ${runnerName('it')} cl-test-busybox sh`]);
      // The placeholder was filled and quoted.
      const host = result.steps.find((s) => s.id === 'host-file');
      assert.equal(host?.commands[0].text, `echo from-the-runner > '${workspace}/.container-labs/data/runner-pass'/note.txt`);
      assert.ok(result.steps.every((s) => s.commandsMs >= 0 && s.checkMs >= 0));

      assert.ok(result.cleanup, 'cleanup ran');
      assert.equal(result.cleanup.refused, 0, JSON.stringify(result.cleanup.items));
      const removed = result.cleanup.items.filter((i) => i.outcome === 'removed').map((i) => i.name).sort();
      assert.deepEqual(removed, ['hello', 'it', 'seven', 'tag:v1', 'vol'].map(runnerName));
      assert.equal(await containerExists(docker, runnerName('it')), false);
      assert.equal(await volumeExists(docker, runnerName('vol')), false);
      assert.equal(await imageExists(docker, runnerName('tag:v1')), false);
      assert.equal(await imageExists(docker, BUSYBOX), true, 'the image the lab only used stays');
    }
  });

  it('fails a step whose solution is wrong, with the reason from the engine and the command output', async () => {
    const lab = await fixture('runner-fail');
    const result = await runLab(lab, { ...base(), checkTimeoutMs: 1500 });
    const [step] = result.steps;
    assert.equal(step.status, 'failed');
    assert.match(step.reason, /code 3/);
    assert.equal(step.commands[0].exitCode, 3);
    assert.deepEqual(step.commands[0].tail, ['about-to-fail']);
    assert.ok(step.checkMs >= 1400, `waited for the deadline (${step.checkMs} ms)`);
    assert.deepEqual([result.passed, result.failed], [0, 1]);
    assert.equal(await containerExists(docker, runnerName('wrong')), false, 'cleaned up after a failure too');
  });

  it('starts a foreground server without waiting, passes its HTTP check while it runs, then stops it with Ctrl+C', async () => {
    const lab = await fixture('runner-foreground');
    // keep: true, so that only the foreground stop (SIGINT -> --rm) can make the container go.
    const result = await runLab(lab, { ...base(), keep: true, stopGraceMs: 20_000 });
    const [step] = result.steps;
    assert.equal(step.status, 'passed', step.reason);
    assert.equal(step.commands[0].foreground, true);
    assert.equal(result.cleanup, undefined);
    // A foreground command that ignored Ctrl+C would be noted as terminated (or killed) after the grace period.
    assert.deepEqual(result.notes, []);
    // --rm removes it once stopped; the engine takes a moment.
    await waitFor('the --rm container to be removed', async () => !(await containerExists(docker, runnerName('web'))), 10_000);
  });

  it('reports a step that needs the internet as skipped, not failed', async () => {
    const lab = await fixture('runner-network');
    const result = await runLab(lab, { ...base(), checkTimeoutMs: 1000 });
    const [step] = result.steps;
    assert.equal(step.status, 'skipped');
    assert.match(step.reason, /^needs the internet: `docker pull cl-test-nowhere.invalid\/cl-test-image:1` failed with exit code \d+/);
    assert.equal(step.commands[0].network, true);
    assert.deepEqual([result.passed, result.failed, result.skipped], [0, 0, 1]);
  });

  it('stops after --step and runs the earlier steps to set it up', async () => {
    const lab = await fixture('runner-pass');
    const result = await runLab(lab, { ...base(), untilStep: 'make-volume' });
    assert.deepEqual(statuses(result), { 'read-me': 'info', 'make-volume': 'passed' });
    assert.equal(await volumeExists(docker, runnerName('vol')), false);
  });

  it('never runs interactive commands', async () => {
    const lab = await fixture('runner-pass');
    const step = lab.steps.find((s) => s.id === 'keep-running');
    assert.ok(step);
    const withoutSolution = { ...step, solution: undefined };
    assert.deepEqual(solutionCommands(withoutSolution), []);
    const result = await runLab({ ...lab, steps: [withoutSolution] }, { ...base(), checkTimeoutMs: 500 });
    assert.equal(result.steps[0].status, 'skipped');
    assert.match(result.steps[0].reason, /only interactive commands/);
    assert.deepEqual(result.steps[0].commands, []);
  });
});
