import type { Actor } from '@openspis/workers';

// What the forms of the records pages share: the role check, reading a field, and a refused form's messages.

/** Whether the actor has one of the roles. */
export function hasAny(actor: Actor, roles: readonly string[]): boolean {
  return actor.roles.some((r) => roles.includes(r));
}

/** A form value as typed, without the spaces around it (a repeated or missing field is empty). */
export function formText(body: unknown, name: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.trim() : '';
}

/** A refused form's messages: the summary (the element each one is about) and the message beside each field. */
export interface FormErrors {
  errors: { target: string; message: string }[];
  fields: Record<string, string>;
}

/** Adds a message about a field to the summary and beside the field. */
export function fieldError(f: FormErrors, field: string, message: string): void {
  f.errors.push({ target: field, message });
  f.fields[field] = message;
}
