/**
 * The extension's one connection to the Docker engine: the endpoint (from the
 * `containerLabs.engine.host` setting, else like the docker CLI), one dockerode client,
 * ONE event stream for everything (live checks, the resource ledger), and the last health
 * report. Recreated when the endpoint setting changes.
 */
import type Dockerode from 'dockerode';
import * as vscode from 'vscode';
import { createDocker, resolveEndpoint, type EngineEndpoint } from '../core/engine/connection';
import { checkHealth, type HealthReport } from '../core/engine/health';
import { EngineEvents } from '../core/checks/events';
import { Disposable, MutableDisposable } from '../common/lifecycle';
import { logFailure, type Logger } from '../common/logger';
import { errorMessage } from '../core/text';
import { runDetached } from '../core/events';

export class EngineHub extends Disposable {
  private _endpoint: EngineEndpoint;
  private _docker: Dockerode;
  private readonly _events = this._register(new MutableDisposable<EngineEvents>());
  private readonly _eventsWatch = this._register(new MutableDisposable<{ dispose(): void }>());
  private _health: HealthReport | undefined;
  private healthRun: Promise<HealthReport> | undefined;
  private healthRunEndpoint: EngineEndpoint | undefined;

  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** Fires when the endpoint (and so the client and the event stream) was replaced. */
  readonly onDidChangeEngine = this.changed.event;
  private readonly healthChanged = this._register(new vscode.EventEmitter<HealthReport>());
  readonly onDidChangeHealth = this.healthChanged.event;

  constructor(
    private readonly logger: Logger,
    private override: string,
  ) {
    super();
    this._endpoint = resolveEndpoint({ override });
    this._docker = createDocker(this._endpoint);
    this.logger.info(`engine endpoint: ${this._endpoint.description}`);
  }

  get endpoint(): EngineEndpoint {
    return this._endpoint;
  }

  get docker(): Dockerode {
    return this._docker;
  }

  /** The one event stream (LiveCheck and the ledger start it when they first listen). */
  get events(): EngineEvents {
    let events = this._events.value;
    if (!events) {
      events = new EngineEvents(this._docker);
      this._events.value = events;
      // The stream dropping is the first sign the engine went away: check its health at once, so
      // the Docker Engine view and its fixes show (and go again when the stream is back).
      this._eventsWatch.value = events.onStatus((status) => {
        if (status.state === 'disconnected' ? this._health?.ok !== false : this._health?.ok === false) {
          runDetached(this.checkHealth(), logFailure(this.logger, `checking the engine after its event stream ${status.state === 'connected' ? 'came back' : 'dropped'}`));
        }
      });
    }
    return events;
  }

  get health(): HealthReport | undefined {
    return this._health;
  }

  /** Points at another endpoint (setting changed). */
  setOverride(override: string): void {
    if (override === this.override) {
      return;
    }
    this.override = override;
    this._endpoint = resolveEndpoint({ override });
    this._docker = createDocker(this._endpoint);
    this._events.value = undefined;
    this._eventsWatch.value = undefined;
    this._health = undefined;
    this.logger.info(`engine endpoint changed: ${this._endpoint.description}`);
    this.changed.fire();
  }

  /** A check could not reach the engine: look at its health now (once at a time), unless it is known to be down. */
  suspectEngine(): void {
    if (this._health?.ok === false) return;
    runDetached(this.checkHealth(), logFailure(this.logger, 'checking the engine after a check could not reach it'));
  }

  /**
   * While the engine is not usable, checks again every `everyMs` so the views recover by
   * themselves when Docker starts. Dispose to stop.
   */
  watchHealth(everyMs = 10_000): vscode.Disposable {
    const timer = setInterval(() => {
      if (this._health && !this._health.ok) runDetached(this.checkHealth(), logFailure(this.logger, 'checking the engine again'));
    }, everyMs);
    return new vscode.Disposable(() => clearInterval(timer));
  }

  /**
   * Runs the health check (one at a time per endpoint) and remembers its report. A check that
   * was running when the endpoint changed does not count: its report is about an endpoint no
   * longer in use (at start-up the setting can arrive while the first check runs against the
   * default socket, whose "ok" would hide the Docker Engine view), so it checks again.
   */
  checkHealth(): Promise<HealthReport> {
    if (this.healthRun && this.healthRunEndpoint === this._endpoint) {
      return this.healthRun;
    }
    const endpoint = this._endpoint;
    const run: Promise<HealthReport> = checkHealth(endpoint, { docker: this._docker })
      .then(
        (report) => report,
        (error: unknown): HealthReport => ({
          ok: false,
          problem: 'unreachable',
          message: `The health check itself failed: ${errorMessage(error)}`,
          fixes: [],
          endpoint,
          elapsedMs: 0,
        }),
      )
      .then((report) => {
        if (this.healthRun === run) {
          this.healthRun = undefined;
        }
        if (endpoint !== this._endpoint) {
          this.logger.info(`engine endpoint changed during its health check: checking ${this._endpoint.description}`);
          return this.checkHealth();
        }
        const before = this._health;
        this._health = report;
        if (report.ok) {
          this.logger.info(`engine ok: ${report.serverVersion ?? '?'} (API ${report.apiVersion ?? '?'}) in ${report.elapsedMs} ms`);
        } else {
          this.logger.warn(`engine not usable (${report.problem ?? 'unknown'}): ${report.message}`);
        }
        if (before?.ok !== report.ok || before.problem !== report.problem || before.message !== report.message) {
          this.healthChanged.fire(report);
        }
        return report;
      });
    this.healthRun = run;
    this.healthRunEndpoint = endpoint;
    return run;
  }
}
