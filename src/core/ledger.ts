/**
 * The resource ledger: what a lab CREATED in the engine, each thing with why it is the lab's,
 * so that "Clean up this lab" (the extension) and `container-labs test` (the CLI) remove
 * exactly that and nothing else. Which things get in is decided in one place,
 * `runtime/ownership.ts` (the ownership rule, docs/ownership.md); the ledger only keeps them.
 *
 * Each entry is one thing by its identity, not by its name alone: a container by id, a
 * volume by name and creation time, a network by id, an image reference with the image it
 * pointed to. A name the user re-uses later for something of their own is not the lab's thing.
 *
 * It is plain data (`toJSON` / `ResourceLedger.fromJSON`), so the extension keeps one per lab
 * in its global state. No `vscode` import.
 */

export const LEDGER_VERSION = 2;

export type OwnedKind = 'container' | 'volume' | 'network' | 'image';

/** One thing the lab created. */
export interface LedgerEntry {
  kind: OwnedKind;
  /** Container id, volume name, network id, or the normalised image reference. */
  id: string;
  /** What people call it: container name, volume name, network name, image reference. */
  name: string;
  /** Unix ms when it was created (for an image reference: when the lab's command made it). */
  createdAt: number;
  /** The lab command that created it, as it ran (placeholders filled). */
  command: string;
  /**
   * How it is known to be the lab's: `named` (the command names it), `generated` (the engine
   * made up its name; the command's arguments match the container's), `with-container` (an
   * anonymous volume the lab's container `container` came with).
   */
  via: 'named' | 'generated' | 'with-container';
  /** For an anonymous volume: the id of the container it came with. */
  container?: string;
  /** For an image reference: the image id it pointed to when the lab made it. */
  imageId?: string;
}

export interface LedgerJson {
  version: typeof LEDGER_VERSION;
  labId: string;
  /** Unix ms when the ledger began. */
  startedAt: number;
  entries: LedgerEntry[];
}

const KINDS: readonly OwnedKind[] = ['container', 'volume', 'network', 'image'];
const VIAS: readonly LedgerEntry['via'][] = ['named', 'generated', 'with-container'];

function keyOf(kind: OwnedKind, id: string): string {
  return `${kind}\u0000${id}`;
}

export class ResourceLedger {
  private readonly entries = new Map<string, LedgerEntry>();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    readonly labId: string,
    readonly startedAt: number = Date.now(),
  ) {}

  /** Reads a ledger back from `toJSON()`'s output; throws on anything else (an older version's ledger is not trusted). */
  static fromJSON(value: unknown): ResourceLedger {
    if (typeof value !== 'object' || value === null) throw new Error('ledger: not an object');
    const v = value as Record<string, unknown>;
    if (v.version !== LEDGER_VERSION) {
      throw new Error(`ledger: version ${String(v.version)} was recorded under an older ownership rule and is not trusted`);
    }
    if (typeof v.labId !== 'string') throw new Error('ledger: labId must be a string');
    if (typeof v.startedAt !== 'number' || !Number.isFinite(v.startedAt)) throw new Error('ledger: startedAt must be a number');
    if (!Array.isArray(v.entries)) throw new Error('ledger: entries must be a list');
    const ledger = new ResourceLedger(v.labId, v.startedAt);
    for (const raw of v.entries) ledger.add(parseEntry(raw));
    return ledger;
  }

  toJSON(): LedgerJson {
    return { version: LEDGER_VERSION, labId: this.labId, startedAt: this.startedAt, entries: this.list().map((e) => ({ ...e })) };
  }

  /** Adds a thing; false when it is already there. */
  add(entry: LedgerEntry): boolean {
    const key = keyOf(entry.kind, entry.id);
    if (this.entries.has(key)) return false;
    this.entries.set(key, { ...entry });
    return true;
  }

  has(kind: OwnedKind, id: string): boolean {
    return this.entries.has(keyOf(kind, id));
  }

  /** Every entry, in the order they were recorded. */
  list(): LedgerEntry[] {
    return [...this.entries.values()].map((e) => ({ ...e }));
  }

  get isEmpty(): boolean {
    return this.entries.size === 0;
  }

  /** Forgets things (clean-up removed them or found them gone). */
  forget(items: Iterable<{ kind: OwnedKind; id: string }>): void {
    for (const item of items) this.entries.delete(keyOf(item.kind, item.id));
  }

  /** Keeps a decision still being made (an engine lookup) so that `settled()` can wait for it. */
  track(work: Promise<unknown>): void {
    const tracked = work.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(tracked);
    const forget = (): void => {
      this.pending.delete(tracked);
    };
    tracked.then(forget, forget);
  }

  /** Resolves once every decision still being made about an engine event is done. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

function parseEntry(raw: unknown): LedgerEntry {
  if (typeof raw !== 'object' || raw === null) throw new Error('ledger: an entry is not an object');
  const r = raw as Record<string, unknown>;
  const kind = KINDS.find((k) => k === r.kind);
  const via = VIAS.find((k) => k === r.via);
  if (!kind) throw new Error(`ledger: unknown kind ${String(r.kind)}`);
  if (!via) throw new Error(`ledger: unknown via ${String(r.via)}`);
  for (const key of ['id', 'name', 'command'] as const) {
    if (typeof r[key] !== 'string' || r[key] === '') throw new Error(`ledger: an entry's ${key} must be a non-empty string`);
  }
  if (typeof r.createdAt !== 'number' || !Number.isFinite(r.createdAt)) throw new Error('ledger: an entry\'s createdAt must be a number');
  const entry: LedgerEntry = { kind, id: String(r.id), name: String(r.name), createdAt: r.createdAt, command: String(r.command), via };
  if (typeof r.container === 'string') entry.container = r.container;
  if (typeof r.imageId === 'string') entry.imageId = r.imageId;
  return entry;
}
