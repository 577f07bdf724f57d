/**
 * The ids of the bundled course (the extension's labs/ folder): a workshop lab or course with
 * one of them would clash in the extension, so `validate` reports it. The build writes them
 * into the bundle (scripts/build.mjs, `__BUNDLED_IDS__`); run from a checkout, they are read
 * from the labs/ folder of the repository.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { loadCatalog, type ReservedId } from '../core/labs/loader';

declare const __BUNDLED_IDS__: string | undefined;

export async function bundledIds(): Promise<ReservedId[]> {
  if (typeof __BUNDLED_IDS__ === 'string') return JSON.parse(__BUNDLED_IDS__) as ReservedId[];
  // From a checkout: out/src/cli -> the repository's labs/.
  const folder = [path.resolve(__dirname, '../../../labs'), path.resolve(__dirname, '../labs')].find((d) => existsSync(path.join(d, 'containers.course.yaml')));
  if (!folder) return [];
  const catalog = await loadCatalog([{ path: folder, origin: 'bundled' }]);
  return [
    ...catalog.labs.map((l) => ({ id: l.id, kind: 'lab' as const, file: path.basename(l.source.file) })),
    ...catalog.courses.map((c) => ({ id: c.id, kind: 'course' as const, file: path.basename(c.source.file) })),
  ];
}
