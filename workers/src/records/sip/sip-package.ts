import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import type { BuiltSip } from './mets-builder';

export type SipOutputFormat = 'zip' | 'folder';

/**
 * The package as the National Archive's validator expects it: one folder named like the package
 * holding `mets.xml` and, in a transfer package, the folder `komponenty/`; zipped as `<name>.zip`
 * whose only entry at the top is that folder.
 */
export function zipSip(sip: BuiltSip): Uint8Array {
  const entries: Zippable = { [`${sip.name}/mets.xml`]: new TextEncoder().encode(sip.metsXml) };
  for (const f of sip.files) entries[`${sip.name}/${f.path}`] = f.content;
  return zipSync(entries, { level: 6, mtime: new Date('2000-01-01T00:00:00Z') });
}

/**
 * Writes the package into `outDir` as `<name>.zip` or the folder `<name>/`. It is written under a
 * temporary name first and renamed at the end, so a crash never leaves a half-written package
 * that looks complete. Returns the path written.
 */
export async function writeSip(sip: BuiltSip, outDir: string, format: SipOutputFormat): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const target = path.join(outDir, format === 'zip' ? `${sip.name}.zip` : sip.name);
  const temp = path.join(outDir, `.${sip.name}.${process.pid}.tmp`);
  await rm(temp, { recursive: true, force: true });
  try {
    if (format === 'zip') {
      await writeFile(temp, zipSip(sip));
    } else {
      await mkdir(temp);
      await writeFile(path.join(temp, 'mets.xml'), sip.metsXml);
      for (const f of sip.files) {
        const file = path.join(temp, f.path);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, f.content);
      }
    }
    await rm(target, { recursive: true, force: true });
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
  return target;
}
