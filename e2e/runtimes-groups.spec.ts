/**
 * Issue 14 on the page, against real runtimes: a private containerd (two compose-labelled
 * containers in `default`, a CRI pod with two members in `k8s.io`) and rootful podman (a pod with
 * one member). The group filter lists each compose project, Kubernetes namespace and podman pod as
 * the runtimes themselves label them (`ctr container info`, `podman ps --pod`); picking one shows
 * only its boxes, with the names, pod title and image the runtimes give; a stopped container goes.
 * This spec runs its own server (the shared one cannot be pointed at a private containerd).
 */
// Playwright's own `test`: the fixtures' `test` starts the shared server for every test, and this
// spec needs only its own.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { createDiscovery, namespacePath } from '../server/discovery/index.js';
import { startServer } from '../server/serve.js';
import type { RunningServer } from '../server/serve.js';
import { testServeOptions } from '../server/testing/liveServer.js';
import type { ContainerdHarness, PodmanHarness } from '../test/runtimes.js';
import { busyboxRootfs, runtimesMissing, startContainerd, startPodman } from '../test/runtimes.js';
import { REPO_ROOT, cleanupPrefix, runShell, uniquePrefix } from './fixtures.js';

const P = uniquePrefix('pg');
const ROOTFS = `/tmp/${P}-rootfs`;
const TOKEN = `runtime-groups-${P}-0123456789abcdef`;
const K8S_NS = `${P}team`;
const POD = `${P}cart`;
const PODMAN_POD = `${P}pp`;
let cd: ContainerdHarness | null = null;
let pm: PodmanHarness | null = null;
let srv: RunningServer | null = null;

const labelArgs = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `--label ${k}=${v}`)
    .join(' ');

const podLabels = (kind: string, container?: string) => ({
  'io.kubernetes.pod.name': POD,
  'io.kubernetes.pod.namespace': K8S_NS,
  'io.cri-containerd.kind': kind,
  ...(container ? { 'io.kubernetes.container.name': container } : {}),
});

async function ctrLabels(ns: string, id: string): Promise<Record<string, string>> {
  return (JSON.parse(await cd!.ctr(ns, `container info ${id}`)) as { Labels: Record<string, string> }).Labels;
}

interface PodmanPs {
  Names: string[];
  Image: string;
  PodName: string;
  IsInfra: boolean;
}

test.describe.configure({ timeout: 240_000 });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const missing = runtimesMissing();
  if (missing) throw new Error(missing);
  await busyboxRootfs(ROOTFS);
  cd = await startContainerd(P);
  pm = await startPodman(P);
  for (const svc of ['web', 'db']) {
    const labels = {
      'nerdctl/name': `${P}${svc}`,
      'com.docker.compose.project': `${P}shop`,
      'com.docker.compose.service': svc,
    };
    await cd.ctr('default', `run -d ${labelArgs(labels)} --rootfs ${ROOTFS} ${P}${svc} /bin/sleep 3600`);
  }
  await cd.ctr(
    'k8s.io',
    `run -d ${labelArgs(podLabels('sandbox'))} --rootfs ${ROOTFS} ${P}sbx /bin/sleep 3600`,
  );
  const sbx = await cd.taskPid('k8s.io', `${P}sbx`);
  for (const c of ['api', 'side']) {
    await cd.ctr(
      'k8s.io',
      `run -d ${labelArgs(podLabels('container', c))} --with-ns network:/proc/${sbx}/ns/net --rootfs ${ROOTFS} ${P}${c} /bin/sleep 3600`,
    );
  }
  await runShell(
    `tar -C ${ROOTFS} -c . | CONTAINERS_CONF=/tmp/${P}-podman/containers.conf /usr/bin/podman ${pm.globalArgs.join(' ')} import --change 'CMD ["/bin/sleep","3600"]' - ${P}img >/dev/null`,
  );
  await pm.podman(`pod create --name ${PODMAN_POD} --network none --infra-image localhost/${P}img:latest`);
  await pm.podman(`run -d --pod ${PODMAN_POD} --name ${P}pmweb localhost/${P}img:latest`);
  srv = await startServer(
    testServeOptions(TOKEN, {
      readOnly: true,
      readOnlyReason: 'test',
      staticDir: `${REPO_ROOT}/dist/client`,
    }),
    {
      discovery: createDiscovery({
        runtimes: { containerdSocket: cd.socket, podman: { cliArgs: pm.globalArgs } },
      }),
      namespacePath,
      runtimeEvents: { containerdSocket: cd.socket },
      log: () => undefined,
    },
  );
});

test.afterAll(async () => {
  test.setTimeout(240_000);
  await srv?.close();
  await cd?.stop();
  await pm?.stop();
  await cleanupPrefix(P);
  await runShell(`rm -rf ${ROOTFS}`);
});

async function pick(page: Page, group: string): Promise<void> {
  const filter = page.getByTestId('group-filter');
  await expect(filter.locator('option', { hasText: group })).toHaveCount(1, { timeout: 60_000 });
  const value = await filter.locator('option', { hasText: group }).getAttribute('value');
  await filter.selectOption(value!);
}

test('group filter and names come from the runtimes, and a stopped container goes', async ({ browser }) => {
  const page = await browser.newPage();
  try {
    await page.goto(`${srv!.origin}/?token=${TOKEN}`);

    // The runtimes' own view of the groups and names.
    const web = await ctrLabels('default', `${P}web`);
    const db = await ctrLabels('default', `${P}db`);
    const compose = `compose ${web['com.docker.compose.project']}`;
    expect(db['com.docker.compose.project']).toBe(web['com.docker.compose.project']);
    const api = await ctrLabels('k8s.io', `${P}api`);
    const side = await ctrLabels('k8s.io', `${P}side`);
    const ps = JSON.parse(await pm!.podman('ps --pod --format json')) as PodmanPs[];
    const member = ps.find((c) => !c.IsInfra)!;

    // Compose project: exactly its two containers' boxes, each named by nerdctl's label.
    await pick(page, compose);
    await expect(page).toHaveURL(new RegExp(`#group=${encodeURIComponent(compose).replace(/%20/g, '\\+')}`));
    const boxes = page.getByTestId('ns-box');
    await expect(boxes).toHaveCount(2);
    await expect
      .poll(async () => (await page.getByTestId('ns-container').allInnerTexts()).sort())
      .toEqual([web['nerdctl/name'], db['nerdctl/name']].sort().map((n) => `containerd: ${n}`));
    await expect(page.getByTestId('ns-group')).toHaveText([compose, compose]);
    await expect(page.locator(`[data-testid="group-frame"][data-group="${compose}"]`)).toHaveCount(1);

    // Kubernetes namespace: one box for the pod, titled namespace/pod, its members but not the sandbox.
    await pick(page, `k8s ns ${api['io.kubernetes.pod.namespace']}`);
    await expect(boxes).toHaveCount(1);
    await expect(page.getByTestId('ns-name')).toHaveText(
      `${api['io.kubernetes.pod.namespace']}/${api['io.kubernetes.pod.name']}`,
    );
    const members = [api['io.kubernetes.container.name'], side['io.kubernetes.container.name']].sort();
    await expect(page.getByTestId('ns-container')).toHaveText(`kubernetes: ${members.join(', ')}`);

    // podman pod: its member's name and image as podman ps says, the infra container not listed.
    await pick(page, `pod ${member.PodName}`);
    await expect(boxes).toHaveCount(1);
    await expect(page.getByTestId('ns-container')).toHaveText(`podman: ${member.Names[0]} · ${member.Image}`);
    await boxes.first().click();
    await expect(page.getByTestId('containers')).toContainText(`pod ${member.PodName}`);

    // A stopped container goes from its group (containerd's event stream drives the refresh).
    await pick(page, compose);
    await expect(boxes).toHaveCount(2);
    await cd!.remove('default', `${P}db`);
    await expect(boxes).toHaveCount(1, { timeout: 30_000 });
    await expect(page.getByTestId('ns-container')).toHaveText(`containerd: ${web['nerdctl/name']}`);

    // "all" again: the filter leaves the URL and every group's boxes are back.
    await page.getByTestId('group-filter').selectOption('');
    await expect.poll(() => page.evaluate(() => window.location.hash)).toBe('');
    await expect(page.getByTestId('ns-group').filter({ hasText: `k8s ns ${K8S_NS}` })).toHaveCount(1);
  } finally {
    await page.close();
  }
});
