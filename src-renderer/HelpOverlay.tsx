import { Kbd, Modal, Table } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useState } from 'react';

export const SHORTCUTS: [string, string][] = [
  ['Ctrl + Enter', 'Generate'],
  ['Esc', 'Cancel the running job'],
  ['B / E', 'Brush / eraser (inpaint)'],
  ['C / H', 'Box tool / hand (pan)'],
  ['[ / ]', 'Smaller / larger brush'],
  ['Shift + wheel', 'Brush size'],
  ['Ctrl + Z / Ctrl + Shift + Z', 'Undo / redo on the canvas (strokes, box, extend, accepted results)'],
  ['← / →, Enter', 'Staged results: previous / next, accept the one shown'],
  ['Wheel, + / -', 'Zoom the canvas'],
  ['0', 'Fit the image'],
  ['Space + drag, middle button', 'Pan the canvas'],
  ['Ctrl + V', 'Paste an image as the init image'],
  ['?', 'This help'],
];

/** The keyboard shortcuts, on `?`. */
export function HelpOverlay() {
  const [open, setOpen] = useState(false);
  useHotkeys([
    ['shift+/', () => setOpen((o) => !o)],
    ['?', () => setOpen((o) => !o)],
  ]);
  return (
    <Modal opened={open} onClose={() => setOpen(false)} title="Keyboard shortcuts" data-testid="help-overlay">
      <Table>
        <Table.Tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <Table.Tr key={keys}>
              <Table.Td>
                {keys.split(' / ').map((k, i) => (
                  <span key={k}>
                    {i > 0 && ' / '}
                    <Kbd>{k}</Kbd>
                  </span>
                ))}
              </Table.Td>
              <Table.Td>{what}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}
