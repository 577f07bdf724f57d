/**
 * Commands are called from the tree (with a node), from the webview and tests (with ids),
 * and from the palette (with nothing): turn any of these into a step or lab reference,
 * and refuse anything else.
 */
import type { LabsNode } from '../tree/nodes';
import type { StepRef } from './types';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isNode(value: unknown): value is LabsNode {
  return isObject(value) && typeof value.kind === 'string' && ['course', 'lab', 'step', 'broken'].includes(value.kind);
}

export function isStepNode(value: unknown): boolean {
  return isNode(value) && value.kind === 'step';
}

/** (labId, stepId) | (StepNode) | ({labId, stepId}) -> StepRef; a LabNode gives no step. */
export function stepRefFrom(args: readonly unknown[]): StepRef | undefined {
  const [first, second] = args;
  if (isNode(first)) {
    return first.kind === 'step' ? { labId: first.parent.lab.id, stepId: first.step.id } : undefined;
  }
  if (typeof first === 'string' && typeof second === 'string') {
    return { labId: first, stepId: second };
  }
  if (isObject(first) && typeof first.labId === 'string' && typeof first.stepId === 'string') {
    return { labId: first.labId, stepId: first.stepId };
  }
  return undefined;
}

/** (labId) | (LabNode | StepNode) | ({labId}) -> lab id. */
export function labIdFrom(args: readonly unknown[]): string | undefined {
  const [first] = args;
  if (isNode(first)) {
    if (first.kind === 'lab') return first.lab.id;
    if (first.kind === 'step') return first.parent.lab.id;
    return undefined;
  }
  if (typeof first === 'string') return first;
  if (isObject(first) && typeof first.labId === 'string') return first.labId;
  return undefined;
}
