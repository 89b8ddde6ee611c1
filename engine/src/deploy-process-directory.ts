import fs from 'node:fs/promises';
import path from 'node:path';
import type { DeployedProcess, EnginePort } from './port';

/**
 * Deploys every `.bpmn` under dir (recursively) in one deployment. The engine versions by content:
 * unchanged XML keeps its version, changed XML becomes a new one, running instances stay put.
 */
export async function deployProcessDirectory(engine: EnginePort, dir: string): Promise<DeployedProcess[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.bpmn'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  if (!files.length) return [];
  const resources = await Promise.all(files.map(async (file) => ({ name: path.relative(dir, file), content: await fs.readFile(file, 'utf8') })));
  return engine.deploy(resources);
}
