/**
 * Container states in Docker's words. Podman's Docker-compatible API passes some of its own
 * states through: `stopped` (the process ended, Podman's clean-up has not run yet: seen in CI
 * on the course's attach step, "is stopped, not exited"), `configured` and `initialized` (made,
 * never started), `stopping` (the stop signal was sent, the process still runs). A check reads
 * them as Docker would report the same container.
 */
const AS_DOCKER: Readonly<Record<string, string>> = {
  stopped: 'exited',
  configured: 'created',
  initialized: 'created',
  stopping: 'running',
};

export function dockerState(state: string): string {
  return AS_DOCKER[state] ?? state;
}
