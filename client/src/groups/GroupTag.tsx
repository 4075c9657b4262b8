/** A group's name on a namespace box, in the group's own colour (the same on its frame). */
import type { CSSProperties } from 'react';
import { groupHue } from './groupView.js';
import './groups.css';

export function GroupTags({ groups }: { groups: readonly string[] }) {
  if (groups.length === 0) return null;
  return (
    <span className="ns-group" data-testid="ns-group">
      {groups.map((g) => (
        <span key={g} className="group-tag" style={{ '--group-hue': groupHue(g) } as CSSProperties}>
          {g}
        </span>
      ))}
    </span>
  );
}
