/**
 * zod/mini, re-exported member by member so that `import * as z from '@shop/contracts/zod'` lets
 * esbuild keep only the schema builders a bundle uses (a re-exported namespace object would keep
 * all of zod, every locale included: about 420 kB per bundle). English messages are loaded once here.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
