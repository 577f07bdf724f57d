/** The nodes of the Labs tree: courses > labs > steps, plus lab files that failed to load. */
import type { BrokenLab, Course, Lab, Step } from '../core/model';

export interface CourseNode {
  readonly kind: 'course';
  readonly course: Course;
}

export interface LabNode {
  readonly kind: 'lab';
  readonly lab: Lab;
  readonly parent: CourseNode | undefined;
}

export interface StepNode {
  readonly kind: 'step';
  readonly step: Step;
  readonly index: number;
  readonly parent: LabNode;
}

export interface BrokenNode {
  readonly kind: 'broken';
  readonly broken: BrokenLab;
}

export type LabsNode = CourseNode | LabNode | StepNode | BrokenNode;

export function nodeId(node: LabsNode): string {
  switch (node.kind) {
    case 'course':
      return `course:${node.course.id}`;
    case 'lab':
      return `lab:${node.lab.id}`;
    case 'step':
      return `step:${node.parent.lab.id}/${node.step.id}`;
    case 'broken':
      return `broken:${node.broken.file}`;
  }
}
