/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    lang: import('./lib/language').Language;
    t: import('./lib/i18n').Translate;
    api: import('./lib/api-client').ApiClient;
  }
}
