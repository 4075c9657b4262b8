// First: zod must be told before any schema is built (imports below build some).
import './zodJitless.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import './canvas/canvas.css';
import './panel/panel.css';
import { App } from './App.js';
import { installPerfHook } from './perf/hook.js';
import { startPage } from './wiring.js';

const root = document.getElementById('root');
if (!root) throw new Error('missing #root');
// The connection lives outside React so StrictMode's double effects cannot open two sockets.
installPerfHook();
startPage();
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
