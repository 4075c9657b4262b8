/** The table view and its toggle, over the bottom of the canvas (App renders this once). */
import { useState } from 'react';
import { TableToggle, TableView } from './TableView.js';

export function TablePane() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <TableToggle open={open} onToggle={() => setOpen((o) => !o)} />
      {open && <TableView />}
    </>
  );
}
