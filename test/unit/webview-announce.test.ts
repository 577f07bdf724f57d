/**
 * What the walkthrough announces: one short sentence per change of a step's result, urgent
 * for failures and "cannot check", nothing while the result stays the same or while a command
 * is still in its grace (status "current", reason shown but the step not red).
 */
import * as assert from 'node:assert/strict';
import { announcementFor, resultKey } from '../../src/webview/announce';
import type { CheckView, QuizView, StepView } from '../../src/webview/protocol';

function view(check: Partial<CheckView>, quiz?: QuizView): StepView {
  const v: StepView = {
    labId: 'cl-test-lab',
    stepId: 'one',
    labTitle: 'Lab',
    stepTitle: 'Run a container',
    stepIndex: 0,
    stepCount: 2,
    passed: 0,
    read: 0,
    instructionsHtml: '',
    commands: [],
    canRun: true,
    hasCheck: true,
    check: { status: 'current', parts: [], checking: false, ...check },
    hints: [],
    hintCount: 0,
    solution: { available: false, shown: false, commands: [] },
    hasPrevious: false,
    hasNext: true,
    lastOfLab: false,
    stopsServer: false,
  };
  if (quiz !== undefined) v.quiz = quiz;
  return v;
}

/** Plays a sequence of views the way the page does: each announcement against the key last announced. */
function play(views: StepView[]): Array<{ text: string; urgent: boolean }> {
  let key = resultKey(views[0]);
  const said: Array<{ text: string; urgent: boolean }> = [];
  for (const v of views.slice(1)) {
    const a = announcementFor(key, v);
    key = resultKey(v);
    if (a !== undefined) said.push(a);
  }
  return said;
}

describe('walkthrough announcements', () => {
  it('says "passed" once for a pass, and nothing for the grace-period reasons before it', () => {
    const said = play([
      view({ status: 'current' }),
      view({ status: 'current', reason: 'hello-world was created but never started' }),
      view({ status: 'passed', reason: 'hello-world exited with code 0', parts: [{ status: 'passed', reason: 'a part' }] }),
      view({ status: 'passed', reason: 'hello-world exited with code 0 (checked again)' }),
    ]);
    assert.deepEqual(said, [{ text: 'Step passed: Run a container.', urgent: false }]);
  });

  it('says why a step is not passed, urgently, and again only when the reason changes', () => {
    const said = play([
      view({ status: 'current' }),
      view({ status: 'failed', reason: 'No container of hello-world exists.', parts: [{ status: 'failed', reason: 'part one' }, { status: 'failed', reason: 'part two' }] }),
      view({ status: 'failed', reason: 'No container of hello-world exists.', checking: true }),
      view({ status: 'failed', reason: 'hello-world exited with code 1.' }),
    ]);
    assert.deepEqual(said, [
      { text: 'Not yet: No container of hello-world exists.', urgent: true },
      { text: 'Not yet: hello-world exited with code 1.', urgent: true },
    ]);
    // The sub-checks never go into the sentence.
    assert.ok(said.every((s) => !/part/.test(s.text)));
  });

  it('says "cannot check" urgently when the engine is lost, and "passed" politely when it is back', () => {
    const said = play([
      view({ status: 'passed' }),
      view({ status: 'error', reason: 'The Docker engine does not answer.' }),
      view({ status: 'passed' }),
    ]);
    assert.deepEqual(said, [
      { text: 'Cannot check: The Docker engine does not answer.', urgent: true },
      { text: 'Step passed: Run a container.', urgent: false },
    ]);
  });

  it('gives the quiz verdict instead of the step result, urgent only when wrong', () => {
    const quiz = (submitted: number[], correct: boolean): QuizView => ({ questionHtml: 'q', choices: ['a', 'b'], multiple: false, submitted, feedback: { correct, explanationHtml: 'e' } });
    const open: QuizView = { questionHtml: 'q', choices: ['a', 'b'], multiple: false };
    const said = play([
      view({ status: 'current' }, open),
      view({ status: 'failed', reason: 'Not the right answer yet.' }, quiz([0], false)),
      view({ status: 'passed' }, quiz([1], true)),
    ]);
    assert.deepEqual(said, [
      { text: 'Not quite. Try another answer.', urgent: true },
      { text: 'Correct. Step passed.', urgent: false },
    ]);
  });

  it('says a reset step is not checked yet', () => {
    assert.deepEqual(play([view({ status: 'passed' }), view({ status: 'not-started' })]), [{ text: 'Not checked yet.', urgent: false }]);
  });
});
