import { listDocumentTemplates, renderTemplatePreview, type WorkersConfig } from '@openspis/workers';
import { AppError } from '../app-error';
import type { SessionUser } from '../http';

/** Who may preview document templates: the people who draft documents and the administrator. */
export const TEMPLATE_PREVIEW_ROLES = ['referent', 'vedouci', 'admin'];

export type DocumentTemplatesConfig = Pick<WorkersConfig, 'templatesDir' | 'localesDir' | 'officeName'>;

export function mayPreviewTemplates(user: SessionUser): boolean {
  return user.roles.some((r) => TEMPLATE_PREVIEW_ROLES.includes(r));
}

export function templateList(config: DocumentTemplatesConfig): string[] {
  return listDocumentTemplates(config);
}

/** The HTML preview of one document template with its fixture data, in the clerk's language. */
export function templatePreview(config: DocumentTemplatesConfig, name: string, lng: string): { title: string; html: string } {
  if (!listDocumentTemplates(config).includes(name)) throw new AppError('NOT_FOUND');
  return renderTemplatePreview(config, { template: name, locale: lng });
}
