/** ELK running in a web worker, so laying out hundreds of boxes never freezes the page. */
import ELK from 'elkjs/lib/elk-api.js';
import workerUrl from 'elkjs/lib/elk-worker.min.js?url';

export const elkEngine = new ELK({ workerUrl });
