import { config } from './config';
import { createApiClient } from './lib/api-client';
import { createTranslator } from './lib/i18n';

// Process-wide singletons built from the configuration at start-up.
export const api = createApiClient({ baseUrl: config.apiUrl, timeoutMs: config.apiTimeoutMs });
export const translatorFor = await createTranslator(config.i18nDir);
