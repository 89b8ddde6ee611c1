import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { TFunction } from 'i18next';
import type { Language } from '../i18n';
import { LANGUAGES } from '../i18n';
import type { SessionUser } from '../http';

export interface PageContext {
  lng: Language;
  t: TFunction;
  user?: SessionUser;
  /** path + query of the current page, for the language switch */
  currentPath: string;
}

export type Renderer = (view: string, page: PageContext, data: Record<string, unknown>) => string;

/** Compiles `views/*.hbs` once; every page is rendered into `layout.hbs`. */
export function createRenderer(viewsDir: string): Renderer {
  const hbs = Handlebars.create();
  hbs.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
    const t = (options.data.root as { _t: TFunction })._t;
    return t(key, options.hash) as string;
  });
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // joins strings, e.g. a translation key built from a state: (concat "records:fileStates." state)
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  hbs.registerHelper('json', (v: unknown) =>
    // safe inside <script type="application/json">: no "</script>" or HTML comment openers survive
    new Handlebars.SafeString(JSON.stringify(v ?? null).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')),
  );
  hbs.registerHelper('date', function (this: unknown, v: unknown, options: Handlebars.HelperOptions) {
    if (!v) return '';
    const lng = (options.data.root as { lng: Language }).lng;
    const d = new Date(v as string);
    if (Number.isNaN(d.getTime())) return '';
    return new Intl.DateTimeFormat(lng === 'uk' ? 'uk-UA' : lng === 'en' ? 'en-GB' : 'cs-CZ', {
      dateStyle: 'medium',
      ...(options.hash.time ? { timeStyle: 'short' } : {}),
      timeZone: 'Europe/Prague',
    }).format(d);
  });
  // whether the signed-in user has one of the roles, e.g. (anyRole user "podatelna" "admin")
  hbs.registerHelper('anyRole', (user: SessionUser | undefined, ...args: unknown[]) => !!user && args.slice(0, -1).some((r) => user.roles.includes(String(r))));
  hbs.registerHelper('bytes', (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} kB`));

  const templates = new Map<string, Handlebars.TemplateDelegate>();
  for (const file of fs.readdirSync(viewsDir).filter((f) => f.endsWith('.hbs'))) {
    if (file.startsWith('_')) {
      // `_case-body.hbs` is the partial `caseBody`
      const name = file.slice(1, -4).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
      hbs.registerPartial(name, fs.readFileSync(path.join(viewsDir, file), 'utf8'));
      continue;
    }
    templates.set(file.slice(0, -4), hbs.compile(fs.readFileSync(path.join(viewsDir, file), 'utf8'), { strict: false }));
  }
  const layout = templates.get('layout');
  if (!layout) throw new Error(`layout.hbs missing in ${viewsDir}`);

  return (view, page, data) => {
    const template = templates.get(view);
    if (!template) throw new Error(`view ${view} missing`);
    const base = page.currentPath.replace(/([?&])lang=[^&]*&?/, '$1').replace(/[?&]$/, '');
    const root = {
      ...data,
      _t: page.t,
      lng: page.lng,
      user: page.user,
      languages: LANGUAGES.map((code) => ({
        code,
        name: page.t(`common:languageNames.${code}`),
        href: `${base}${base.includes('?') ? '&' : '?'}lang=${code}`,
        current: code === page.lng,
      })),
    };
    const body = template(root);
    return layout({ ...root, body: new Handlebars.SafeString(body) });
  };
}
