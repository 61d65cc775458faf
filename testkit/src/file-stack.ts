import { afterAll, beforeAll } from 'vitest';

import { serviceContainerId } from './docker.ts';
import { startStack, type Stack, type StackOptions } from './stack.ts';

export interface FileStack {
  /** The running stack; available in tests and hooks, after the file's beforeAll. */
  readonly stack: Stack;
  /** The container id of one of the stack's compose services. */
  container: (service: string) => Promise<string>;
}

/** The compose stack of one test file: started before its tests, removed after them. */
export function stackForFile(options: StackOptions): FileStack {
  let started: Stack | undefined;
  beforeAll(async () => {
    started = await startStack(options);
  });
  afterAll(async () => {
    await started?.down();
  });
  const current = (): Stack => {
    if (started === undefined) throw new Error('the stack is only available once beforeAll has started it');
    return started;
  };
  return {
    get stack() {
      return current();
    },
    container: (service) => serviceContainerId(current().projectName, service),
  };
}
