/**
 * zod probes for eval support with `new Function` when a schema is built, which the page's CSP
 * (script-src 'self') refuses and reports as a violation: it is told to validate without
 * generated code. Imported first by main.tsx, before any module that builds a schema.
 */
import { config } from 'zod';

config({ jitless: true });
