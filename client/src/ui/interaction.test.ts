import { describe, expect, it } from 'vitest';
import { vethLinkId } from '../../../common/ids.js';
import type { Topology } from '../../../common/model.js';
import { liveModel } from '../sync/live.js';
import { figure1, iface } from '../testing/fixture.js';
import { useInteraction } from './interaction.js';

const A = { namespace: 'ns-2', name: 'va' };
const B = { namespace: 'ns-3', name: 'vb' };

function live(t: Topology, seq: number): void {
  liveModel.receive({ type: 'snapshot', protocol: 1, epoch: 'e', seq, topology: t, readOnly: false });
}

describe('withPendingVeth / settlePendingVeths', () => {
  it('drops the pending edge when the request fails, and rethrows for the dialog', async () => {
    const ui = useInteraction.getState();
    const failing = ui.withPendingVeth(A, B, () => Promise.reject(new Error('name taken')));
    expect(useInteraction.getState().pendingVeths).toHaveLength(1);
    await expect(failing).rejects.toThrow('name taken');
    expect(useInteraction.getState().pendingVeths).toEqual([]);
  });

  it('keeps the pending edge after success until the live model has the link', async () => {
    live(figure1(), 1);
    const ui = useInteraction.getState();
    await expect(ui.withPendingVeth(A, B, () => Promise.resolve('made'))).resolves.toBe('made');
    expect(useInteraction.getState().pendingVeths.map((p) => p.phase)).toEqual(['created']);

    const t = figure1();
    t.interfaces.push(iface(2, 30, 'va', { peer: 'if-3-31' }), iface(3, 31, 'vb', { peer: 'if-2-30' }));
    t.links.push({ id: vethLinkId('if-2-30', 'if-3-31'), kind: 'veth', a: 'if-2-30', b: 'if-3-31' });
    live(t, 2);
    useInteraction.getState().settlePendingVeths();
    expect(useInteraction.getState().pendingVeths).toEqual([]);
  });
});
