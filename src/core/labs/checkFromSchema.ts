/**
 * A check as the schema types it (one object with an optional key per kind, exactly one of them
 * present once validated) turned into the model's union of one-key objects. One entry per kind,
 * each type-checked: a kind of the schema the model lacks, or a body that differs, fails tsc.
 */
import type { Check, CheckKind } from '../model';
import type { CheckOf } from '../checks/kind';
import { isCheckKind } from '../checks/kind';
import type { RawCheck } from './schema';

type Converters = { [K in CheckKind]: (body: NonNullable<RawCheck[K]>) => CheckOf<K> };

const FROM_SCHEMA: Converters = {
  all: (parts) => ({ all: parts.map(checkFromSchema) }),
  any: (parts) => ({ any: parts.map(checkFromSchema) }),
  not: (part) => ({ not: checkFromSchema(part) }),
  image: (image) => ({ image }),
  imageAbsent: (imageAbsent) => ({ imageAbsent }),
  container: (container) => ({ container }),
  containerAbsent: (containerAbsent) => ({ containerAbsent }),
  port: (port) => ({ port }),
  http: (http) => ({ http }),
  mount: (mount) => ({ mount }),
  file: (file) => ({ file }),
  logs: (logs) => ({ logs }),
  env: (env) => ({ env }),
  volume: (volume) => ({ volume }),
  volumeAbsent: (volumeAbsent) => ({ volumeAbsent }),
  network: (network) => ({ network }),
  networkAbsent: (networkAbsent) => ({ networkAbsent }),
};

function convert<K extends CheckKind>(kind: K, body: NonNullable<RawCheck[K]>): CheckOf<K> {
  return FROM_SCHEMA[kind](body);
}

/**
 * The model's check for a schema-valid one, as a copy. Throws on an object that does not name
 * exactly one kind (the schema rejects those, so it means the data was not validated).
 */
export function checkFromSchema(raw: RawCheck): Check {
  const kinds = Object.keys(raw).filter(isCheckKind);
  const kind = kinds[0];
  if (kind === undefined || kinds.length !== 1) {
    throw new Error(`a check names exactly one kind, found ${kinds.join(', ') || 'none'}`);
  }
  const body = raw[kind];
  if (body === undefined) throw new Error(`the check's ${kind} is empty`);
  return structuredClone(convert(kind, body));
}
