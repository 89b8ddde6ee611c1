import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from 'bpmn-engine';
import { describe, expect, it } from 'vitest';
import { parseBpmn } from './bpmn-model';
import { compiledContext, definitionOptions } from './compiled-context';

const bench = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../bench/fixtures/bench-three-tasks.bpmn'), 'utf8');

describe('compiledContext', () => {
  it('compiles a definition once and hands the same compiled form to every engine object', async () => {
    const { moddleContext } = await parseBpmn(bench);
    const first = compiledContext(moddleContext);
    // with the bpmn-engine this project pins, the compiled form is found (else every object would compile its own)
    expect(first).toBeTypeOf('object');
    expect(compiledContext(moddleContext)).toBe(first);
    expect(definitionOptions(moddleContext)).toEqual({ sourceContext: first });
  });

  it('runs two engine objects from the one compiled form, each to its own end', async () => {
    const { moddleContext } = await parseBpmn(bench);
    const run = () => new Promise<string[]>((resolve, reject) => {
      const left: string[] = [];
      const engine = new Engine({
        ...definitionOptions(moddleContext),
        extensions: {
          now(activity: { type: string; behaviour: Record<string, unknown> }) {
            if (activity.type === 'bpmn:ServiceTask') activity.behaviour.Service = class { execute(_m: unknown, cb: (e: null) => void) { cb(null); } };
          },
        },
      } as unknown as ConstructorParameters<typeof Engine>[0]);
      engine.broker.subscribeTmp('event', 'activity.end', (_k: string, msg: { content?: { id?: string } }) => left.push(String(msg.content?.id)), { noAck: true });
      engine.once('end', () => resolve(left));
      engine.once('error', reject);
      engine.execute().catch(reject);
    });
    const [a, b] = await Promise.all([run(), run()]);
    expect(a).toEqual(b);
    expect(a.filter((id) => !id.startsWith('Flow'))).toHaveLength(5); // start, three tasks, end
  });
});
