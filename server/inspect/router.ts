/**
 * Side-panel endpoints that look inside one namespace on demand: listening sockets (`ss`) and
 * firewall rules (`nft`, else `iptables-save`). Mounted by the live server under /api, after auth.
 */
import { access } from 'node:fs/promises';
import express from 'express';
import type { Request, Response } from 'express';
import { isNsId } from '../../common/ids.js';
import type { ModelAccess } from '../modelAccess.js';
import { CommandError, NSENTER, runOk } from '../exec/run.js';
import { countIptablesRules, countNftRules, parseSs } from './parse.js';

const SS = '/usr/bin/ss';
const NFT = '/usr/sbin/nft';
const IPTABLES_SAVE = '/usr/sbin/iptables-save';

/** Of the model access, only the path of a namespace (nsfs mount or /proc/PID/ns/net). */
export type InspectDeps = Pick<ModelAccess, 'namespacePath'> & {
  /** Where the firewall tools are (tests point them elsewhere to check the "not installed" answer). */
  firewallTools?: { nft: string; iptablesSave: string };
};

function fail(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Resolves :id to a namespace path, answering 400/404 itself when it cannot. */
function resolve(deps: InspectDeps, req: Request, res: Response): { id: string; path: string } | null {
  const id = String(req.params.id ?? '');
  if (!isNsId(id)) {
    fail(res, 400, 'bad_id', 'namespace id must look like ns-<inode>');
    return null;
  }
  const path = deps.namespacePath(id);
  if (!path) {
    fail(res, 404, 'not_found', `no namespace ${id}`);
    return null;
  }
  return { id, path };
}

function inNs(path: string, file: string, args: string[]): [string, string[]] {
  return [NSENTER, [`--net=${path}`, file, ...args]];
}

function commandFailed(res: Response, e: unknown): void {
  // A namespace that vanished between listing and inspecting is the common case here.
  const message = e instanceof CommandError ? e.message : String(e);
  fail(res, 502, 'command_failed', message);
}

export function inspectRouter(deps: InspectDeps): express.Router {
  const router = express.Router();

  router.get('/namespaces/:id/sockets', async (req, res) => {
    const ns = resolve(deps, req, res);
    if (!ns) return;
    try {
      const stdout = await runOk(...inNs(ns.path, SS, ['-Hltnup']));
      res.json({ namespace: ns.id, sockets: parseSs(stdout) });
    } catch (e) {
      commandFailed(res, e);
    }
  });

  router.get('/namespaces/:id/firewall', async (req, res) => {
    const ns = resolve(deps, req, res);
    if (!ns) return;
    try {
      const { nft, iptablesSave } = deps.firewallTools ?? { nft: NFT, iptablesSave: IPTABLES_SAVE };
      if (await exists(nft)) {
        const [jsonText, text] = await Promise.all([
          runOk(...inNs(ns.path, nft, ['-j', 'list', 'ruleset'])),
          runOk(...inNs(ns.path, nft, ['list', 'ruleset'])),
        ]);
        const json: unknown = jsonText.trim() ? JSON.parse(jsonText) : { nftables: [] };
        res.json({ namespace: ns.id, tool: 'nft', text, json, rules: countNftRules(json) });
      } else if (!(await exists(iptablesSave))) {
        // Say so plainly instead of passing on nsenter's "cannot exec" error.
        const text = `neither nft nor iptables-save is installed (${nft}, ${iptablesSave})`;
        res.json({ namespace: ns.id, tool: 'none', text, json: null, rules: 0 });
      } else {
        const text = await runOk(...inNs(ns.path, iptablesSave, []));
        res.json({ namespace: ns.id, tool: 'iptables', text, json: null, rules: countIptablesRules(text) });
      }
    } catch (e) {
      commandFailed(res, e);
    }
  });

  return router;
}
