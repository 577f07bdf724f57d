/**
 * What each step of the real course offers (issue 12, items 2 and 11): Stop (Ctrl+C) on the
 * steps that start a foreground server and on the steps that are there to stop it, never on a
 * step that only needs the server running; Open on a step whose text says to use it.
 */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineEvents } from '../../src/core/checks/events';
import { loadCatalog } from '../../src/core/labs/loader';
import type { Catalog, CheckResult, Lab, Step } from '../../src/core/model';
import { LabRuntime } from '../../src/core/runtime/labRuntime';
import { MemoryStore } from '../../src/core/runtime/types';
import { MarkdownRenderer } from '../../src/webview/markdown';
import { mainDocker } from '../support/engine';
import { applyAnswer, applyResult, commandProgress, emptyStepState, offersStop, runContainerName, serviceCheck, stopsForegroundServer } from '../../src/core/runtime/steps';
import type { StepState } from '../../src/core/runtime/types';

const LABS = path.resolve(__dirname, '..', '..', '..', 'labs');

describe('student path: the actions each step of the course offers', () => {
  let catalog: Catalog;
  before(async () => {
    catalog = await loadCatalog([{ path: LABS, origin: 'bundled' }]);
    assert.deepEqual(catalog.broken, []);
  });
  const at = (labId: string, stepId: string): { lab: Lab; step: Step } => {
    const lab = catalog.labs.find((l) => l.id === labId);
    const step = lab?.steps.find((s) => s.id === stepId);
    assert.ok(lab && step, `${labId}/${stepId} exists`);
    return { lab, step };
  };

  it('reads the container name of a docker run', () => {
    assert.equal(runContainerName('docker run --rm --name cl-lab-jupyter -p 8888:8888 jupyter/base-notebook'), 'cl-lab-jupyter');
    assert.equal(runContainerName('docker container run -d --name=web nginx'), 'web');
    assert.equal(runContainerName('docker inspect cl-lab-jupyter'), undefined);
    assert.equal(runContainerName('docker run --rm alpine echo --name x'.replace('--name x', '')), undefined);
  });

  it('lab 6: Stop on the server step and on "Stop the server", not on the inspect step that needs it running', () => {
    const serve = at('rstudio', 'run-with-password');
    const inspect = at('rstudio', 'env-is-visible');
    const stop = at('rstudio', 'stop-password');
    assert.equal(offersStop(serve.lab, serve.step), true);
    assert.equal(offersStop(inspect.lab, inspect.step), false);
    assert.equal(stopsForegroundServer(stop.lab, stop.step), true);
    assert.equal(offersStop(stop.lab, stop.step), true);
    // Lab 6 step 5 stops a background server with docker stop: no Ctrl+C there.
    const stopDetached = at('rstudio', 'stop-rstudio');
    assert.equal(offersStop(stopDetached.lab, stopDetached.step), false);
  });

  it('lab 5: "Stop the foreground server" offers Stop; "open the notebook with its token" offers Open for the server of step 2', () => {
    const stop = at('jupyter', 'stop-foreground');
    assert.equal(offersStop(stop.lab, stop.step), true);
    const token = at('jupyter', 'token');
    assert.match(token.step.instructions, /\*\*Open\*\*/);
    const http = serviceCheck(token.lab, token.step);
    assert.equal(http?.container.name, 'cl-lab-jupyter');
    assert.equal(http.containerPort, 8888);
    assert.equal(http.container.since, 'any', 'the server was started a step before');
    const search = at('jupyter', 'search-jupyter');
    assert.equal(serviceCheck(search.lab, search.step), undefined);
  });

  it('every step whose text mentions Ctrl+C in a server\'s terminal or the Open button offers that action', () => {
    for (const lab of catalog.labs) {
      for (const step of lab.steps) {
        if (/\*\*Ctrl\+C\*\*/.test(step.instructions) && /server|Jupyter|RStudio/.test(step.instructions)) {
          assert.equal(offersStop(lab, step), true, `${lab.id}/${step.id} mentions Ctrl+C but offers no Stop`);
        }
        if (/\*\*Open\*\*\s+button/.test(step.instructions)) {
          assert.notEqual(serviceCheck(lab, step), undefined, `${lab.id}/${step.id} mentions the Open button but offers none`);
        }
      }
    }
  });
});

describe('student path: placeholders filled in the text the student reads (item 4)', () => {
  it('lab 4: every code block and inline command in the instructions is filled exactly as Run fills the command', async () => {
    const catalog = await loadCatalog([{ path: LABS, origin: 'bundled' }]);
    const workspace = path.join(os.tmpdir(), 'cl test ws');
    const runtime = new LabRuntime({
      engine: { docker: mainDocker(), publishedHost: '127.0.0.1', events: new EngineEvents(() => mainDocker()) },
      store: new MemoryStore(),
      executor: { run: () => Promise.reject(new Error('nothing runs here')) },
      workspaceFolder: () => workspace,
    });
    try {
      await runtime.setCatalog(catalog);
      const lab = runtime.getLab('data');
      assert.ok(lab);
      const md = new MarkdownRenderer();
      const fill = (text: string, code: boolean): string => runtime.readableText(lab.id, text, code);
      for (const step of lab.steps.slice(0, 4)) {
        const html = md.render(step.instructions, { fill }).html;
        assert.doesNotMatch(html, /\$\{labData\}/, `${step.id}: no placeholder left`);
        const blocks = [...html.matchAll(/<pre><code>([\s\S]*?)\n?<\/code><\/pre>/g)].map((m) => decode(m[1] ?? ''));
        const command = runtime.commandText({ labId: lab.id, stepId: step.id }, 0);
        // ${labData} is <workspace>/.container-labs/data/<lab id>.
        assert.ok(command?.includes(path.join(workspace, '.container-labs', 'data', lab.id)), `${step.id}: the command has the lab's data folder: ${command ?? ''}`);
        if (step.id !== 'prepare-data') assert.ok(blocks.includes(command ?? ''), `${step.id}: the block shows ${command ?? ''}, got ${JSON.stringify(blocks)}`);
      }
      // Inline code in prose (lab 4 step 3's interactive shell) is filled the same way.
      const write = lab.steps.find((s) => s.id === 'write-through-mount');
      assert.ok(write);
      const inline = runtime.commandText({ labId: lab.id, stepId: write.id }, 2) ?? '';
      assert.ok(md.render(write.instructions, { fill }).html.includes(`<code>${escape(inline)}</code>`), 'inline command filled as Run fills it');
    } finally {
      runtime.dispose();
    }
  });
});

function decode(html: string): string {
  return html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

describe('student path: step-state rules (items 7 and 8, pure)', () => {
  const FAIL: CheckResult = { status: 'failed', reason: 'no volume named cl-lab-data exists' };
  const step = { id: 's', title: 'S', instructions: '', commands: [{ run: 'a' }, { run: 'b' }, { run: 'c' }], hints: [] } as unknown as Step;

  it('item 7: after the first of three commands a failing result is progress ("1 of 3 commands done"), not red, long after the grace', () => {
    const state: StepState = { ...emptyStepState(), status: 'current', commandsRun: [0] };
    const out = applyResult(state, FAIL, { explicit: false, now: 100_000, attemptedAt: 1000, graceMs: 3000, commandsLeft: 2 });
    assert.equal(out.state.status, 'current');
    assert.equal(out.recheckAt, undefined);
    assert.equal(commandProgress(step, out.state), '1 of 3 commands done');
    // Check now counts at once; and once all ran, the grace rule applies again.
    assert.equal(applyResult(state, FAIL, { explicit: true, now: 100_000, attemptedAt: 1000, graceMs: 3000, commandsLeft: 2 }).state.status, 'failed');
    const all: StepState = { ...state, commandsRun: [0, 1, 2] };
    assert.equal(applyResult(all, FAIL, { explicit: false, now: 100_000, attemptedAt: 1000, graceMs: 3000, commandsLeft: 0 }).state.status, 'failed');
    assert.equal(commandProgress(step, all), undefined);
  });

  it('item 8: a wrong re-answer keeps a passed quiz passed; a wrong first answer is not passed', () => {
    const right = applyAnswer(emptyStepState(), [1], true, 5000);
    assert.equal(right.status, 'passed');
    const again = applyAnswer(right, [0], false, 9000);
    assert.equal(again.status, 'passed');
    assert.equal(again.passedAt, 5000);
    assert.deepEqual(again.answer, [0]);
    const wrong = applyAnswer(emptyStepState(), [0], false, 5000);
    assert.equal(wrong.status, 'failed');
    assert.equal(wrong.reason, 'try another answer.');
  });
});

describe('student path: quiz choices read as text (item 13)', () => {
  it('no choice of the course shows Markdown marks, so none stands out from the others', async () => {
    const catalog = await loadCatalog([{ path: LABS, origin: 'bundled' }]);
    const md = new MarkdownRenderer();
    let withCode = 0;
    for (const lab of catalog.labs) {
      for (const step of lab.steps) {
        for (const choice of step.quiz?.choices ?? []) {
          const shown = md.inlineText(choice);
          if (choice.includes('`')) withCode += 1;
          assert.doesNotMatch(shown, /`|\*\*/, `${lab.id}/${step.id}: ${shown}`);
        }
      }
    }
    assert.ok(withCode > 0, 'the course has choices written with `code`');
    assert.equal(md.inlineText('Run `docker ps` **now**'), 'Run docker ps now');
  });
});
