/** One lab command's ownership window on the real engine, for the ownership tests. */
import type Dockerode from 'dockerode';
import { ResourceLedger } from '../../src/core/ledger';
import { CommandWindows, dockerLookup, LabClaims } from '../../src/core/runtime/ownership';
import { OwnershipRecorder } from '../../src/core/runtime/recorder';

export interface LabCommand {
  ledger: ResourceLedger;
  recorder: OwnershipRecorder;
  /** The command ends (its window then closes after a 500 ms tail). */
  end: () => void;
  dispose: () => void;
}

/** The lab command `text` has begun (its window is ready); events go to `recorder.handle` by hand. */
export async function beginLabCommand(docker: Dockerode, text: string): Promise<LabCommand> {
  const ledger = new ResourceLedger('lab', Date.now());
  const windows = new CommandWindows({ tailMs: 500 });
  const lookup = dockerLookup(docker);
  const recorder = new OwnershipRecorder({ ledger, windows, lookup });
  try {
    const { window, end } = windows.begin(text, 'sent', new LabClaims([text]), lookup);
    await window.ready;
    return { ledger, recorder, end, dispose: () => recorder.dispose() };
  } catch (error) {
    recorder.dispose();
    throw error;
  }
}
