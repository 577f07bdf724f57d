/**
 * The walkthrough's view model: what the page may see of a step. Nothing of the solution or
 * the quiz's answer before the student asked, only revealed hints, check parts without
 * repeats. Plain Node: the session is a small stand-in built on a real Lab object.
 */
import * as assert from 'node:assert/strict';
import type { CheckResult, Lab } from '../../src/core/model';
import type { LabSession, StepRef, StepState } from '../../src/session/types';
import { MarkdownRenderer } from '../../src/webview/markdown';
import { buildStepView } from '../../src/webview/viewModel';

const lab: Lab = {
  id: 'cl-test-lab',
  title: 'Test lab',
  summary: 's',
  minutes: 1,
  images: [],
  source: { file: '/tmp/x.lab.yaml', origin: 'workspace' },
  steps: [
    {
      id: 'one',
      title: 'One',
      instructions: 'Go to [docs](https://docs.docker.com/) <b>now</b>',
      commands: [{ run: 'docker rm -f ${name}', destructive: true }, { run: 'jupyter', foreground: true, label: 'Start' }],
      check: { all: [{ container: { name: 'a' } }, { port: { container: { name: 'a' }, containerPort: 8888 } }] },
      hints: ['h1', 'h2 [more](https://example.com/h2)'],
      solution: { text: 'SECRET solution', commands: [{ run: 'echo SECRET' }] },
    },
    {
      id: 'two',
      title: 'Two',
      instructions: 'Quiz time',
      commands: [],
      hints: [],
      quiz: { question: 'Which?', choices: ['a', 'b', 'c'], answer: [1, 2], explanation: 'SECRET explanation' },
    },
  ],
};

function fakeSession(states: Record<string, Partial<StepState>>): LabSession {
  const stepOf = (ref: StepRef) => (ref.labId === lab.id ? lab.steps.find((s) => s.id === ref.stepId) : undefined);
  const session: Omit<LabSession, 'catalog' | 'current'> & { catalog: LabSession['catalog']; current: StepRef | undefined } = {
    catalog: { courses: [], labs: [lab], broken: [], warnings: [] },
    current: undefined,
    onDidChange: () => ({ dispose: () => undefined }),
    onDidChangeContainers: () => ({ dispose: () => undefined }),
    getLab: (id) => (id === lab.id ? lab : undefined),
    getStep: stepOf,
    getState: (ref) => ({ status: 'current', hintsShown: 0, solutionShown: false, ...states[ref.stepId] }),
    getProgress: () => ({ passed: 1, total: 2, read: 0, unchecked: 0 }),
    canRun: () => false,
    openStep: () => Promise.resolve(),
    checkNow: () => Promise.reject(new Error('not here')),
    runCommand: () => Promise.resolve(false),
    commandText: (ref, index, opts) => {
      const step = stepOf(ref);
      const list = opts?.solution === true ? step?.solution?.commands : step?.commands;
      return list?.[index]?.run.replace('${name}', "'cl-test-x'");
    },
    readableText: (_labId, text) => text.replace('${name}', "'cl-test-x'"),
    interrupt: () => undefined,
    revealHint: () => 0,
    revealSolution: () => Promise.resolve(false),
    answerQuiz: () => undefined,
    findService: () => Promise.resolve(undefined),
    next: (ref) => (ref.stepId === 'one' ? { labId: lab.id, stepId: 'two' } : undefined),
    previous: (ref) => (ref.stepId === 'two' ? { labId: lab.id, stepId: 'one' } : undefined),
    resetStep: () => Promise.resolve(),
    leftovers: (ref) => Promise.resolve({ labId: ref.labId, items: [], gone: [] }),
    cleanupPlan: (labId) => Promise.resolve({ labId, items: [], gone: [] }),
    removeLeftovers: () => Promise.resolve(false),
    resetLab: () => Promise.resolve(),
    reload: () => Promise.resolve(),
    dispose: () => undefined,
  };
  return session;
}

const md = new MarkdownRenderer();
const ONE = { labId: lab.id, stepId: 'one' };
const TWO = { labId: lab.id, stepId: 'two' };

describe('walkthrough view model', () => {
  it('shows the step with filled-in commands and no solution or later hints', () => {
    const built = buildStepView(fakeSession({ one: { hintsShown: 1 } }), ONE, md, { checking: false });
    assert.ok(built);
    const v = built.view;
    assert.deepEqual([v.stepIndex, v.stepCount, v.passed, v.hasPrevious, v.hasNext, v.canRun], [0, 2, 1, false, true, false]);
    assert.deepEqual(v.commands, [
      { text: "docker rm -f 'cl-test-x'", destructive: true, foreground: false, interactive: false },
      { text: 'jupyter', label: 'Start', destructive: false, foreground: true, interactive: false },
    ]);
    assert.match(v.instructionsHtml, /&lt;b&gt;now&lt;\/b&gt;/);
    assert.deepEqual(v.hints, ['<p>h1</p>\n']);
    assert.equal(v.hintCount, 2);
    assert.deepEqual(v.solution, { available: true, shown: false, commands: [] });
    assert.doesNotMatch(JSON.stringify(v), /SECRET|h2/);
    assert.deepEqual([...built.links], ['https://docs.docker.com/']);
  });

  it('adds the solution and its commands once revealed', () => {
    const built = buildStepView(fakeSession({ one: { solutionShown: true, hintsShown: 2 } }), ONE, md, { checking: false });
    assert.ok(built);
    assert.equal(built.view.solution.shown, true);
    assert.match(built.view.solution.html ?? '', /SECRET solution/);
    assert.deepEqual(built.view.solution.commands.map((c) => c.text), ['echo SECRET']);
    assert.ok(built.links.has('https://example.com/h2'), 'links of revealed hints may be opened');
  });

  it('lists the check parts once each, without repeating the summary', () => {
    const result: CheckResult = {
      status: 'failed',
      reason: 'no container named "a"',
      children: [
        { status: 'failed', reason: 'no container named "a"' },
        { status: 'failed', reason: 'port 8888 is not published', children: [{ status: 'failed', reason: 'no container named "a"' }] },
        { status: 'passed', reason: 'image present' },
      ],
    };
    const built = buildStepView(fakeSession({ one: { status: 'failed', reason: result.reason, result } }), ONE, md, { checking: true, serviceLabel: 'Jupyter on port 8888' });
    assert.ok(built);
    assert.deepEqual(built.view.check, {
      status: 'failed',
      reason: 'no container named "a"',
      checking: true,
      parts: [
        { status: 'failed', reason: 'port 8888 is not published' },
        { status: 'passed', reason: 'image present' },
      ],
    });
    assert.deepEqual(built.view.service, { label: 'Jupyter on port 8888' });
  });

  it('never sends the quiz answer or explanation before a submission', () => {
    const before = buildStepView(fakeSession({}), TWO, md, { checking: false });
    assert.ok(before?.view.quiz);
    assert.equal(before.view.quiz.multiple, true);
    assert.equal(before.view.quiz.feedback, undefined);
    assert.doesNotMatch(JSON.stringify(before.view), /SECRET/);

    const after = buildStepView(fakeSession({ two: { answer: [2, 1] } }), TWO, md, { checking: false });
    assert.deepEqual(after?.view.quiz?.submitted, [2, 1]);
    assert.equal(after?.view.quiz?.feedback?.correct, true);
    assert.match(after?.view.quiz?.feedback?.explanationHtml ?? '', /SECRET explanation/);
  });

  it('returns nothing for a step that no longer exists', () => {
    assert.equal(buildStepView(fakeSession({}), { labId: lab.id, stepId: 'gone' }, md, { checking: false }), undefined);
  });
});
