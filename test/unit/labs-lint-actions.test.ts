/**
 * The lint of a step's instructions against the walkthrough's buttons: a step that tells the
 * student to use **Open** or to press **Ctrl+C** must show that button (issue: lab 5 said "use
 * the Open button" and had none). Warnings, at the step's instructions.
 */
import * as assert from 'node:assert/strict';
import { validateText } from '../../src/core/labs/loader';

const LAB = `id: lint-actions
title: Buttons the text names
summary: Steps whose instructions name the walkthrough's buttons.
minutes: 5
images: [alpine:latest]
steps:
  - id: serve
    title: Serve in the foreground
    instructions: Start it; the **Open** button opens it, and **Ctrl+C** stops it.
    commands:
      - run: docker run --rm --name lint-web -p 8080:80 nginx
        foreground: true
    check:
      http: { container: { name: lint-web }, containerPort: 80, path: / }
  - id: look
    title: Look at it
    instructions: Use the **Open** button again.
    commands: []
    check:
      container: { name: lint-web, state: running }
  - id: stop
    title: Stop it
    instructions: Press **Ctrl+C** where it runs.
    commands: []
    check:
      containerAbsent: { name: lint-web }
  - id: lonely
    title: Nothing to open
    instructions: Use the **Open** button, then press **Ctrl+C**.
    commands:
      - docker run -d --name lint-other alpine sleep 60
    check:
      container: { name: lint-other, state: running }
`;

describe('lint: the buttons a step\'s instructions name', () => {
  it('warns where the walkthrough would show no such button, and only there', () => {
    const issues = validateText(LAB, 'lint.lab.yaml');
    assert.deepEqual(issues.filter((i) => i.severity === 'error'), []);
    const warnings = issues.filter((i) => i.severity === 'warning').map((i) => `${i.line}: ${i.message.slice(0, 60)}`);
    assert.deepEqual(warnings, [
      '29: steps[3].instructions mention the **Open** button, but the w',
      '29: steps[3].instructions tell the student to press **Ctrl+C**, ',
    ]);
  });
});
