// Owns the moderation console's UI strings (zh-CN first; en follows the same keys), kept apart from the
// reader tables. The console page hands the client its table, like the article page does. The tables
// themselves live in admin.zh-CN.ts and admin.en.ts.
import { adminEn } from './admin.en';
import { adminZhCN, type AdminStrings } from './admin.zh-CN';

export type { AdminStringKey, AdminStrings } from './admin.zh-CN';

export const ADMIN_STRINGS: Record<'zh-CN' | 'en', AdminStrings> = { 'zh-CN': adminZhCN, en: adminEn };

export function adminStrings(lang: 'zh-CN' | 'en' = 'zh-CN'): AdminStrings {
  return ADMIN_STRINGS[lang];
}
