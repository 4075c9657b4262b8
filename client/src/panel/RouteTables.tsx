/** A namespace's routes as `route -n` (IPv4 main) and as `ip route` for every table. */
import { memo } from 'react';
import type { Route } from '../../../common/model.js';
import { ipRouteGroups, routeN } from './routeFormat.js';

export const RouteTables = memo(function RouteTables({ routes }: { routes: readonly Route[] }) {
  const rows = routeN(routes);
  const groups = ipRouteGroups(routes);
  return (
    <>
      <h4>Kernel IP routing table</h4>
      <table className="route-n" data-testid="route-table">
        <thead>
          <tr>
            <th>Destination</th>
            <th>Gateway</th>
            <th>Genmask</th>
            <th>Flags</th>
            <th>Metric</th>
            <th>Iface</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={`${r.destination}/${r.genmask}/${r.metric}/${r.iface}/${r.gateway}`}
              data-testid="route-row"
            >
              <td data-col="destination">{r.destination}</td>
              <td data-col="gateway">{r.gateway}</td>
              <td data-col="genmask">{r.genmask}</td>
              <td data-col="flags">{r.flags}</td>
              <td data-col="metric">{r.metric}</td>
              <td data-col="iface">{r.iface}</td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                no IPv4 routes in table main
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {groups.map((g) => (
        <details key={g.title} open={g.table === 'main'} className="ip-route" data-testid="ip-route-group">
          <summary>
            <code>{g.title}</code> <span className="muted">({g.lines.length})</span>
          </summary>
          <pre data-testid="ip-route-lines">{g.lines.join('\n')}</pre>
        </details>
      ))}
    </>
  );
});
