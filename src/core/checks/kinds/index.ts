/**
 * The check kinds, one entry each: a kind of the model with no entry here, or an entry whose
 * body type differs from the model's, fails to compile.
 */
import type { CheckKind } from '../../model';
import type { CheckBodies } from '../kind';
import { all } from './all';
import { any } from './any';
import { container } from './container';
import { containerAbsent } from './containerAbsent';
import { env } from './env';
import { file } from './file';
import { http } from './http';
import { image } from './image';
import { imageAbsent } from './imageAbsent';
import { logs } from './logs';
import { mount } from './mount';
import { network, networkAbsent } from './network';
import { not } from './not';
import { port } from './port';
import type { CheckKindSpec } from './spec';
import { volume } from './volume';
import { volumeAbsent } from './volumeAbsent';

export type CheckKindTable = { [K in CheckKind]: CheckKindSpec<CheckBodies[K]> };

export const CHECK_KIND_TABLE: CheckKindTable = {
  all,
  any,
  not,
  image,
  imageAbsent,
  container,
  containerAbsent,
  port,
  http,
  mount,
  file,
  logs,
  env,
  volume,
  volumeAbsent,
  network,
  networkAbsent,
};

/** The spec of one kind, typed for that kind's body. */
export function specOf<K extends CheckKind>(kind: K): CheckKindSpec<CheckBodies[K]> {
  return CHECK_KIND_TABLE[kind];
}
