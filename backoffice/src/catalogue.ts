import fs from 'node:fs';
import path from 'node:path';
import { CLASS_CODE, ORG_UNIT_CODE } from '@openspis/workers';
import { z } from 'zod';

/** A form-js component, as far as the back-office reads it. */
export interface FormComponent {
  id?: string;
  key?: string;
  type: string;
  label?: string;
  description?: string;
  text?: string;
  validate?: { required?: boolean; minLength?: number; maxLength?: number; pattern?: string; validationType?: string };
  components?: FormComponent[];
  values?: { label: string; value: string }[];
  [k: string]: unknown;
}
export interface FormSchema {
  id: string;
  type: string;
  components: FormComponent[];
  [k: string]: unknown;
}

const localized = z.object({ cs: z.string(), en: z.string(), uk: z.string() });
const serviceSchema = z.object({
  code: z.string().min(1),
  bpmnProcessId: z.string().min(1),
  submissionFormId: z.string().min(1),
  maturityLevel: z.number().optional(),
  name: localized,
  summary: localized,
  description: localized,
  whoCanApply: localized,
  whatYouNeed: localized,
  legalBasis: localized,
  deadline: z.object({ days: z.number().nullable(), text: localized }).nullable(),
  fee: z.unknown(),
  statuses: z.record(z.string(), localized),
  /**
   * Where the service's submissions are filed when registered: the file-plan class of their new
   * file (its retention comes from the class) and the organisational unit that handles them. The
   * class must also exist in the plan valid on the day of receipt — checked when registering.
   */
  filing: z.object({ classCode: z.string().regex(CLASS_CODE), orgUnit: z.string().regex(ORG_UNIT_CODE) }),
});
export type ServiceEntry = z.infer<typeof serviceSchema>;
export type Localized = z.infer<typeof localized>;

export interface Catalogue {
  services: ServiceEntry[];
  forms: Map<string, FormSchema>;
  service(code: string): ServiceEntry | undefined;
  form(id: string): FormSchema | undefined;
  /** a status label in every language, from whichever service defines it */
  statusLabel(serviceCode: string, status: string): Localized | undefined;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

export function createCatalogue(services: ServiceEntry[], forms: FormSchema[]): Catalogue {
  const byCode = new Map(services.map((s) => [s.code, s]));
  const formMap = new Map(forms.map((f) => [f.id, f]));
  return {
    services,
    forms: formMap,
    service: (code) => byCode.get(code),
    form: (id) => formMap.get(id),
    statusLabel: (code, status) => byCode.get(code)?.statuses[status],
  };
}

/** Reads every `processes/*\/catalogue.json` and `processes/**\/*.form`; fails fast on a bad entry. */
export function loadCatalogue(processesDir: string): Catalogue {
  const files = walk(processesDir);
  const services: ServiceEntry[] = [];
  const forms: FormSchema[] = [];
  for (const file of files) {
    if (path.basename(file) === 'catalogue.json') {
      const parsed = serviceSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (!parsed.success) throw new Error(`Invalid catalogue entry ${file}: ${parsed.error.message}`);
      services.push(parsed.data);
    } else if (file.endsWith('.form')) {
      const form = JSON.parse(fs.readFileSync(file, 'utf8')) as FormSchema;
      if (typeof form.id !== 'string' || !Array.isArray(form.components)) throw new Error(`Invalid form ${file}`);
      forms.push(form);
    }
  }
  services.sort((a, b) => a.code.localeCompare(b.code));
  return createCatalogue(services, forms);
}
