/**
 * Podman's own container states read as Docker's (src/core/engine/states.ts): the course on
 * Podman failed its attach step with "container cl-lab-shell is stopped, not exited" while
 * Podman had not yet cleaned up a container whose process had ended.
 */
import * as assert from 'node:assert/strict';
import { dockerState } from '../../src/core/engine/states';

describe('engine: container states in Docker\'s words', () => {
  it('maps Podman\'s stopped, configured, initialized and stopping; leaves Docker\'s states as they are', () => {
    assert.deepEqual(['stopped', 'configured', 'initialized', 'stopping'].map(dockerState), ['exited', 'created', 'created', 'running']);
    for (const s of ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']) assert.equal(dockerState(s), s);
  });
});
